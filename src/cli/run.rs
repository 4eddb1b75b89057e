//! `swarmtop run --project P --task T [--attempt A] [--cwd DIR] -- CMD ARGS…`: starts
//! CMD in a process group of its own, tagged and registered, so all it spawns shows
//! up under P → T → A wherever it works; forwards signals and the exit status.

use std::io::IsTerminal;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use rustix::process::{Pid, Signal, kill_process_group};
use tokio::signal::unix::{SignalKind, signal};

use super::CliError;
use crate::associate::naming::{attempt_name, project_name};
use crate::model::tags::{SWARMTOP_ATTEMPT, SWARMTOP_PROJECT, SWARMTOP_TASK};
use crate::sample::registry::{self, ProcessId, RegistryFile};
use crate::sample::worktree::{find_root, read_worktree};

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Project name (default: the repository of --cwd).
    #[arg(long)]
    pub project: Option<String>,
    /// Task name (default: from the branch of --cwd's worktree).
    #[arg(long)]
    pub task: Option<String>,
    /// Attempt name (default: a short unique id).
    #[arg(long)]
    pub attempt: Option<String>,
    /// Directory to run in (default: the current one).
    #[arg(long)]
    pub cwd: Option<PathBuf>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Where a run belongs.
struct Names {
    project: String,
    task: String,
    attempt: String,
}

pub fn run(args: &RunArgs) -> Result<i32, CliError> {
    let cwd = match &args.cwd {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let cwd =
        std::fs::canonicalize(&cwd).map_err(|e| CliError::Usage(format!("--cwd {}: {e}", cwd.display())))?;
    let names = names(args, &cwd)?;
    let dir = registry::registry_dir(&|k| std::env::var(k).ok())
        .ok_or_else(|| CliError::Usage("no registry directory: set XDG_STATE_HOME or HOME".into()))?;
    let me = std::process::id();
    // Without our own start time the entry would look stale at once and be pruned.
    let start_time = registry::start_ticks(me).ok_or_else(|| {
        CliError::Output(std::io::Error::other("cannot read this process's /proc/self/stat"))
    })?;
    let mut file = RegistryFile {
        pid: me,
        start_time,
        project: names.project.clone(),
        task: names.task.clone(),
        attempt: names.attempt.clone(),
        cwd: cwd.clone(),
        command: args.command.clone(),
        child: None,
    };
    // Registered before CMD exists, so nothing it starts can escape unplaced.
    let entry = registry::write(&dir, &file)?;
    let result = supervise(args, &names, &cwd, &dir, &mut file);
    if let Err(e) = std::fs::remove_file(&entry) {
        crate::warn!("swarmtop run: could not remove {}: {e}", entry.display());
    }
    result
}

fn names(args: &RunArgs, cwd: &Path) -> Result<Names, CliError> {
    let worktree = find_root(cwd).and_then(|root| read_worktree(&root));
    let from_git = worktree.as_ref().map(|w| (project_name(&w.project_path), attempt_name(w).task));
    let project = args.project.clone().or_else(|| from_git.as_ref().map(|g| g.0.clone()));
    let task = args.task.clone().or_else(|| from_git.map(|g| g.1));
    let (Some(project), Some(task)) = (project, task) else {
        return Err(CliError::Usage(format!(
            "{} is not inside a git worktree: give --project and --task",
            cwd.display()
        )));
    };
    let attempt = args.attempt.clone().unwrap_or_else(short_id);
    for (what, value) in [("project", &project), ("attempt", &attempt)] {
        if value.is_empty() || value.contains('/') || value.contains(char::is_control) {
            return Err(CliError::Usage(format!("--{what} {value:?}: must be non-empty, without '/'")));
        }
    }
    if task.is_empty() || task.contains(char::is_control) {
        return Err(CliError::Usage(format!("--task {task:?}: must be non-empty")));
    }
    Ok(Names { project, task, attempt })
}

/// Six hex digits from the clock and our pid: unique enough per box, easy to type.
fn short_id() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:06x}", (nanos as u64 ^ u64::from(std::process::id()).rotate_left(20)) & 0xff_ffff)
}

fn supervise(
    args: &RunArgs,
    names: &Names,
    cwd: &Path,
    dir: &Path,
    file: &mut RegistryFile,
) -> Result<i32, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        // Listen before CMD starts, so no signal meant for it is lost.
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut hup = signal(SignalKind::hangup())?;
        let mut child = Command::new(&args.command[0])
            .args(&args.command[1..])
            .current_dir(cwd)
            .env(SWARMTOP_PROJECT, &names.project)
            .env(SWARMTOP_TASK, &names.task)
            .env(SWARMTOP_ATTEMPT, &names.attempt)
            .process_group(0)
            .spawn()
            .map_err(|e| CliError::Spawn(format!("{}: {e}", args.command[0])))?;
        let pid = child.id();
        file.child = registry::start_ticks(pid).map(|start_time| ProcessId { pid, start_time });
        // The command runs now: a failed update must not abandon it (the entry for
        // this wrapper still places it by inheritance).
        if let Err(e) = registry::write(dir, file) {
            crate::warn!("swarmtop run: could not record the command in the registry: {e}");
        }
        let group = Pid::from_raw(pid as i32);
        hand_terminal_to(group);
        let mut wait = tokio::task::spawn_blocking(move || child.wait());
        let status = loop {
            let forward = tokio::select! {
                status = &mut wait => break status,
                _ = int.recv() => Signal::INT,
                _ = term.recv() => Signal::TERM,
                _ = hup.recv() => Signal::HUP,
            };
            if let Some(group) = group {
                // ESRCH: the group is already gone, and `wait` is about to finish.
                let _ = kill_process_group(group, forward);
            }
        };
        let status = status.map_err(|e| CliError::Output(std::io::Error::other(e)))??;
        Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
    })
}

/// Gives the terminal to CMD's process group when we hold it, so CMD can read from
/// it and gets the terminal's Ctrl-C. It is not taken back: the shell that started
/// us reclaims its terminal when we exit, as it does after every foreground job.
fn hand_terminal_to(group: Option<Pid>) {
    let stdin = std::io::stdin();
    let Some(group) = group.filter(|_| stdin.is_terminal()) else { return };
    let ours = rustix::process::getpgrp();
    if rustix::termios::tcgetpgrp(&stdin).is_ok_and(|fg| fg == ours) {
        if let Err(e) = rustix::termios::tcsetpgrp(&stdin, group) {
            crate::warn!("swarmtop run: could not hand the terminal to the command: {e}");
        }
    }
}
