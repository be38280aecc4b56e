//! Signing, rendering and writing a batch: every badge re-read from its own
//! pixels before anything is written, then all files placed at once beside
//! a manifest.

use std::fs;
use std::path::{Path, PathBuf};

use super::{card, IssueError, Registration, QR_PNG_MODULE_PX};
use crate::issue::card::Look;
use crate::issue::photo::{photo_file_name, Photo};
use crate::issue::sheet::{write_pdf, SheetCard, SheetKind};
use badgegate_core::clock::format_utc;
use badgegate_core::format::badge::{Badge, FieldError, SignedBadge};
use badgegate_core::format::constants::MAX_QR_VERSION;
use badgegate_core::format::keys::SecretKey;
use badgegate_read::read;

/// A signed badge with everything printed from it.
#[derive(Debug, Clone)]
pub struct IssuedBadge {
    pub signed: SignedBadge,
    pub qr_version: i16,
    pub qr_png: Vec<u8>,
    pub qr_svg: String,
    pub card_png: Vec<u8>,
    /// The holder's photo, normalised, whose digest the badge carries.
    pub photo: Option<Photo>,
}

/// Signs and renders one badge (binding `photo` to it by its digest), then
/// reads the rendered QR back from its pixels and checks the text and
/// signature before handing it out.
pub fn produce(
    mut badge: Badge,
    key: &SecretKey,
    look: Look<'_>,
    photo: Option<Photo>,
) -> Result<IssuedBadge, IssueError> {
    let serial = badge.serial.clone();
    let render_err = |why: String| IssueError::Render {
        serial: serial.clone(),
        why,
    };
    badge.photo = photo.as_ref().map(|p| p.digest);
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
    let card_img = card::render(
        &signed.badge,
        &code,
        look,
        photo.as_ref().map(|p| p.jpeg.as_slice()),
    );
    let card_png = card::encode_png(&card_img).map_err(|e| render_err(e.to_string()))?;
    Ok(IssuedBadge {
        signed,
        qr_version,
        qr_png,
        qr_svg,
        card_png,
        photo,
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

/// Prefix of a batch's staging folder: `.badgegate-staging-PID-...`.
pub const STAGING_PREFIX: &str = ".badgegate-staging-";

/// Removes the staging folders that batches killed while writing left in
/// `out` (signed badges in no manifest); returns how many.
pub fn remove_unfinished(out: &Path) -> usize {
    badgegate_core::files::remove_stale(out, STAGING_PREFIX)
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
            .prefix(&format!("{STAGING_PREFIX}{}-", std::process::id()))
            .tempdir_in(out)
            .map_err(write_err(out))?;
        Ok(Staging {
            out: out.to_owned(),
            dir,
            force,
        })
    }

    /// Moves one staged file into place, replacing what is there.
    fn replace(&self, name: &str) -> Result<(), IssueError> {
        let to = self.out.join(name);
        fs::rename(self.dir.path().join(name), &to).map_err(write_err(&to))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), IssueError> {
        let p = self.dir.path().join(name);
        fs::write(&p, bytes).map_err(write_err(&p))
    }

    fn write_badge(&self, b: &IssuedBadge) -> Result<(), IssueError> {
        let serial = &b.signed.badge.serial;
        let [txt, png, svg, card] = badge_file_names(serial);
        self.write(&txt, format!("{}\n", b.signed.text()).as_bytes())?;
        self.write(&png, &b.qr_png)?;
        self.write(&svg, b.qr_svg.as_bytes())?;
        if let Some(photo) = &b.photo {
            self.write(&photo_file_name(serial), &photo.jpeg)?;
        }
        self.write(&card, &b.card_png)
    }

    /// The print sheet of badges already staged (their photos read back
    /// from the staging folder).
    fn sheet(
        &self,
        sheet: &SheetRequest,
        badges: &[IssuedSummary],
        look: Look<'_>,
    ) -> Result<Vec<u8>, IssueError> {
        let mut photos = Vec::with_capacity(badges.len());
        for b in badges {
            let p = self
                .dir
                .path()
                .join(photo_file_name(&b.signed.badge.serial));
            photos.push(if b.signed.badge.photo.is_some() {
                Some(fs::read(&p).map_err(write_err(&p))?)
            } else {
                None
            });
        }
        let cards: Vec<SheetCard<'_>> = badges
            .iter()
            .zip(&photos)
            .map(|(b, p)| SheetCard {
                badge: &b.signed,
                photo: p.as_deref(),
            })
            .collect();
        write_pdf(sheet.kind, &cards, look).map_err(|why| IssueError::Render {
            serial: String::new(),
            why: format!("print sheet: {why}"),
        })
    }

    /// Moves every staged file into the output folder.
    fn commit(&self, names: &[String]) -> Result<Vec<PathBuf>, IssueError> {
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

/// Every file a batch writes: each badge's files (and its photo when it has
/// one: `(serial, has_photo)`), and the manifest if asked.
fn all_names(serials: &[(&str, bool)], manifest: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(serials.len() * 5 + 1);
    for (serial, photo) in serials {
        names.extend(badge_file_names(serial));
        if *photo {
            names.push(photo_file_name(serial));
        }
    }
    if manifest {
        names.push(MANIFEST.to_owned());
    }
    names
}

/// How a batch is written: over existing files or not, and the print
/// sheet to make of it.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Replace files already in the folder.
    pub force: bool,
    /// Also write the batch as one PDF.
    pub sheet: Option<SheetRequest>,
}

/// A print sheet asked for: its kind and the file name it gets.
#[derive(Clone, Debug)]
pub struct SheetRequest {
    pub kind: SheetKind,
    pub file: String,
}

/// Writes badges already produced into `out` (and a manifest if asked).
pub fn write_badges(
    out: &Path,
    badges: &[IssuedBadge],
    manifest: bool,
    options: &BatchOptions,
    look: Look<'_>,
) -> Result<Vec<PathBuf>, IssueError> {
    let serials: Vec<(&str, bool)> = badges
        .iter()
        .map(|b| (b.signed.badge.serial.as_str(), b.photo.is_some()))
        .collect();
    let mut names = all_names(&serials, manifest);
    if let Some(sheet) = &options.sheet {
        names.push(sheet.file.clone());
    }
    let staging = Staging::new(out, &names, options.force)?;
    for b in badges {
        staging.write_badge(b)?;
    }
    if let Some(sheet) = &options.sheet {
        let cards: Vec<SheetCard<'_>> = badges
            .iter()
            .map(|b| SheetCard {
                badge: &b.signed,
                photo: b.photo.as_ref().map(|p| p.jpeg.as_slice()),
            })
            .collect();
        let pdf = write_pdf(sheet.kind, &cards, look).map_err(|why| IssueError::Render {
            serial: String::new(),
            why: format!("print sheet: {why}"),
        })?;
        staging.write(&sheet.file, &pdf)?;
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
    badges: Vec<Registration>,
    key: &SecretKey,
    look: Look<'_>,
    options: &BatchOptions,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<IssuedSummary>, IssueError> {
    let force = options.force;
    let serials: Vec<(&str, bool)> = badges
        .iter()
        .map(|r| (r.badge.serial.as_str(), r.photo.is_some()))
        .collect();
    let mut names = all_names(&serials, false);
    if let Some(sheet) = &options.sheet {
        names.push(sheet.file.clone());
    }
    std::fs::create_dir_all(out).map_err(write_err(out))?;
    // A second batch into the folder waits for the first, then adds to the
    // manifest that batch wrote.
    let _lock = badgegate_core::files::Lock::acquire(
        &out.join(MANIFEST),
        std::time::Duration::from_secs(30),
        "another batch is being written into this folder; wait for it to finish",
    )
    .map_err(|e| IssueError::Render {
        serial: String::new(),
        why: e.to_string(),
    })?;
    let earlier = read_manifest(out)?;
    if !force {
        earlier.refuse_reuse(out, &badges)?;
    }
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
                    for r in part {
                        if failed.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let issued = r
                            .load_photo()
                            .and_then(|photo| produce(r.badge.clone(), key, look, photo))
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
    if let Some(sheet) = &options.sheet {
        let pdf = staging.sheet(sheet, &all, look)?;
        staging.write(&sheet.file, &pdf)?;
    }
    staging.write(MANIFEST, &earlier.with(&all)?)?;
    staging.commit(&names)?;
    staging.replace(MANIFEST)?;
    Ok(all)
}

/// The manifest an earlier batch left in the folder, row by row.
struct Manifest {
    header: Option<csv::StringRecord>,
    rows: Vec<csv::StringRecord>,
}

impl Manifest {
    /// Refuses a serial an earlier batch in this folder already used.
    fn refuse_reuse(&self, out: &Path, badges: &[Registration]) -> Result<(), IssueError> {
        for b in badges.iter().map(|r| &r.badge) {
            if let Some(line) = self.serial_line(&b.serial) {
                return Err(IssueError::Exists {
                    path: out.join(format!("{MANIFEST} line {line}: serial {}", b.serial)),
                });
            }
        }
        Ok(())
    }
}

fn read_manifest(out: &Path) -> Result<Manifest, IssueError> {
    let path = out.join(MANIFEST);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Manifest {
                header: None,
                rows: Vec::new(),
            })
        }
        Err(e) => return Err(write_err(&path)(e)),
    };
    let csv_err = |e: csv::Error| IssueError::Csv {
        path: path.clone(),
        why: format!("the folder's manifest does not read ({e}); move it away to start a new one"),
    };
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header = r.headers().map_err(csv_err)?.clone();
    let rows = r
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(csv_err)?;
    Ok(Manifest {
        header: Some(header),
        rows,
    })
}

impl Manifest {
    /// The line (2 for the first row) of an earlier row for `serial`, in
    /// any case.
    fn serial_line(&self, serial: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.get(0).is_some_and(|s| s.eq_ignore_ascii_case(serial)))
            .map(|i| i + 2)
    }

    /// The earlier rows (those not issued again now) and the new ones.
    fn with(&self, new: &[IssuedSummary]) -> Result<Vec<u8>, IssueError> {
        let fresh = manifest_csv(new)?;
        if self.rows.is_empty() {
            return Ok(fresh);
        }
        let err = |e: csv::Error| IssueError::Csv {
            path: PathBuf::from(MANIFEST),
            why: e.to_string(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        if let Some(h) = &self.header {
            w.write_record(h).map_err(err)?;
        }
        let reissued = |s: &str| {
            new.iter()
                .any(|b| b.signed.badge.serial.eq_ignore_ascii_case(s))
        };
        for r in self
            .rows
            .iter()
            .filter(|r| !reissued(r.get(0).unwrap_or_default()))
        {
            w.write_record(r).map_err(err)?;
        }
        let mut out = w.into_inner().map_err(|e| IssueError::Csv {
            path: PathBuf::from(MANIFEST),
            why: e.to_string(),
        })?;
        // The new rows, without their header.
        let body = fresh
            .iter()
            .position(|b| *b == b'\n')
            .map_or(&fresh[..0], |i| &fresh[i + 1..]);
        out.extend_from_slice(body);
        Ok(out)
    }
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
            &badgegate_core::text::spreadsheet_safe(&badge.name),
            &badgegate_core::text::spreadsheet_safe(&badge.org),
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
