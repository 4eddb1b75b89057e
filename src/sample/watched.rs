//! State files re-read only when they change. A file's stamp is its identity
//! (device and inode: an atomic rewrite renames a new file over the old one, which
//! may keep the mtime) plus its mtime and size. Parsed rows are handed out shared,
//! and a file's problems are told once per content: the same content read again
//! says nothing, a changed file that is still bad is told again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::bounded::{self, Links, ReadError, STATE_FILE_LIMIT};
use crate::model::Shared;

/// What `lstat` says about a file: enough to tell that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileStamp {
    /// The stamp of `path` itself (a symlink is not followed); `None` when absent.
    pub fn of(path: &Path) -> Option<FileStamp> {
        std::fs::symlink_metadata(path).ok().map(|m| FileStamp::from_metadata(&m))
    }

    /// The stamp of what `path` leads to.
    pub fn following(path: &Path) -> Option<FileStamp> {
        std::fs::metadata(path).ok().map(|m| FileStamp::from_metadata(&m))
    }

    fn from_metadata(m: &std::fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }
}

/// One read of a watched source.
#[derive(Debug)]
pub struct Read<T> {
    /// `None` keeps the rows of the last good read.
    pub rows: Option<Vec<T>>,
    pub problems: Vec<String>,
    /// Read again next refresh even when unchanged (a locked database).
    pub retry: bool,
}

impl<T> Read<T> {
    pub fn rows(rows: Vec<T>, problems: Vec<String>) -> Read<T> {
        Read { rows: Some(rows), problems, retry: false }
    }
}

/// The rows of one source, re-read only when its stamp `K` changes.
#[derive(Debug)]
pub struct Watched<T, K = FileStamp> {
    stamp: Option<K>,
    rows: Shared<T>,
    /// Problems already told for the current stamp.
    told: Vec<String>,
    retry: bool,
}

impl<T, K> Default for Watched<T, K> {
    fn default() -> Watched<T, K> {
        Watched { stamp: None, rows: Shared::default(), told: Vec::new(), retry: false }
    }
}

impl<T, K: PartialEq> Watched<T, K> {
    /// The rows for a source stamped `stamp` (`None`: absent, no rows), calling `read`
    /// only when the stamp differs from the last read's; new problems go to `warnings`.
    pub fn refresh(
        &mut self,
        stamp: Option<K>,
        read: impl FnOnce() -> Read<T>,
        warnings: &mut Vec<String>,
    ) -> Shared<T> {
        let Some(stamp) = stamp else {
            if !self.rows.is_empty() {
                self.rows = Shared::default();
            }
            self.stamp = None;
            self.told.clear();
            return self.rows.clone();
        };
        if self.stamp.as_ref() == Some(&stamp) && !self.retry {
            return self.rows.clone();
        }
        let again = self.stamp.as_ref() == Some(&stamp);
        let got = read();
        if let Some(rows) = got.rows {
            self.rows = Shared::from(rows);
        }
        if !again {
            self.told.clear();
        }
        for p in got.problems {
            if !self.told.contains(&p) {
                warnings.push(p.clone());
                self.told.push(p);
            }
        }
        self.stamp = Some(stamp);
        self.retry = got.retry;
        self.rows.clone()
    }

    /// The rows of the last read.
    pub fn rows(&self) -> &Shared<T> {
        &self.rows
    }
}

/// How a state file's text becomes rows; problems (file and field) go to the vec.
pub trait Parse<T>: FnMut(&Path, &str, &mut Vec<String>) -> Vec<T> {}
impl<T, F: FnMut(&Path, &str, &mut Vec<String>) -> Vec<T>> Parse<T> for F {}

/// `text` as JSON, or a problem naming the file and field.
pub fn json<R: DeserializeOwned>(path: &Path, text: &str, problems: &mut Vec<String>) -> Option<R> {
    serde_json::from_str(text).map_err(|e| problems.push(format!("{}: skipped: {e}", path.display()))).ok()
}

/// Reads `path` through the bounded reader and parses it.
fn read_file<T>(path: &Path, parse: &mut impl Parse<T>) -> Read<T> {
    let mut problems = Vec::new();
    let rows = match bounded::read_text(path, STATE_FILE_LIMIT, Links::Refuse) {
        Ok(text) => parse(path, &text, &mut problems),
        // Removed since it was stamped: simply gone.
        Err(ReadError::Missing) => Vec::new(),
        Err(e) => {
            problems.push(format!("{}: skipped: {e}", path.display()));
            Vec::new()
        }
    };
    Read::rows(rows, problems)
}

/// One JSON state file.
#[derive(Debug)]
pub struct WatchedFile<T> {
    path: Option<PathBuf>,
    watched: Watched<T>,
}

impl<T> WatchedFile<T> {
    pub fn new(path: Option<PathBuf>) -> WatchedFile<T> {
        WatchedFile { path, watched: Watched::default() }
    }

    pub fn refresh(&mut self, mut parse: impl Parse<T>, warnings: &mut Vec<String>) -> Shared<T> {
        let Some(path) = &self.path else { return self.watched.rows().clone() };
        self.watched.refresh(FileStamp::of(path), || read_file(path, &mut parse), warnings)
    }
}

/// A directory of state files, each watched on its own; its rows are every file's
/// rows in path order.
#[derive(Debug)]
pub struct WatchedDir<T> {
    dir: Option<PathBuf>,
    /// The file an entry of the directory stands for (`None`: not a state file).
    select: fn(PathBuf) -> Option<PathBuf>,
    listing: Vec<(PathBuf, FileStamp)>,
    files: BTreeMap<PathBuf, Watched<T>>,
    order: Option<fn(&T, &T) -> std::cmp::Ordering>,
    rows: Shared<T>,
}

/// Directory entries named `*.json`.
pub fn json_files(entry: PathBuf) -> Option<PathBuf> {
    entry.extension().is_some_and(|e| e == "json").then_some(entry)
}

impl<T: Clone> WatchedDir<T> {
    pub fn new(dir: Option<PathBuf>, select: fn(PathBuf) -> Option<PathBuf>) -> WatchedDir<T> {
        WatchedDir {
            dir,
            select,
            listing: Vec::new(),
            files: BTreeMap::new(),
            order: None,
            rows: Shared::default(),
        }
    }

    /// Rows in this order rather than by path.
    pub fn sorted_by(self, order: fn(&T, &T) -> std::cmp::Ordering) -> WatchedDir<T> {
        WatchedDir { order: Some(order), ..self }
    }

    /// Lists the directory and re-reads the files whose stamps changed.
    pub fn refresh(&mut self, mut parse: impl Parse<T>, warnings: &mut Vec<String>) -> Shared<T> {
        let Some(dir) = &self.dir else { return self.rows.clone() };
        let mut listing: Vec<(PathBuf, FileStamp)> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| (self.select)(e.path()))
                    .filter_map(|p| FileStamp::of(&p).map(|s| (p, s)))
                    .collect()
            })
            .unwrap_or_default();
        listing.sort_by(|a, b| a.0.cmp(&b.0));
        if listing == self.listing {
            return self.rows.clone();
        }
        let mut files = BTreeMap::new();
        for (path, stamp) in &listing {
            let mut watched = self.files.remove(path).unwrap_or_default();
            watched.refresh(Some(*stamp), || read_file(path, &mut parse), warnings);
            files.insert(path.clone(), watched);
        }
        self.files = files;
        self.listing = listing;
        let mut rows: Vec<T> = self.files.values().flat_map(|w| w.rows().iter().cloned()).collect();
        if let Some(order) = self.order {
            rows.sort_by(order);
        }
        self.rows = Shared::from(rows);
        self.rows.clone()
    }
}

/// The concatenation of shared parts, rebuilt only when a part changed.
#[derive(Debug)]
pub struct Joined<T> {
    parts: Vec<Shared<T>>,
    rows: Shared<T>,
}

impl<T> Default for Joined<T> {
    fn default() -> Joined<T> {
        Joined { parts: Vec::new(), rows: Shared::default() }
    }
}

impl<T: Clone> Joined<T> {
    pub fn join(&mut self, parts: Vec<Shared<T>>) -> Shared<T> {
        let same = parts.len() == self.parts.len()
            && parts.iter().zip(&self.parts).all(|(a, b)| Shared::ptr_eq(a, b));
        if !same {
            self.rows = parts.iter().flat_map(|p| p.iter().cloned()).collect();
            self.parts = parts;
        }
        self.rows.clone()
    }
}

#[cfg(test)]
#[path = "watched_tests.rs"]
mod tests;
