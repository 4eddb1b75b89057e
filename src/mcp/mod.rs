//! `swarmtop mcp`: a Model Context Protocol server over stdio, built on the official
//! Rust SDK (rmcp), for the agent that starts it. Its caller is its parent process (the
//! agent), so the attempt it works for is the agent's — what `kill --mine` computes for a
//! shell, from the same pure plan. Idle, it samples nothing: each tool call samples the
//! box (twice, 200 ms apart, where CPU percentages are shown). Every failure of a tool is
//! a tool result with `isError` and a clear text; the server keeps serving.

mod kill_tool;
pub mod listing;
mod state;

use std::sync::{Arc, Mutex};

use rmcp::handler::server::common::schema_for_type;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, JsonObject, ServerCapabilities, ServerConfig,
};
use rmcp::{ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};

use crate::cli::CliError;
use crate::config::Config;
use state::State;

const INSTRUCTIONS: &str = "swarmtop sees every process on this machine as project → task → \
attempt → process tree. Your attempt is the one the process that started this server (you, the \
agent) is placed in: usually the git worktree you work in. Use list_processes to see what runs \
in your attempt (dev servers, test runners, processes you left behind), and kill to stop them: \
it can never reach outside your attempt, nor you or your ancestors. Prefer it to pkill/killall, \
which hit other agents' and the user's processes.";

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortParams {
    /// The port number, 1 to 65535.
    pub port: u16,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// "attempt" (default): the processes of your own attempt. "task" or "project": of every
    /// attempt of your task or project, to look only — kill stays in your attempt.
    #[serde(default)]
    pub scope: listing::Scope,
}

/// One tool call's answer: a JSON document, or an error text (`isError`).
pub type Answer = Result<serde_json::Value, String>;

/// A tool's arguments, read by the tool itself so that bad ones are a tool error the
/// model can act on (the MCP spec's advice), not a protocol error.
fn read_arguments<T: serde::de::DeserializeOwned>(arguments: JsonObject) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::Object(arguments))
        .map_err(|e| format!("invalid arguments: {e}"))
}

fn result(answer: Answer) -> CallToolResult {
    match answer {
        Ok(value) => CallToolResult::structured(value),
        Err(text) => CallToolResult::error(vec![ContentBlock::text(text)]),
    }
}

#[derive(Clone)]
pub struct Server {
    state: Arc<Mutex<State>>,
    tool_router: ToolRouter<Server>,
}

#[tool_router]
impl Server {
    pub fn new(config: Config) -> Server {
        Server { state: Arc::new(Mutex::new(State::new(config))), tool_router: Self::tool_router() }
    }

    /// Runs `work` on the state off the async runtime: sampling and killing block.
    async fn blocking(&self, work: impl FnOnce(&mut State) -> Answer + Send + 'static) -> CallToolResult {
        let state = Arc::clone(&self.state);
        let answer = tokio::task::spawn_blocking(move || {
            // A tool call that panicked poisons the lock; the state is still usable.
            let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut state)
        })
        .await
        .unwrap_or_else(|e| Err(format!("swarmtop failed while answering: {e}")));
        result(answer)
    }

    #[tool(
        description = "List the processes of your attempt (the worktree you, the agent, work in): \
pid, ppid, name, command, cwd, CPU %, resident memory, listening ports, age, whether it is an orphan (its starter is \
gone), whether it is an agent, and is_caller for you and your ancestors (never killable). Parents \
come before children. scope \"task\" or \"project\" widens the view to sibling attempts, read-only.",
        input_schema = schema_for_type::<ListParams>(),
        annotations(title = "List my processes", read_only_hint = true, open_world_hint = false)
    )]
    async fn list_processes(&self, arguments: JsonObject) -> CallToolResult {
        self.blocking(move |state| state.list(read_arguments::<ListParams>(arguments)?.scope)).await
    }

    #[tool(
        description = "Who listens on a port, anywhere on this machine: for each TCP socket listening \
on it (or UDP socket bound to it), its protocol and address, the process (pid, name, command) and \
where that process belongs (group \"attempt\" with its attempt id, \"shared\" for shared services, \
\"other\" for processes of no attempt) and in_your_attempt. A listener no readable process holds \
(another user's) has a null pid and group. Read-only: to stop a listener of \
your own attempt, kill it with target \"port:N\".",
        input_schema = schema_for_type::<PortParams>(),
        annotations(title = "Who listens on a port", read_only_hint = true, open_world_hint = false)
    )]
    async fn who_listens(&self, arguments: JsonObject) -> CallToolResult {
        self.blocking(move |state| state.who_listens(read_arguments::<PortParams>(arguments)?.port)).await
    }

    #[tool(
        description = "Stop processes of your own attempt. targets: ids such as \"name:node\" (a glob on \
the process name or its program's basename, never other arguments), \"pid:4242\", \"tree:4242\" (with \
its descendants), \"port:3000\" (what listens on it), \"orphans\", \"leftovers\", \"session:<your session \
id>\", or your attempt's own id \
(\"attempt:…\" as list_processes shows it). Every target must lie in your attempt: one that names a \
process elsewhere is refused and nothing is signalled; you and your ancestors are never signalled. \
dry_run defaults to true and returns the plan (what would be signalled, what is spared and why): \
call again with dry_run false to signal (that call plans afresh: a name: target also takes matching \
processes started since; to stop exactly what a dry run showed, name them as pid: targets). keep_agents spares agent processes. A real kill sends \
SIGTERM (or signal), waits grace_secs (default 5, at most 30), then SIGKILL, and returns what became \
of each process (outcome per pid); it is an error result only when something planned is still \
alive (survived, denied, escaped) — processes the plan spared are listed as skipped with the reason.",
        input_schema = schema_for_type::<kill_tool::KillParams>(),
        annotations(
            title = "Kill my processes",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn kill(&self, arguments: JsonObject) -> CallToolResult {
        self.blocking(move |state| state.kill(read_arguments(arguments)?)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("swarmtop", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves MCP on stdin/stdout until the client closes it.
pub fn run(config: &Config) -> Result<i32, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the MCP server: {e}")))?;
    runtime.block_on(async {
        let service = Server::new(config.clone())
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| CliError::Usage(format!("MCP initialization failed: {e}")))?;
        service.waiting().await.map_err(|e| CliError::Usage(format!("MCP server stopped: {e}")))?;
        Ok(0)
    })
}
