//! The one way state and worktree files are read. Any local user can make a directory
//! a process works in, and plant a FIFO (a read that never returns), a symlink to
//! `/dev/zero` (a read that never ends) or a huge file there; so every such file is
//! opened without blocking, must be a regular file by `fstat` of what was opened, and
//! is read only up to a limit that fits its format.

use std::io::Read;
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags};

/// `.git` files, `HEAD`, `commondir`: a line each.
pub const GIT_FILE_LIMIT: u64 = 4096;
/// Agents' and orchestrators' JSON state files.
pub const STATE_FILE_LIMIT: u64 = 16 << 20;

/// Whether the last component of the path may be a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// git's own layout allows them (a `.git` file or `HEAD` may be a symlink); what
    /// they lead to must still be a regular file.
    Follow,
    /// Tools write these files themselves and never as symlinks.
    Refuse,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not there (or gone since it was listed): nothing to report.
    #[error("not found")]
    Missing,
    #[error("is a symbolic link")]
    Symlink,
    #[error("is not a regular file but a {0}")]
    NotRegular(&'static str),
    #[error("is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("is not UTF-8")]
    NotUtf8,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// Whether this is worth telling the user (a missing file is not).
    pub fn is_problem(&self) -> bool {
        !matches!(self, ReadError::Missing)
    }
}

fn kind_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Directory => "directory",
        FileType::Fifo => "FIFO",
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        FileType::Socket => "socket",
        FileType::Symlink => "symbolic link",
        _ => "special file",
    }
}

/// Problems already told: each is reported once while it lasts (told again only
/// after a read without it).
#[derive(Debug, Default)]
pub struct Reported(std::collections::HashSet<String>);

impl Reported {
    /// The problems of the latest read that were not told yet.
    pub fn fresh(&mut self, latest: Vec<String>) -> Vec<String> {
        let fresh = latest.iter().filter(|w| !self.0.contains(*w)).cloned().collect();
        self.0 = latest.into_iter().collect();
        fresh
    }
}

/// The whole of `path`, at most `limit` bytes.
pub fn read(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>, ReadError> {
    // Opening a device can act (a watchdog, a tape): look before opening, and check
    // what was opened again below, as it may have been swapped in between.
    let looked = match links {
        Links::Follow => rustix::fs::stat(path),
        Links::Refuse => rustix::fs::lstat(path),
    };
    match looked {
        Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => {}
            FileType::Symlink => return Err(ReadError::Symlink),
            kind => return Err(ReadError::NotRegular(kind_name(kind))),
        },
        Err(rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR) => return Err(ReadError::Missing),
        Err(e) => return Err(ReadError::Io(e.into())),
    }
    let mut flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
    if links == Links::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR) => return Err(ReadError::Missing),
        Err(rustix::io::Errno::LOOP) if links == Links::Refuse => return Err(ReadError::Symlink),
        Err(e) => return Err(ReadError::Io(e.into())),
    };
    let stat = rustix::fs::fstat(&fd).map_err(std::io::Error::from)?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    if kind != FileType::RegularFile {
        return Err(ReadError::NotRegular(kind_name(kind)));
    }
    let size = u64::try_from(stat.st_size).unwrap_or(0);
    if size > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut out = Vec::with_capacity(size as usize);
    // The file may grow while it is read: read one byte past the limit to tell.
    std::fs::File::from(fd).take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(out)
}

/// [`read`], as UTF-8 text.
pub fn read_text(path: &Path, limit: u64, links: Links) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit, links)?).map_err(|_| ReadError::NotUtf8)
}

#[cfg(test)]
#[path = "bounded_tests.rs"]
mod tests;
