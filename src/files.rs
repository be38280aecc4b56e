//! Writing files so that nobody ever reads half of one: the bytes go to a
//! temporary file in the same folder, are synced, then renamed into place
//! (or linked, when an existing file must not be replaced). Keys, lists,
//! reports and exports are all written this way.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix of the temporary files this module makes (hidden, and easy to
/// recognise as ours).
pub const TEMP_PREFIX: &str = ".badgegate-";

/// Failures writing a file.
#[derive(Debug, thiserror::Error)]
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
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(permissions(mode))
        .tempfile_in(folder_of(path))
        .map_err(io)?;
    let mut w = std::io::BufWriter::new(tmp.as_file());
    let out = fill(&mut w).map_err(io)?;
    w.flush().map_err(io)?;
    drop(w);
    tmp.as_file().sync_all().map_err(io)?;
    if replace {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists {
                    path: path.to_owned(),
                }
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(out)
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
}
