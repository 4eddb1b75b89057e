//! The built-in demo: git repositories and worktrees laid out the way real
//! orchestrators lay them out, in a temporary directory, with real idle processes
//! in them. Everything is removed on drop: processes by session id, then files.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::kill::sessions;

const FOREVER: &str = "2147483647";

/// An agent-like parent: a child working from /tmp, one in the worktree, and
/// optionally a double-forked leak that outlives its parent.
const AGENT: &str = r#"
if [ "$BUSY" = 1 ]; then
  (cd /tmp && exec -a "cargo test --workspace" bash "$BIN/busy.sh") &
else
  (cd /tmp && exec -a "cargo test --workspace" sleep $FOREVER) &
fi
exec -a "rust-analyzer" sleep $FOREVER &
if [ "$LEAK" = 1 ]; then ( exec -a "node watcher.js --leaked" sleep $FOREVER & ) ; fi
wait
"#;

/// A light, steady CPU user that never forks: a bash loop, then a 0.2 s nap on a fifo.
const BUSY: &str = r#"
fifo=$(mktemp -u); mkfifo "$fifo"; exec 9<>"$fifo"; rm -f "$fifo"
while :; do for ((i = 0; i < 8000; i++)); do :; done; read -r -t 0.2 -u 9; done
"#;

const DEV_SERVER: &str = r#"
exec -a "node node_modules/.bin/vite --port 5173" sleep $FOREVER &
exec -a "esbuild --service=0.25.0 --ping" sleep $FOREVER &
wait
"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    /// Leaves a double-forked orphan behind.
    Leaky,
    /// Its test runner uses a little CPU.
    Busy,
}

pub struct DemoSwarm {
    dir: tempfile::TempDir,
    /// PIDs of the scripts: each leads a session of its own.
    sessions: Vec<u32>,
}

#[derive(Debug, thiserror::Error)]
#[error("demo setup failed: {0}")]
pub struct DemoError(#[from] io::Error);

impl DemoSwarm {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Session ids of every process tree the demo started.
    pub fn sessions(&self) -> Vec<u32> {
        self.sessions.clone()
    }

    pub fn start() -> Result<DemoSwarm, DemoError> {
        let dir = tempfile::Builder::new().prefix("swarmtop-demo-").tempdir()?;
        let mut swarm = DemoSwarm { dir, sessions: Vec::new() };
        let root = swarm.root().to_path_buf();
        let bin = root.join("bin");
        fs::create_dir_all(&bin)?;
        write_script(&bin.join("agent.sh"), AGENT)?;
        write_script(&bin.join("dev-server.sh"), DEV_SERVER)?;
        write_script(&bin.join("busy.sh"), BUSY)?;

        let alpha = root.join("src/alpha");
        let beta = root.join("src/beta");
        init_repo(&alpha, "main")?;
        init_repo(&beta, "main")?;
        let vk = root.join("vibe-kanban/worktrees");
        let wt_1a2b = add_worktree(&alpha, &vk.join("1a2b-add-login/alpha"), "vk/1a2b-add-login")?;
        let wt_3c4d = add_worktree(&alpha, &vk.join("3c4d-add-login/alpha"), "vk/3c4d-add-login")?;
        let wt_search = add_worktree(&alpha, &root.join("worktrees/alpha-search"), "feature/search")?;
        let squad = root.join("claude-squad/worktrees/fix-typo_18a2b3c4d5e6f708");
        let wt_typo = add_worktree(&beta, &squad, "dev/fix-typo")?;

        swarm.spawn(&bin, "agent.sh", "demo-agent --task add-login", &wt_1a2b, Role::Busy)?;
        swarm.spawn(&bin, "agent.sh", "demo-agent --task add-login", &wt_3c4d, Role::Leaky)?;
        swarm.spawn(&bin, "agent.sh", "demo-agent --task search", &wt_search, Role::Plain)?;
        swarm.spawn(&bin, "agent.sh", "demo-agent --task fix-typo", &wt_typo, Role::Plain)?;
        swarm.spawn(&bin, "dev-server.sh", "npm run dev", &alpha, Role::Plain)?;
        swarm.spawn(&bin, "dev-server.sh", "npm run dev", &beta, Role::Plain)?;
        Ok(swarm)
    }

    /// Starts `bash script` with argv[0] `label` in a session of its own.
    fn spawn(&mut self, bin: &Path, script: &str, label: &str, cwd: &Path, role: Role) -> io::Result<()> {
        let mut cmd = Command::new("bash");
        cmd.arg0(label)
            .arg(bin.join(script))
            .current_dir(cwd)
            .env("FOREVER", FOREVER)
            .env("BIN", bin)
            .env("LEAK", if role == Role::Leaky { "1" } else { "0" })
            .env("BUSY", if role == Role::Busy { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        sessions::in_new_session(&mut cmd);
        let mut child: Child = cmd.spawn()?;
        self.sessions.push(child.id());
        // Reap the script whenever it ends (also when killed from the TUI), so it never
        // lingers as a zombie; the thread ends with it.
        std::thread::spawn(move || child.wait());
        Ok(())
    }

    /// How many processes the demo expects once every script has started its children.
    pub const EXPECTED_PROCESSES: usize = 4 * 3 + 1 + 2 * 3;

    /// Waits (at most 5 s) until the scripts have started their children. The
    /// double-forked leak leaves the sessions' count one short only if it failed.
    pub fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let sessions = self.sessions();
        while sessions::members(&sessions).len() < Self::EXPECTED_PROCESSES
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for DemoSwarm {
    fn drop(&mut self) {
        let left = sessions::kill_sessions(&self.sessions(), Duration::from_secs(5));
        if !left.is_empty() {
            crate::warn!("swarmtop demo: could not kill {left:?}");
        }
    }
}

fn write_script(path: &Path, body: &str) -> io::Result<()> {
    fs::write(path, body)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

/// A git repository as `git init` leaves it, written directly so the demo needs no git.
fn init_repo(path: &Path, branch: &str) -> io::Result<()> {
    let git = path.join(".git");
    for d in ["objects/info", "objects/pack", "refs/heads", "refs/tags", "worktrees"] {
        fs::create_dir_all(git.join(d))?;
    }
    fs::write(git.join("HEAD"), format!("ref: refs/heads/{branch}\n"))?;
    fs::write(git.join("config"), "[core]\n\trepositoryformatversion = 0\n\tbare = false\n")?;
    fs::write(path.join("README.md"), "demo project\n")
}

/// A linked worktree as `git worktree add -b BRANCH PATH` leaves it.
fn add_worktree(repo: &Path, path: &Path, branch: &str) -> io::Result<PathBuf> {
    // Like git, number the metadata directory when the base name is taken.
    let base = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let worktrees = repo.join(".git/worktrees");
    let meta = (0..)
        .map(|i| if i == 0 { worktrees.join(&base) } else { worktrees.join(format!("{base}{i}")) })
        .find(|m| !m.exists())
        .unwrap_or_else(|| worktrees.join(&base));
    fs::create_dir_all(&meta)?;
    fs::create_dir_all(path)?;
    fs::write(meta.join("HEAD"), format!("ref: refs/heads/{branch}\n"))?;
    fs::write(meta.join("commondir"), "../..\n")?;
    fs::write(meta.join("gitdir"), format!("{}\n", path.join(".git").display()))?;
    fs::write(path.join(".git"), format!("gitdir: {}\n", meta.display()))?;
    fs::write(path.join("README.md"), "demo worktree\n")?;
    Ok(path.to_path_buf())
}
