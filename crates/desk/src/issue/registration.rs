//! The registration CSV: a header row naming the columns, then one badge a
//! row. Every row is checked before anything is signed; bad rows are
//! reported with their line numbers, all at once.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{
    build_badge, generate_serial, BadgeRequest, Defaults, IssueError, Registration, RowError,
    MAX_CSV_ROWS,
};

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
    ("photo", &["photo", "picture", "portrait", "photo_file"]),
];

/// Reads a registration CSV (header row first; a `name` column required;
/// `serial`, `org`, `category`, `zones`, `valid_from`, `valid_until`,
/// `photo` optional; a photo's path is relative to the CSV's folder). Every
/// row is checked (a photo file must be there); any bad row fails the whole
/// file with every bad line named.
pub fn read_registration_csv(path: &Path, d: &Defaults) -> Result<Vec<Registration>, IssueError> {
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

/// [`read_registration_csv`] on bytes in memory (`path` names the file in
/// errors; photos are looked up beside it).
pub fn parse_registration_csv(
    bytes: &[u8],
    path: &Path,
    d: &Defaults,
) -> Result<Vec<Registration>, IssueError> {
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
    let columns = Columns::from_header(&headers).map_err(csv_err)?;
    let mut badges = Vec::new();
    let mut errors = Vec::new();
    let mut serial_lines: HashMap<String, u64> = HashMap::new();
    for record in rdr.byte_records() {
        if errors.len() + badges.len() >= MAX_CSV_ROWS {
            return Err(csv_err(format!(
                "more than {MAX_CSV_ROWS} rows; split the file"
            )));
        }
        let (line, req) = match columns.request(record) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
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
                match photo_path(path, req.photo.as_deref()) {
                    Ok(photo) => badges.push(Registration { badge, photo }),
                    Err(message) => errors.push(RowError { line, message }),
                }
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

/// A row's photo file, relative to the CSV's folder; it must be a file.
fn photo_path(csv: &Path, photo: Option<&str>) -> Result<Option<PathBuf>, String> {
    let Some(photo) = photo.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let p = badgegate_core::files::folder_of(csv).join(photo);
    match std::fs::metadata(&p) {
        Ok(m) if m.is_file() => Ok(Some(p)),
        Ok(_) => Err(format!(
            "photo {} is not a file",
            badgegate_core::text::shown_path(&p)
        )),
        Err(e) => Err(format!(
            "photo {}: {e} (photo paths are relative to the CSV's folder)",
            badgegate_core::text::shown_path(&p)
        )),
    }
}

/// Where each known column is in the file.
struct Columns {
    index: HashMap<&'static str, usize>,
    width: usize,
}

impl Columns {
    /// Reads the header row: every column known, none twice, `name` there.
    fn from_header(headers: &csv::ByteRecord) -> Result<Columns, String> {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = String::from_utf8_lossy(h).trim().to_lowercase();
            let Some((canon, _)) = COLUMNS
                .iter()
                .find(|(_, names)| names.contains(&h.as_str()))
            else {
                return Err(format!(
                    "line 1: unknown column {:?}; known columns: serial, name, org, category, zones, valid_from, valid_until, photo",
                    badgegate_core::text::printable_short(&h, 40)
                ));
            };
            if index.insert(*canon, i).is_some() {
                return Err(format!("line 1: column {canon:?} appears twice"));
            }
        }
        if !index.contains_key("name") {
            return Err("line 1: the header row has no `name` column".into());
        }
        Ok(Columns {
            index,
            width: headers.len(),
        })
    }

    /// One row as a badge request, with its line number.
    fn request(
        &self,
        record: Result<csv::ByteRecord, csv::Error>,
    ) -> Result<(u64, BadgeRequest), RowError> {
        let record = record.map_err(|e| RowError {
            line: e.position().map_or(0, |p| p.line()),
            message: format!("unreadable CSV: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.width {
            return Err(RowError {
                line,
                message: format!("{} fields, the header has {}", record.len(), self.width),
            });
        }
        let mut fields: HashMap<&str, String> = HashMap::new();
        for (canon, i) in &self.index {
            match record.get(*i).map(std::str::from_utf8) {
                Some(Ok(v)) => {
                    fields.insert(canon, v.to_owned());
                }
                _ => {
                    return Err(RowError {
                        line,
                        message: "not valid UTF-8; save the file as UTF-8 CSV".into(),
                    })
                }
            }
        }
        Ok((
            line,
            BadgeRequest {
                serial: fields.remove("serial"),
                name: fields.remove("name").unwrap_or_default(),
                org: fields.remove("org"),
                category: fields.remove("category"),
                zones: fields.remove("zones"),
                valid_from: fields.remove("valid_from"),
                valid_until: fields.remove("valid_until"),
                photo: fields.remove("photo"),
            },
        ))
    }
}
