//! The MCP server `swarmtop mcp` becomes (see `swarmtop::cli::mcp`).

fn main() -> std::process::ExitCode {
    swarmtop::cli::mcp::server_main()
}
