//! The signed artefacts and their wire constants: badges, keys and the trust
//! store, revocation lists, the venue policy. Bytes in, checked values out; no I/O beyond
//! reading small files.

pub mod badge;
pub mod category;
pub mod constants;
pub mod keys;
pub mod policy;
pub mod revocation;
