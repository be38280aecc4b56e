//! Noticing a journal deleted or replaced under a running kiosk, from the
//! kernel's file notifications (inotify) on its folder: reading them costs
//! nothing near the journal's own file, where even a `stat` after each
//! commit slowed durable appends by a tenth.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// The journal's folder, watched for its file and log being removed,
/// renamed or replaced.
pub(super) struct VanishWatch {
    fd: OwnedFd,
    names: [OsString; 2],
    /// Set once the journal is known gone; stays set.
    gone: Option<String>,
}

const EVENTS: u32 = libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_CREATE
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF;

impl VanishWatch {
    /// Watches the folder of `db` for `db` and `wal` by name.
    pub(super) fn new(db: &Path, wal: &Path) -> std::io::Result<VanishWatch> {
        use std::os::unix::ffi::OsStrExt;
        let folder = crate::files::folder_of(db);
        let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a descriptor just returned by the kernel, owned here.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut c_path = folder.as_os_str().as_bytes().to_vec();
        c_path.push(0);
        let wd = unsafe { libc::inotify_add_watch(fd.as_raw_fd(), c_path.as_ptr().cast(), EVENTS) };
        if wd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let name = |p: &Path| p.file_name().map(|n| n.to_owned()).unwrap_or_default();
        Ok(VanishWatch {
            fd,
            names: [name(db), name(wal)],
            gone: None,
        })
    }

    /// Why the journal is gone, if the folder said so since last asked.
    pub(super) fn gone(&mut self) -> Option<String> {
        use std::os::unix::ffi::OsStrExt;
        let mut buf = [0u8; 4096];
        loop {
            if self.gone.is_some() {
                return self.gone.clone();
            }
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return None;
            }
            let mut at = 0usize;
            let n = n as usize;
            let header = std::mem::size_of::<libc::inotify_event>();
            while at + header <= n {
                // SAFETY: the kernel writes whole events; the header is read
                // unaligned from the buffer.
                let ev: libc::inotify_event =
                    unsafe { std::ptr::read_unaligned(buf[at..].as_ptr().cast()) };
                let name_len = ev.len as usize;
                let raw = buf.get(at + header..at + header + name_len).unwrap_or(&[]);
                let name = raw.split(|b| *b == 0).next().unwrap_or(&[]);
                at += header + name_len;
                let ours = self.names.iter().position(|x| x.as_bytes() == name);
                let folder_gone = ev.mask & (libc::IN_DELETE_SELF | libc::IN_MOVE_SELF) != 0;
                let overflow = ev.mask & libc::IN_Q_OVERFLOW != 0;
                if folder_gone {
                    self.gone = Some("its folder was deleted or moved".into());
                } else if overflow {
                    self.gone = Some("too many changes in its folder to follow".into());
                } else if let Some(i) = ours {
                    let what = if i == 0 {
                        "the journal"
                    } else {
                        "its -wal file"
                    };
                    let how = if ev.mask & libc::IN_DELETE != 0 {
                        "was deleted"
                    } else if ev.mask & libc::IN_MOVED_FROM != 0 {
                        "was moved away"
                    } else {
                        "was replaced by another file"
                    };
                    self.gone = Some(format!("{what} {how}"));
                }
            }
        }
    }
}
