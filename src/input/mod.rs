//! What channels pass in: JSON and YAML documents read exactly ([`document`]; [`yaml`] is the
//! only module that knows the YAML library), checked against the schema into a [`context`].

pub mod context;
pub mod document;
mod yaml;
