use std::time::{Duration, Instant};

use super::*;

fn mkfifo(path: &Path) {
    rustix::fs::mknodat(rustix::fs::CWD, path, FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
}

#[test]
fn regular_files_are_read_up_to_their_limit() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("HEAD");
    std::fs::write(&f, "ref: refs/heads/main\n").unwrap();
    assert_eq!(read_text(&f, GIT_FILE_LIMIT, Links::Refuse).unwrap(), "ref: refs/heads/main\n");
    assert!(matches!(read(&f, 4, Links::Follow), Err(ReadError::TooLarge { limit: 4 })));
    assert!(matches!(read(&dir.path().join("none"), 4, Links::Follow), Err(ReadError::Missing)));
    std::fs::write(&f, b"\xff\xfe").unwrap();
    assert!(matches!(read_text(&f, 4, Links::Follow), Err(ReadError::NotUtf8)));
}

#[test]
fn fifos_devices_directories_and_huge_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let zero = dir.path().join("zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let huge = dir.path().join("huge");
    std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    let started = Instant::now();
    for links in [Links::Follow, Links::Refuse] {
        assert!(matches!(read(&fifo, GIT_FILE_LIMIT, links), Err(ReadError::NotRegular("FIFO"))));
        assert!(matches!(read(dir.path(), GIT_FILE_LIMIT, links), Err(ReadError::NotRegular("directory"))));
        assert!(matches!(read(&huge, STATE_FILE_LIMIT, links), Err(ReadError::TooLarge { .. })));
    }
    assert!(matches!(
        read(&zero, GIT_FILE_LIMIT, Links::Follow),
        Err(ReadError::NotRegular("character device"))
    ));
    assert!(matches!(read(&zero, GIT_FILE_LIMIT, Links::Refuse), Err(ReadError::Symlink)));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_symlink_to_a_regular_file_is_followed_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, "x").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(read(&link, 4, Links::Follow).unwrap(), b"x");
    assert!(matches!(read(&link, 4, Links::Refuse), Err(ReadError::Symlink)));
}
