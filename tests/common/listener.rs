//! Listeners: python processes that bind ephemeral ports (port 0, read back) and say
//! which, for the port tests. Started like any test process, in a session of its own.

use std::path::Path;
use std::time::Duration;

use super::{sentinel, wait_for};

/// Binds each `proto,addr,port` spec (TCP sockets listen), writes `proto addr port` per
/// socket to the file in argv[1], forks first if `fork` is given (the child holds the
/// same sockets), then sleeps.
const LISTENER: &str = r#"
import os, socket, sys, time
out = sys.argv[1]
socks, lines = [], []
for spec in sys.argv[2:]:
    if spec == "fork":
        continue
    proto, addr, port = spec.split(",")
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen()
    socks.append(s)
    lines.append("%s %s %d" % (proto, addr, s.getsockname()[1]))
if "fork" in sys.argv and os.fork() == 0:
    time.sleep(3600)
    os._exit(0)
with open(out + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.rename(out + ".tmp", out)
time.sleep(3600)
"#;

/// The shell command that becomes a listener labelled `label`, `prefix` run before it
/// (`unshare -n`).
pub fn listener_command(label: &str, prefix: &str, out: &Path, specs: &[&str]) -> String {
    let python = sentinel::python().unwrap_or("python3");
    format!(
        "exec -a {label} {prefix} {python} -c '{}' {} {}",
        LISTENER.replace('\'', "'\\''"),
        out.display(),
        specs.join(" ")
    )
}

/// The sockets a listener reported: (proto, addr, port).
pub fn bound(out: &Path) -> Vec<(String, String, u16)> {
    let text =
        wait_for("the listener's ports", Duration::from_secs(15), || std::fs::read_to_string(out).ok());
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect()
}
