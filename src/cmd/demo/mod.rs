//! `badgegate demo`: the whole story in a temporary folder, no webcam needed.
//! The desk makes a key, issues badges (good and bad in every way that
//! matters) and revokes one (`desk`); the plenary gate reads every printed
//! card from its pixels (`verify`); a kiosk watches camera-like frames and
//! journals each person once (`kiosk`); the security office audits the
//! journal and catches an edited copy (`audit`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use badgegate::clock;
use badgegate::text::shown_path;

use crate::cli::DemoArgs;
use crate::cmd::Exit;

mod audit;
mod desk;
mod kiosk;
mod verify;

const HOUR: u64 = 3600;

/// Where the story's files are, once the desk has made them.
pub struct Story {
    pub root: PathBuf,
    pub trust_dir: PathBuf,
    pub badges_dir: PathBuf,
    pub odd_dir: PathBuf,
    pub list_path: PathBuf,
    pub policy_path: PathBuf,
    pub journal_path: PathBuf,
    /// Unix seconds the story happens at.
    pub now: u64,
    /// The files stay after the demo (`--keep`); else the folder is
    /// removed when it ends.
    pub kept: bool,
}

pub fn run(a: DemoArgs) -> anyhow::Result<ExitCode> {
    let temp;
    let root: PathBuf = match &a.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating {}", shown_path(dir)))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("badgegate-demo-")
                .tempdir()?;
            temp.path().to_owned()
        }
    };
    println!("badgegate demo in {}\n", shown_path(&root));
    let story = desk::run(&root, clock::now(), a.keep.is_some())?;
    let mut surprises = verify::run(&story)?;
    surprises += kiosk::run(&story)?;
    surprises += audit::run(&story)?;
    try_it_yourself(&story, a.keep.is_some());
    if surprises > 0 {
        bail!("{surprises} decision(s) differed from what the demo expects");
    }
    Ok(Exit::Ok.into())
}

/// The commands to go on with: on the kept files, or on a kept copy.
fn try_it_yourself(s: &Story, kept: bool) {
    let shown = |p: &Path| {
        if kept {
            shown_path(p)
        } else {
            // The temporary folder is gone when the demo ends: speak of the
            // folder a `--keep demo` run leaves.
            shown_path(&Path::new("demo").join(p.strip_prefix(&s.root).unwrap_or(p)))
        }
    };
    println!("\n7. try it yourself:");
    if !kept {
        println!("   badgegate demo --keep demo      # keeps the demo's files in ./demo, then:");
    }
    let (trust, list) = (shown(&s.trust_dir), shown(&s.list_path));
    let policy = shown(&s.policy_path);
    let frames = shown(&s.root.join("frames"));
    println!(
        "   badgegate verify --trust {trust} --revocations {list} --zone plenary {}",
        shown(&s.badges_dir)
    );
    println!(
        "   badgegate kiosk --trust {trust} --revocations {list} --policy {policy} --journal {} --gate plenary-north --images {frames} --frame-interval 100 --headless",
        shown(&s.root.join("again.db"))
    );
    println!(
        "   badgegate kiosk --trust {trust} --revocations {list} --policy {policy} --journal {} --gate plenary-north --images {frames} --frame-interval 500 --windowed\n     (the same frames on the guard's screen; needs a display)",
        shown(&s.root.join("screen.db"))
    );
    println!(
        "   badgegate audit report --journal {} --out report.html",
        shown(&s.journal_path)
    );
}
