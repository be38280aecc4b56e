//! Writing files so that nobody ever reads half of one, and a killed
//! writer leaves nothing behind: the bytes go to an unnamed temporary file
//! in the same folder (Linux `O_TMPFILE`), are synced, and only then get a
//! name — linked straight to the target when an existing file must not be
//! replaced, or linked to a temporary name and renamed over it. A process
//! killed while writing leaves no file at all; the one short-lived
//! temporary name carries the writer's process id, and a later write in the
//! folder removes such names whose process is gone. Keys, lists, reports
//! and exports are all written this way.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix of the temporary names this module gives (hidden, and easy to
/// recognise as ours): `.badgegate-PID-...`.
pub const TEMP_PREFIX: &str = ".badgegate-";

/// Failures writing a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("{path} already exists; pass --force to replace it")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The folder a file is written in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to `path` with permissions `mode`; without `replace` an
/// existing file is never overwritten.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> Result<(), WriteError> {
    write_atomic_with(path, mode, replace, |w| w.write_all(bytes))
}

/// Streams `fill`'s output to `path` the same way: what `fill` returns is
/// passed through; if it fails, nothing is placed.
pub fn write_atomic_with<T>(
    path: &Path,
    mode: u32,
    replace: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> Result<T, WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    if !replace && fs::symlink_metadata(path).is_ok() {
        return Err(WriteError::Exists {
            path: path.to_owned(),
        });
    }
    let folder = folder_of(path);
    remove_stale(folder, TEMP_PREFIX);
    let file = unnamed_file(folder, mode).map_err(io)?;
    let mut w = std::io::BufWriter::new(&file);
    let out = fill(&mut w).map_err(io)?;
    w.flush().map_err(io)?;
    drop(w);
    file.sync_all().map_err(io)?;
    if replace {
        let temp = folder.join(temp_name(TEMP_PREFIX));
        link(&file, &temp).map_err(io)?;
        if let Err(e) = fs::rename(&temp, path) {
            let _ = fs::remove_file(&temp);
            return Err(io(e));
        }
    } else {
        link(&file, path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists {
                    path: path.to_owned(),
                }
            } else {
                io(e)
            }
        })?;
    }
    // The new name, durable.
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(out)
}

/// A file with no name yet in `folder`, mode `mode`: it disappears if the
/// process dies before [`link`] names it.
fn unnamed_file(folder: &Path, mode: u32) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .mode(mode)
        .custom_flags(libc::O_TMPFILE)
        .open(folder)
}

/// Gives an unnamed file its name; fails if the name exists.
fn link(file: &fs::File, to: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let from = format!("/proc/self/fd/{}\0", file.as_raw_fd());
    let mut target = to.as_os_str().as_bytes().to_vec();
    target.push(0);
    // SAFETY: two NUL-terminated paths; the descriptor is open.
    let r = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr().cast(),
            libc::AT_FDCWD,
            target.as_ptr().cast(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `PREFIX` + this process's id + something unique: a temporary name whose
/// writer can be told dead or alive.
pub fn temp_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}{}-{nanos:08x}", std::process::id())
}

/// Removes what `prefix`-named temporary files and folders in `folder`
/// were left by processes that no longer run (killed while writing).
/// Returns how many were removed.
pub fn remove_stale(folder: &Path, prefix: &str) -> usize {
    let Ok(entries) = fs::read_dir(folder) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if alive {
            continue;
        }
        let path = e.path();
        let gone = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

/// An exclusive lock on a shared file, held until dropped: a lock file
/// beside it (`NAME.lock`) locked with the operating system's file lock, so
/// a crash or kill releases it. It says who holds it, for the message the
/// next writer sees.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
    path: PathBuf,
}

/// Failures taking a lock.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    #[error("{what} is in use by another badgegate ({holder}); {then}")]
    Held {
        what: String,
        holder: String,
        then: &'static str,
    },
    #[error("cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The lock file that guards `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    path.with_file_name(name)
}

impl Lock {
    /// Takes the lock for `path`, waiting up to `wait` for another holder
    /// to finish. `then` says what to do when it stays taken.
    pub fn acquire(
        path: &Path,
        wait: std::time::Duration,
        then: &'static str,
    ) -> Result<Lock, LockError> {
        use std::io::{Read, Seek};
        let lock = lock_path(path);
        let io = |source| LockError::Io {
            path: lock.clone(),
            source,
        };
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(io)?;
        let until = std::time::Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.rewind();
                    let _ = (&file).take(200).read_to_string(&mut holder);
                    return Err(LockError::Held {
                        what: crate::text::shown_path(path),
                        holder: crate::text::printable(holder.trim()),
                        then,
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        // Who holds it, for whoever waits next.
        let me = format!("process {} on {}", std::process::id(), host_name());
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = file.write_all(me.as_bytes());
        let _ = file.flush();
        Ok(Lock {
            _file: file,
            path: path.to_owned(),
        })
    }

    /// The file this lock guards.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// This machine's name, as the kernel has it (gethostname: no /proc
/// needed, so a sandboxed service sees it too); `None` when it has none.
pub fn machine_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; the kernel writes a
    // name and, where it fits, a terminating NUL.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).trim().to_owned();
    (!name.is_empty() && name != "(none)").then_some(name)
}

/// This machine's name (or `this machine`).
pub fn host_name() -> String {
    machine_name().unwrap_or_else(|| "this machine".into())
}

/// Why a small text file (a signed list or policy) could not be read.
#[derive(Debug)]
pub enum SmallTextError {
    Io(std::io::Error),
    /// Larger than the reader's cap.
    TooLarge,
    NotUtf8,
}

/// A regular file's text, at most `max` bytes read (one more tells a file
/// that is too large): what every reader of a signed list or policy
/// starts with, each saying the failure in its own words.
pub fn read_small_text(path: &Path, max: u64) -> Result<String, SmallTextError> {
    use std::io::Read;
    let file = open_regular(path).map_err(SmallTextError::Io)?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(SmallTextError::Io)?;
    if bytes.len() as u64 > max {
        return Err(SmallTextError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| SmallTextError::NotUtf8)
}

/// True if `path` is a regular file whose first line is exactly `line`
/// (how a folder's signed lists are told apart from its other files).
pub fn starts_with_line(path: &Path, line: &str) -> bool {
    use std::io::Read;
    let Ok(file) = open_regular(path) else {
        return false;
    };
    let mut head = vec![0u8; line.len() + 1];
    let n = file.take(head.len() as u64).read(&mut head).unwrap_or(0);
    head.get(..n) == Some(format!("{line}\n").as_bytes())
}

/// Opens a file for reading only if it is a regular file: a FIFO, socket
/// or device is refused at once instead of blocking the reader forever.
pub fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_dir() {
            "a folder"
        } else if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}, not a regular file"),
        ));
    }
    Ok(file)
}

/// Unix permissions `mode` (e.g. 0o600 for a secret key).
pub fn permissions(mode: u32) -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_placed_whole_with_its_mode_and_never_replaced_unasked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret.pem");
        write_atomic(&p, b"one", 0o600, false).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let e = write_atomic(&p, b"two", 0o600, false).unwrap_err();
        assert!(matches!(e, WriteError::Exists { .. }), "{e}");
        write_atomic(&p, b"two", 0o600, true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let failed = write_atomic_with(&dir.path().join("half"), 0o644, false, |w| {
            w.write_all(b"half")?;
            Err::<(), _>(std::io::Error::other("stopped"))
        });
        assert!(failed.is_err());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the key: no half file, no temporary");
    }

    #[test]
    fn a_second_writer_waits_then_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("revoked.txt");
        let held = Lock::acquire(&p, std::time::Duration::ZERO, "try again").unwrap();
        let t = std::time::Instant::now();
        let e = Lock::acquire(&p, std::time::Duration::from_millis(200), "try again")
            .unwrap_err()
            .to_string();
        assert!(t.elapsed() >= std::time::Duration::from_millis(200));
        assert!(
            e.contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(held);
        Lock::acquire(&p, std::time::Duration::ZERO, "try again").unwrap();
    }
}

/// What a file's metadata says of its content without reading it: device,
/// inode, size and change times. A file replaced (written whole and
/// renamed) or edited gets another stamp; a watcher reads the file again
/// only then (and now and then regardless).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

/// The stamp of the file at `path` now, if it can be looked at.
pub fn stamp(path: &Path) -> Option<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
    })
}

/// True when the file at `path` was modified less than `age` ago: it may
/// still be being written (a copy in progress). A watcher that cannot read
/// such a file waits before calling it bad.
pub fn changed_within(path: &Path, age: std::time::Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|e| e < age)
}
