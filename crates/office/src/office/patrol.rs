//! The patrol page (`crates/phone`): a guard checks badges on a phone,
//! offline, with the kiosks' own verifier built to WebAssembly. The office
//! serves it at `/patrol` (`office serve --patrol-trust DIR`) or writes it
//! as a static folder (`badgegate patrol bundle`). Here: its files, the
//! trust it pins, a phone's enrolment as a kiosk of its own (its key made
//! on the phone), the data it takes (signed lists and photos, verified on
//! the phone) and the records it sends (each checked here against the
//! phone's enrolled key before the office's own chain checks).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use postgres::Client;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use badgegate_core::format::keys::{KeyStatus, PublicKey, TrustStore};
use badgegate_core::journal::{record_hash, signed_message, NewEntry};
use badgegate_core::text::{hex, unhex};

use super::OfficeError;

/// The verifier (empty: the wasm32 target was missing when this office
/// was built).
pub const WASM: &[u8] = badgegate_patrol_page::WASM;

/// The page's own files, as in `crates/phone/web`.
const FILES: &[(&str, &[u8])] = badgegate_patrol_page::FILES;

/// The gate name a patrol phone's kiosk row carries.
pub const PATROL_GATE: &str = "patrol";

/// Patrol phones enrolled at most by one office user (a flood of
/// enrolments from one sign-in is refused).
const MAX_PHONES_PER_USER: i64 = 20;

/// Records taken in one request.
pub const MAX_RECORDS_A_REQUEST: usize = 500;

fn refused(why: impl Into<String>) -> OfficeError {
    OfficeError::Refused(why.into())
}

/// Fails unless this build carries the verifier.
pub fn ready() -> Result<(), OfficeError> {
    if WASM.is_empty() {
        return Err(refused(
            "this badgegate was built without the patrol page's verifier: run `rustup target add wasm32-unknown-unknown` and build it again",
        ));
    }
    Ok(())
}

/// A short name for this build of the page (the service worker's cache is
/// named after it, so phones take up a new build when the office serves
/// one).
pub fn version() -> String {
    let mut h = Sha256::new();
    for (name, bytes) in FILES {
        h.update(name.as_bytes());
        h.update(bytes);
    }
    h.update(WASM);
    hex(&h.finalize()[..6])
}

/// The guard screen's words in one language, as the page reads them (the
/// same words a kiosk's screen says).
fn screen_words(lang: &str) -> Option<Vec<u8>> {
    let l = badgegate_screen::screen::lang::Lang::from_code(lang)?;
    serde_json::to_vec(l.words()).ok()
}

/// Content type of a page file.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "jpg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// A file of the page by its name under `/patrol/` (`""` is the page).
pub fn asset(name: &str) -> Option<Cow<'static, [u8]>> {
    let name = if name.is_empty() { "index.html" } else { name };
    if name == "phone.wasm" {
        return Some(Cow::Borrowed(WASM));
    }
    if name == "sw.js" {
        let sw = String::from_utf8_lossy(file("sw.js")?).replace("__VERSION__", &version());
        return Some(Cow::Owned(sw.into_bytes()));
    }
    if let Some(lang) = name
        .strip_prefix("screen-words/")
        .and_then(|n| n.strip_suffix(".json"))
    {
        return screen_words(lang).map(Cow::Owned);
    }
    file(name).map(Cow::Borrowed)
}

fn file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Every file of the page (for a bundle).
fn all_assets() -> Vec<(String, Cow<'static, [u8]>)> {
    let mut names: Vec<String> = FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.push("phone.wasm".into());
    for l in badgegate_screen::screen::lang::Lang::ALL {
        names.push(format!("screen-words/{}.json", l.code()));
    }
    names
        .into_iter()
        .filter_map(|n| asset(&n).map(|b| (n, b)))
        .collect()
}

/// The trust a phone pins at enrolment: the public keys of a trust
/// folder (as PEM texts) and the key lists in it.
#[derive(Clone, Debug, Default)]
pub struct PatrolTrust {
    pub roots: Vec<String>,
    pub keys: Vec<String>,
    pub retired: Vec<String>,
    pub lists: Vec<String>,
    /// What `doctor` and the log say about it.
    pub summary: String,
}

/// Reads a kiosk's trust folder for phones: checked as a kiosk checks it
/// (a secret key in it, a root that is also a badge key and an unverified
/// key list are refused the same way).
pub fn read_trust(dir: &Path) -> Result<PatrolTrust, OfficeError> {
    let store = TrustStore::load(dir)
        .map_err(|e| refused(format!("patrol trust folder {}: {e}", dir.display())))?;
    // A secret key beside the public ones: this folder is not the one to
    // hand out to every phone (a kiosk only warns; here it is refused).
    if let Some(w) = store.warnings.iter().find(|w| w.contains("secret key")) {
        return Err(refused(format!(
            "patrol trust folder: {w}; give a folder of public keys only"
        )));
    }
    let mut t = PatrolTrust::default();
    let pem = |k: &PublicKey| {
        k.to_pem()
            .map_err(|e| refused(format!("patrol trust folder {}: {e}", dir.display())))
    };
    for k in store.keys() {
        // Keys the folder holds (a key list's grants come with the list).
        if !k.path.is_file() {
            continue;
        }
        match k.status {
            KeyStatus::Retired => t.retired.push(pem(&k.key)?),
            _ => t.keys.push(pem(&k.key)?),
        }
    }
    for r in store.roots() {
        t.roots.push(pem(r)?);
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_file() && badgegate_core::format::keylist::looks_like_keylist(&p) {
                let text = badgegate_core::format::keylist::read_keylist(&p)
                    .map_err(|e| refused(format!("{}: {e}", p.display())))?;
                t.lists.push(text);
            }
        }
    }
    if t.keys.is_empty() && t.roots.is_empty() {
        return Err(refused(format!(
            "patrol trust folder {} holds no public key: give the kiosks' trust folder",
            dir.display()
        )));
    }
    t.summary = format!(
        "{} badge key(s), {} retired, {} root key(s), {} key list(s)",
        t.keys.len(),
        t.retired.len(),
        t.roots.len(),
        t.lists.len()
    );
    Ok(t)
}

/// The page's `config.json`: how it runs and what it pins.
pub fn config_json(trust: &PatrolTrust, bundle: bool, venue: Option<&str>) -> Vec<u8> {
    let v = json!({
        "mode": if bundle { "bundle" } else { "office" },
        "trust": { "roots": trust.roots, "keys": trust.keys, "retired": trust.retired },
        "trust_lists": trust.lists,
        "venue": venue,
        "version": version(),
    });
    serde_json::to_vec_pretty(&v).unwrap_or_default()
}

/// What `patrol bundle` wrote.
#[derive(Debug)]
pub struct Bundle {
    pub files: usize,
    pub lists: usize,
    pub photos: usize,
    /// wasm + JS + CSS + HTML, gzipped as a server would send them.
    pub gzipped_bytes: u64,
}

/// Writes the page as a static folder for a venue without the office
/// network: the page, the trust it pins, the signed lists given (files or
/// folders of them) and the photos of a photo folder. Nothing is signed
/// here: the lists are the desk's, checked again on every phone.
pub fn bundle(
    out: &Path,
    trust_dir: &Path,
    lists: &[PathBuf],
    photos: Option<&Path>,
    venue: Option<&str>,
) -> Result<Bundle, OfficeError> {
    ready()?;
    let trust = read_trust(trust_dir)?;
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(refused(format!(
            "{} exists and is not empty; give a new folder",
            out.display()
        )));
    }
    let write = |name: &str, bytes: &[u8]| -> Result<(), OfficeError> {
        let path = out.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| refused(format!("cannot create {}: {e}", parent.display())))?;
        }
        badgegate_core::files::write_atomic(&path, bytes, 0o644, false)
            .map_err(|e| refused(e.to_string()))
    };
    let mut n = 0;
    let mut gz = 0;
    for (name, bytes) in all_assets() {
        write(&name, &bytes)?;
        gz += gzipped_len(&bytes);
        n += 1;
    }
    write("config.json", &config_json(&trust, true, venue))?;
    // The signed lists: every file given, or every file in a folder given,
    // whose first line is a list's, policy's or key list's header.
    let mut texts = Vec::new();
    for src in lists {
        let files: Vec<PathBuf> = if src.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(src)
                .map_err(|e| refused(format!("cannot read {}: {e}", src.display())))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            v.sort();
            v
        } else {
            vec![src.clone()]
        };
        for f in files {
            let text = badgegate_core::files::read_small_text(&f, 64 << 20)
                .map_err(|e| refused(format!("cannot read list {}: {e:?}", f.display())))?;
            let head = text.lines().next().unwrap_or("");
            let known = [
                badgegate_core::vocab::ListKind::Revocations,
                badgegate_core::vocab::ListKind::Policy,
                badgegate_core::vocab::ListKind::Keys,
            ]
            .iter()
            .any(|k| badgegate_core::format::list_header(*k) == head);
            if known {
                texts.push(text);
            } else if !src.is_dir() {
                return Err(refused(format!(
                    "{} is not a signed revocation list, policy or key list",
                    f.display()
                )));
            }
        }
    }
    let mut index = Vec::new();
    if let Some(dir) = photos {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| refused(format!("cannot read photo folder {}: {e}", dir.display())))?
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        for p in paths {
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(serial) = name.strip_suffix("-photo.jpg") else {
                continue;
            };
            if !badgegate_core::format::badge::is_valid_serial(serial) {
                continue;
            }
            let bytes = std::fs::read(&p)
                .map_err(|e| refused(format!("cannot read {}: {e}", p.display())))?;
            let digest = badgegate_core::format::badge::PhotoDigest::of(&bytes).to_string();
            write(&format!("photos/{name}"), &bytes)?;
            index.push(json!({ "serial": serial, "digest": digest, "file": name }));
        }
    }
    let data = json!({ "lists": texts, "photos": index });
    write("data.json", &serde_json::to_vec(&data).unwrap_or_default())?;
    Ok(Bundle {
        files: n + 2,
        lists: texts.len(),
        photos: index.len(),
        gzipped_bytes: gz,
    })
}

/// The gzip size of the page's code (wasm, JS, CSS, HTML): what a phone
/// downloads on its first visit, as the bundle size benchmark reports it.
pub fn gzipped_code_bytes() -> u64 {
    all_assets()
        .iter()
        .filter(|(n, _)| {
            [".wasm", ".js", ".css", ".html"]
                .iter()
                .any(|e| n.ends_with(e))
        })
        .map(|(_, b)| gzipped_len(b))
        .sum()
}

fn gzipped_len(bytes: &[u8]) -> u64 {
    use std::io::Write;
    let mut child = match std::process::Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return bytes.len() as u64,
    };
    // Fed from another thread: gzip's output fills its pipe long before
    // all the input is in.
    let feeder = child.stdin.take().map(|mut stdin| {
        let owned = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&owned);
        })
    });
    let out = child.wait_with_output();
    if let Some(f) = feeder {
        let _ = f.join();
    }
    out.map(|o| o.stdout.len() as u64)
        .unwrap_or(bytes.len() as u64)
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Enrols a phone signed in as office user `user` (already checked): a
/// kiosk of its own named `[VENUE-]patrol-USER-N` with the public key the
/// phone made, and a token the phone fetches data and sends records with.
pub fn enrol(
    db: &mut Client,
    user: &str,
    key_pub_hex: &str,
) -> Result<(String, String), OfficeError> {
    let key_ok = unhex(key_pub_hex)
        .and_then(|b| PublicKey::from_raw(&b))
        .is_some()
        && key_pub_hex.len() == 64
        && key_pub_hex
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
    if !key_ok {
        return Err(refused(
            "the phone's key is not an Ed25519 public key in lowercase hex",
        ));
    }
    let venue = super::central::venue_of(db)?;
    let mut tx = db.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('badgegate.patrol_enrol'))",
        &[],
    )?;
    let held: i64 = tx
        .query_one(
            "SELECT count(*) FROM badgegate.patrol_phones WHERE enrolled_by = $1",
            &[&user],
        )?
        .get(0);
    if held >= MAX_PHONES_PER_USER {
        return Err(refused(format!(
            "{user} has enrolled {held} phones already; an administrator retires old ones first"
        )));
    }
    let taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM badgegate.kiosks WHERE key_pub = $1)",
            &[&key_pub_hex],
        )?
        .get(0);
    if taken {
        return Err(refused(
            "this key is already enrolled: a phone makes a new key to enrol",
        ));
    }
    let prefix = match &venue {
        Some(v) => format!("{v}-patrol-{user}-"),
        None => format!("patrol-{user}-"),
    };
    let n: i64 = tx
        .query_one(
            "SELECT count(*) + 1 FROM badgegate.kiosks WHERE starts_with(kiosk_id, $1)",
            &[&prefix],
        )?
        .get(0);
    let kiosk_id = format!("{prefix}{n}");
    let token = random_token();
    tx.execute(
        "INSERT INTO badgegate.kiosks (kiosk_id, login, key_pub, gate) VALUES ($1, $2, $3, $4)",
        &[
            &kiosk_id,
            &format!("patrol:{kiosk_id}"),
            &key_pub_hex,
            &PATROL_GATE,
        ],
    )?;
    tx.execute(
        "INSERT INTO badgegate.patrol_phones (kiosk_id, token_hash, enrolled_by) VALUES ($1, $2, $3)",
        &[&kiosk_id, &token_hash(&token), &user],
    )?;
    tx.commit()?;
    Ok((kiosk_id, token))
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    hex(&b)
}

/// The phone a token belongs to, if it is enrolled and not retired.
pub fn phone_of(db: &mut Client, token: &str) -> Result<Option<String>, OfficeError> {
    if token.len() != 64 {
        return Ok(None);
    }
    Ok(db
        .query_opt(
            "UPDATE badgegate.patrol_phones SET last_seen = now()
              WHERE token_hash = $1 AND retired_at IS NULL RETURNING kiosk_id",
            &[&token_hash(token)],
        )?
        .map(|r| r.get(0)))
}

/// What a phone takes: every signed list the office holds (the phone keeps
/// the newest that verify) and the index of photos for its venue.
pub fn data(db: &mut Client) -> Result<Value, OfficeError> {
    let lists: Vec<String> = db
        .query(
            "SELECT DISTINCT ON (kind, key_id) body FROM badgegate.lists
              ORDER BY kind, key_id, sequence DESC",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let venue = super::central::venue_of(db)?;
    let photos: Vec<Value> = db
        .query(
            "SELECT DISTINCT ON (serial) serial, digest FROM badgegate.photos
              WHERE '*' = ANY (venues) OR $1::text = ANY (venues)
              ORDER BY serial, published_at DESC",
            &[&venue],
        )?
        .iter()
        .map(|r| json!({ "serial": r.get::<_, String>(0), "digest": r.get::<_, String>(1) }))
        .collect();
    Ok(json!({ "lists": lists, "photos": photos }))
}

/// A photo's bytes by serial (the newest published for the venue).
pub fn photo(db: &mut Client, serial: &str) -> Result<Option<Vec<u8>>, OfficeError> {
    let venue = super::central::venue_of(db)?;
    Ok(db
        .query_opt(
            "SELECT photo FROM badgegate.photos
              WHERE serial = $1 AND ('*' = ANY (venues) OR $2::text = ANY (venues))
              ORDER BY published_at DESC LIMIT 1",
            &[&serial, &venue],
        )?
        .map(|r| r.get(0)))
}

/// One record as a phone sends it (the journal format's fields).
#[derive(serde::Deserialize)]
struct PhoneRecord {
    kiosk_id: String,
    seq: u64,
    prev_hash: String,
    hash: String,
    format: u8,
    signer: String,
    sig: String,
    #[serde(flatten)]
    body: NewEntry,
}

fn hash32(s: &str, what: &str) -> Result<[u8; 32], OfficeError> {
    unhex(s)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| refused(format!("{what} is not 32 bytes of hex")))
}

/// Takes a phone's records: each must be its own, of the record format
/// this office knows, hashed as it says and signed by the phone's enrolled
/// key; the office's chain checks (order, links, no fork) then run as for
/// any kiosk. Returns the phone's head at the office afterwards.
pub fn take_records(
    db: &mut Client,
    kiosk_id: &str,
    records: &[Value],
) -> Result<u64, OfficeError> {
    if records.len() > MAX_RECORDS_A_REQUEST {
        return Err(refused(format!(
            "at most {MAX_RECORDS_A_REQUEST} records a request"
        )));
    }
    let key_hex: Option<String> = db
        .query_one(
            "SELECT key_pub FROM badgegate.kiosks WHERE kiosk_id = $1",
            &[&kiosk_id],
        )?
        .get(0);
    let key = key_hex
        .as_deref()
        .and_then(unhex)
        .and_then(|b| PublicKey::from_raw(&b))
        .ok_or_else(|| refused(format!("{kiosk_id} has no key enrolled")))?;
    let mut rows = Vec::with_capacity(records.len());
    for v in records {
        let r: PhoneRecord = serde_json::from_value(v.clone())
            .map_err(|e| refused(format!("a record is not one of a patrol phone: {e}")))?;
        if r.kiosk_id != kiosk_id {
            return Err(refused(format!(
                "a phone sends only its own records, not {}'s",
                r.kiosk_id
            )));
        }
        if r.format != badgegate_core::journal::RECORD_FORMAT {
            return Err(refused(format!(
                "record {}: format {} is not 2",
                r.seq, r.format
            )));
        }
        let prev = hash32(&r.prev_hash, "prev_hash")?;
        let hash = hash32(&r.hash, "hash")?;
        let sig: [u8; 64] = unhex(&r.sig)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| refused("sig is not 64 bytes of hex"))?;
        if Some(r.signer.as_str()) != key_hex.as_deref() {
            return Err(refused(format!(
                "record {} is signed by another key than this phone's",
                r.seq
            )));
        }
        if record_hash(&prev, kiosk_id, r.seq, r.format, &r.body, Some(&r.signer)) != hash {
            return Err(refused(format!(
                "record {}: content does not match its hash",
                r.seq
            )));
        }
        if !key.verify(&signed_message(&hash), &sig) {
            return Err(refused(format!(
                "record {}: the signature is not this phone's",
                r.seq
            )));
        }
        let mut row = serde_json::to_value(&r.body).map_err(|e| refused(e.to_string()))?;
        if let Some(o) = row.as_object_mut() {
            o.insert("kiosk_id".into(), json!(kiosk_id));
            o.insert("seq".into(), json!(r.seq));
            o.insert("format".into(), json!(r.format));
            o.insert("signer".into(), json!(r.signer));
            // bytea in PostgreSQL's hex input form.
            o.insert("prev_hash".into(), json!(format!("\\x{}", hex(&prev))));
            o.insert("hash".into(), json!(format!("\\x{}", hex(&hash))));
            o.insert("sig".into(), json!(format!("\\x{}", hex(&sig))));
        }
        rows.push(row);
    }
    let mut tx = db.transaction()?;
    if !rows.is_empty() {
        // The table's own columns, in order; the office's trigger checks
        // each record's place in the chain as for any kiosk.
        tx.execute(
            "INSERT INTO badgegate.records
             SELECT * FROM jsonb_populate_recordset(NULL::badgegate.records, $1::text::jsonb)
             ORDER BY seq",
            &[&Value::Array(rows).to_string()],
        )?;
    }
    let head: i64 = tx
        .query_one(
            "SELECT COALESCE(max(seq), 0) FROM badgegate.records WHERE kiosk_id = $1",
            &[&kiosk_id],
        )?
        .get(0);
    tx.execute(
        "UPDATE badgegate.kiosks SET last_contact = now(), kiosk_head = GREATEST(COALESCE(kiosk_head, 0), $2)
          WHERE kiosk_id = $1",
        &[&kiosk_id, &head],
    )?;
    tx.commit()?;
    Ok(head as u64)
}
