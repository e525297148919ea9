//! The tools built on the engine: the agents' knowledge base ([`offers`]), data silos
//! ([`parity`]), case files and their runner ([`cases`], [`testing`]), batches ([`batch`]).

pub mod batch;
pub mod cases;
pub mod line_diff;
pub mod offers;
pub mod parity;
pub mod record;
pub mod replay;
pub mod review;
pub mod test_report;
pub mod testing;
