//! The security office's users of the dashboard: Argon2id password hashes
//! in the office database (`office add-user`), and sign-ins held by the
//! running dashboard, each ending after its lifetime, at sign-out, or when
//! the user's password is reset or the user disabled.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use postgres::Client;

use crate::office::OfficeError;

/// The shortest password `add-user --password-stdin` takes.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Failed sign-ins in a row before a name is held back.
const FAILURES_BEFORE_HOLD: u32 = 5;
/// How long a name is held back after that many failures.
const HOLD: Duration = Duration::from_secs(60);

/// True for a usable user name.
pub fn is_user_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An Argon2id hash (the crate's defaults: 19 MiB, 2 passes, OWASP's
/// recommendation) as a PHC string.
pub fn hash_password(password: &str) -> Result<String, OfficeError> {
    let salt = SaltString::generate(&mut rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| OfficeError::Refused(format!("cannot hash the password: {e}")))
}

/// True when `password` matches the PHC string `hash`.
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// What `add_user` did.
#[derive(Debug, PartialEq, Eq)]
pub enum UserChange {
    Added,
    Reset,
    Disabled,
}

/// Adds a user, resets an existing user's password (`reset`), or disables
/// one (`password` None).
pub fn change_user(
    db: &mut Client,
    name: &str,
    password: Option<&str>,
    reset: bool,
) -> Result<UserChange, OfficeError> {
    crate::office::admin::check_dashboard(db)?;
    if !is_user_name(name) {
        return Err(OfficeError::Refused(format!(
            "user name {name:?}: 1 to 40 of A-Z a-z 0-9 . _ -"
        )));
    }
    let exists = db
        .query_opt(
            "SELECT 1 FROM badgegate.office_users WHERE name = $1",
            &[&name],
        )?
        .is_some();
    let Some(password) = password else {
        if !exists {
            return Err(OfficeError::Refused(format!("no office user {name}")));
        }
        db.execute(
            "UPDATE badgegate.office_users SET disabled_at = now() WHERE name = $1",
            &[&name],
        )?;
        return Ok(UserChange::Disabled);
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(OfficeError::Refused(format!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters; choose a longer one, or leave out --password-stdin to be given one"
        )));
    }
    let hash = hash_password(password)?;
    match (exists, reset) {
        (true, false) => Err(OfficeError::Refused(format!(
            "office user {name} exists; add --reset to give them a new password"
        ))),
        (false, true) => Err(OfficeError::Refused(format!(
            "no office user {name} to reset; leave out --reset to add them"
        ))),
        (false, false) => {
            db.execute(
                "INSERT INTO badgegate.office_users (name, password_hash) VALUES ($1, $2)",
                &[&name, &hash],
            )?;
            Ok(UserChange::Added)
        }
        (true, true) => {
            db.execute(
                "UPDATE badgegate.office_users SET password_hash = $2, disabled_at = NULL WHERE name = $1",
                &[&name, &hash],
            )?;
            Ok(UserChange::Reset)
        }
    }
}

/// Every enabled user and their hash: sign-ins are checked against it, and
/// a sign-in ends when its user's hash changes or the user is disabled.
pub fn enabled_users(db: &mut Client) -> Result<HashMap<String, String>, OfficeError> {
    Ok(db
        .query(
            "SELECT name, password_hash FROM badgegate.office_users WHERE disabled_at IS NULL",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// One signed-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: String,
    /// The token every form sends back (the cookie alone is not enough to
    /// acknowledge an alarm).
    pub csrf: String,
    pub expires: Instant,
    /// The user's password hash at sign-in.
    hash: String,
}

/// Why a sign-in was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefused {
    /// Wrong name or password (or a name no user can have).
    Wrong,
    /// Too many failures for this name lately: wait this long.
    HeldBack(Duration),
}

/// Names with failed sign-ins remembered at most (older than the hold are
/// forgotten first; a flood of new names past this is held back).
const MAX_FAILURE_ENTRIES: usize = 10_000;
/// Longest password looked at (bytes); longer ones are wrong.
const MAX_PASSWORD_BYTES: usize = 1024;

/// The dashboard's sign-ins, and the names held back after failures.
pub struct Sessions {
    lifetime: Duration,
    open: Mutex<HashMap<String, Session>>,
    users: Mutex<HashMap<String, String>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// A random token of 32 bytes as hex.
fn token() -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    badgegate_core::text::hex(&b)
}

/// The key a session is kept under: the SHA-256 of its cookie's token,
/// so looking one up says nothing about the tokens held.
fn key(token: &str) -> String {
    use sha2::Digest;
    badgegate_core::text::hex(&sha2::Sha256::digest(token.as_bytes()))
}

impl Sessions {
    pub fn new(lifetime: Duration) -> Sessions {
        Sessions {
            lifetime,
            open: Mutex::new(HashMap::new()),
            users: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The enabled users as the database has them now; sessions of users
    /// no longer there, or with another password, end.
    pub fn set_users(&self, users: HashMap<String, String>) {
        Self::lock(&self.open).retain(|_, s| users.get(&s.user).is_some_and(|h| *h == s.hash));
        *Self::lock(&self.users) = users;
    }

    /// How long `user` must wait before trying again, if held back.
    pub fn held_back(&self, user: &str, now: Instant) -> Option<Duration> {
        let f = Self::lock(&self.failures);
        let (n, last) = f.get(user)?;
        let until = *last + HOLD;
        (*n >= FAILURES_BEFORE_HOLD && until > now).then(|| until - now)
    }

    /// Takes one try for `user` before its password is checked: refused
    /// when the name is held back. Counting first means concurrent tries
    /// cannot all be checked before the first failure is recorded.
    fn take_try(&self, user: &str, now: Instant) -> Result<(), SignInRefused> {
        let mut failures = Self::lock(&self.failures);
        if failures.len() >= MAX_FAILURE_ENTRIES {
            failures.retain(|_, (_, last)| now.duration_since(*last) <= HOLD);
        }
        if failures.len() >= MAX_FAILURE_ENTRIES && !failures.contains_key(user) {
            // Still full of names tried in the last minute: a flood.
            return Err(SignInRefused::HeldBack(HOLD));
        }
        let e = failures.entry(user.to_owned()).or_insert((0, now));
        if now.duration_since(e.1) > HOLD {
            e.0 = 0;
        }
        if e.0 >= FAILURES_BEFORE_HOLD {
            return Err(SignInRefused::HeldBack(
                (e.1 + HOLD).saturating_duration_since(now),
            ));
        }
        e.0 += 1;
        e.1 = now;
        Ok(())
    }

    /// Checks a password against the known users and opens a session.
    /// Unknown users cost the same hashing as known ones; a name no user
    /// can have (see [`is_user_name`]) is refused without a check, and so
    /// is a name held back after failures.
    pub fn sign_in(
        &self,
        user: &str,
        password: &str,
        now: Instant,
    ) -> Result<(String, Session), SignInRefused> {
        if !is_user_name(user) || password.len() > MAX_PASSWORD_BYTES {
            return Err(SignInRefused::Wrong);
        }
        self.take_try(user, now)?;
        let hash = Self::lock(&self.users).get(user).cloned();
        // A hash for unknown names, so timing does not tell them.
        static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let decoy = DECOY.get_or_init(|| hash_password(&token()).unwrap_or_default());
        let good = password_matches(hash.as_deref().unwrap_or(decoy), password) && hash.is_some();
        if !good {
            return Err(SignInRefused::Wrong);
        }
        Self::lock(&self.failures).remove(user);
        let s = Session {
            user: user.to_owned(),
            csrf: token(),
            expires: now + self.lifetime,
            hash: hash.unwrap_or_default(),
        };
        let t = token();
        Self::lock(&self.open).insert(key(&t), s.clone());
        Ok((t, s))
    }

    /// The session of a cookie's token, if it is open and not expired.
    pub fn get(&self, token: &str, now: Instant) -> Option<Session> {
        let mut open = Self::lock(&self.open);
        open.retain(|_, s| s.expires > now);
        open.get(&key(token)).cloned()
    }

    /// Signs a browser out.
    pub fn sign_out(&self, token: &str) {
        Self::lock(&self.open).remove(&key(token));
    }

    /// True when the form's token is the session's.
    pub fn csrf_ok(s: &Session, sent: &str) -> bool {
        use subtle::ConstantTimeEq;
        s.csrf.as_bytes().ct_eq(sent.as_bytes()).into()
    }

    /// How many sign-ins are open.
    pub fn count(&self) -> usize {
        Self::lock(&self.open).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions_with(user: &str, password: &str, life: Duration) -> Sessions {
        let s = Sessions::new(life);
        let mut u = HashMap::new();
        u.insert(user.to_owned(), hash_password(password).unwrap());
        s.set_users(u);
        s
    }

    #[test]
    fn a_session_ends_after_its_lifetime() {
        let s = sessions_with("alice", "correct horse battery", Duration::from_secs(60));
        let t0 = Instant::now();
        let (token, _) = s.sign_in("alice", "correct horse battery", t0).unwrap();
        assert!(s.get(&token, t0 + Duration::from_secs(59)).is_some());
        assert!(s.get(&token, t0 + Duration::from_secs(61)).is_none());
        assert_eq!(s.count(), 0);
    }

    #[test]
    fn wrong_passwords_and_unknown_names_are_refused_and_held_back() {
        let s = sessions_with("alice", "correct horse battery", Duration::from_secs(600));
        let t0 = Instant::now();
        assert!(s.sign_in("mallory", "correct horse battery", t0).is_err());
        for _ in 0..FAILURES_BEFORE_HOLD {
            assert_eq!(
                s.sign_in("alice", "wrong password!", t0).err(),
                Some(SignInRefused::Wrong)
            );
        }
        assert!(s.held_back("alice", t0).is_some());
        // Held back: the right password is not even checked.
        assert!(matches!(
            s.sign_in("alice", "correct horse battery", t0),
            Err(SignInRefused::HeldBack(_))
        ));
        assert!(s
            .held_back("alice", t0 + HOLD + Duration::from_secs(1))
            .is_none());
    }

    /// Regression: 40 concurrent sign-ins (39 wrong, then the right one)
    /// were all checked, and the last signed in: tries are counted before
    /// the check.
    #[test]
    fn concurrent_tries_are_counted_before_any_password_is_checked() {
        let s = std::sync::Arc::new(sessions_with(
            "alice",
            "correct horse battery",
            Duration::from_secs(600),
        ));
        let t0 = Instant::now();
        let threads: Vec<_> = (0..40)
            .map(|i| {
                let s = s.clone();
                std::thread::spawn(move || {
                    let pw = if i == 39 {
                        "correct horse battery"
                    } else {
                        "wrong password!"
                    };
                    s.sign_in("alice", pw, t0)
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let checked = results
            .iter()
            .filter(|r| !matches!(r, Err(SignInRefused::HeldBack(_))))
            .count();
        assert!(
            checked <= FAILURES_BEFORE_HOLD as usize,
            "{checked} checked"
        );
        // A name no user can have (1.9 MB) is refused and not remembered.
        let long = "a".repeat(1_900_000);
        assert_eq!(s.sign_in(&long, "x", t0).err(), Some(SignInRefused::Wrong));
        assert!(s.held_back(&long, t0).is_none());
    }

    #[test]
    fn a_reset_password_ends_open_sessions() {
        let s = sessions_with("alice", "correct horse battery", Duration::from_secs(600));
        let t0 = Instant::now();
        let (token, _) = s.sign_in("alice", "correct horse battery", t0).unwrap();
        let mut u = HashMap::new();
        u.insert(
            "alice".to_owned(),
            hash_password("another long one").unwrap(),
        );
        s.set_users(u);
        assert!(s.get(&token, t0).is_none());
    }
}
