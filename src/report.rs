//! Messages to stderr that never panic: after an ssh drop the terminal is gone and
//! `eprintln!` would panic, possibly inside a Drop, aborting before cleanup ran.

use std::io::Write;

use crate::model::text::sanitize;

pub fn warn(message: std::fmt::Arguments<'_>) {
    let line = warning_line(message);
    // Nowhere left to report a failed report.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// What `warn` writes: the message with its control and invisible characters escaped
/// (messages carry file names and process names, which can hold escape sequences),
/// then a newline.
pub fn warning_line(message: std::fmt::Arguments<'_>) -> String {
    let text = message.to_string();
    let mut line = sanitize(&text).into_owned();
    line.push('\n');
    line
}

/// `warn!("...")`: like `eprintln!`, but a closed stderr is ignored and the text is sanitized.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::report::warn(format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_escape_what_would_drive_the_terminal() {
        let name = "/tmp/\x1b]0;owned\x07\x1b[2J\u{202e}gol.json";
        let line = warning_line(format_args!("swarmtop: {name}: skipped"));
        assert_eq!(line, "swarmtop: /tmp/\\e]0;owned\\x07\\e[2J\\u{202e}gol.json: skipped\n");
        assert!(!line.trim_end_matches('\n').chars().any(char::is_control));
        assert_eq!(warning_line(format_args!("plain {}", 1)), "plain 1\n");
    }
}
