//! `badgegate patrol bundle`: the patrol page as a static folder.

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{PatrolArgs, PatrolCommand};

pub fn run(a: PatrolArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        PatrolCommand::Bundle(b) => {
            let made = badgegate_office::office::patrol::bundle(
                &b.out,
                &b.trust,
                &b.lists,
                b.photos.as_deref(),
                b.venue.as_deref(),
            )
            .with_context(|| format!("patrol page not written to {}", b.out.display()))?;
            println!(
                "wrote the patrol page to {}: {} files, {} signed list(s), {} photo(s); {} KiB of code gzipped",
                b.out.display(),
                made.files,
                made.lists,
                made.photos,
                made.gzipped_bytes / 1024
            );
            println!("serve the folder over HTTPS (or from localhost) and open it on each phone; the phone pins the trust keys it holds");
            Ok(ExitCode::SUCCESS)
        }
    }
}
