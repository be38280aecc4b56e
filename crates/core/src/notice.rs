//! Where the library's long-running parts say what a person should read:
//! the venue link going offline, an admit command's complaints, the
//! office's sign-ins. The library never prints; the program that runs it
//! decides where the lines go (a kiosk's stderr, the office's log) or that
//! nobody hears them (tests, benchmarks).

use std::fmt;
use std::sync::Arc;

/// What hears a notice.
type Listener = Arc<dyn Fn(&str) + Send + Sync>;

/// A place to say one-line notices; cheap to clone and share between
/// threads. The default says nothing.
#[derive(Clone, Default)]
pub struct Notices(Option<Listener>);

impl Notices {
    /// Nobody listens.
    pub fn silent() -> Notices {
        Notices(None)
    }

    /// Each notice goes to `f`, one line at a time.
    pub fn to(f: impl Fn(&str) + Send + Sync + 'static) -> Notices {
        Notices(Some(Arc::new(f)))
    }

    /// Says `line` (one line, no newline at its end).
    pub fn say(&self, line: impl AsRef<str>) {
        if let Some(f) = &self.0 {
            f(line.as_ref());
        }
    }

    /// True when someone listens (to skip building a costly line).
    pub fn heard(&self) -> bool {
        self.0.is_some()
    }
}

impl fmt::Debug for Notices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.heard() {
            "Notices(heard)"
        } else {
            "Notices(silent)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn notices_reach_their_listener_and_silence_says_nothing() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let h = heard.clone();
        let n = Notices::to(move |l| h.lock().unwrap().push(l.to_owned()));
        n.clone().say("office: ONLINE");
        assert_eq!(*heard.lock().unwrap(), vec!["office: ONLINE"]);
        assert!(!Notices::silent().heard());
        Notices::default().say("nobody");
    }
}
