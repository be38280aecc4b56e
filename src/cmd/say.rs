//! What the kiosk says on stderr, in the words of its flags: lists taken
//! up or refused, admit commands that failed, the journal lost, a source
//! that cannot be had. Shared by the headless kiosk and the screen.

use anyhow::anyhow;
use badgegate::gate::engine::ListChange;
use badgegate::gate::runtime::HookReport;
use badgegate::source::OpenError;
use badgegate::text::printable;

/// What to do when a source cannot be had, in the words of the flags.
pub const SOURCE_ADVICE: &str = "read badges with --stdin (USB scanner) or --images PATH instead";

/// A source that cannot be opened, as one line saying what to do.
pub fn open_error(e: OpenError) -> anyhow::Error {
    match e {
        OpenError::NoCameraSupport => anyhow!(
            "this badgegate was built without camera support; rebuild with \
             `cargo build --release --features camera` (needs libclang-dev), or {SOURCE_ADVICE}"
        ),
        OpenError::Camera(why) => {
            anyhow!("{why}; check `badgegate kiosk --list-cameras`, or {SOURCE_ADVICE}")
        }
        OpenError::Images(why) => anyhow!("{why}"),
    }
}

/// Says on stderr which admit hooks failed; returns how many.
pub fn say_hooks(hooks: &[HookReport]) -> usize {
    let mut failed = 0;
    for h in hooks.iter().filter(|h| h.failed) {
        failed += 1;
        say!(
            "warning: {} ({}; record {})",
            printable(&h.entry.body.detail),
            printable(h.entry.body.holder.as_deref().unwrap_or("no name")),
            h.entry.seq
        );
    }
    failed
}

/// Revocation lists taken up or refused, one line each on stderr.
pub fn say_lists(changes: &[ListChange]) {
    for c in changes {
        let what = printable(&c.entry.body.detail);
        if c.accepted {
            say!("{what} (record {})", c.entry.seq);
        } else {
            say!("warning: {what} (record {})", c.entry.seq);
        }
    }
}

/// The one line printed when the journal fails.
pub fn out_of_service_line(e: &dyn std::fmt::Display) -> String {
    format!(
        "error: {}; OUT OF SERVICE: this kiosk admits no one until the journal can be written",
        printable(&e.to_string())
    )
}
