//! `swarmtop ports [--json]`: every listening socket with the process and attempt that
//! hold it, sorted by port (docs/ports-schema-1.json).

use std::fmt::Write;

use serde::Serialize;

use super::CliError;
use crate::config::Config;
use crate::model::text::{sanitize, truncate};
use crate::model::{Forest, Port, ProcNode};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct PortsArgs {
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &PortsArgs, config: &Config) -> Result<i32, CliError> {
    let forest = super::forest_now(config)?;
    super::list::write_stdout(&render(args, &forest)?)
}

pub fn render(args: &PortsArgs, forest: &Forest) -> Result<String, CliError> {
    let rows = rows(forest);
    if args.json {
        let doc = Document {
            schema: 1,
            host: &forest.host,
            sampled_at_ms: forest.sampled_at_ms,
            ports: rows.iter().map(JsonRow::from).collect(),
        };
        let mut s = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.into()))?;
        s.push('\n');
        return Ok(s);
    }
    Ok(text(&rows))
}

/// Where a holder sits in the forest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place<'a> {
    Attempt(&'a str),
    Shared,
    Other,
}

impl Place<'_> {
    fn label(&self) -> &str {
        match self {
            Place::Attempt(id) => id,
            Place::Shared => "shared services",
            Place::Other => "other processes",
        }
    }
}

/// One listening socket and its holder (`None`: no process swarmtop can read).
struct Row<'a> {
    port: Port,
    holder: Option<(&'a ProcNode, Place<'a>)>,
}

fn rows(forest: &Forest) -> Vec<Row<'_>> {
    fn add<'a>(out: &mut Vec<Row<'a>>, roots: &'a [ProcNode], place: Place<'a>) {
        for (_, n) in crate::model::forest::Preorder::of(roots) {
            for port in n.process.ports.iter().flat_map(|p| p.iter()) {
                out.push(Row { port: *port, holder: Some((n, place)) });
            }
        }
    }
    let mut out = Vec::new();
    for (_, _, a) in forest.attempts() {
        add(&mut out, &a.processes, Place::Attempt(a.id.as_str()));
    }
    add(&mut out, &forest.shared, Place::Shared);
    add(&mut out, &forest.unassigned, Place::Other);
    out.extend(forest.unowned_ports.iter().map(|&port| Row { port, holder: None }));
    out.sort_by_key(|r| (r.port, r.holder.map(|(n, _)| n.process.key)));
    out
}

/// The rows of `swarmtop ports --json` (docs/ports-schema-1.json) for one port: what the
/// MCP server's `who_listens` answers.
pub fn json_rows_for(forest: &Forest, port: u16) -> Vec<serde_json::Value> {
    let rows = rows(forest);
    let on_port = rows.iter().filter(|r| r.port.port == port);
    // Plain structs of strings and numbers always serialize.
    on_port.filter_map(|r| serde_json::to_value(JsonRow::from(r)).ok()).collect()
}

const NOT_READABLE: &str = "(no process swarmtop can read)";

fn text(rows: &[Row<'_>]) -> String {
    let addrs: Vec<String> = rows.iter().map(|r| r.port.addr.to_string()).collect();
    let aw = addrs.iter().map(String::len).max().unwrap_or(0).max(4);
    let mut s = format!(
        "{:>5}  {:<5}  {:<aw$}  {:>7}  {:<16}  {}\n",
        "PORT", "PROTO", "ADDR", "PID", "PROCESS", "ATTEMPT"
    );
    for (r, addr) in rows.iter().zip(&addrs) {
        let (pid, name, place) = match r.holder {
            Some((n, place)) => {
                let name = sanitize(n.process.display_name());
                (
                    n.process.pid().to_string(),
                    truncate(&name, 16).into_owned(),
                    sanitize(place.label()).into_owned(),
                )
            }
            None => ("-".to_string(), "-".to_string(), NOT_READABLE.to_string()),
        };
        let _ = writeln!(
            s,
            "{:>5}  {:<5}  {addr:<aw$}  {pid:>7}  {name:<16}  {place}",
            r.port.port,
            r.port.proto.as_str(),
        );
    }
    if rows.is_empty() {
        s.push_str("(nothing listens on a TCP port or a bound UDP port)\n");
    }
    s
}

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    host: &'a str,
    sampled_at_ms: u64,
    ports: Vec<JsonRow<'a>>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    port: u16,
    proto: &'static str,
    addr: String,
    /// `null` (with `start_time`, `name` and `cmd`) when no process swarmtop can read holds it.
    pid: Option<u32>,
    start_time: Option<u64>,
    name: Option<&'a str>,
    cmd: Option<Vec<&'a str>>,
    /// `attempt`, `shared`, `other`, or `null` when the holder is unknown.
    group: Option<&'static str>,
    attempt: Option<&'a str>,
}

impl<'a> From<&Row<'a>> for JsonRow<'a> {
    fn from(r: &Row<'a>) -> JsonRow<'a> {
        let holder = r.holder.map(|(n, _)| &n.process);
        let place = r.holder.map(|(_, place)| place);
        JsonRow {
            port: r.port.port,
            proto: r.port.proto.as_str(),
            addr: r.port.addr.to_string(),
            pid: holder.map(|p| p.pid()),
            start_time: holder.map(|p| p.key.start_time()),
            name: holder.map(|p| &*p.facts.name),
            cmd: holder.map(|p| p.facts.cmd.iter().collect()),
            group: place.map(|p| match p {
                Place::Attempt(_) => "attempt",
                Place::Shared => "shared",
                Place::Other => "other",
            }),
            attempt: match place {
                Some(Place::Attempt(id)) => Some(id),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::associate::{Options, associate};
    use crate::model::Proto;
    use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot};

    fn listening(mut p: crate::model::Process, ports: &[(u16, &str)]) -> crate::model::Process {
        let ports: Vec<Port> = ports
            .iter()
            .map(|&(port, addr)| Port { port, proto: Proto::Tcp, addr: addr.parse().unwrap() })
            .collect();
        p.ports = Some(Arc::from(ports));
        p
    }

    #[test]
    fn rows_sorted_by_port_with_their_attempt_and_the_unowned() {
        let wt = linked_worktree("/wt/1a2b-login/p", "/src/p", "vk/1a2b-login");
        let procs = vec![
            listening(
                process(10, 1, "node vite").cwd("/wt/1a2b-login/p"),
                &[(5173, "::1"), (3000, "127.0.0.1")],
            ),
            listening(process(20, 1, "python -m http.server"), &[(3000, "::")]),
            process(30, 10, "esbuild").cwd("/wt/1a2b-login/p"),
        ];
        let mut snap = snapshot(procs, vec![wt]);
        snap.unowned_ports = vec![Port { port: 22, proto: Proto::Tcp, addr: "0.0.0.0".parse().unwrap() }];
        let forest = associate(&snap, &Options::default());
        let out = render(&PortsArgs::default(), &forest).unwrap();
        let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(lines[0], ["PORT", "PROTO", "ADDR", "PID", "PROCESS", "ATTEMPT"]);
        assert_eq!(lines[1][..4], ["22", "tcp", "0.0.0.0", "-"]);
        assert_eq!(lines[2], ["3000", "tcp", "127.0.0.1", "10", "node", "attempt:p/login/1a2b"]);
        assert_eq!(lines[3], ["3000", "tcp", "::", "20", "python", "other", "processes"]);
        assert_eq!(lines[4], ["5173", "tcp", "::1", "10", "node", "attempt:p/login/1a2b"]);
        assert_eq!(lines.len(), 5, "esbuild listens on nothing:\n{out}");

        let json: serde_json::Value =
            serde_json::from_str(&render(&PortsArgs { json: true }, &forest).unwrap()).unwrap();
        assert_eq!(json["ports"][0]["pid"], serde_json::Value::Null);
        assert_eq!(json["ports"][1]["attempt"], "attempt:p/login/1a2b");
        assert_eq!(json["ports"][2]["group"], "other");
    }
}
