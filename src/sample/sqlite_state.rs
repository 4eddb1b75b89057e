//! Agents' and orchestrators' SQLite state, opened read-only and re-read only when
//! the database (or its WAL) changes: Codex threads (`<sqlite home>/state_5.sqlite`),
//! vibe-kanban task titles (`<data dir>/vibe-kanban/db.v2.sqlite` or `db.sqlite`) and
//! Crystal sessions (`<crystal dir>/sessions.db`); where each lives comes from the
//! environment of the processes that use it (`sample::locations`).
//! A locked, missing or unfamiliar database falls back to nothing, reported once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::watched::{FileStamp, Read, Watched};
use crate::model::{NamedWorkspace, Shared};

/// Which candidate was found, and the stamps of it and its WAL.
type DbStamp = (PathBuf, FileStamp, Option<FileStamp>);

/// The first database of `candidates` that is there, watched with its WAL.
#[derive(Debug)]
pub struct Database<T> {
    candidates: Vec<PathBuf>,
    watched: Watched<T, DbStamp>,
}

impl<T> Database<T> {
    pub fn new(candidates: Vec<PathBuf>) -> Database<T> {
        Database { candidates, watched: Watched::default() }
    }

    pub fn refresh(
        &mut self,
        read: &dyn Fn(&Connection) -> rusqlite::Result<Vec<T>>,
        warnings: &mut Vec<String>,
    ) -> Shared<T> {
        let found = self
            .candidates
            .iter()
            .filter(|p| p.is_file())
            .find_map(|p| FileStamp::following(p).map(|s| (p, s)));
        let stamp = found.map(|(path, db)| {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            (path.clone(), db, FileStamp::following(Path::new(&wal)))
        });
        let path = stamp.as_ref().map(|s| s.0.clone()).unwrap_or_default();
        self.watched.refresh(
            stamp,
            || match read_bounded(&path, read) {
                Ok(rows) => Read::rows(rows, Vec::new()),
                // Keep the last good rows; a locked database is tried again next refresh,
                // anything else when the file changes.
                Err(e) => Read {
                    rows: None,
                    retry: e.may_pass(),
                    problems: vec![format!(
                        "{}: not used ({e}); falling back to names from branches and cwds",
                        path.display()
                    )],
                },
            },
            warnings,
        )
    }
}

/// At most this many rows are read from a table (or a view that never ends).
pub(super) const MAX_ROWS: usize = 100_000;
/// A read taking longer than this (a view that computes forever) is interrupted.
const DEADLINE: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0} is not a regular file")]
    NotRegular(PathBuf),
    #[error("more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("interrupted after {DEADLINE:?}")]
    TooSlow,
}

impl DbError {
    /// Whether trying again soon may succeed: the database was locked.
    fn may_pass(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        matches!(self, DbError::Sqlite(e) if matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked)))
    }
}

/// `read` on the database at `path`, bounded in rows and time.
fn read_bounded<T>(
    path: &Path,
    read: &dyn Fn(&Connection) -> rusqlite::Result<Vec<T>>,
) -> Result<Vec<T>, DbError> {
    // SQLite opens the journal files beside the database too, and would block on a FIFO.
    for side in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(side);
        let file = PathBuf::from(file);
        if std::fs::metadata(&file).is_ok_and(|m| !m.is_file()) {
            return Err(DbError::NotRegular(file));
        }
    }
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_millis(50))?;
    let interrupt = c.get_interrupt_handle();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let late = finished.recv_timeout(DEADLINE) == Err(std::sync::mpsc::RecvTimeoutError::Timeout);
        if late {
            interrupt.interrupt();
        }
        late
    });
    let rows = read(&c);
    drop(done);
    let late = watchdog.join().unwrap_or(true);
    match rows {
        Err(_) if late => Err(DbError::TooSlow),
        Ok(rows) if rows.len() > MAX_ROWS => Err(DbError::TooManyRows),
        other => Ok(other?),
    }
}

/// At most this many bytes of text are taken from one database.
const MAX_BYTES: usize = 64 << 20;

/// What is left of [`MAX_BYTES`] while rows are read.
pub(super) struct Budget(usize);

impl Budget {
    pub(super) fn new() -> Budget {
        Budget(MAX_BYTES)
    }

    /// Column `i` of `row` as text, `None` for NULL; fails once the budget is spent.
    pub(super) fn text(&mut self, row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
        use rusqlite::types::ValueRef;
        let len = match row.get_ref(i)? {
            ValueRef::Text(t) | ValueRef::Blob(t) => t.len(),
            _ => 0,
        };
        self.0 = self.0.checked_sub(len).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Text,
                format!("more than {MAX_BYTES} bytes of text").into(),
            )
        })?;
        row.get(i)
    }

    /// [`Budget::text`] of a column that is never NULL.
    pub(super) fn required(&mut self, row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
        self.text(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(
            i,
            "NULL".into(),
            rusqlite::types::Type::Null,
        ))
    }
}

/// Collects at most one row more than [`MAX_ROWS`] (queries say `LIMIT` too; this holds
/// even for one that does not).
pub(super) fn capped<T>(rows: impl Iterator<Item = rusqlite::Result<T>>) -> rusqlite::Result<Vec<T>> {
    rows.take(MAX_ROWS + 1).collect()
}

/// Codex threads: `name` (set by the user), else `title`; older schemas have neither.
pub(super) fn codex_threads(c: &Connection, owner: Option<u32>) -> rusqlite::Result<Vec<NamedWorkspace>> {
    let limit = MAX_ROWS + 1;
    let mut stmt = c
        .prepare(&format!(
            "SELECT id, cwd, git_branch, COALESCE(NULLIF(name, ''), title) FROM threads LIMIT {limit}"
        ))
        .or_else(|_| c.prepare(&format!("SELECT id, cwd, git_branch, NULL FROM threads LIMIT {limit}")))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(NamedWorkspace {
            id: budget.required(r, 0)?,
            cwd: PathBuf::from(budget.required(r, 1)?),
            branch: budget.text(r, 2)?,
            title: budget.text(r, 3)?.filter(|t| !t.is_empty()),
            owner,
        })
    })?;
    capped(rows)
}

pub(super) fn crystal_sessions(c: &Connection, owner: Option<u32>) -> rusqlite::Result<Vec<NamedWorkspace>> {
    let mut stmt = c.prepare(&format!("SELECT id, worktree_path FROM sessions LIMIT {}", MAX_ROWS + 1))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(NamedWorkspace {
            id: budget.required(r, 0)?,
            cwd: PathBuf::from(budget.required(r, 1)?),
            branch: None,
            title: None,
            owner,
        })
    })?;
    capped(rows)
}

#[cfg(test)]
#[path = "sqlite_state_tests.rs"]
mod tests;
