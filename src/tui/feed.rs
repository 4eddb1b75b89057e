//! The sampler thread: samples every `refresh`, associates, and publishes the latest
//! Forest on a watch channel (latest wins, no queue). Pausing stops sampling.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::associate::{Options, associate};
use crate::model::Forest;
use crate::sample::Sampler;

/// What the UI sees of the sampler: the latest forest, or the latest error.
#[derive(Debug, Clone, Default)]
pub struct FeedState {
    pub forest: Option<Arc<Forest>>,
    pub error: Option<String>,
    /// Problems with state files so far (newest last, at most `NOTICES`): the channel
    /// keeps only the latest state, so they accumulate instead of passing by.
    pub notices: Vec<String>,
}

const NOTICES: usize = 20;

#[derive(Debug, Clone, Copy)]
pub enum Control {
    Pause(bool),
    /// Sample now (after a kill) unless paused.
    RefreshNow,
}

pub struct Feed {
    control: mpsc::Sender<Control>,
    handle: Option<JoinHandle<()>>,
}

/// CPU needs two samples at least this far apart.
const PRIME_INTERVAL: Duration = Duration::from_millis(200);

impl Feed {
    pub fn start(
        mut sampler: Sampler,
        options: Options,
        refresh: Duration,
    ) -> (Feed, watch::Receiver<FeedState>) {
        let (tx, rx) = watch::channel(FeedState::default());
        let (control, control_rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("swarmtop-sampler".into())
            .spawn(move || {
                let mut notices: Vec<String> = Vec::new();
                // Prime: the first CPU sample is meaningless and is discarded (its notices are not).
                match sampler.sample() {
                    Ok(s) => note(s.warnings, &mut notices),
                    Err(e) => {
                        tx.send_replace(FeedState {
                            forest: None,
                            error: Some(e.to_string()),
                            notices: notices.clone(),
                        });
                    }
                }
                let mut wait = PRIME_INTERVAL.min(refresh);
                loop {
                    if !pause_or_wait(&control_rx, wait) {
                        return;
                    }
                    wait = refresh;
                    let state = match sampler.sample() {
                        Ok(mut s) => {
                            note(std::mem::take(&mut s.warnings), &mut notices);
                            let forest = Some(Arc::new(associate(&s, &options)));
                            FeedState { forest, error: None, notices: notices.clone() }
                        }
                        Err(e) => FeedState {
                            forest: tx.borrow().forest.clone(),
                            error: Some(e.to_string()),
                            notices: notices.clone(),
                        },
                    };
                    if tx.send(state).is_err() {
                        return; // the UI is gone
                    }
                    release_free_memory();
                }
            })
            .ok();
        (Feed { control, handle }, rx)
    }

    pub fn set_paused(&self, paused: bool) {
        self.send(Control::Pause(paused));
    }

    pub fn refresh_now(&self) {
        self.send(Control::RefreshNow);
    }

    fn send(&self, c: Control) {
        // A send error means the thread already ended; the UI notices the closed channel.
        let _ = self.control.send(c);
    }

    pub fn is_running(&self) -> bool {
        self.handle.as_ref().is_some_and(|h| !h.is_finished())
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        // Dropping `control` ends the thread at its next wait; don't block the exit on it.
        self.handle.take();
    }
}

/// Gives the pages of freed memory back to the system. Every refresh frees one forest
/// and snapshot and allocates the next, and glibc keeps the holes resident otherwise:
/// at ~2,000 processes that is a few hundred KiB of RSS for nothing.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and shrinks the allocator's own free lists; it
    // takes the arena locks itself and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Adds new notices, keeping the newest `NOTICES`.
fn note(new: Vec<String>, notices: &mut Vec<String>) {
    notices.extend(new);
    let excess = notices.len().saturating_sub(NOTICES);
    notices.drain(..excess);
}

/// Waits `wait`, or while paused. Returns false when the UI has gone away.
fn pause_or_wait(control: &mpsc::Receiver<Control>, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut paused = false;
    loop {
        let message = if paused {
            control.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
        } else {
            control.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        };
        match message {
            Ok(Control::RefreshNow) if !paused => return true,
            Ok(Control::RefreshNow) => {}
            Ok(Control::Pause(p)) => {
                if paused && !p {
                    return true; // resume: sample at once
                }
                paused = p;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => return true,
            Err(mpsc::RecvTimeoutError::Disconnected) => return false,
        }
    }
}
