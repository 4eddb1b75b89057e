//! Reading the config file without trusting what the path names: a FIFO must not
//! hang swarmtop, `/dev/zero` or a huge file must not fill its memory.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::ConfigError;
use super::locate::line_col;

/// The largest config file read; the shipped one is about 3 KiB.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The file's text; `Ok(None)` when it does not exist and `required` is false.
pub fn read_config_file(path: &Path, required: bool) -> Result<Option<String>, ConfigError> {
    let file_err = |message: String| ConfigError::File { file: path.display().to_string(), message };
    // O_NONBLOCK: opening a FIFO for reading waits for a writer otherwise.
    let file = match OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => return Err(file_err(format!("cannot open: {e}"))),
    };
    let meta = file.metadata().map_err(|e| file_err(format!("cannot stat: {e}")))?;
    let kind = meta.file_type();
    let not_regular = if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_dir() {
        Some("a directory")
    } else if kind.is_socket() {
        Some("a socket")
    } else if !kind.is_file() {
        Some("not a file")
    } else {
        None
    };
    if let Some(what) = not_regular {
        return Err(file_err(format!("is {what}, not a regular file")));
    }
    let bytes = read_capped(file).map_err(|e| file_err(format!("cannot read: {e}")))?;
    let Some(bytes) = bytes else {
        return Err(file_err(format!("is larger than {MAX_CONFIG_BYTES} bytes")));
    };
    decode(path, bytes).map(Some)
}

/// Reads at most `MAX_CONFIG_BYTES`; `None` when there is more (the size in fstat can lie,
/// e.g. for files in /proc, so the read itself is capped).
fn read_capped(file: File) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_CONFIG_BYTES).then_some(bytes))
}

/// The bytes as text, or an error at the line of the first byte that is not UTF-8.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ConfigError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix up to `valid` is UTF-8 by definition of valid_up_to.
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let (line, column) = line_col(prefix, prefix.len());
        ConfigError::At {
            file: path.display().to_string(),
            line,
            column: Some(column),
            key: None,
            message: format!("not valid UTF-8 (byte {valid})"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(path: &Path) -> String {
        read_config_file(path, true).unwrap_err().to_string()
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.toml");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
        // With no writer, a blocking open would never return.
        let e = err(&fifo);
        assert!(
            e.contains(&fifo.display().to_string()) && e.contains("is a FIFO, not a regular file"),
            "{e}"
        );
        assert!(read_config_file(&fifo, false).is_err(), "the default path too");
    }

    #[test]
    fn devices_directories_and_symlinks_to_them_are_refused() {
        assert!(err(Path::new("/dev/zero")).contains("is a character device, not a regular file"));
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(err(&link).contains("character device"));
        assert!(err(dir.path()).contains("is a directory"));
    }

    #[test]
    fn a_huge_file_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("config.toml");
        let f = File::create(&big).unwrap();
        f.set_len(1 << 40).unwrap(); // sparse: a TiB that takes no room
        let e = err(&big);
        assert!(e.contains("larger than 1048576 bytes"), "{e}");
        std::fs::write(&big, "#".repeat(MAX_CONFIG_BYTES as usize)).unwrap();
        assert!(read_config_file(&big, true).unwrap().is_some(), "exactly the cap is fine");
    }

    #[test]
    fn missing_files_and_bad_utf8() {
        assert_eq!(read_config_file(Path::new("/nonexistent/c.toml"), false), Ok(None));
        assert!(err(Path::new("/nonexistent/c.toml")).starts_with("/nonexistent/c.toml: cannot open"));
        let e = decode(Path::new("/c.toml"), b"a = 1\nb = \"\xff\"\n".to_vec()).unwrap_err();
        assert_eq!(e.to_string(), "/c.toml:2:6: not valid UTF-8 (byte 11)");
    }
}
