//! The signed artefacts and their wire constants: badges, keys and the trust
//! store, revocation lists, the venue policy. Bytes in, checked values out; no I/O beyond
//! reading small files.

pub mod badge;
pub mod category;
pub mod constants;
pub mod keylist;
pub mod keys;
pub mod policy;
pub mod revocation;

/// The first line of a signed list of this kind: what the office checks a
/// published row's body against (it writes its `badgegate.list_header`
/// from this).
pub fn list_header(kind: crate::vocab::ListKind) -> &'static str {
    use crate::vocab::ListKind;
    match kind {
        ListKind::Revocations => constants::REVOCATION_HEADER_V1,
        ListKind::Policy => policy::POLICY_HEADER_V1,
        ListKind::Keys => keylist::KEYLIST_HEADER_V1,
    }
}
