use std::cell::Cell;
use std::time::{Duration, SystemTime};

use super::*;

fn touch_later(path: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(secs)).unwrap();
}

/// Parses one number per file, counting the parses.
fn counting(reads: &Cell<usize>) -> impl FnMut(&Path, &str, &mut Vec<String>) -> Vec<u32> + '_ {
    move |path, text, problems| {
        reads.set(reads.get() + 1);
        json::<u32>(path, text, problems).into_iter().collect()
    }
}

#[test]
fn an_unchanged_file_is_not_read_again_and_hands_out_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("n.json");
    std::fs::write(&path, "7").unwrap();
    let reads = Cell::new(0);
    let mut file = WatchedFile::new(Some(path.clone()));
    let mut warnings = Vec::new();
    let first = file.refresh(counting(&reads), &mut warnings);
    let second = file.refresh(counting(&reads), &mut warnings);
    assert_eq!((first.to_vec(), reads.get()), (vec![7], 1));
    assert!(Shared::ptr_eq(&first, &second));
    touch_later(&path, 5);
    assert_eq!(*file.refresh(counting(&reads), &mut warnings), [7]);
    assert_eq!(reads.get(), 2, "a touched file is read again");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_file_replaced_with_the_same_mtime_and_size_is_read_again() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("n.json");
    std::fs::write(&path, "1").unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let reads = Cell::new(0);
    let mut file = WatchedFile::new(Some(path.clone()));
    let mut warnings = Vec::new();
    assert_eq!(*file.refresh(counting(&reads), &mut warnings), [1]);
    let new = tmp.path().join("n.json.tmp");
    std::fs::write(&new, "2").unwrap();
    std::fs::File::options().write(true).open(&new).unwrap().set_modified(mtime).unwrap();
    // Keep the old inode alive so the new file cannot reuse its number.
    let _old = std::fs::File::open(&path).unwrap();
    std::fs::rename(&new, &path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    assert_eq!(*file.refresh(counting(&reads), &mut warnings), [2], "a new inode is a new file");
    assert_eq!(reads.get(), 2);
}

#[test]
fn bad_content_is_told_once_and_again_only_when_it_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("n.json");
    std::fs::write(&path, "{bad").unwrap();
    let reads = Cell::new(0);
    let mut file = WatchedFile::new(Some(path.clone()));
    let mut warnings = Vec::new();
    assert!(file.refresh(counting(&reads), &mut warnings).is_empty());
    assert!(warnings.len() == 1 && warnings[0].contains("n.json"), "{warnings:?}");
    file.refresh(counting(&reads), &mut warnings);
    assert_eq!(warnings.len(), 1, "the same bad content is not told again: {warnings:?}");
    std::fs::write(&path, "{bad").unwrap();
    touch_later(&path, 5);
    file.refresh(counting(&reads), &mut warnings);
    assert_eq!(warnings.len(), 2, "a changed file that is still bad is told again: {warnings:?}");
    std::fs::write(&path, "3").unwrap();
    touch_later(&path, 10);
    assert_eq!(*file.refresh(counting(&reads), &mut warnings), [3]);
    assert_eq!(warnings.len(), 2);
}

#[test]
fn a_fifo_is_refused_without_hanging_and_told_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let fifo = dir.join("1.json");
        rustix::fs::mknodat(rustix::fs::CWD, &fifo, rustix::fs::FileType::Fifo, 0o600.into(), 0).unwrap();
        std::fs::write(dir.join("2.json"), "2").unwrap();
        let reads = Cell::new(0);
        let mut watched = WatchedDir::new(Some(dir), json_files);
        let mut warnings = Vec::new();
        let first = watched.refresh(counting(&reads), &mut warnings);
        let second = watched.refresh(counting(&reads), &mut warnings);
        let _ = tx.send((first.to_vec(), Shared::ptr_eq(&first, &second), warnings, reads.get()));
    });
    let (rows, same, warnings, reads) =
        rx.recv_timeout(Duration::from_secs(10)).expect("the FIFO hung the read");
    assert_eq!(rows, [2]);
    assert!(same, "an unchanged directory hands out the same rows");
    assert!(
        warnings.len() == 1 && warnings[0].contains("1.json") && warnings[0].contains("FIFO"),
        "{warnings:?}"
    );
    assert_eq!(reads, 1, "the FIFO is never parsed, the good file once");
}

#[test]
fn a_directory_re_reads_only_the_file_that_changed() {
    let tmp = tempfile::tempdir().unwrap();
    for n in 1..=3 {
        std::fs::write(tmp.path().join(format!("{n}.json")), n.to_string()).unwrap();
    }
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let reads = Cell::new(0);
    let mut watched =
        WatchedDir::new(Some(tmp.path().to_path_buf()), json_files).sorted_by(|a: &u32, b: &u32| b.cmp(a));
    let mut warnings = Vec::new();
    assert_eq!(*watched.refresh(counting(&reads), &mut warnings), [3, 2, 1]);
    touch_later(&tmp.path().join("2.json"), 5);
    std::fs::remove_file(tmp.path().join("3.json")).unwrap();
    assert_eq!(*watched.refresh(counting(&reads), &mut warnings), [2, 1]);
    assert_eq!(reads.get(), 4);
}

#[test]
fn a_source_asking_to_retry_is_read_again_but_tells_its_problem_once() {
    let mut w: Watched<u32, u8> = Watched::default();
    let mut warnings = Vec::new();
    let locked = || Read { rows: None, problems: vec!["locked".to_string()], retry: true };
    let reads = Cell::new(0);
    for _ in 0..3 {
        w.refresh(
            Some(1),
            || {
                reads.set(reads.get() + 1);
                locked()
            },
            &mut warnings,
        );
    }
    assert_eq!((reads.get(), warnings.len()), (3, 1));
    assert_eq!(*w.refresh(Some(1), || Read::rows(vec![5], Vec::new()), &mut warnings), [5]);
    assert!(w.refresh(None, || unreachable!(), &mut warnings).is_empty(), "a file gone has no rows");
}

#[test]
fn joined_parts_are_rebuilt_only_when_a_part_changes() {
    let (a, b) = (Shared::from(vec![1]), Shared::from(vec![2]));
    let mut j = Joined::default();
    let first = j.join(vec![a.clone(), b.clone()]);
    assert_eq!(*first, [1, 2]);
    assert!(Shared::ptr_eq(&first, &j.join(vec![a.clone(), b])));
    assert_eq!(*j.join(vec![a, Shared::from(vec![2])]), [1, 2]);
    assert!(!Shared::ptr_eq(&first, &j.join(vec![Shared::default()])));
}
