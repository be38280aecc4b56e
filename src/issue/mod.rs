//! Issuing: registration rows (flags or CSV) → validated badges → signed,
//! rendered (QR PNG, SVG, printable card) and re-read from their own pixels
//! before anything is written; then written all at once, beside a manifest.

pub mod card;

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::format::badge::{floor_minute, Badge, FieldError, SignedBadge};

use crate::clock::{format_utc, parse_rfc3339};
use crate::format::constants::MAX_QR_VERSION;
use crate::format::keys::{KeyId, SecretKey};
use crate::read;

/// Most rows one CSV batch may hold.
pub const MAX_CSV_ROWS: usize = 100_000;
/// Pixels a module in the plain QR PNG.
pub const QR_PNG_MODULE_PX: u32 = 8;

/// Failures while issuing.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("{} bad row(s) in {path}; nothing was written:\n{}", rows.len(), rows.iter().map(|r| format!("  line {}: {}", r.line, r.message)).collect::<Vec<_>>().join("\n"))]
    Rows { path: PathBuf, rows: Vec<RowError> },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {why}")]
    Csv { path: PathBuf, why: String },
    #[error("badge {serial}: {why}")]
    Render { serial: String, why: String },
    #[error("{path} already exists; pass --force to replace it, or choose another --out folder")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A bad registration row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number in the file.
    pub line: u64,
    pub message: String,
}

/// What one registration asks for, as typed (flags or a CSV row).
#[derive(Debug, Clone, Default)]
pub struct BadgeRequest {
    pub serial: Option<String>,
    pub name: String,
    pub org: Option<String>,
    pub category: Option<String>,
    pub zones: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// Values for fields a request leaves out.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub org: String,
    pub category: String,
    pub zones: String,
    pub valid_from: u64,
    pub valid_until: u64,
    pub issued_at: u64,
}

/// Splits a zone list (`plenary,press`, `plenary; press`, `plenary press`)
/// into lowercase zone names.
pub fn parse_zones(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '|'])
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A category as stored: trimmed, lowercase, spaces as dashes.
pub fn normalise_category(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

/// A fresh random serial: 8 characters of Crockford base32 (40 bits).
pub fn generate_serial() -> String {
    use rand_core::RngCore;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect()
}

/// Turns a request into a badge (not yet signed: key id left zero).
pub fn build_badge(req: &BadgeRequest, d: &Defaults) -> Result<Badge, String> {
    let time = |v: &Option<String>, default: u64| match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => parse_rfc3339(t),
        _ => Ok(default),
    };
    let pick = |v: &Option<String>, default: &str| match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => default.to_owned(),
    };
    let serial = match req.serial.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => generate_serial(),
    };
    let badge = Badge {
        key_id: KeyId([0; crate::format::constants::KEY_ID_LEN]),
        serial,
        name: req.name.trim().to_owned(),
        org: pick(&req.org, &d.org),
        category: normalise_category(&pick(&req.category, &d.category)),
        zones: parse_zones(&pick(&req.zones, &d.zones)),
        valid_from: floor_minute(time(&req.valid_from, d.valid_from)?),
        valid_until: floor_minute(time(&req.valid_until, d.valid_until)?),
        issued_at: floor_minute(d.issued_at),
    };
    badge.validate().map_err(|e| e.to_string())?;
    Ok(badge)
}

const COLUMNS: &[(&str, &[&str])] = &[
    ("serial", &["serial", "badge", "id"]),
    ("name", &["name", "holder", "full name", "full_name"]),
    (
        "org",
        &["org", "organisation", "organization", "delegation"],
    ),
    ("category", &["category", "type"]),
    ("zones", &["zones", "zone"]),
    ("valid_from", &["valid_from", "valid-from", "from"]),
    ("valid_until", &["valid_until", "valid-until", "until"]),
];

/// Reads a registration CSV (header row first; a `name` column required;
/// `serial`, `org`, `category`, `zones`, `valid_from`, `valid_until`
/// optional). Every row is checked; any bad row fails the whole file with
/// every bad line named.
pub fn read_registration_csv(path: &Path, d: &Defaults) -> Result<Vec<Badge>, IssueError> {
    let read_err = |source| IssueError::Read {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .map_err(read_err)?
        .take(256 << 20)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    parse_registration_csv(&bytes, path, d)
}

/// [`read_registration_csv`] on bytes in memory.
pub fn parse_registration_csv(
    bytes: &[u8],
    path: &Path,
    d: &Defaults,
) -> Result<Vec<Badge>, IssueError> {
    let csv_err = |why: String| IssueError::Csv {
        path: path.to_owned(),
        why,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_err(format!("cannot read the header row: {e}")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = String::from_utf8_lossy(h).trim().to_lowercase();
        let Some((canon, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
        else {
            return Err(csv_err(format!(
                "line 1: unknown column {:?}; known columns: serial, name, org, category, zones, valid_from, valid_until",
                crate::text::printable_short(&h, 40)
            )));
        };
        if index.insert(canon, i).is_some() {
            return Err(csv_err(format!("line 1: column {canon:?} appears twice")));
        }
    }
    if !index.contains_key("name") {
        return Err(csv_err(
            "line 1: the header row has no `name` column".into(),
        ));
    }
    let width = headers.len();
    let mut badges = Vec::new();
    let mut errors = Vec::new();
    let mut serial_lines: HashMap<String, u64> = HashMap::new();
    for record in rdr.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    message: format!("unreadable CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != width {
            errors.push(RowError {
                line,
                message: format!("{} fields, the header has {width}", record.len()),
            });
            continue;
        }
        let mut fields: HashMap<&str, String> = HashMap::new();
        let mut utf8_ok = true;
        for (canon, i) in &index {
            match record.get(*i).map(std::str::from_utf8) {
                Some(Ok(v)) => {
                    fields.insert(canon, v.to_owned());
                }
                _ => utf8_ok = false,
            }
        }
        if !utf8_ok {
            errors.push(RowError {
                line,
                message: "not valid UTF-8; save the file as UTF-8 CSV".into(),
            });
            continue;
        }
        if errors.len() + badges.len() >= MAX_CSV_ROWS {
            return Err(csv_err(format!(
                "more than {MAX_CSV_ROWS} rows; split the file"
            )));
        }
        let req = BadgeRequest {
            serial: fields.remove("serial"),
            name: fields.remove("name").unwrap_or_default(),
            org: fields.remove("org"),
            category: fields.remove("category"),
            zones: fields.remove("zones"),
            valid_from: fields.remove("valid_from"),
            valid_until: fields.remove("valid_until"),
        };
        match build_badge(&req, d) {
            Ok(mut badge) => {
                // A generated serial that collides is drawn again.
                while req.serial.as_deref().is_none_or(|s| s.trim().is_empty())
                    && serial_lines.contains_key(&badge.serial)
                {
                    badge.serial = generate_serial();
                }
                if let Some(first) = serial_lines.insert(badge.serial.clone(), line) {
                    errors.push(RowError {
                        line,
                        message: format!("serial {} already used on line {first}", badge.serial),
                    });
                    continue;
                }
                badges.push(badge);
            }
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    if !errors.is_empty() {
        return Err(IssueError::Rows {
            path: path.to_owned(),
            rows: errors,
        });
    }
    if badges.is_empty() {
        return Err(csv_err("no registration rows below the header".into()));
    }
    Ok(badges)
}

/// A signed badge with everything printed from it.
#[derive(Debug, Clone)]
pub struct IssuedBadge {
    pub signed: SignedBadge,
    pub qr_version: i16,
    pub qr_png: Vec<u8>,
    pub qr_svg: String,
    pub card_png: Vec<u8>,
}

/// Signs and renders one badge, then reads the rendered QR back from its
/// pixels and checks the text and signature before handing it out.
pub fn produce(badge: Badge, key: &SecretKey) -> Result<IssuedBadge, IssueError> {
    let serial = badge.serial.clone();
    let render_err = |why: String| IssueError::Render {
        serial: serial.clone(),
        why,
    };
    let signed = SignedBadge::sign(badge, key)?;
    let code = read::encode(signed.text()).map_err(|e| render_err(e.to_string()))?;
    let qr_version = read::version_number(&code);
    if qr_version > MAX_QR_VERSION {
        return Err(FieldError::TooLarge {
            chars: signed.text().len(),
            version: qr_version,
        }
        .into());
    }
    let grey = read::render(&code, QR_PNG_MODULE_PX);
    let read_back = read::decode(&grey);
    if read_back.len() != 1 || read_back[0].bytes != signed.text().as_bytes() {
        return Err(render_err(
            "the rendered QR code did not read back to the badge text; nothing was written".into(),
        ));
    }
    let mut qr_png = Vec::new();
    grey.write_to(
        &mut std::io::Cursor::new(&mut qr_png),
        image::ImageFormat::Png,
    )
    .map_err(|e| render_err(e.to_string()))?;
    let qr_svg = read::render_svg(&code);
    let card_img = card::render(&signed.badge, &code);
    let card_png = card::encode_png(&card_img).map_err(|e| render_err(e.to_string()))?;
    Ok(IssuedBadge {
        signed,
        qr_version,
        qr_png,
        qr_svg,
        card_png,
    })
}

/// File names written for a badge with this serial: text, QR PNG, QR SVG, card.
pub fn badge_file_names(serial: &str) -> [String; 4] {
    [
        format!("{serial}.txt"),
        format!("{serial}.png"),
        format!("{serial}.svg"),
        format!("{serial}-card.png"),
    ]
}

/// Name of the manifest written beside a batch.
pub const MANIFEST: &str = "manifest.csv";

/// What the manifest needs of a badge once its files are written.
#[derive(Debug, Clone)]
pub struct IssuedSummary {
    pub signed: SignedBadge,
    pub qr_version: i16,
}

/// An output folder being filled: files go to a staging folder inside it
/// and are moved into place only when every one of them is written, so an
/// error leaves no half batch. Existing files are never replaced unless
/// `force`.
struct Staging {
    out: PathBuf,
    dir: tempfile::TempDir,
    force: bool,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> IssueError {
    let path = path.to_owned();
    move |source| IssueError::Write { path, source }
}

impl Staging {
    /// Checks that none of `names` exists in `out` (unless `force`).
    fn new(out: &Path, names: &[String], force: bool) -> Result<Staging, IssueError> {
        fs::create_dir_all(out).map_err(write_err(out))?;
        if !force {
            for n in names {
                let p = out.join(n);
                if p.exists() {
                    return Err(IssueError::Exists { path: p });
                }
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(".badgegate-staging-")
            .tempdir_in(out)
            .map_err(write_err(out))?;
        Ok(Staging {
            out: out.to_owned(),
            dir,
            force,
        })
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), IssueError> {
        let p = self.dir.path().join(name);
        fs::write(&p, bytes).map_err(write_err(&p))
    }

    fn write_badge(&self, b: &IssuedBadge) -> Result<(), IssueError> {
        let [txt, png, svg, card] = badge_file_names(&b.signed.badge.serial);
        self.write(&txt, format!("{}\n", b.signed.text()).as_bytes())?;
        self.write(&png, &b.qr_png)?;
        self.write(&svg, b.qr_svg.as_bytes())?;
        self.write(&card, &b.card_png)
    }

    /// Moves every staged file into the output folder.
    fn commit(self, names: &[String]) -> Result<Vec<PathBuf>, IssueError> {
        let mut written = Vec::with_capacity(names.len());
        for n in names {
            let from = self.dir.path().join(n);
            let to = self.out.join(n);
            if self.force {
                fs::rename(&from, &to).map_err(write_err(&to))?;
            } else {
                // hard_link refuses an existing target: no silent overwrite
                // even if a file appeared since the check.
                fs::hard_link(&from, &to).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        IssueError::Exists { path: to.clone() }
                    } else {
                        IssueError::Write {
                            path: to.clone(),
                            source: e,
                        }
                    }
                })?;
            }
            written.push(to);
        }
        Ok(written)
    }
}

fn all_names(serials: &[&str], manifest: bool) -> Vec<String> {
    let mut names: Vec<String> = serials.iter().flat_map(|s| badge_file_names(s)).collect();
    if manifest {
        names.push(MANIFEST.to_owned());
    }
    names
}

/// Writes badges already produced into `out` (and a manifest if asked).
pub fn write_badges(
    out: &Path,
    badges: &[IssuedBadge],
    manifest: bool,
    force: bool,
) -> Result<Vec<PathBuf>, IssueError> {
    let serials: Vec<&str> = badges
        .iter()
        .map(|b| b.signed.badge.serial.as_str())
        .collect();
    let names = all_names(&serials, manifest);
    let staging = Staging::new(out, &names, force)?;
    for b in badges {
        staging.write_badge(b)?;
    }
    if manifest {
        let summaries: Vec<IssuedSummary> = badges
            .iter()
            .map(|b| IssuedSummary {
                signed: b.signed.clone(),
                qr_version: b.qr_version,
            })
            .collect();
        staging.write(MANIFEST, &manifest_csv(&summaries)?)?;
    }
    staging.commit(&names)
}

/// Issues a batch into `out`: every badge is signed, rendered, read back and
/// written to the staging folder on all cores, one at a time per core (memory
/// stays flat however long the list); then the manifest is written and
/// everything is moved into place. `tick` is called once per badge (from
/// worker threads). The first error stops the batch and nothing is placed.
pub fn issue_batch(
    out: &Path,
    badges: Vec<Badge>,
    key: &SecretKey,
    force: bool,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<IssuedSummary>, IssueError> {
    let serials: Vec<&str> = badges.iter().map(|b| b.serial.as_str()).collect();
    let names = all_names(&serials, true);
    let staging = Staging::new(out, &names, force)?;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let chunk = badges.len().div_ceil(workers).max(1);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let results: Vec<Result<Vec<IssuedSummary>, IssueError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = badges
            .chunks(chunk)
            .map(|part| {
                let staging = &staging;
                let failed = &failed;
                scope.spawn(move || {
                    let mut done = Vec::with_capacity(part.len());
                    for b in part {
                        if failed.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let issued = produce(b.clone(), key)
                            .and_then(|i| staging.write_badge(&i).map(|()| i));
                        match issued {
                            Ok(i) => done.push(IssuedSummary {
                                signed: i.signed,
                                qr_version: i.qr_version,
                            }),
                            Err(e) => {
                                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                        tick();
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(IssueError::Render {
                        serial: String::new(),
                        why: "a rendering worker failed".into(),
                    })
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(badges.len());
    for r in results {
        all.extend(r?);
    }
    staging.write(MANIFEST, &manifest_csv(&all)?)?;
    staging.commit(&names)?;
    Ok(all)
}

/// The manifest: one row a badge with its fields and file names.
pub fn manifest_csv(badges: &[IssuedSummary]) -> Result<Vec<u8>, IssueError> {
    let err = |e: csv::Error| IssueError::Csv {
        path: PathBuf::from(MANIFEST),
        why: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "serial",
        "name",
        "org",
        "category",
        "zones",
        "valid_from",
        "valid_until",
        "issued_at",
        "key_id",
        "qr_version",
        "text_file",
        "qr_png",
        "qr_svg",
        "card_png",
        "text",
    ])
    .map_err(err)?;
    for b in badges {
        let badge = &b.signed.badge;
        let [txt, png, svg, card] = badge_file_names(&badge.serial);
        w.write_record([
            badge.serial.as_str(),
            &crate::text::spreadsheet_safe(&badge.name),
            &crate::text::spreadsheet_safe(&badge.org),
            &badge.category,
            &badge.zones.join(","),
            &format_utc(badge.valid_from),
            &format_utc(badge.valid_until),
            &format_utc(badge.issued_at),
            &badge.key_id.to_string(),
            &b.qr_version.to_string(),
            &txt,
            &png,
            &svg,
            &card,
            b.signed.text(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| IssueError::Csv {
        path: PathBuf::from(MANIFEST),
        why: e.to_string(),
    })
}
