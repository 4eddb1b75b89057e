//! The built-in demo: git repositories and worktrees laid out the way real
//! orchestrators lay them out, in a temporary directory, with real processes in them
//! that look like agents at work (stand-ins: `demo_standin`). Everything is removed
//! on drop: processes by session id, then files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use super::demo_standin::{Part, Role};
use crate::kill::sessions;

/// An agent at work: a test run from /tmp (busy or idle), a language server in the
/// worktree, and optionally a watcher it leaked (double-forked, so it outlives it).
fn agent(argv: &str, role: AgentRole) -> Part {
    let tests = if role == AgentRole::Busy { Role::Busy } else { Role::Idle };
    let mut agent = Part::new(argv, Role::Idle)
        .with(Part::new("cargo test --workspace", tests).working_in("/tmp"))
        .with(Part::new("rust-analyzer", Role::Idle));
    if role == AgentRole::Leaky {
        let watcher = Part::new("node watcher.js --poll 500", Role::Idle);
        let mut shell = Part::new("sh -c", Role::Leaker).with(watcher);
        shell.argv.push("node watcher.js --poll 500 &".into());
        agent = agent.with(shell);
    }
    agent
}

fn dev_server(ready_file: PathBuf) -> Part {
    let mut vite = Part::new("node node_modules/.bin/vite --port 5173", Role::Server(5173));
    vite.ready_file = Some(ready_file);
    Part::new("npm run dev", Role::Idle)
        .with(vite)
        .with(Part::new("node node_modules/esbuild/bin/esbuild --service=0.25.0 --ping", Role::Idle))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgentRole {
    Plain,
    /// Leaves a double-forked orphan behind.
    Leaky,
    /// Its test runner uses a little CPU.
    Busy,
}

pub struct DemoSwarm {
    dir: tempfile::TempDir,
    /// PIDs of the top stand-ins: each leads a session of its own.
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

        swarm.spawn(agent("claude", AgentRole::Busy).working_in(wt_1a2b))?;
        swarm.spawn(agent("codex", AgentRole::Leaky).working_in(wt_3c4d))?;
        swarm.spawn(agent("claude --continue", AgentRole::Plain).working_in(wt_search))?;
        swarm.spawn(agent("aider --model sonnet --no-auto-commits", AgentRole::Plain).working_in(wt_typo))?;
        swarm.spawn(dev_server(swarm.listening_file(0)).working_in(alpha))?;
        swarm.spawn(dev_server(swarm.listening_file(1)).working_in(beta))?;
        Ok(swarm)
    }

    /// Starts a stand-in (and, through it, its children) in a session of its own.
    fn spawn(&mut self, part: Part) -> io::Result<()> {
        let mut cmd = part.command()?;
        sessions::in_new_session(&mut cmd);
        let mut child: Child = cmd.spawn()?;
        self.sessions.push(child.id());
        // Reap it whenever it ends (also when killed from the TUI), so it never lingers
        // as a zombie; the thread ends with it.
        std::thread::spawn(move || child.wait());
        Ok(())
    }

    /// How many processes the demo expects once every script has started its children.
    pub const EXPECTED_PROCESSES: usize = 4 * 3 + 1 + 2 * 3;

    /// Created by the dev server `n` once it listens.
    fn listening_file(&self, n: usize) -> PathBuf {
        self.root().join(format!(".dev-server-{n}-listening"))
    }

    /// Waits (at most 5 s) until the stand-ins have started their children and both dev
    /// servers listen. The double-forked leak leaves the sessions' count one short only
    /// if it failed.
    pub fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let sessions = self.sessions();
        let listening = || (0..2).all(|n| self.listening_file(n).exists());
        while (sessions::members(&sessions).len() < Self::EXPECTED_PROCESSES || !listening())
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
