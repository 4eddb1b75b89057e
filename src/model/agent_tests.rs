//! Each command line below is the shape a real install runs, with where it was seen.

use super::*;
use crate::model::fixture::process;

fn role(argv: &str) -> Role {
    classify(&process(10, 1, argv), &["myagent".to_string()])
}

fn role_at(argv: &str, program_path: &str) -> Role {
    let mut p = process(10, 1, argv);
    std::sync::Arc::make_mut(&mut p.facts).program_path = Some(program_path.into());
    classify(&p, &[])
}

#[test]
fn agents_by_argv0_or_script_basename() {
    assert_eq!(role("/home/u/.npm/bin/claude --resume"), Role::Agent(AgentKind::Claude));
    assert_eq!(role("node /usr/lib/node_modules/@openai/codex/bin/codex"), Role::Agent(AgentKind::Codex));
    assert_eq!(role("/opt/codex-linux-x64/vendor/bin/codex"), Role::Agent(AgentKind::Codex));
    assert_eq!(role("python3 -u /home/u/.local/bin/aider --model x"), Role::Agent(AgentKind::Aider));
    assert_eq!(role("bun /x/opencode"), Role::Agent(AgentKind::Opencode));
    assert_eq!(role("cursor-agent"), Role::Agent(AgentKind::CursorAgent));
    assert_eq!(role("myagent --go"), Role::Agent(AgentKind::Custom("myagent".into())));
}

#[test]
fn substrings_and_claudes_ripgrep_are_not_agents() {
    assert_eq!(role("tail -f notes/claude.log"), Role::Plain);
    assert_eq!(role("vim claude"), Role::Plain);
    // Its exe is claude.exe, but argv[0] is what names a process.
    assert_eq!(role("rg --files"), Role::Plain);
    assert_eq!(role("node server.js"), Role::Plain);
    assert_eq!(role("tail -f /home/u/.local/share/claude/versions/2.1.282.log"), Role::Plain);
}

/// The native installer's binary (`~/.local/share/claude/versions/<version>`, argv[0] and
/// exe; code.claude.com docs "setup", seen as 2.0.58 and 2.1.90 installs).
#[test]
fn a_native_claude_install_is_claude_by_its_path() {
    assert_eq!(role("/home/u/.local/share/claude/versions/2.1.282"), Role::Agent(AgentKind::Claude));
    assert_eq!(role("/home/u/.local/share/claude/versions/2.1.282 --resume"), Role::Agent(AgentKind::Claude));
    // A bare version number is told by its exe; any other program named so is not claude.
    assert_eq!(
        role_at("2.1.282", "/home/u/.local/share/claude/versions/2.1.282"),
        Role::Agent(AgentKind::Claude)
    );
    assert_eq!(role_at("2.1.282", "/usr/bin/python3.12"), Role::Plain);
    assert_eq!(role("2.1.282"), Role::Plain, "without a resolved path nothing is assumed");
    assert_eq!(role("/opt/versions/2.1.282"), Role::Plain);
}

/// Claude Code 2.1.197 from npm (`claude --bg "say hi"`, run here): the supervisor, a pty
/// host per job and a spare are shared services; the job's own worker is an agent.
#[test]
fn claudes_background_service_is_shared_and_its_workers_are_agents() {
    let exe = "/tmp/cc/node_modules/@anthropic-ai/claude-code/bin/claude.exe";
    let daemon = format!(r#"{exe} daemon run --origin transient --spawned-by {{"label":"claude"}}"#);
    assert_eq!(role(&daemon), Role::SharedService);
    let host = format!(
        "{exe} --bg-pty-host /tmp/cc-daemon-0/79c8/pty/f727.sock 200 50 -- {exe} --session-id f7 say hi"
    );
    assert_eq!(role(&host), Role::SharedService);
    assert_eq!(
        role(&format!("{exe} --bg-spare /tmp/cc-daemon-0/79c8/spare/8231.claim.sock")),
        Role::SharedService
    );
    assert_eq!(role(&format!("{exe} --session-id f727b954 say hi")), Role::Agent(AgentKind::Claude));
    assert_eq!(role(&format!("{exe} -p summarise the daemon")), Role::Agent(AgentKind::Claude));
}

/// openai/codex `app-server-daemon/src/backend/pid.rs` (06e41b3) and @openai/codex 0.171.0
/// from npm, run here: the managed daemon and its update loop are shared; vibe-kanban's
/// `npx -y @openai/codex@0.124.0 app-server` (BloopAI/vibe-kanban@4deb7ec,
/// `crates/executors/src/executors/codex.rs`) talks over stdio and is its attempt's agent.
#[test]
fn codex_daemons_are_shared_and_stdio_app_servers_are_agents() {
    let home = "/h/.codex/packages/app-server-daemon/releases/0.171.0-x86_64-unknown-linux-musl/bin/codex";
    assert_eq!(
        role(&format!("{home} app-server --listen unix:// --analytics-default-enabled --managed-daemon")),
        Role::SharedService
    );
    assert_eq!(role(&format!("{home} app-server daemon pid-update-loop")), Role::SharedService);
    assert_eq!(role("/h/bin/codex --enable remote_control app-server --listen unix://"), Role::SharedService);
    assert_eq!(role("/h/bin/codex app-server --listen=unix:///run/x.sock"), Role::SharedService);
    assert_eq!(role("/h/bin/codex app-server pid-update-loop"), Role::SharedService);
    let vk = "node /h/.npm/_npx/ab12/node_modules/.bin/codex app-server";
    assert_eq!(role(vk), Role::Agent(AgentKind::Codex));
    let native = "/h/.npm/_npx/ab12/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex app-server";
    assert_eq!(role(native), Role::Agent(AgentKind::Codex));
    assert_eq!(role("/h/bin/codex app-server --listen stdio://"), Role::Agent(AgentKind::Codex));
    assert_eq!(role("/h/bin/codex exec --listen unix://"), Role::Agent(AgentKind::Codex), "no app-server");
}

/// Cursor's `agent` script runs `…/cursor-agent/versions/<v>/node … index.js` with argv[0]
/// kept as it was called (cursor.com/docs/cli/installation).
#[test]
fn cursor_agent_by_its_script_path_never_by_argv0_agent() {
    let v = "/home/u/.local/share/cursor-agent/versions/2026.05.24-dda726e";
    assert_eq!(role(&format!("agent --use-system-ca {v}/index.js")), Role::Agent(AgentKind::CursorAgent));
    assert_eq!(
        role(&format!("{v}/node --use-system-ca {v}/index.js -p hi")),
        Role::Agent(AgentKind::CursorAgent)
    );
    assert_eq!(role("agent"), Role::Plain);
    assert_eq!(role("/usr/bin/agent --daemon"), Role::Plain);
    assert_eq!(role("node /srv/agent/index.js"), Role::Plain);
}

/// anomalyco/opencode `packages/opencode/bin/opencode` (07e19bb) spawns the native
/// `opencode-<os>-<arch>/bin/opencode`; Goose's desktop server is `goosed`; Gemini CLI's
/// npm bin is `bundle/gemini.js` (@google/gemini-cli 0.61.0).
#[test]
fn opencode_goose_and_gemini_shapes() {
    assert_eq!(role("node /usr/lib/node_modules/opencode-ai/bin/opencode"), Role::Agent(AgentKind::Opencode));
    assert_eq!(
        role("/usr/lib/node_modules/opencode-ai/node_modules/opencode-linux-x64/bin/opencode"),
        Role::Agent(AgentKind::Opencode)
    );
    assert_eq!(role("/usr/lib/node_modules/opencode-ai/bin/.opencode"), Role::Agent(AgentKind::Opencode));
    assert_eq!(
        role("/Applications/Goose.app/Contents/Resources/bin/goosed agent"),
        Role::Agent(AgentKind::Goose)
    );
    assert_eq!(
        role("node --max-old-space-size=8192 /usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js"),
        Role::Agent(AgentKind::Gemini)
    );
    assert_eq!(role("node /usr/local/bin/gemini -m x"), Role::Agent(AgentKind::Gemini));
}

/// `npm view @sourcegraph/amp bin`: `node_modules/@ampcode/cli/bin/amp.exe`; the Amplitude
/// CLI is `amp` too, so a bare `amp` needs its resolved path.
#[test]
fn amp_only_with_the_sourcegraph_path() {
    assert_eq!(role("amp"), Role::Plain);
    assert_eq!(role("node /usr/local/bin/amp"), Role::Plain);
    assert_eq!(
        role_at("amp --help", "/usr/lib/node_modules/@sourcegraph/amp/node_modules/@ampcode/cli/bin/amp.exe"),
        Role::Agent(AgentKind::Amp)
    );
    assert_eq!(
        role_at("amp", "/usr/lib/node_modules/@sourcegraph/amp/dist/main.js"),
        Role::Agent(AgentKind::Amp)
    );
    assert_eq!(role_at("amp deploy", "/usr/lib/node_modules/@amplitude/cli/bin/amp"), Role::Plain);
    assert_eq!(role("node /usr/lib/node_modules/@sourcegraph/amp/dist/main.js"), Role::Agent(AgentKind::Amp));
}

#[test]
fn program_paths_are_asked_only_for_ambiguous_names() {
    assert!(needs_program_path("amp") && needs_program_path("2.1.282"));
    assert!(!needs_program_path("claude") && !needs_program_path("2") && !needs_program_path("v2.1"));
}

#[test]
fn install_paths_match_whole_components_only() {
    assert!(under("/h/.local/share/claude/versions/2.1.282", "claude/versions/"));
    assert!(under("claude/versions/2.1", "claude/versions/"));
    assert!(!under("/opt/xclaude/versions/2.1", "claude/versions/"));
    assert!(!under("/h/.local/share/claude/versions/", "claude/versions/"), "no program after it");
}
