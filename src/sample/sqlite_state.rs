//! Agents' and orchestrators' SQLite state, opened read-only and re-read only when
//! the database (or its WAL) changes: Codex threads (`~/.codex/state_5.sqlite`) and
//! vibe-kanban task titles (`~/.local/share/vibe-kanban/db.v2.sqlite` or `db.sqlite`), and
//! Crystal sessions (`~/.crystal/sessions.db`).
//! A locked, missing or unfamiliar database falls back to nothing, reported once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::watched::{FileStamp, Read, Watched};
use crate::model::{NamedWorkspace, Shared, TaskTitle};

/// Which candidate was found, and the stamps of it and its WAL.
type DbStamp = (PathBuf, FileStamp, Option<FileStamp>);

/// The first database of `candidates` that is there, watched with its WAL.
#[derive(Debug)]
struct Database<T> {
    candidates: Vec<PathBuf>,
    watched: Watched<T, DbStamp>,
}

impl<T> Database<T> {
    fn new(candidates: Vec<PathBuf>) -> Database<T> {
        Database { candidates, watched: Watched::default() }
    }

    fn refresh(
        &mut self,
        read: fn(&Connection) -> rusqlite::Result<Vec<T>>,
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
const MAX_ROWS: usize = 100_000;
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
    read: fn(&Connection) -> rusqlite::Result<Vec<T>>,
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
struct Budget(usize);

impl Budget {
    fn new() -> Budget {
        Budget(MAX_BYTES)
    }

    /// Column `i` of `row` as text, `None` for NULL; fails once the budget is spent.
    fn text(&mut self, row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
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
    fn required(&mut self, row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
        self.text(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(
            i,
            "NULL".into(),
            rusqlite::types::Type::Null,
        ))
    }
}

/// Collects at most one row more than [`MAX_ROWS`] (queries say `LIMIT` too; this holds
/// even for one that does not).
fn capped<T>(rows: impl Iterator<Item = rusqlite::Result<T>>) -> rusqlite::Result<Vec<T>> {
    rows.take(MAX_ROWS + 1).collect()
}

fn codex_threads(c: &Connection) -> rusqlite::Result<Vec<NamedWorkspace>> {
    let mut stmt = c.prepare(&format!("SELECT id, cwd, git_branch FROM threads LIMIT {}", MAX_ROWS + 1))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(NamedWorkspace {
            id: budget.required(r, 0)?,
            cwd: PathBuf::from(budget.required(r, 1)?),
            branch: budget.text(r, 2)?,
        })
    })?;
    capped(rows)
}

fn crystal_sessions(c: &Connection) -> rusqlite::Result<Vec<NamedWorkspace>> {
    let mut stmt = c.prepare(&format!("SELECT id, worktree_path FROM sessions LIMIT {}", MAX_ROWS + 1))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(NamedWorkspace {
            id: budget.required(r, 0)?,
            cwd: PathBuf::from(budget.required(r, 1)?),
            branch: None,
        })
    })?;
    capped(rows)
}

/// Current schema (`workspaces`), then the older one (`task_attempts`).
fn vk_titles(c: &Connection) -> rusqlite::Result<Vec<TaskTitle>> {
    let query = |table: &str| {
        format!(
            "SELECT w.branch, t.title, p.name, w.id FROM {table} w JOIN tasks t ON t.id = w.task_id \
             LEFT JOIN projects p ON p.id = t.project_id WHERE w.branch IS NOT NULL LIMIT {}",
            MAX_ROWS + 1
        )
    };
    let mut stmt = c.prepare(&query("workspaces")).or_else(|_| c.prepare(&query("task_attempts")))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(TaskTitle {
            branch: budget.required(r, 0)?,
            title: budget.required(r, 1)?,
            project: budget.text(r, 2)?,
            workspace_id: uuid_text(r.get_ref(3)?),
        })
    })?;
    capped(rows)
}

/// vibe-kanban stores UUIDs as 16-byte blobs; environment variables carry them hyphenated.
fn uuid_text(v: rusqlite::types::ValueRef<'_>) -> Option<String> {
    match v {
        rusqlite::types::ValueRef::Blob(b) if b.len() == 16 => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            Some(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
        }
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_lowercase),
        _ => None,
    }
}

#[derive(Debug)]
pub struct SqliteState {
    codex: Database<NamedWorkspace>,
    vibe_kanban: Database<TaskTitle>,
    crystal: Database<NamedWorkspace>,
}

/// What the databases hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseState {
    pub codex_threads: Shared<NamedWorkspace>,
    pub task_titles: Shared<TaskTitle>,
    pub crystal_sessions: Shared<NamedWorkspace>,
}

impl SqliteState {
    pub fn from_home(home: Option<&Path>) -> SqliteState {
        let under = |rel: &[&str]| home.map(|h| rel.iter().map(|r| h.join(r)).collect()).unwrap_or_default();
        SqliteState {
            codex: Database::new(under(&[".codex/state_5.sqlite"])),
            vibe_kanban: Database::new(under(&[
                ".local/share/vibe-kanban/db.v2.sqlite",
                ".local/share/vibe-kanban/db.sqlite",
                "Library/Application Support/ai.bloop.vibe-kanban/db.v2.sqlite",
                "Library/Application Support/ai.bloop.vibe-kanban/db.sqlite",
            ])),
            crystal: Database::new(under(&[".crystal/sessions.db"])),
        }
    }

    pub fn refresh(&mut self, warnings: &mut Vec<String>) -> DatabaseState {
        DatabaseState {
            codex_threads: self.codex.refresh(codex_threads, warnings),
            task_titles: self.vibe_kanban.refresh(vk_titles, warnings),
            crystal_sessions: self.crystal.refresh(crystal_sessions, warnings),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_threads_and_vibe_kanban_titles_are_read_and_bad_databases_reported_once() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        std::fs::create_dir_all(h.join(".codex")).unwrap();
        std::fs::create_dir_all(h.join(".local/share/vibe-kanban")).unwrap();
        let codex = Connection::open(h.join(".codex/state_5.sqlite")).unwrap();
        codex
            .execute_batch(
                "CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, cwd TEXT NOT NULL, git_branch TEXT);
                 INSERT INTO threads VALUES ('t-1', '/r', '/wt/1a2b/alpha', 'vk/1a2b-x');",
            )
            .unwrap();
        let vk = Connection::open(h.join(".local/share/vibe-kanban/db.v2.sqlite")).unwrap();
        vk.execute_batch(
            "CREATE TABLE projects (id BLOB PRIMARY KEY, name TEXT);
             CREATE TABLE tasks (id BLOB PRIMARY KEY, project_id BLOB, title TEXT NOT NULL);
             CREATE TABLE workspaces (id BLOB PRIMARY KEY, task_id BLOB, branch TEXT);
             INSERT INTO projects VALUES (x'01', 'Alpha app');
             INSERT INTO tasks VALUES (x'02', x'01', 'Add a login page');
             INSERT INTO workspaces VALUES (x'0123456789abcdef0123456789abcdef', x'02', 'vk/1a2b-add-login');",
        )
        .unwrap();
        std::fs::create_dir_all(h.join(".crystal")).unwrap();
        Connection::open(h.join(".crystal/sessions.db"))
            .unwrap()
            .execute_batch(
                "CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL, initial_prompt TEXT NOT NULL,
                   worktree_name TEXT NOT NULL, worktree_path TEXT NOT NULL, status TEXT, pid INTEGER);
                 INSERT INTO sessions VALUES ('c-1', 'fix', 'p', 'fix-1', '/wt/fix-1', 'running', 42);",
            )
            .unwrap();
        let mut state = SqliteState::from_home(Some(h));
        let mut warnings = Vec::new();
        let db = state.refresh(&mut warnings);
        let (threads, titles) = (db.codex_threads, db.task_titles);
        assert_eq!(db.crystal_sessions[0].cwd, Path::new("/wt/fix-1"));
        assert_eq!(
            *threads,
            [NamedWorkspace {
                id: "t-1".into(),
                cwd: "/wt/1a2b/alpha".into(),
                branch: Some("vk/1a2b-x".into())
            }]
        );
        assert_eq!(titles[0].title, "Add a login page");
        assert_eq!(titles[0].project.as_deref(), Some("Alpha app"));
        assert_eq!(titles[0].workspace_id.as_deref(), Some("01234567-89ab-cdef-0123-456789abcdef"));
        assert!(warnings.is_empty(), "{warnings:?}");

        // An unfamiliar schema: fall back (keep nothing new), report once.
        drop(codex);
        std::fs::remove_file(h.join(".codex/state_5.sqlite")).unwrap();
        Connection::open(h.join(".codex/state_5.sqlite"))
            .unwrap()
            .execute_batch("CREATE TABLE other (x);")
            .unwrap();
        let mut state = SqliteState::from_home(Some(h));
        state.refresh(&mut warnings);
        state.refresh(&mut warnings);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("state_5.sqlite") && warnings[0].contains("falling back"));
    }
}
