//! What a journal record holds, how it is hashed into its kiosk's chain and
//! how a kiosk signs it. Two record formats live side by side in one chain:
//! format 1 (written before kiosks signed their journals) and format 2.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::format::keys::{PublicKey, SecretKey};
use crate::text::serialize_hex32;
use crate::vocab::{Direction, EntryDecision, EntryKind, EntryReason};

/// Domain separation for format-1 record hashes.
pub const HASH_CONTEXT: &[u8] = b"badgegate/journal/v1\0";
/// Domain separation for format-2 record hashes.
pub const HASH_CONTEXT_V2: &[u8] = b"badgegate/journal/v2\0";
/// Domain separation for a kiosk's first `prev_hash` (both formats).
pub const GENESIS_CONTEXT: &[u8] = b"badgegate/journal/v1/genesis\0";
/// Domain separation for a kiosk's signature over a record hash.
pub const SIGNATURE_CONTEXT: &[u8] = b"badgegate/journal/v2/signature\0";
/// The record format this build writes.
pub const RECORD_FORMAT: u8 = 2;

/// A record's content, before the journal numbers and chains it. As JSON
/// (a patrol phone's records sent to the office) its fields are named as
/// here and its codes as the journal stores them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The sequence number of the signed list a `list` record is about
    /// (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_seq: Option<u64>,
    /// The guard signed in when the record was made (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
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
    /// 1 or 2 (see the module's comment).
    #[serde(skip_serializing_if = "is_format_1")]
    pub format: u8,
    /// The signing kiosk's public key, 64 hex digits (format 2, signed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Ed25519 over [`SIGNATURE_CONTEXT`] and `hash` by `signer`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_sig"
    )]
    pub sig: Option<[u8; 64]>,
}

fn is_format_1(f: &u8) -> bool {
    *f == 1
}

fn serialize_sig<S: serde::Serializer>(sig: &Option<[u8; 64]>, s: S) -> Result<S::Ok, S::Error> {
    match sig {
        Some(sig) => s.serialize_str(&crate::text::hex(sig)),
        None => s.serialize_none(),
    }
}

impl Entry {
    /// The hash this record's content and `prev_hash` call for.
    pub fn expected_hash(&self) -> [u8; 32] {
        record_hash(
            &self.prev_hash,
            &self.kiosk_id,
            self.seq,
            self.format,
            &self.body,
            self.signer.as_deref(),
        )
    }

    /// The signer's key, if the record names a well-formed one.
    pub fn signer_key(&self) -> Option<PublicKey> {
        let hex = self.signer.as_deref()?;
        let bytes = crate::text::unhex(hex)?;
        let raw: [u8; 32] = bytes.try_into().ok()?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&raw).ok()?;
        Some(PublicKey::new(key))
    }
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

fn put_number(h: &mut Sha256, v: Option<u64>) {
    match v {
        Some(n) => {
            h.update([1]);
            h.update(n.to_be_bytes());
        }
        None => h.update([0]),
    }
}

/// The hash of a record: SHA-256 over the format's context, the previous
/// hash and every field in a fixed order (integers big-endian, text
/// length-prefixed, absent text as 0xFFFFFFFF). Format 2 adds the list
/// sequence, the guard and the signer's key; format 1 has none of them.
pub fn record_hash(
    prev: &[u8; 32],
    kiosk_id: &str,
    seq: u64,
    format: u8,
    e: &NewEntry,
    signer: Option<&str>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(if format == 1 {
        HASH_CONTEXT
    } else {
        HASH_CONTEXT_V2
    });
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
    if format != 1 {
        put_number(&mut h, e.list_seq);
        put_text(&mut h, e.guard.as_deref());
        put_text(&mut h, signer);
    }
    h.finalize().into()
}

/// The bytes a kiosk signs for a record.
pub fn signed_message(hash: &[u8; 32]) -> Vec<u8> {
    let mut m = SIGNATURE_CONTEXT.to_vec();
    m.extend_from_slice(hash);
    m
}

/// A kiosk's signature over a record hash.
pub fn sign_record(key: &SecretKey, hash: &[u8; 32]) -> [u8; 64] {
    key.sign(&signed_message(hash))
}
