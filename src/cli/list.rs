//! `swarmtop list [--json] [--all] [--orphans] [--filter TEXT]`.

use std::io::{IsTerminal, Write};

use super::{CliError, json, text};
use crate::config::Config;
use crate::model::filter::orphans_only;
use crate::model::{Filter, Forest, MemoryMode};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct ListArgs {
    /// Print schema-1 JSON instead of the text tree.
    #[arg(long)]
    pub json: bool,
    /// Also list the processes that belong to no attempt ("other processes").
    #[arg(long)]
    pub all: bool,
    /// Keep rows whose name, command, cwd or id contains TEXT (case-insensitive), plus their ancestors.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Only orphaned processes (left behind by whatever started them) and the groups above them.
    #[arg(long)]
    pub orphans: bool,
    /// Only the processes listening on PORT (TCP or UDP, any address), with their ancestors.
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Print a document every refresh (`--refresh MS`) until interrupted; with `--json`,
    /// one schema-1 document per line (NDJSON).
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub remote: super::args::HostArgs,
    /// Print whole lines; on a terminal, lines are otherwise cut to its width (piped
    /// output is always whole).
    #[arg(long)]
    pub wide: bool,
    /// Also measure storage I/O per second from /proc/PID/io (own processes; all as
    /// root): an IO R/W column, and read/write rates in JSON (- and null when unknown).
    #[arg(long)]
    pub io: bool,
}

pub fn run(args: &ListArgs, config: &Config, local: bool) -> Result<i32, CliError> {
    let set = super::hosts::HostSet::new(config, local)?;
    if args.watch {
        return super::watch::run(args, config, &set);
    }
    if !set.remotes.is_empty() {
        return super::hosts::list(args, config, &set);
    }
    let forest = super::forest_measured(config, args.io)?;
    write_stdout(&render(args, &forest, output_width(args), config.memory)?)
}

pub fn write_stdout(out: &str) -> Result<i32, CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()) {
        // `swarmtop list | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        other => other.map(|_| 0).map_err(CliError::from),
    }
}

/// The text tree or the JSON document; text counts memory as `memory` says (JSON
/// gives both, `pss_bytes` where measured).
pub fn render(
    args: &ListArgs,
    forest: &Forest,
    width: Option<usize>,
    memory: MemoryMode,
) -> Result<String, CliError> {
    render_as(args, forest, width, memory, true)
}

/// Like `render`, JSON on one line (a line of NDJSON).
pub fn render_line(
    args: &ListArgs,
    forest: &Forest,
    width: Option<usize>,
    memory: MemoryMode,
) -> Result<String, CliError> {
    render_as(args, forest, width, memory, false)
}

fn render_as(
    args: &ListArgs,
    forest: &Forest,
    width: Option<usize>,
    memory: MemoryMode,
    pretty: bool,
) -> Result<String, CliError> {
    let forest = shown(args, forest);
    if args.json {
        let doc = json::Document::new(&forest, args.all);
        let s = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) };
        let mut s = s.map_err(|e| CliError::Output(e.into()))?;
        s.push('\n');
        Ok(s)
    } else {
        Ok(text::render(&forest, args.all, width, text::Figures { memory, io: args.io }))
    }
}

/// The forest as `--orphans` and `--filter` narrow it.
pub fn shown(args: &ListArgs, forest: &Forest) -> Forest {
    let forest = if args.orphans { orphans_only(forest) } else { forest.clone() };
    let forest = match &args.filter {
        Some(text) => Filter::new(text).apply(&forest),
        None => forest,
    };
    match args.port {
        Some(port) => Filter::port(port).apply(&forest),
        None => forest,
    }
}

/// How wide a text line may be: the terminal's, unless `--wide` or not a terminal.
pub fn output_width(args: &ListArgs) -> Option<usize> {
    if args.wide { None } else { terminal_width() }
}

pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    ratatui::crossterm::terminal::size().ok().map(|(w, _)| usize::from(w))
}
