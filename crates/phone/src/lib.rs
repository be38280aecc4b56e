//! badgegate on a patrol guard's phone. The patrol page
//! (`crates/phone/web`, served by `office serve` at `/patrol` or written by
//! `badgegate patrol bundle`) runs this crate built to WebAssembly: the
//! kiosks' own decision ([`badgegate_core::decide`]), their list and key
//! checks, the record hash and signature of the journal format, and the
//! light QR reader ([`badgegate_read::read::decode_light`]). One
//! implementation, not a port: the page never decides anything itself.
//!
//! The page talks to it through [`call`]: an operation name and a JSON
//! request in (plus raw bytes for a frame or a photo), a JSON answer out.
//! In WebAssembly that is the exported `bg_call` over linear memory
//! (`bg_alloc`, `bg_free`); natively the same function is tested directly.
//!
//! Nothing the server sends is trusted because the server sent it: the
//! trust keys are pinned by the page at enrolment, and every list, policy
//! and key list is verified here under them before it is used.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use badgegate_core::decide::photo::{self, PhotoCheck};
use badgegate_core::decide::{decide_bytes, Checks, Decision, GatePolicy, Place};
use badgegate_core::format::constants::REVOCATION_HEADER_V1;
use badgegate_core::format::keylist::{KeyList, KEYLIST_HEADER_V1};
use badgegate_core::format::keys::{KeyStatus, PublicKey, SecretKey, TrustStore};
use badgegate_core::format::policy::{
    lists_max_age_secs, PolicyError, VenuePolicy, POLICY_HEADER_V1,
};
use badgegate_core::format::revocation::{RevocationError, RevocationList, RevocationSet};
use badgegate_core::journal::{genesis_hash, record_hash, sign_record, NewEntry, RECORD_FORMAT};
use badgegate_core::text::{hex, unhex};
use badgegate_core::vocab::{
    Direction, EntryDecision, EntryKind, EntryReason, KioskEvent, Reason, Verdict,
};

/// The gate name every patrol phone's records carry.
pub const PATROL_GATE: &str = "patrol";

/// How stale lists may be when the venue's policy does not say (as a
/// kiosk's default: 24 hours).
pub const DEFAULT_MAX_AGE_SECS: u64 = 24 * 3600;

/// Largest frame the page may hand in (a 1080p frame is 8.3 MB of RGBA).
pub const MAX_FRAME_PIXELS: u64 = 1920 * 1080;

/// What the phone decides with: verified under the pinned keys.
struct State {
    trust: TrustStore,
    revocations: RevocationSet,
    policy: Option<VenuePolicy>,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// The pinned trust keys, as PEM texts of a trust folder.
#[derive(Debug, Default, Deserialize)]
pub struct TrustFiles {
    /// Root keys (the folder's `root/`): they sign key lists only.
    #[serde(default)]
    pub roots: Vec<String>,
    /// Active badge keys (the folder's own `*.pem`).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Retired badge keys (`retired/`).
    #[serde(default)]
    pub retired: Vec<String>,
}

#[derive(Deserialize)]
struct LoadRequest {
    trust: TrustFiles,
    /// Signed list texts: revocation lists, venue policies, key lists, in
    /// any order, old and new (the newest verified of each is kept).
    #[serde(default)]
    lists: Vec<String>,
    /// Unix seconds now, for staleness.
    now: u64,
}

/// One signed file as the phone judged it.
#[derive(Debug, Serialize)]
struct ListSeen {
    /// Its place among the texts given (absent for a key list that no
    /// text stands for).
    index: Option<usize>,
    kind: &'static str,
    key_id: Option<String>,
    sequence: Option<u64>,
    issued_at: Option<u64>,
    /// `in use`, `older` (a newer one of its key is in use), `retired`
    /// (genuine, but its key is retired: set aside), `refused`.
    state: &'static str,
    why: Option<String>,
}

fn pem_keys(texts: &[String], what: &str) -> Result<Vec<PublicKey>, String> {
    texts
        .iter()
        .map(|t| {
            PublicKey::from_pem(t)
                .ok_or_else(|| format!("a pinned {what} key is not an Ed25519 public key in PEM"))
        })
        .collect()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end_matches('\r')
}

/// Builds the trust store from the pinned keys and the newest key list
/// they verify.
fn trust_of(
    files: &TrustFiles,
    lists: &[String],
    seen: &mut Vec<ListSeen>,
) -> Result<TrustStore, String> {
    let roots = pem_keys(&files.roots, "root")?;
    let keys = pem_keys(&files.keys, "badge")?;
    let retired = pem_keys(&files.retired, "retired")?;
    if roots.is_empty() && keys.is_empty() && retired.is_empty() {
        return Err("no trust keys are pinned: enrol this phone again".into());
    }
    if let Some(r) = roots
        .iter()
        .find(|r| keys.iter().chain(&retired).any(|k| k.id == r.id))
    {
        return Err(format!(
            "root key {} is also pinned as a badge key: a root signs key lists only",
            r.id
        ));
    }
    let mut trust = TrustStore::from_keys(&keys, &retired).with_roots(&roots);
    let mut best: Option<(usize, KeyList)> = None;
    for (i, text) in lists.iter().enumerate() {
        if first_line(text) != KEYLIST_HEADER_V1 {
            continue;
        }
        match KeyList::parse_verified(text, &roots) {
            Ok(l) => {
                if best.as_ref().is_none_or(|(_, b)| b.sequence < l.sequence) {
                    best = Some((i, l));
                }
            }
            Err(e) => seen.push(refused(i, "keys", e.to_string())),
        }
    }
    if let Some((i, l)) = best {
        seen.push(ListSeen {
            index: Some(i),
            kind: "keys",
            key_id: Some(l.root_id.to_string()),
            sequence: Some(l.sequence),
            issued_at: Some(l.issued_at),
            state: "in use",
            why: None,
        });
        trust = trust.with_keylist(l);
    }
    Ok(trust)
}

fn load(req: LoadRequest) -> Result<Value, String> {
    let mut seen = Vec::new();
    let trust = trust_of(&req.trust, &req.lists, &mut seen)?;
    let mut revocations = Vec::new();
    let mut policy: Option<(usize, VenuePolicy)> = None;
    for (i, text) in req.lists.iter().enumerate() {
        let head = first_line(text);
        if head == REVOCATION_HEADER_V1 {
            match RevocationList::parse_verified(text, &trust) {
                Ok(l) => revocations.push((i, l)),
                // A genuine list of a key since retired: set aside, as a
                // kiosk sets it aside, not a forgery to raise.
                Err(e @ RevocationError::RetiredKey(_)) => seen.push(ListSeen {
                    state: "retired",
                    ..refused(i, "revocations", e.to_string())
                }),
                Err(e) => seen.push(refused(i, "revocations", e.to_string())),
            }
        } else if head == POLICY_HEADER_V1 {
            match VenuePolicy::parse_verified(text, &trust) {
                Ok(p) => {
                    if policy
                        .as_ref()
                        .is_none_or(|(_, old)| old.sequence < p.sequence)
                    {
                        policy = Some((i, p));
                    }
                }
                Err(e @ PolicyError::RetiredKey(_)) => seen.push(ListSeen {
                    state: "retired",
                    ..refused(i, "policy", e.to_string())
                }),
                Err(e) => seen.push(refused(i, "policy", e.to_string())),
            }
        } else if head != KEYLIST_HEADER_V1 {
            seen.push(refused(
                i,
                "unknown",
                "not a badgegate list, policy or key list".into(),
            ));
        }
    }
    let set = RevocationSet::of(revocations.iter().map(|(_, l)| l.clone()));
    // One text in use for each key's newest sequence (a copy of it is
    // "older" too).
    let mut used = std::collections::BTreeSet::new();
    for (i, l) in &revocations {
        let newest =
            set.get(&l.key_id).is_some_and(|n| n.sequence == l.sequence) && used.insert(l.key_id);
        seen.push(ListSeen {
            index: Some(*i),
            kind: "revocations",
            key_id: Some(l.key_id.to_string()),
            sequence: Some(l.sequence),
            issued_at: Some(l.issued_at),
            state: if newest { "in use" } else { "older" },
            why: None,
        });
    }
    let policy = policy.map(|(i, p)| {
        seen.push(ListSeen {
            index: Some(i),
            kind: "policy",
            key_id: Some(p.key_id.to_string()),
            sequence: Some(p.sequence),
            issued_at: Some(p.issued_at),
            state: "in use",
            why: None,
        });
        p
    });
    // A list's sequence only grows: the newest of each key is in use, and
    // the page keeps it, so a server that later offers an older one
    // changes nothing.
    let max_age = lists_max_age_secs(policy.as_ref().map(|p| &p.body), DEFAULT_MAX_AGE_SECS);
    let oldest = set.oldest_issued_at();
    let keys: Vec<Value> = trust
        .keys()
        .map(|k| {
            json!({
                "id": k.key.id.to_string(),
                "status": if k.status == KeyStatus::Retired { "retired" } else { "active" },
                "scoped": k.grant.is_some(),
            })
        })
        .collect();
    let answer = json!({
        "keys": keys,
        "roots": trust.roots().iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
        "lists": seen,
        "revoked": set.lists().map(|l| l.entries.len()).sum::<usize>(),
        "oldest_list_issued_at": oldest,
        "max_age_secs": max_age,
        "stale": oldest.is_none_or(|t| req.now.saturating_sub(t) > max_age),
        "policy": policy.as_ref().map(|p| json!({
            "venue": p.body.venue,
            "sequence": p.sequence,
            "issued_at": p.issued_at,
            "language": p.body.language,
            "time_zone": p.body.time_zone,
            "zones": p.body.zones.iter().map(|z| z.code.clone()).collect::<Vec<_>>(),
        })),
    });
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            trust,
            revocations: set,
            policy,
        })
    });
    Ok(answer)
}

fn refused(index: usize, kind: &'static str, why: String) -> ListSeen {
    ListSeen {
        index: Some(index),
        kind,
        key_id: None,
        sequence: None,
        issued_at: None,
        state: "refused",
        why: Some(why),
    }
}

/// The phone's own chain, as the page keeps it.
#[derive(Debug, Deserialize)]
pub struct Chain {
    pub kiosk_id: String,
    /// The number the next record gets (1 for the first).
    pub seq: u64,
    /// The previous record's hash, hex (absent before the first record).
    #[serde(default)]
    pub prev_hash: Option<String>,
    /// The phone's signing key's 32-byte seed, hex.
    pub seed: String,
}

#[derive(Deserialize)]
struct DecideRequest {
    /// The code's text as read (or typed).
    text: String,
    /// The code's bytes in hex, when they are not UTF-8 text (decided
    /// from the bytes, as a kiosk does: not a badge).
    #[serde(default)]
    input_hex: Option<String>,
    /// Unix milliseconds now.
    now_ms: u64,
    /// The zone this patrol checks for (`None`: any).
    #[serde(default)]
    zone: Option<String>,
    /// The venue this phone is at, for keys granted to some venues only.
    #[serde(default)]
    venue: Option<String>,
    /// The guard signed in on the phone.
    #[serde(default)]
    guard: Option<String>,
    /// Set when the page has the badge's photo (the raw bytes come beside
    /// the request); unset: none on the phone.
    #[serde(default)]
    photo_given: bool,
    /// Where to record the check: the phone's chain. Without it nothing
    /// is recorded (the vectors' tests).
    #[serde(default)]
    chain: Option<Chain>,
}

fn decide_here(req: DecideRequest, photo_bytes: Option<Vec<u8>>) -> Result<Value, String> {
    STATE.with(|s| {
        let s = s.borrow();
        let state = s
            .as_ref()
            .ok_or("no trust data is loaded on this phone: enrol it or load the patrol data")?;
        let gate = GatePolicy {
            zone: req.zone.clone().filter(|z| !z.is_empty()),
            venue: req.venue.clone().filter(|v| !v.is_empty()),
            direction: Direction::In,
            time: state
                .policy
                .as_ref()
                .map(|p| p.body.venue_time())
                .unwrap_or_else(badgegate_core::clock::VenueTime::utc),
            ..GatePolicy::default()
        };
        let checks = Checks {
            trust: &state.trust,
            revocations: Some(&state.revocations),
            gate: &gate,
            now: req.now_ms / 1000,
        };
        let bytes = match &req.input_hex {
            Some(h) => unhex(h).ok_or("input_hex is not hex")?,
            None => req.text.as_bytes().to_vec(),
        };
        let d = decide_bytes(&bytes, &checks);
        let photo = match (&d.badge, d.authentic) {
            (Some(b), true) => photo::judge(
                b,
                if req.photo_given { photo_bytes } else { None },
                "this phone holds no photo for this badge",
            ),
            _ => PhotoCheck::NotOnBadge,
        };
        // A guard holds the phone: a photo it cannot show asks for an ID
        // (CHECK ID), as at a kiosk with a guard at the screen.
        let d = photo::apply(d, &photo, Direction::In, true);
        let shown = shown(&d, &photo);
        let record = match &req.chain {
            Some(chain) => {
                let place = Place {
                    gate: PATROL_GATE,
                    zone: gate.zone.as_deref(),
                    direction: Direction::In,
                    guard: req.guard.as_deref(),
                };
                let entry = d.entry(&req.text, req.now_ms, EntryKind::Check, None, &place);
                Some(signed(chain, entry)?)
            }
            None => None,
        };
        let b = d.badge.as_ref();
        Ok(json!({
            "shown": shown,
            "decision": d.verdict.code(),
            "reason": d.reason.code(),
            "authentic": d.authentic,
            "flagged": d.flagged,
            "detail": d.detail,
            "serial": b.map(|b| b.serial.clone()),
            "name": b.map(|b| b.name.clone()),
            "org": b.map(|b| b.org.clone()),
            "category": b.map(|b| b.category.clone()),
            "zones": b.map(|b| b.zones.clone()),
            "valid_from": b.map(|b| b.valid_from),
            "valid_until": b.map(|b| b.valid_until),
            "key_id": b.map(|b| b.key_id.to_string()),
            "photo": photo.code(),
            "wants_photo": b.is_some_and(|b| b.photo.is_some()) && d.authentic && !req.photo_given,
            "record": record,
        }))
    })
}

/// What the guard's screen shows: ADMIT, DENY, or CHECK ID (admitted,
/// but a check is owed: flagged, or no photo to compare).
fn shown(d: &Decision, photo: &PhotoCheck) -> &'static str {
    match d.verdict {
        Verdict::Admit if d.flagged || matches!(photo, PhotoCheck::Missing(_)) => "check_id",
        Verdict::Admit => "admit",
        _ => "deny",
    }
}

/// Numbers, hashes and signs a record in the phone's chain; the answer is
/// the record as the office takes it (the journal format's fields).
fn signed(chain: &Chain, entry: NewEntry) -> Result<Value, String> {
    let seed: [u8; 32] = unhex(&chain.seed)
        .and_then(|b| b.try_into().ok())
        .ok_or("the phone's key is damaged: enrol this phone again")?;
    let key = SecretKey::from_seed(&seed);
    let signer = hex(&key.public().key.to_bytes());
    if chain.seq == 0 {
        return Err("record numbers start at 1".into());
    }
    let prev: [u8; 32] = match (&chain.prev_hash, chain.seq) {
        (None, 1) => genesis_hash(&chain.kiosk_id),
        (Some(h), _) => unhex(h)
            .and_then(|b| b.try_into().ok())
            .ok_or("the phone's chain head is damaged")?,
        (None, _) => return Err("the phone's chain head is missing".into()),
    };
    let hash = record_hash(
        &prev,
        &chain.kiosk_id,
        chain.seq,
        RECORD_FORMAT,
        &entry,
        Some(&signer),
    );
    let sig = sign_record(&key, &hash);
    let mut v = serde_json::to_value(&entry).map_err(|e| e.to_string())?;
    let o = v.as_object_mut().ok_or("record is not an object")?;
    o.insert("kiosk_id".into(), json!(chain.kiosk_id));
    o.insert("seq".into(), json!(chain.seq));
    o.insert("prev_hash".into(), json!(hex(&prev)));
    o.insert("hash".into(), json!(hex(&hash)));
    o.insert("format".into(), json!(RECORD_FORMAT));
    o.insert("signer".into(), json!(signer));
    o.insert("sig".into(), json!(hex(&sig)));
    Ok(v)
}

#[derive(Deserialize)]
struct EventRequest {
    /// `start` (the phone enrolled) or `shift` (a guard signed in or out).
    kind: String,
    /// `start`, `sign_in` or `sign_out`.
    reason: String,
    detail: String,
    now_ms: u64,
    #[serde(default)]
    guard: Option<String>,
    chain: Chain,
}

fn event(req: EventRequest) -> Result<Value, String> {
    let kind = match req.kind.as_str() {
        "start" => EntryKind::Start,
        "shift" => EntryKind::Shift,
        other => return Err(format!("a phone does not record {other:?} events")),
    };
    let reason = EntryReason::from_code(&req.reason)
        .ok_or_else(|| format!("{:?} is not a record reason", req.reason))?;
    let entry = NewEntry {
        at_ms: req.now_ms,
        kind,
        gate: PATROL_GATE.into(),
        direction: Direction::In,
        decision: EntryDecision::None,
        reason,
        detail: req.detail,
        guard: req.guard,
        ..NewEntry::default()
    };
    signed(&req.chain, entry)
}

/// A phone's key from a seed the page drew (crypto.getRandomValues).
fn key_of(seed_hex: &str) -> Result<Value, String> {
    let seed: [u8; 32] = unhex(seed_hex)
        .and_then(|b| b.try_into().ok())
        .ok_or("a key seed is 32 bytes in hex")?;
    let key = SecretKey::from_seed(&seed);
    Ok(json!({
        "public": hex(&key.public().key.to_bytes()),
        "key_id": key.key_id().to_string(),
    }))
}

#[derive(Deserialize)]
struct ReadRequest {
    width: u32,
    height: u32,
}

/// Every code in an RGBA frame (a canvas's pixels), read by the light
/// reader.
fn read_frame(req: ReadRequest, rgba: &[u8]) -> Result<Value, String> {
    let pixels = u64::from(req.width) * u64::from(req.height);
    if pixels == 0 || pixels > MAX_FRAME_PIXELS || rgba.len() as u64 != pixels * 4 {
        return Err(format!(
            "a frame is {}x{} RGBA pixels, at most 1920x1080",
            req.width, req.height
        ));
    }
    let grey: Vec<u8> = rgba
        .chunks_exact(4)
        .map(|p| ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8)
        .collect();
    let img = image::GrayImage::from_raw(req.width, req.height, grey)
        .ok_or("the frame's size does not match its pixels")?;
    let codes: Vec<Value> = badgegate_read::read::decode_light(&img)
        .into_iter()
        .map(|c| {
            let binary = std::str::from_utf8(&c.bytes).is_err();
            json!({
                "text": c.text(),
                "bytes_hex": binary.then(|| hex(&c.bytes)),
                "corners": c.corners,
            })
        })
        .collect();
    Ok(json!({ "codes": codes }))
}

/// The vocabulary's codes the page shows words for.
fn vocabulary() -> Value {
    json!({
        "reasons": Reason::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "events": KioskEvent::ALL.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// One operation of the phone's interface: `op` names it, `request` is
/// its JSON, `bytes` the raw pixels of a frame (`read`) or a photo
/// (`decide`). The answer is `{"ok": …}` or `{"error": "…"}`.
pub fn call(op: &str, request: &[u8], bytes: Option<Vec<u8>>) -> Value {
    fn parse<T: for<'de> Deserialize<'de>>(r: &[u8]) -> Result<T, String> {
        serde_json::from_slice(r).map_err(|e| format!("bad request: {e}"))
    }
    let r = match op {
        "load" => parse(request).and_then(load),
        "decide" => parse(request).and_then(|q| decide_here(q, bytes)),
        "event" => parse(request).and_then(event),
        "key" => parse::<Value>(request)
            .and_then(|v| key_of(v.get("seed").and_then(Value::as_str).unwrap_or(""))),
        "read" => parse(request).and_then(|q| read_frame(q, bytes.as_deref().unwrap_or(&[]))),
        "vocabulary" => Ok(vocabulary()),
        other => Err(format!("no operation {other:?}")),
    };
    match r {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    }
}

// Built on every target, so the host build's lints cover it; only the
// WebAssembly build exports it.
mod wasm {
    //! The exports the page's `patrol.js` calls. Buffers cross as
    //! (pointer, length) pairs in this module's memory; an answer is a
    //! 4-byte little-endian length followed by that many bytes of JSON.

    /// Memory for the page to write a request into.
    #[no_mangle]
    pub extern "C" fn bg_alloc(len: usize) -> *mut u8 {
        let mut v = Vec::<u8>::with_capacity(len.max(1));
        let p = v.as_mut_ptr();
        std::mem::forget(v);
        p
    }

    /// Gives back memory from [`bg_alloc`] or an answer.
    ///
    /// # Safety
    /// `ptr` and `cap` must come from `bg_alloc(cap)` or be an answer and
    /// its length plus 4, and not be used again.
    #[no_mangle]
    pub unsafe extern "C" fn bg_free(ptr: *mut u8, cap: usize) {
        if !ptr.is_null() {
            drop(Vec::from_raw_parts(ptr, 0, cap.max(1)));
        }
    }

    /// Runs [`super::call`]. The op name, request and bytes were written
    /// by the page into buffers from [`bg_alloc`]; they are taken (freed)
    /// here. `bytes_ptr` null: no bytes.
    ///
    /// # Safety
    /// Each pointer must come from `bg_alloc` with exactly its length.
    #[no_mangle]
    pub unsafe extern "C" fn bg_call(
        op_ptr: *mut u8,
        op_len: usize,
        req_ptr: *mut u8,
        req_len: usize,
        bytes_ptr: *mut u8,
        bytes_len: usize,
    ) -> *mut u8 {
        let op = Vec::from_raw_parts(op_ptr, op_len, op_len.max(1));
        let req = Vec::from_raw_parts(req_ptr, req_len, req_len.max(1));
        let bytes = (!bytes_ptr.is_null())
            .then(|| Vec::from_raw_parts(bytes_ptr, bytes_len, bytes_len.max(1)));
        let answer = super::call(&String::from_utf8_lossy(&op), &req, bytes);
        let text = answer.to_string().into_bytes();
        let mut out = Vec::with_capacity(text.len() + 4);
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(&text);
        let mut out = std::mem::ManuallyDrop::new(out);
        out.shrink_to_fit();
        out.as_mut_ptr()
    }

    /// ed25519-dalek names getrandom for key generation, which the phone
    /// never uses (seeds come from the page's crypto.getRandomValues).
    fn no_entropy(_: &mut [u8]) -> Result<(), getrandom::Error> {
        Err(getrandom::Error::UNSUPPORTED)
    }
    getrandom::register_custom_getrandom!(no_entropy);
}
