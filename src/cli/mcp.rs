//! `swarmtop mcp`: the server is a binary of its own, `swarmtop-mcp`, installed beside
//! `swarmtop`, which `swarmtop mcp` becomes by exec (same process, so the server's parent
//! is still the agent that started it). The MCP SDK is then no part of the `swarmtop`
//! binary: every page of the binary the TUI maps is resident, and the SDK would add
//! about a third to it.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use clap::Parser;

use super::args::{Args, Command};
use super::{CliError, load_config};
use crate::config::Flags;

/// The server's binary, beside `swarmtop`.
pub const SERVER_BIN: &str = "swarmtop-mcp";

/// Becomes `swarmtop-mcp` with the same arguments; returns only when that fails.
pub fn exec_server() -> CliError {
    let server = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(SERVER_BIN),
        Err(e) => return CliError::Spawn(format!("{SERVER_BIN}: cannot find swarmtop's own binary: {e}")),
    };
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let e = std::process::Command::new(&server).args(args).exec();
    CliError::Spawn(format!(
        "{} ({e}): swarmtop mcp runs the {SERVER_BIN} binary installed beside swarmtop (cargo install \
         and cargo build make both)",
        server.display()
    ))
}

/// `swarmtop-mcp`'s main: the same command line as `swarmtop`, serving MCP.
pub fn server_main() -> ExitCode {
    let args = Args::parse();
    let flags = Flags {
        refresh_ms: args.refresh,
        read_only: args.read_only,
        source: args.source.map(Into::into),
        ..Flags::default()
    };
    let served = match args.command {
        _ if !args.remote.hosts.is_empty() || args.remote.no_local => Err(CliError::Usage(
            "swarmtop mcp serves this box only: --host and --no-local are for the TUI, list and kill".into(),
        )),
        None | Some(Command::Mcp) => {
            load_config(args.config.as_deref(), &flags).and_then(|c| crate::mcp::run(&c))
        }
        Some(_) => Err(CliError::Usage(format!("{SERVER_BIN} only serves MCP: run `swarmtop` for the rest"))),
    };
    match served {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            crate::warn!("swarmtop mcp: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
