//! While `swarmtop kill` signals processes, SIGINT, SIGTERM, SIGHUP and SIGQUIT do not
//! end swarmtop: they set a flag that makes the executor continue what it stopped and
//! return. The previous handlers come back when the guard drops.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Set by the handler; read by the executor between its steps.
pub static CANCEL: AtomicBool = AtomicBool::new(false);
/// The signal that cancelled, for the message.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

extern "C" fn on_signal(signal: libc::c_int) {
    // Only atomics: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
    CANCEL.store(true, Ordering::SeqCst);
}

pub struct CancelOnSignals {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl CancelOnSignals {
    pub fn install() -> std::io::Result<CancelOnSignals> {
        let mut guard = CancelOnSignals { previous: Vec::new() };
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value; the
            // handler only stores to atomics. No SA_RESTART, so a blocking poll returns
            // EINTR and the executor sees the flag at once.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                guard.previous.push((signal, old));
            }
        }
        Ok(guard)
    }

    /// The name of the signal that cancelled the kill, if one did.
    pub fn received(&self) -> Option<&'static str> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            libc::SIGINT => Some("SIGINT"),
            libc::SIGTERM => Some("SIGTERM"),
            libc::SIGHUP => Some("SIGHUP"),
            libc::SIGQUIT => Some("SIGQUIT"),
            _ => Some("a signal"),
        }
    }
}

impl Drop for CancelOnSignals {
    fn drop(&mut self) {
        for (signal, old) in self.previous.drain(..) {
            // SAFETY: restores exactly what sigaction returned for this signal.
            unsafe {
                libc::sigaction(signal, &old, std::ptr::null_mut());
            }
        }
    }
}
