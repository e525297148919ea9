//! `honor diff --format json`: the whole review for a program (a CI step, a bot).

use crate::tools::review::Review;

pub fn render(review: &Review) -> String {
    super::json(review)
}
