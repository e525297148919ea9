//! What a redemption and a reversal do inside their transaction, written once for both
//! backends. A backend supplies the statements in its own SQL dialect ([`Statements`]) and
//! the transaction that serialises them; whether to commit is decided here.

use super::{Decide, Entry, NewRedemption, Redeemed, Reversal, View};

/// The statements of one backend, run inside a transaction it has begun and serialised.
pub(super) trait Statements {
    /// The entry with this key, reversed or not; `for_update` also keeps a concurrent
    /// reversal of the same key waiting until this transaction ends.
    async fn find(&mut self, key: &str, for_update: bool) -> Result<Option<Entry>, sqlx::Error>;
    /// The customer's unreversed redemptions (offer ids, in the order recorded), and the
    /// offer's unreversed redemptions, all customers together.
    async fn view(&mut self, customer: &str, offer: &str) -> Result<View, sqlx::Error>;
    /// Records the redemption; returns when it was recorded, as entries show it.
    async fn insert(&mut self, new: &NewRedemption) -> Result<String, sqlx::Error>;
    /// Marks the key's entry reversed; returns when, as entries show it.
    async fn mark_reversed(&mut self, key: &str) -> Result<String, sqlx::Error>;
}

/// The redemption's outcome, and whether it wrote (commit) or not (roll back).
pub(super) async fn redeem(
    tx: &mut impl Statements,
    new: &NewRedemption,
    decide: &mut Decide<'_>,
) -> Result<(Redeemed, bool), sqlx::Error> {
    if let Some(found) = tx.find(&new.key, false).await? {
        return Ok((Redeemed::existing(found, new), false));
    }
    let view = tx.view(&new.customer, &new.offer).await?;
    if !decide(&view) {
        return Ok((Redeemed::Refused, false));
    }
    let recorded = tx.insert(new).await?;
    let entry = Entry {
        key: new.key.clone(),
        customer: new.customer.clone(),
        offer: new.offer.clone(),
        channel: new.channel.clone(),
        at: new.at.clone(),
        rules: new.rules.clone(),
        recorded,
        reversed: None,
        body_hash: new.body_hash.clone(),
    };
    Ok((Redeemed::Recorded(entry), true))
}

/// The reversal's outcome (`None` for an unknown key), and whether it wrote.
pub(super) async fn reverse(
    tx: &mut impl Statements,
    key: &str,
) -> Result<(Option<Reversal>, bool), sqlx::Error> {
    let Some(mut entry) = tx.find(key, true).await? else {
        return Ok((None, false));
    };
    if entry.reversed.is_some() {
        let repeated = Reversal {
            entry,
            repeated: true,
        };
        return Ok((Some(repeated), false));
    }
    entry.reversed = Some(tx.mark_reversed(key).await?);
    let reversal = Reversal {
        entry,
        repeated: false,
    };
    Ok((Some(reversal), true))
}
