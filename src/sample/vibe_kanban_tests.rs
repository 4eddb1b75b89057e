use super::*;

/// `projects` and `tasks` as `crates/db/migrations/20250617183714_init.sql` makes them, and
/// `workspaces` as `20260217120312_remove_task_fk_from_workspaces.sql` leaves it
/// (BloopAI/vibe-kanban@139b181; plus `worktree_deleted`, 20260302113031).
const SCHEMA: &str = "
CREATE TABLE projects (id BLOB PRIMARY KEY, name TEXT NOT NULL, git_repo_path TEXT NOT NULL DEFAULT '' UNIQUE,
  setup_script TEXT DEFAULT '', created_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')));
CREATE TABLE tasks (id BLOB PRIMARY KEY, project_id BLOB NOT NULL, title TEXT NOT NULL, description TEXT,
  status TEXT NOT NULL DEFAULT 'todo', created_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')));
CREATE TABLE workspaces (id BLOB PRIMARY KEY, task_id BLOB, container_ref TEXT, branch TEXT NOT NULL,
  agent_working_dir TEXT, setup_completed_at TEXT, created_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now', 'subsec')), archived INTEGER NOT NULL DEFAULT 0,
  pinned INTEGER NOT NULL DEFAULT 0, name TEXT, worktree_deleted BOOLEAN NOT NULL DEFAULT FALSE);
";

fn place(dir: &Path) -> Place {
    Place::of(dir.to_path_buf())
}

#[test]
fn new_workspaces_are_titled_by_their_name_and_old_ones_by_their_task() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data/vibe-kanban");
    std::fs::create_dir_all(&dir).unwrap();
    Connection::open(dir.join("db.v2.sqlite"))
        .unwrap()
        .execute_batch(&format!(
            "{SCHEMA}
             INSERT INTO projects (id, name) VALUES (x'01', 'Alpha app');
             INSERT INTO tasks (id, project_id, title) VALUES (x'02', x'01', 'Add a login page');
             INSERT INTO workspaces (id, task_id, branch) VALUES (x'0123456789abcdef0123456789abcdef', x'02', 'vk/1a2b-add-a-login-page');
             INSERT INTO workspaces (id, task_id, branch, container_ref, name)
               VALUES (x'fedcba9876543210fedcba9876543210', NULL, 'vk/3c4d-fix-the-flaky-te',
                       '/var/tmp/vibe-kanban/worktrees/3c4d-fix-the-flaky-te', 'Fix the flaky test');"
        ))
        .unwrap();
    let mut vk = VibeKanban::new(&place(&dir), None);
    let mut warnings = Vec::new();
    let parts = vk.refresh(&mut warnings);
    assert!(warnings.is_empty(), "{warnings:?}");
    let by_branch = |b: &str| parts.titles.iter().find(|t| t.branch == b).cloned();
    let old = by_branch("vk/1a2b-add-a-login-page").unwrap();
    assert_eq!((old.title.as_str(), old.project.as_deref()), ("Add a login page", Some("Alpha app")));
    assert_eq!(old.workspace_id.as_deref(), Some("01234567-89ab-cdef-0123-456789abcdef"));
    let new = by_branch("vk/3c4d-fix-the-flaky-te").unwrap();
    assert_eq!((new.title.as_str(), new.project.as_deref()), ("Fix the flaky test", None));
}

#[test]
fn databases_before_the_workspaces_refactor_still_give_titles() {
    let tmp = tempfile::tempdir().unwrap();
    // `task_attempts` with a `branch` (20250701000000_add_branch_to_task_attempts.sql).
    Connection::open(tmp.path().join("db.sqlite"))
        .unwrap()
        .execute_batch(
            "CREATE TABLE projects (id BLOB PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE tasks (id BLOB PRIMARY KEY, project_id BLOB NOT NULL, title TEXT NOT NULL);
             CREATE TABLE task_attempts (id BLOB PRIMARY KEY, task_id BLOB NOT NULL, branch TEXT);
             INSERT INTO projects VALUES (x'01', 'Alpha');
             INSERT INTO tasks VALUES (x'02', x'01', 'Old title');
             INSERT INTO task_attempts VALUES (x'03', x'02', 'vk/9f9f-old-title');",
        )
        .unwrap();
    let parts = VibeKanban::new(&place(tmp.path()), None).refresh(&mut Vec::new());
    assert_eq!(parts.titles[0].title, "Old title");
}

/// `config.json` as v8 writes it (`crates/services/src/services/config/versions/v8.rs`),
/// with a moved workspace directory and an empty branch prefix.
#[test]
fn the_config_gives_the_branch_prefix_and_the_moved_worktree_root() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("config.json"),
        r#"{"config_version":"v8","theme":"SYSTEM","executor_profile":{"executor":"CLAUDE_CODE"},
            "disclaimer_acknowledged":true,"onboarding_acknowledged":true,"notifications":{},"editor":{},
            "github":{},"analytics_enabled":true,"workspace_dir":"~/code/vk","last_app_version":"0.1.44",
            "show_release_notes":false,"language":"BROWSER","git_branch_prefix":"","showcases":{}}"#,
    )
    .unwrap();
    let parts = VibeKanban::new(&place(tmp.path()), Some("/home/ann".into())).refresh(&mut Vec::new());
    assert_eq!(
        *parts.config,
        [VkConfig {
            branch_prefix: String::new(),
            worktree_root: Some("/home/ann/code/vk/.vibe-kanban-workspaces".into())
        }]
    );
    std::fs::write(tmp.path().join("config.json"), r#"{"config_version":"v7"}"#).unwrap();
    let parts = VibeKanban::new(&place(tmp.path()), None).refresh(&mut Vec::new());
    assert_eq!(*parts.config, [VkConfig { branch_prefix: "vk".into(), worktree_root: None }], "defaults");
}
