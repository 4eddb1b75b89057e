//! Measures the process the detail pane shows (its memory breakdown, PSS, swap and I/O)
//! on a thread of its own: the UI says which process, never waits, and the thread looks
//! at it at once and then every refresh while it stays selected, publishing each look
//! on the feed's channel. Its I/O rate is the difference between two looks.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::feed::FeedState;
use crate::model::ProcKey;
use crate::model::usage::{IoRate, IoTotals};
use crate::procfs::ProcDir;
use crate::sample::usage::inspect;

/// The second look at a process comes this soon, so its I/O rate shows quickly.
const FIRST_RATE: Duration = Duration::from_millis(500);

pub struct Inspector {
    requests: mpsc::Sender<Option<ProcKey>>,
}

impl Inspector {
    /// Starts the thread; it ends when the `Inspector` is dropped or the UI is gone.
    pub fn start(publish: Arc<watch::Sender<FeedState>>, every: Duration) -> Inspector {
        let (requests, rx) = mpsc::channel();
        let to_ui = Arc::clone(&publish);
        let thread = std::thread::Builder::new()
            .name("swarmtop-inspect".into())
            .spawn(move || watch_selected(&rx, &to_ui, every));
        if let Err(e) = thread {
            let notice = format!("could not start the detail pane's measuring thread: {e}");
            publish.send_modify(|state| state.notices.push(notice));
        }
        Inspector { requests }
    }

    /// Measure `key` from now on (`None`: nothing is shown).
    pub fn inspect(&self, key: Option<ProcKey>) {
        // An error means the thread already ended; the pane then says "measuring…".
        let _ = self.requests.send(key);
    }
}

fn watch_selected(
    requests: &mpsc::Receiver<Option<ProcKey>>,
    publish: &watch::Sender<FeedState>,
    every: Duration,
) {
    let mut proc = match ProcDir::open(Path::new("/proc")) {
        Ok(proc) => proc,
        Err(e) => {
            let notice = format!("cannot read /proc for the detail pane: {e}");
            publish.send_modify(|state| state.notices.push(notice));
            return;
        }
    };
    let mut buf = Vec::new();
    let mut selected: Option<ProcKey> = None;
    let mut last_io: Option<(IoTotals, Instant)> = None;
    let mut wait: Option<Duration> = None;
    loop {
        let request = match wait {
            Some(d) => requests.recv_timeout(d),
            None => requests.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match request {
            Ok(key) => {
                // Only the latest of a burst of moves counts.
                let key = requests.try_iter().last().unwrap_or(key);
                if key != selected {
                    (selected, last_io) = (key, None);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let Some(key) = selected else {
            wait = None;
            continue;
        };
        let mut look = inspect(&mut proc, key, &mut buf);
        let now = Instant::now();
        look.io_rate = match (last_io, look.io) {
            (Some((before, at)), Some(io)) => {
                IoRate::between(before, io, now.duration_since(at).as_secs_f64())
            }
            _ => None,
        };
        last_io = look.io.map(|io| (io, now));
        wait = match (look.resident, look.io_rate) {
            // Gone: nothing more to see until another process is selected.
            (None, _) => None,
            (Some(_), None) if look.io.is_some() => Some(FIRST_RATE.min(every)),
            _ => Some(every),
        };
        if publish.is_closed() {
            return;
        }
        publish.send_modify(|state| state.inspection = Some(Arc::new(look)));
    }
}
