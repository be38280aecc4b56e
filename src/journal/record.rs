//! What a journal record holds and how it is hashed into its kiosk's chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::text::serialize_hex32;
use crate::vocab::{Direction, EntryDecision, EntryKind, EntryReason};

/// Domain separation for record hashes.
pub const HASH_CONTEXT: &[u8] = b"badgegate/journal/v1\0";
/// Domain separation for a kiosk's first `prev_hash`.
pub const GENESIS_CONTEXT: &[u8] = b"badgegate/journal/v1/genesis\0";

/// A record's content, before the journal numbers and chains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewEntry {
    pub at_ms: u64,
    pub kind: EntryKind,
    pub gate: String,
    pub zone: Option<String>,
    pub direction: Direction,
    pub serial: Option<String>,
    pub holder: Option<String>,
    pub org: Option<String>,
    pub category: Option<String>,
    pub key_id: Option<String>,
    pub decision: EntryDecision,
    pub reason: EntryReason,
    pub flagged: bool,
    pub authentic: bool,
    pub detail: String,
    pub note: Option<String>,
    pub input: String,
}

/// A record as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub kiosk_id: String,
    pub seq: u64,
    #[serde(flatten)]
    pub body: NewEntry,
    #[serde(serialize_with = "serialize_hex32")]
    pub prev_hash: [u8; 32],
    #[serde(serialize_with = "serialize_hex32")]
    pub hash: [u8; 32],
}

/// The `prev_hash` of a kiosk's first record.
pub fn genesis_hash(kiosk_id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(GENESIS_CONTEXT);
    h.update(kiosk_id.as_bytes());
    h.finalize().into()
}

fn put_text(h: &mut Sha256, v: Option<&str>) {
    match v {
        Some(s) => {
            h.update((s.len() as u32).to_be_bytes());
            h.update(s.as_bytes());
        }
        None => h.update(u32::MAX.to_be_bytes()),
    }
}

/// The hash of a record: SHA-256 over the context, the previous hash and
/// every field in a fixed order (integers big-endian, text length-prefixed,
/// absent text as 0xFFFFFFFF).
pub fn record_hash(prev: &[u8; 32], kiosk_id: &str, seq: u64, e: &NewEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(HASH_CONTEXT);
    h.update(prev);
    put_text(&mut h, Some(kiosk_id));
    h.update(seq.to_be_bytes());
    h.update(e.at_ms.to_be_bytes());
    put_text(&mut h, Some(e.kind.code()));
    put_text(&mut h, Some(&e.gate));
    put_text(&mut h, e.zone.as_deref());
    put_text(&mut h, Some(e.direction.code()));
    put_text(&mut h, e.serial.as_deref());
    put_text(&mut h, e.holder.as_deref());
    put_text(&mut h, e.org.as_deref());
    put_text(&mut h, e.category.as_deref());
    put_text(&mut h, e.key_id.as_deref());
    put_text(&mut h, Some(e.decision.code()));
    put_text(&mut h, Some(e.reason.code()));
    h.update([u8::from(e.flagged), u8::from(e.authentic)]);
    put_text(&mut h, Some(&e.detail));
    put_text(&mut h, e.note.as_deref());
    put_text(&mut h, Some(&e.input));
    h.finalize().into()
}
