//! The ssh connection's pipes, each pumped by a thread of its own, so that a stalled
//! peer blocks only that thread: its output read line by line, its stderr's last lines
//! kept for the status, and its input written.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use super::protocol::MAX_SERVER_LINE;
use super::transport::read_line;

/// What the reader of the connection's output saw.
pub(super) enum PipeEvent {
    Line(Vec<u8>),
    /// The output ended (or could not be read: why).
    End(Option<String>),
}

/// Reads the connection's output line by line on a thread named `name`, handing each
/// event to `send` until it returns false or the output ends.
pub(super) fn spawn_reader(
    name: String,
    output: Box<dyn Read + Send>,
    send: impl Fn(PipeEvent) -> bool + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name(name).spawn(move || {
        let mut reader = BufReader::new(output);
        let mut buf = Vec::new();
        loop {
            match read_line(&mut reader, &mut buf, MAX_SERVER_LINE) {
                Ok(true) => {
                    if !send(PipeEvent::Line(std::mem::take(&mut buf))) {
                        return;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    send(PipeEvent::End(Some(format!("cannot read from the connection: {e}"))));
                    return;
                }
            }
        }
        send(PipeEvent::End(None));
    })?;
    Ok(())
}

/// ssh's stderr, its last lines kept for the status (each line cut at 4 KiB), and a
/// channel that disconnects when it has been read to its end.
pub(super) fn collect_stderr(
    errors: Box<dyn Read + Send>,
) -> (Arc<Mutex<VecDeque<String>>>, mpsc::Receiver<()>) {
    let lines = Arc::new(Mutex::new(VecDeque::new()));
    let kept = Arc::clone(&lines);
    let (done, done_rx) = mpsc::channel::<()>();
    let _ = std::thread::Builder::new().name("swarmtop-host-err".into()).spawn(move || {
        let _done = done;
        let mut reader = BufReader::new(errors);
        let mut buf = Vec::new();
        loop {
            match read_line(&mut reader, &mut buf, 4096) {
                Ok(true) => {
                    let mut lines = kept.lock().unwrap_or_else(PoisonError::into_inner);
                    if lines.len() == 20 {
                        lines.pop_front();
                    }
                    lines.push_back(String::from_utf8_lossy(&buf).trim_end().to_string());
                }
                Ok(false) => return,
                // An overlong line: skip to the next one.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {}
                Err(_) => return,
            }
        }
    });
    (lines, done_rx)
}

/// Writes lines to the connection on a thread of its own (a stalled peer blocks only it).
pub(super) fn spawn_writer(mut input: Box<dyn Write + Send>) -> mpsc::Sender<String> {
    let (tx, rx) = mpsc::channel::<String>();
    let _ = std::thread::Builder::new().name("swarmtop-host-out".into()).spawn(move || {
        for line in rx {
            if input.write_all(line.as_bytes()).and_then(|()| input.flush()).is_err() {
                return;
            }
        }
    });
    tx
}
