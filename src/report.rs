//! Messages to stderr that never panic: after an ssh drop the terminal is gone and
//! `eprintln!` would panic, possibly inside a Drop, aborting before cleanup ran.

use std::io::Write;

pub fn warn(message: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    // Nowhere left to report a failed report.
    let _ = err.write_fmt(message).and_then(|_| err.write_all(b"\n"));
}

/// `warn!("...")`: like `eprintln!`, but a closed stderr is ignored.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::report::warn(format_args!($($arg)*)) };
}
