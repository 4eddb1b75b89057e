//! The command line as clap definitions. Parsing, `--help`, shell completions and the
//! man pages are all generated from these, so they cannot disagree.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use super::values::{MemoryArg, SourceArg};

/// top for dev boxes that run many AI coding agents: every live process as
/// project → task → attempt → process tree.
#[derive(Debug, Parser)]
#[command(name = "swarmtop", version, about)]
pub struct Args {
    /// Config file (default: $XDG_CONFIG_HOME/swarmtop/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Refresh interval in milliseconds (TUI).
    #[arg(long, global = true, value_name = "MS")]
    pub refresh: Option<u64>,
    /// Disable every action on processes (kill, signal, pause, resume, renice).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Process source.
    #[arg(long, global = true, value_enum)]
    pub source: Option<SourceArg>,
    #[command(flatten)]
    pub remote: HostArgs,
    /// How memory is counted (TUI and list): rss, or pss for the processes in attempts.
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub memory: Option<MemoryArg>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the process forest once (text or JSON).
    List(super::list::ListArgs),
    /// Every listening TCP and bound UDP port, with the process and attempt holding it.
    Ports(super::ports::PortsArgs),
    /// Kill processes by id, behind a confirmation.
    #[command(after_help = kill_targets_help())]
    Kill(super::kill::KillArgs),
    /// Send one signal to processes by id (no SIGKILL after it), behind a confirmation.
    #[command(after_help = action_targets_help("signalled"))]
    Signal(super::actions::SignalArgs),
    /// Stop (SIGSTOP) every process of the targets, and those born into them meanwhile,
    /// and leave them stopped until `swarmtop resume`.
    #[command(after_help = action_targets_help("paused"))]
    Pause(super::actions::ActionArgs),
    /// Continue (SIGCONT) the processes of the targets that are stopped (state T).
    #[command(after_help = action_targets_help("resumed"))]
    Resume(super::actions::ActionArgs),
    /// Set the nice value of every thread of every process of the targets.
    #[command(after_help = action_targets_help("reniced"))]
    Renice(super::actions::ReniceArgs),
    /// Kill orphans and leftovers (processes of attempts whose agent has exited), for cron and timers.
    #[command(after_help = super::reap::REAP_HELP)]
    Reap(super::reap::ReapArgs),
    /// Serve the Model Context Protocol on stdio for the agent that starts it: list and kill
    /// the processes of its own attempt.
    #[command(after_help = MCP_HELP)]
    Mcp,
    /// Run a command as an attempt: tagged, registered, shown under PROJECT → TASK → ATTEMPT.
    Run(super::run::RunArgs),
    /// The far side of --host: speak swarmtop's protocol on stdin/stdout (ssh runs this).
    Serve(super::serve::ServeArgs),
    /// Start a demo swarm of real processes in temporary worktrees and show it.
    Demo,
    /// Measure one sample + association against a raw read of every /proc/PID/stat.
    Bench(super::bench::BenchArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(super::manual::CompletionsArgs),
    /// Write the man pages into DIR (for packagers and `man/` in the repository).
    #[command(hide = true)]
    Man(super::manual::ManArgs),
}

/// Other boxes, for the TUI, `list` and `kill`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HostArgs {
    /// Also show another box, over ssh ([user@]HOST[:PORT]; repeatable; added to `hosts`
    /// of the config). It needs swarmtop there.
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// Leave this box out (only the --host boxes).
    #[arg(long)]
    pub no_local: bool,
    /// The ssh program and options for --host (default: "ssh -T -o BatchMode=yes").
    #[arg(long, value_name = "COMMAND")]
    pub ssh_command: Option<String>,
    /// What ssh runs on the other box before `serve --stdio` (default: swarmtop).
    #[arg(long, value_name = "COMMAND")]
    pub remote_command: Option<String>,
}

impl HostArgs {
    /// These, with a subcommand's own after them.
    pub fn and(&self, other: &HostArgs) -> HostArgs {
        HostArgs {
            hosts: self.hosts.iter().chain(&other.hosts).cloned().collect(),
            no_local: self.no_local || other.no_local,
            ssh_command: other.ssh_command.clone().or_else(|| self.ssh_command.clone()),
            remote_command: other.remote_command.clone().or_else(|| self.remote_command.clone()),
        }
    }
}

/// Every target form `swarmtop kill` accepts, with what it covers.
pub const KILL_TARGETS: &[(&str, &str)] = &[
    ("pid:N", "exactly process N, never its children"),
    ("tree:N", "process N and all its descendants, while N is still the same process"),
    (
        "port:N",
        "the processes listening on TCP or UDP port N (any address) when the plan is made, never their children",
    ),
    ("attempt:PROJECT/TASK/ATTEMPT", "every process of that attempt (one worktree or tagged run)"),
    ("task:PROJECT/TASK", "every process of every attempt of that task"),
    ("project:NAME", "every process of every attempt of that project"),
    ("orphans", "every orphan in any attempt (parent is PID 1 or a subreaper), with its descendants"),
    ("orphans:PROJECT", "the orphans of that project, with their descendants"),
    (
        "leftovers",
        "every process of an attempt whose agent was seen and has exited (swarmtop reap --help says how \
         that is judged), with its descendants in the attempt",
    ),
    ("leftovers:PROJECT", "the leftovers of that project"),
    (
        "name:PATTERN",
        "every process whose name or argv[0]'s basename matches the glob (never other arguments: name:node \
         does not match `vim node.txt`); exactly those processes, never their children",
    ),
    (
        "session:ID",
        "the agent whose Claude session id or Codex thread id is ID, and what that session started (its \
         environment carries the id), with their descendants",
    ),
];

/// What `--mine` does, for `swarmtop kill --help`.
pub const KILL_MINE: &str = "With --mine, every target resolves only inside the attempt of the calling \
process (swarmtop's parent): a target that names a process or an attempt elsewhere is refused (exit 2) \
saying where it lives, name: and orphans look only inside it, and a tree's descendants placed elsewhere \
are skipped. Outside any attempt, --mine refuses everything.";

/// What `swarmtop mcp --help` says after the options.
pub const MCP_HELP: &str = "Add it to an agent: `claude mcp add swarmtop -- swarmtop mcp` (Claude Code), or \
[mcp_servers.swarmtop] command = \"swarmtop\" args = [\"mcp\"] in ~/.codex/config.toml (Codex). Its caller \
is its parent process (the agent): list_processes shows the agent's attempt, who_listens who holds a \
port (box-wide), kill stops processes in the attempt and can never reach outside it (kill --mine \
semantics, dry run by default). Idle, it samples nothing.";

/// What no kill target ever signals.
pub const KILL_SPARED: &str = "Never signalled: PID 1, kernel threads, swarmtop and its ancestors, other \
users' processes (unless root), names in kill.protect, and shared services unless the target names one.";

pub const KILL_EXIT_STATUS: &str = "Exit status: 0 when everything is gone (what the filters or \
--keep-agents spare does not count); 1 when something survived, escaped, was denied, spared by a rule or \
abandoned; 2 on bad usage, an unknown or empty target, a target outside the caller's attempt with --mine, \
or when it would have to ask without a terminal.";

/// The text after the options in `swarmtop kill --help`.
pub fn kill_targets_help() -> String {
    targets_help("Targets (the ids `swarmtop list` shows):", KILL_SPARED, KILL_EXIT_STATUS)
}

/// The text after the options of `swarmtop signal`, `pause`, `resume` and `renice`.
pub fn action_targets_help(done: &str) -> String {
    let spared = KILL_SPARED.replace("Never signalled", &format!("Never {done}"));
    targets_help(
        "Targets (the ids `swarmtop list` shows), the same as `swarmtop kill`'s:",
        &spared,
        ACTION_EXIT_STATUS,
    )
}

/// Every target form with what it covers, what `--mine` does, what is spared, the exit status.
fn targets_help(intro: &str, spared: &str, exit_status: &str) -> String {
    let width = KILL_TARGETS.iter().map(|(form, _)| form.len()).max().unwrap_or(0);
    let mut s = format!("{intro}\n");
    for (form, covers) in KILL_TARGETS {
        s.push_str(&format!("  {form:<width$}  {covers}\n"));
    }
    for part in [KILL_MINE, spared, exit_status] {
        s.push('\n');
        s.push_str(part);
        s.push('\n');
    }
    s.pop();
    s
}

pub const ACTION_EXIT_STATUS: &str = "Exit status: 0 when every process was done as asked, was already gone \
or had nothing to do (resuming a process that is not stopped); 1 when one was denied (lowering a nice \
value needs privilege), spared by a rule, failed, escaped a pause, or the action was cancelled; 2 on bad \
usage, an unknown or empty target, a target outside the caller's attempt with --mine, or when it would \
have to ask without a terminal.";

/// The whole command line, as clap builds it.
pub fn command() -> clap::Command {
    Args::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn kill_help_lists_every_target_form() {
        let mut cmd = command();
        let kill = cmd.find_subcommand_mut("kill").expect("kill subcommand");
        let help = kill.render_long_help().to_string();
        for form in
            ["pid:N", "tree:N", "port:N", "attempt:PROJECT/TASK/ATTEMPT", "task:PROJECT/TASK", "project:NAME"]
        {
            assert!(help.contains(form), "{form} missing from:\n{help}");
        }
        assert!(help.lines().any(|l| l.trim_start().starts_with("orphans ")), "{help}");
        assert!(help.contains("orphans:PROJECT"), "{help}");
    }

    #[test]
    fn every_target_form_parses_as_an_id() {
        let example = |form: &str| {
            form.replace("PROJECT", "alpha")
                .replace("TASK", "login")
                .replace("ATTEMPT", "1a2b")
                .replace("NAME", "alpha")
                .replace('N', "42")
        };
        for (form, _) in KILL_TARGETS {
            let id = example(form);
            assert!(id.parse::<crate::model::NodeId>().is_ok(), "{form} → {id} does not parse");
        }
    }
}
