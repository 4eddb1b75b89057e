//! How a connection to a host is made: the `ssh` program (its config, keys, agent,
//! ProxyJump and ControlMaster all apply), behind a trait so the link's tests can use
//! a fake. Nothing listens on the network.

use std::io::{self, Read, Write};
use std::process::{Command, Stdio};

use super::host::{HostSpec, ssh_argv};

/// One connection: lines go in, lines and ssh's error lines come out.
pub struct Connection {
    /// The ssh process's PID (none for a fake).
    pub pid: Option<u32>,
    pub input: Box<dyn Write + Send>,
    pub output: Box<dyn Read + Send>,
    pub errors: Box<dyn Read + Send>,
    pub process: Box<dyn Process>,
}

/// The process behind a connection.
pub trait Process: Send {
    /// Ends it (SIGKILL to the recorded PID); nothing if it already ended.
    fn kill(&mut self);
    /// Its exit code once it ended (`Some(None)`: ended on a signal), `None` while it runs.
    fn try_wait(&mut self) -> Option<Option<i32>>;
}

pub trait Transport: Send + Sync {
    fn connect(&self, host: &HostSpec) -> io::Result<Connection>;
}

/// The real transport: `ssh_command… [-p PORT] DESTINATION 'REMOTE serve --stdio'`.
pub struct Ssh {
    /// The program and its options, already split into words.
    pub command: Vec<String>,
    /// What runs on the far side (`swarmtop`, or a path).
    pub remote: String,
    pub refresh_ms: u64,
}

struct SshChild(std::process::Child);

impl Process for SshChild {
    fn kill(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            // Gone meanwhile is fine: it is reaped by `try_wait`.
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }

    fn try_wait(&mut self) -> Option<Option<i32>> {
        match self.0.try_wait() {
            Ok(Some(status)) => Some(status.code()),
            Ok(None) => None,
            // Cannot be waited for: it is not ours to run any more.
            Err(_) => Some(None),
        }
    }
}

impl Drop for SshChild {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Transport for Ssh {
    fn connect(&self, host: &HostSpec) -> io::Result<Connection> {
        let argv = ssh_argv(&self.command, host, &self.remote, self.refresh_ms);
        let (program, args) = argv.split_first().ok_or_else(|| io::Error::other("empty ssh command"))?;
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // A session of its own: Ctrl-C in swarmtop's terminal does not reach it, and it
        // never reads that terminal (BatchMode asks nothing anyway).
        crate::kill::sessions::in_new_session(&mut cmd);
        let mut child =
            cmd.spawn().map_err(|e| io::Error::new(e.kind(), format!("cannot run {program}: {e}")))?;
        let taken = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (Some(input), Some(output), Some(errors)) = taken else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("ssh started without its pipes"));
        };
        Ok(Connection {
            pid: Some(child.id()),
            input: Box::new(input),
            output: Box::new(output),
            errors: Box::new(errors),
            process: Box::new(SshChild(child)),
        })
    }
}

/// Reads one line of at most `max` bytes (newline included) into `buf`; `Ok(false)` at
/// the end of the stream. A longer line is an error, so a peer cannot make this grow
/// without bound.
pub fn read_line(reader: &mut impl io::BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<bool> {
    buf.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(!buf.is_empty());
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if buf.len() + take > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line longer than {max} bytes"),
            ));
        }
        buf.extend_from_slice(&available[..take]);
        reader.consume(take);
        if done {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_whole_and_bounded() {
        let mut input = io::BufReader::with_capacity(4, &b"one\ntwo\nlast"[..]);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while read_line(&mut input, &mut buf, 100).unwrap() {
            lines.push(String::from_utf8(buf.clone()).unwrap());
        }
        assert_eq!(lines, ["one\n", "two\n", "last"]);
        let mut long = io::BufReader::with_capacity(4, &b"0123456789\n"[..]);
        let e = read_line(&mut long, &mut buf, 8).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }
}
