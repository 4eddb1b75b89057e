//! `swarmtop list --watch`: a stream of documents, one per refresh, that ends quietly
//! with 0 when its reader goes away or on SIGINT/SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use swarmtop::kill::sessions;

/// A `swarmtop list --watch …` in a session of its own, killed by session id on drop.
struct Watch {
    child: Child,
}

impl Watch {
    fn start(args: &[&str]) -> Watch {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmtop"));
        cmd.args(["list", "--watch", "--refresh", "100"])
            .args(args)
            .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        sessions::in_new_session(&mut cmd);
        Watch { child: cmd.spawn().expect("start swarmtop") }
    }

    /// Waits for the exit; its status and stderr.
    fn wait(&mut self, within: Duration) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut err = String::new();
                self.child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
                return (status, err);
            }
            assert!(Instant::now() < deadline, "swarmtop list --watch did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        sessions::kill_sessions(&[self.child.id()], Duration::from_secs(10));
        let _ = self.child.wait();
    }
}

#[test]
fn json_watch_is_one_schema_1_document_per_line_and_ends_quietly_when_the_reader_goes() {
    let mut watch = Watch::start(&["--json"]);
    let mut lines = BufReader::new(watch.child.stdout.take().expect("stdout"));
    let mut stamps = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        lines.read_line(&mut line).expect("read a line");
        assert!(line.ends_with('\n'), "a whole line: {line:?}");
        let doc: serde_json::Value = serde_json::from_str(&line).expect("each line is one JSON document");
        assert_eq!(doc["schema"], 1);
        stamps.push(doc["sampled_at_ms"].as_u64().expect("sampled_at_ms"));
    }
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "one sample per document: {stamps:?}");
    drop(lines); // the reader goes away: the next write is EPIPE
    let (status, err) = watch.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "quiet: {err}");
}

#[test]
fn sigint_and_sigterm_end_the_stream_quietly_with_0() {
    for signal in [rustix::process::Signal::INT, rustix::process::Signal::TERM] {
        let mut watch = Watch::start(&[]);
        let mut out = BufReader::new(watch.child.stdout.take().expect("stdout"));
        let mut first = String::new();
        out.read_line(&mut first).expect("the first text document starts");
        assert!(first.contains("processes"), "{first}");
        let pid = rustix::process::Pid::from_raw(watch.child.id() as i32).expect("pid");
        rustix::process::kill_process(pid, signal).expect("signal");
        // Keep reading so a write never blocks on a full pipe.
        let drain = std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let (status, err) = watch.wait(Duration::from_secs(10));
        assert_eq!(status.code(), Some(0), "{signal:?}: {err}");
        assert!(err.is_empty(), "{signal:?}: quiet: {err}");
        drain.join().expect("drain").expect("read");
    }
}
