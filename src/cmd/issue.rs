//! `badgegate issue`: one badge from flags or a batch from a registration CSV.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use badgegate::clock;
use badgegate::format::keys::{SecretKey, TrustStore};
use badgegate::format::policy::{PolicyBody, VenuePolicy};
use badgegate::issue::{self, BadgeRequest, Defaults, IssuedBadge};
use badgegate::text::{printable, shown_path};
use indicatif::{ProgressBar, ProgressStyle};

use super::Exit;
use crate::cli::IssueArgs;

/// Default validity when --valid-until is not given: 48 hours.
const DEFAULT_VALIDITY_SECS: u64 = 48 * 3600;
/// Batches at least this long get a progress bar.
const PROGRESS_MIN: usize = 20;

pub fn run(a: IssueArgs) -> anyhow::Result<ExitCode> {
    let key = super::load_secret_key(&a.key)?;
    let policy = match &a.policy {
        Some(path) => Some(load_policy(path, &key)?),
        None => {
            say!(
                "warning: no venue policy (--policy): zones and categories are not checked, so a typo makes a badge that opens nothing; times need an offset and print in UTC"
            );
            None
        }
    };
    let defaults = defaults(&a, policy)?;
    let time = defaults.venue_time();
    let look = issue::card::Look {
        policy: defaults.policy.as_ref(),
        time: &time,
    };
    match &a.csv {
        Some(csv) => {
            let badges = issue::read_registration_csv(csv, &defaults)?;
            let removed = issue::remove_unfinished(&a.out);
            if removed > 0 {
                say!(
                    "removed {removed} unfinished batch(es) a killed run left in {} (their badges were never placed)",
                    shown_path(&a.out)
                );
            }
            let bar = progress(badges.len());
            let stem = csv
                .file_stem()
                .map_or_else(|| "badges".into(), |s| s.to_string_lossy().into_owned());
            let options = options(&a, &stem)?;
            let issued = issue::issue_batch(&a.out, badges, &key, look, &options, &|| bar.inc(1))?;
            bar.finish_and_clear();
            keep_register(&a.key, issued.iter().map(|i| &i.signed.badge), &a.out);
            println!(
                "issued {} badges into {} (manifest: {}), signed by key {}",
                issued.len(),
                shown_path(&a.out),
                shown_path(&a.out.join(issue::MANIFEST)),
                key.key_id()
            );
            if let Some(sheet) = &options.sheet {
                println!(
                    "print sheet {}: {} page(s)",
                    shown_path(&a.out.join(&sheet.file)),
                    issued.len().div_ceil(sheet.kind.per_page())
                );
            }
        }
        None => {
            if a.zones.is_none() {
                bail!("give --zones (e.g. --zones plenary,press, or '*' for every zone)");
            }
            let req = BadgeRequest {
                serial: a.serial.clone(),
                name: a.name.clone().unwrap_or_default(),
                ..BadgeRequest::default()
            };
            let badge = issue::build_badge(&req, &defaults).map_err(|e| anyhow!("{e}"))?;
            let registration = issue::Registration {
                badge,
                photo: a.photo.clone(),
            };
            let photo = registration.load_photo()?;
            let issued = issue::produce(registration.badge, &key, look, photo)?;
            let options = options(&a, &issued.signed.badge.serial)?;
            issue::write_badges(&a.out, std::slice::from_ref(&issued), false, &options, look)?;
            keep_register(&a.key, [&issued.signed.badge], &a.out);
            print_one(&issued, &a.out, &defaults.venue_time());
            if let Some(sheet) = &options.sheet {
                println!("wrote       {}", shown_path(&a.out.join(&sheet.file)));
            }
        }
    }
    Ok(Exit::Ok.into())
}

/// Adds the badges just written to the register beside the key, which
/// `revoke` checks serials against; a register that cannot be written is
/// said, not fatal (the badges are made).
fn keep_register<'a>(
    key: &Path,
    badges: impl IntoIterator<Item = &'a badgegate::format::badge::Badge>,
    out: &Path,
) {
    let path = issue::register::register_path(key);
    if let Err(e) = issue::register::append(&path, badges, out) {
        say!(
            "warning: could not add these badges to the register of issued badges {} ({}); revoke will not know their serials (use revoke --force for them)",
            shown_path(&path),
            printable(&e.to_string())
        );
    }
}

/// How the batch is written; a print sheet is named after `stem` (the CSV's
/// name, or the single badge's serial) and its kind: `people-a4.pdf`.
fn options(a: &IssueArgs, stem: &str) -> anyhow::Result<issue::BatchOptions> {
    let sheet = match a.sheet {
        Some(s) => {
            let kind = issue::sheet::SheetKind::from(s);
            Some(issue::SheetRequest {
                kind,
                file: format!("{stem}-{}.pdf", kind.code()),
            })
        }
        None => None,
    };
    Ok(issue::BatchOptions {
        force: a.force,
        sheet,
    })
}

/// The venue policy, which must be signed by the desk's own key.
fn load_policy(path: &Path, key: &SecretKey) -> anyhow::Result<PolicyBody> {
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    let policy = VenuePolicy::load_verified(path, &trust)
        .with_context(|| format!("venue policy {}", shown_path(path)))?;
    say!(
        "venue policy #{}: {} ({}), {} zone(s), {} categor{}",
        policy.sequence,
        printable(&policy.body.venue),
        policy.body.time_zone,
        policy.body.zones.len(),
        policy.body.categories.len(),
        if policy.body.categories.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    Ok(policy.body)
}

/// What the flags give every badge that does not say otherwise.
fn defaults(a: &IssueArgs, policy: Option<PolicyBody>) -> anyhow::Result<Defaults> {
    let now = clock::now();
    let utc_offset =
        match &a.utc_offset {
            Some(o) if policy.is_some() => {
                bail!(
                "--utc-offset {o}: the venue policy already gives the time zone; drop one of them"
            )
            }
            Some(o) => Some(clock::parse_offset(o).ok_or_else(|| {
                anyhow!("--utc-offset must look like +01:00 or -05:30 (got {o:?})")
            })?),
            None => None,
        };
    let time = match (&policy, utc_offset) {
        (Some(p), _) => p.venue_time(),
        (None, Some(o)) => clock::VenueTime::fixed(o),
        (None, None) => clock::VenueTime::utc(),
    };
    let valid_from = match &a.valid_from {
        Some(t) => time.parse(t).map_err(|e| anyhow!("--valid-from: {e}"))?,
        None => now,
    };
    let valid_until = match &a.valid_until {
        Some(t) => time.parse(t).map_err(|e| anyhow!("--valid-until: {e}"))?,
        None => valid_from + DEFAULT_VALIDITY_SECS,
    };
    Ok(Defaults {
        org: a.org.clone().unwrap_or_default(),
        category: a.category.clone().unwrap_or_else(|| "guest".into()),
        category_defaulted: a.category.is_none(),
        zones: a.zones.clone().unwrap_or_default(),
        valid_from,
        valid_until,
        issued_at: now,
        policy,
        utc_offset,
    })
}

/// A progress bar for a long batch; none for a short one.
fn progress(len: usize) -> ProgressBar {
    if len < PROGRESS_MIN {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "signing and rendering {bar:40} {pos}/{len} badges, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// One badge issued from flags: what it says and where its files are.
fn print_one(b: &IssuedBadge, out: &Path, time: &clock::VenueTime) {
    let badge = &b.signed.badge;
    let [txt, png, svg, card] = issue::badge_file_names(&badge.serial);
    let photo = b
        .photo
        .as_ref()
        .map(|_| issue::photo_file_name(&badge.serial));
    println!("serial      {}", badge.serial);
    println!(
        "holder      {}{}",
        printable(&badge.name),
        if badge.org.is_empty() {
            String::new()
        } else {
            format!(" ({})", printable(&badge.org))
        }
    );
    println!(
        "category    {}   zones {}",
        badge.category,
        badge.zones.join(",")
    );
    println!(
        "valid       {} – {}",
        time.format(badge.valid_from),
        time.format(badge.valid_until)
    );
    println!("key id      {}   QR version {}", badge.key_id, b.qr_version);
    if let Some(p) = &b.photo {
        println!("photo       digest {} (badge format version 2)", p.digest);
    }
    for f in [Some(card), photo, Some(png), Some(svg), Some(txt)]
        .into_iter()
        .flatten()
    {
        println!("wrote       {}", shown_path(&out.join(f)));
    }
}
