//! The sampler thread: samples every `refresh`, associates, and publishes the latest
//! Forest on a watch channel (latest wins, no queue). Pausing stops sampling.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

use super::inspector::Inspector;
use crate::associate::{Options, associate};
use crate::model::usage::{Inspection, Measure, MemoryMode};
use crate::model::{Forest, ProcKey};
use crate::sample::{PssTargets, Sampler};

/// What the UI sees of the sampler: the latest forest, or the latest error.
#[derive(Debug, Clone, Default)]
pub struct FeedState {
    pub forest: Option<Arc<Forest>>,
    pub error: Option<String>,
    /// Problems with state files so far (newest last, at most `NOTICES`): the channel
    /// keeps only the latest state, so they accumulate instead of passing by.
    pub notices: Vec<String>,
    /// When the sample still in flight started, once it has taken longer than
    /// `stall_after(refresh)`: everything else shown is older than that.
    pub stalled_since: Option<SystemTime>,
    /// The latest look at the process the detail pane shows (`Inspector`).
    pub inspection: Option<Arc<Inspection>>,
}

const NOTICES: usize = 20;

/// How long a sample may take before the UI says so: three refreshes, at least 3 s.
pub fn stall_after(refresh: Duration) -> Duration {
    refresh.saturating_mul(3).max(Duration::from_secs(3))
}

/// How often the watchdog looks at the sample in flight.
const STALL_CHECK: Duration = Duration::from_secs(1);

/// The start of the sample in flight, if any, shared by the sampler thread and its
/// watchdog (the sampler cannot report anything while a read blocks).
#[derive(Debug, Default)]
struct InFlight {
    since: Mutex<Option<(Instant, SystemTime)>>,
}

impl InFlight {
    fn set(&self, since: Option<(Instant, SystemTime)>) {
        *self.since.lock().unwrap_or_else(PoisonError::into_inner) = since;
    }

    /// Publishes the stall of the sample in flight at `now`, once. The lock is held
    /// while publishing, so a sample that finishes meanwhile publishes its result after.
    fn publish_stall(&self, tx: &watch::Sender<FeedState>, now: Instant, after: Duration) {
        let since = self.since.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((started, wall)) = *since else { return };
        if now.saturating_duration_since(started) >= after && tx.borrow().stalled_since != Some(wall) {
            tx.send_modify(|state| state.stalled_since = Some(wall));
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Control {
    Pause(bool),
    /// Sample now (after a kill) unless paused.
    RefreshNow,
    /// Measure this from the next sample on.
    Measure(Measure),
}

pub struct Feed {
    control: mpsc::Sender<Control>,
    inspector: Inspector,
    handle: Option<JoinHandle<()>>,
    in_flight: Arc<InFlight>,
    tx: Arc<watch::Sender<FeedState>>,
    refresh: Duration,
}

/// CPU needs two samples at least this far apart.
const PRIME_INTERVAL: Duration = Duration::from_millis(200);

impl Feed {
    /// Starts sampling with `sampler`, measuring what it was last told to
    /// (`Sampler::set_measure`) until `set_measure` says otherwise.
    pub fn start(
        mut sampler: Sampler,
        options: Options,
        refresh: Duration,
    ) -> (Feed, watch::Receiver<FeedState>) {
        let (tx, rx) = watch::channel(FeedState::default());
        let tx = Arc::new(tx);
        let in_flight = Arc::new(InFlight::default());
        let (control, control_rx) = mpsc::channel();
        let (alive, sampler_gone) = mpsc::channel::<()>();
        let (watch_tx, watch_in_flight) = (Arc::clone(&tx), Arc::clone(&in_flight));
        let after = stall_after(refresh);
        // The sampler cannot say it is stuck while a read blocks; this thread can.
        let watchdog = std::thread::Builder::new().name("swarmtop-stalls".into()).spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = sampler_gone.recv_timeout(STALL_CHECK) {
                if watch_tx.is_closed() {
                    return;
                }
                watch_in_flight.publish_stall(&watch_tx, Instant::now(), after);
            }
        });
        let mut notices: Vec<String> = match watchdog {
            Ok(_) => Vec::new(),
            Err(e) => {
                vec![format!("could not start the stall watchdog (stalled samples go unmentioned): {e}")]
            }
        };
        let (thread_tx, thread_in_flight) = (Arc::clone(&tx), Arc::clone(&in_flight));
        let handle = std::thread::Builder::new()
            .name("swarmtop-sampler".into())
            .spawn(move || {
                // Dropped when this thread ends, which ends the watchdog.
                let _alive = alive;
                let (tx, in_flight) = (thread_tx, thread_in_flight);
                // Sampling and association, timed by the watchdog; the forest only when
                // `wanted`. In pss mode, the processes in attempts are measured next.
                let sample = |sampler: &mut Sampler, wanted: bool| {
                    in_flight.set(Some((Instant::now(), SystemTime::now())));
                    let result = sampler.sample().map(|mut s| {
                        let forest = wanted.then(|| Arc::new(associate(&s, &options)));
                        (std::mem::take(&mut s.warnings), forest)
                    });
                    in_flight.set(None);
                    if let Ok((_, Some(forest))) = &result {
                        if sampler.measure().memory == MemoryMode::Pss {
                            sampler
                                .set_pss_targets(PssTargets { keys: forest.attempt_keys(), at_once: false });
                        }
                    }
                    result
                };
                // Prime: the first CPU sample is meaningless and is discarded (its notices are not).
                match sample(&mut sampler, false) {
                    Ok((warnings, _)) => {
                        note(warnings, &mut notices);
                        tx.send_if_modified(|state| state.stalled_since.take().is_some());
                    }
                    Err(e) => {
                        let error = Some(e.to_string());
                        tx.send_modify(|state| {
                            (state.forest, state.error, state.stalled_since) = (None, error, None);
                            state.notices.clone_from(&notices);
                        });
                    }
                }
                let mut wait = PRIME_INTERVAL.min(refresh);
                let mut measure = sampler.measure();
                loop {
                    if !pause_or_wait(&control_rx, wait, &mut measure) {
                        return;
                    }
                    if measure != sampler.measure() {
                        sampler.set_measure(measure);
                    }
                    wait = refresh;
                    let (forest, error) = match sample(&mut sampler, true) {
                        Ok((warnings, forest)) => {
                            note(warnings, &mut notices);
                            (forest, None)
                        }
                        Err(e) => (tx.borrow().forest.clone(), Some(e.to_string())),
                    };
                    if tx.is_closed() {
                        return; // the UI is gone
                    }
                    // The inspector publishes on the same channel: its field stays.
                    tx.send_modify(|state| {
                        (state.forest, state.error, state.stalled_since) = (forest, error, None);
                        state.notices.clone_from(&notices);
                    });
                    release_free_memory();
                }
            })
            .ok();
        let inspector = Inspector::start(Arc::clone(&tx), refresh);
        (Feed { control, inspector, handle, in_flight, tx, refresh }, rx)
    }

    /// Measure this from the next sample on.
    pub fn set_measure(&self, measure: Measure) {
        self.send(Control::Measure(measure));
    }

    /// Measure this process for the detail pane from now on (`None`: none).
    pub fn inspect(&self, key: Option<ProcKey>) {
        self.inspector.inspect(key);
    }

    /// What the watchdog does at `now`: publishes the stall of the sample in flight,
    /// once it is older than `stall_after(refresh)`.
    pub fn check_stall(&self, now: Instant) {
        self.in_flight.publish_stall(&self.tx, now, stall_after(self.refresh));
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

/// Waits `wait`, or while paused, taking in what to measure. Returns false when the UI
/// has gone away.
fn pause_or_wait(control: &mpsc::Receiver<Control>, wait: Duration, measure: &mut Measure) -> bool {
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
            Ok(Control::Measure(m)) => *measure = m,
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

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
