//! What channels pass in: JSON and YAML documents read exactly into a plain tree
//! ([`document`]; [`json`] and [`yaml`] are the only modules that know their libraries, and
//! [`read`] picks between them), checked against the schema into a [`context`].

pub mod context;
pub mod document;
pub mod json;
pub mod read;
mod yaml;
