//! `swarmtop mcp` through a second real client: the official Python MCP SDK's, run from
//! worktree A (so the Python process, the server's parent, is the caller placed in A).
//! Skips, saying why, where python3 has no `mcp` package (`pip install mcp`).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::sentinel::{Sentinel, python};
use common::*;
use serde_json::Value;

const CLIENT: &str = r#"
import asyncio, json, sys
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

def plain(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)

async def main(bin_, target):
    params = StdioServerParameters(command=bin_, args=["mcp"], env={"XDG_CONFIG_HOME": "/nonexistent-swarmtop-test"})
    out = {}
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            out["initialize"] = plain(await s.initialize())
            out["tools"] = [plain(t) for t in (await s.list_tools()).tools]
            for name, args in [
                ("list", ("list_processes", {})),
                ("who_listens", ("who_listens", {"port": 1})),
                ("refused", ("kill", {"targets": ["pid:1"], "dry_run": False})),
                ("dry_run", ("kill", {"targets": [target]})),
                ("kill", ("kill", {"targets": [target], "dry_run": False, "grace_secs": 2})),
                ("bad", ("kill", {"targets": "oops"})),
            ]:
                out[name] = plain(await s.call_tool(*args))
    print(json.dumps(out))

asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 60))
"#;

fn has_python_mcp() -> bool {
    let Some(python) = python() else { return false };
    Command::new(python)
        .args(["-c", "import mcp.client.stdio"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn the_python_sdk_client_lists_and_kills_only_its_own_attempt() {
    if !has_python_mcp() {
        println!("SKIPPED: python3 with the mcp package (pip install mcp) is needed for a second client");
        return;
    }
    let w = two_worktrees("mcp", "py");
    let name = label("mcppy", "worker");
    let mut procs = Sessions::default();
    let worker = procs.spawn(&label("mcppy", "a"), &w.wt_a, &format!("exec -a {name} sleep 600"));
    let sentinel = Sentinel::new(&name, w.tmp.path());
    let in_b = sentinel.spawn(&mut procs, &w.wt_b);
    // Both have exec'd (argv[0] is the name the kill targets) before the client starts.
    let named = |pid: u32| {
        std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(name.as_bytes()))
    };
    wait_for("both named", Duration::from_secs(20), || (sentinel.ready() && named(worker)).then_some(()));
    let script = w.tmp.path().join("client.py");
    std::fs::write(&script, CLIENT).unwrap();

    let mut cmd = Command::new(python().unwrap());
    cmd.arg(&script)
        .arg(env!("CARGO_BIN_EXE_swarmtop"))
        .arg(format!("name:{name}"))
        .current_dir(&w.wt_a)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    swarmtop::kill::sessions::in_new_session(&mut cmd);
    let child = cmd.spawn().unwrap();
    let _guard = SessionGuard(child.id());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    assert_eq!(doc["initialize"]["serverInfo"]["name"], "swarmtop", "{doc}");
    let mut tools: Vec<&str> =
        doc["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    tools.sort_unstable();
    assert_eq!(tools, ["kill", "list_processes", "who_listens"]);
    let kill = doc["tools"].as_array().unwrap().iter().find(|t| t["name"] == "kill").unwrap();
    assert_eq!(kill["annotations"]["destructiveHint"], true, "{kill}");

    let listed = &doc["list"]["structuredContent"];
    assert!(listed["attempt"].as_str().is_some_and(|a| a.ends_with("/wt-a")), "{doc}");
    let pids: Vec<u64> =
        listed["processes"].as_array().unwrap().iter().filter_map(|p| p["pid"].as_u64()).collect();
    assert!(pids.contains(&u64::from(worker)) && !pids.contains(&u64::from(in_b)), "{listed}");
    assert_eq!(doc["who_listens"]["isError"], false, "{doc}");
    assert_eq!(doc["refused"]["isError"], true, "{doc}");
    assert_eq!(doc["bad"]["isError"], true, "{doc}");
    let planned: Vec<u64> = doc["dry_run"]["structuredContent"]["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["pid"].as_u64())
        .collect();
    assert_eq!(planned, [u64::from(worker)], "A's worker only: {doc}");
    assert_eq!(doc["kill"]["isError"], false, "{doc}");
    wait_for("A's worker gone", Duration::from_secs(20), || (!alive(worker)).then_some(()));
    assert_eq!(sentinel.received(), Vec::<String>::new(), "B's {name} was signalled");
    assert!(alive(in_b), "B's {name} was killed");
}
