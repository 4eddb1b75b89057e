use super::*;

/// `sessions` of Crystal's `sessions.db` (stravu/crystal `main/src/database`, 1e18e0b),
/// the columns swarmtop reads and their neighbours.
#[test]
fn crystal_sessions_are_read_and_an_unfamiliar_schema_is_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("sessions.db");
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL, initial_prompt TEXT NOT NULL,
               worktree_name TEXT NOT NULL, worktree_path TEXT NOT NULL, status TEXT, pid INTEGER);
             INSERT INTO sessions VALUES ('c-1', 'fix', 'p', 'fix-1', '/wt/fix-1', 'running', 42);",
        )
        .unwrap();
    let mut warnings = Vec::new();
    let mut crystal = Database::new(vec![db.clone()]);
    let rows = crystal.refresh(&|c| crystal_sessions(c, Some(7)), &mut warnings);
    assert_eq!((rows[0].cwd.as_path(), rows[0].owner), (Path::new("/wt/fix-1"), Some(7)));
    assert!(warnings.is_empty(), "{warnings:?}");

    std::fs::remove_file(&db).unwrap();
    Connection::open(&db).unwrap().execute_batch("CREATE TABLE other (x);").unwrap();
    let mut crystal = Database::new(vec![db]);
    crystal.refresh(&|c| crystal_sessions(c, None), &mut warnings);
    crystal.refresh(&|c| crystal_sessions(c, None), &mut warnings);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("sessions.db") && warnings[0].contains("falling back"));
}
