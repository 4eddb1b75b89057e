//! uid → user name through the system's user database (`getpwuid_r`), so users that
//! come from LDAP or SSSD show by name too. Each uid is asked once and cached. A uid
//! the database does not know shows as its number; that is cached too and asked again
//! at most every [`RETRY_UNKNOWN`], since a directory that was unreachable may answer
//! later and an account may be created while swarmtop runs.

use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::model::argv::escape_bytes;

/// How long a uid without a name shows as its number before it is asked again.
pub const RETRY_UNKNOWN: Duration = Duration::from_secs(60);

/// The buffer `getpwuid_r` fills starts at this size and doubles on `ERANGE` up to
/// [`MAX_BUFFER`]; an entry that needs more is treated as not found.
const FIRST_BUFFER: usize = 1024;
const MAX_BUFFER: usize = 1 << 20;

#[derive(Debug, Clone)]
enum Entry {
    Known(Arc<str>),
    Unknown { shown: Arc<str>, asked: Instant },
}

#[derive(Debug, Clone)]
pub struct UserNames {
    names: HashMap<u32, Entry>,
    lookup: fn(u32) -> Option<String>,
    retry: Duration,
}

impl Default for UserNames {
    fn default() -> UserNames {
        UserNames { names: HashMap::new(), lookup: getpwuid, retry: RETRY_UNKNOWN }
    }
}

impl UserNames {
    /// Names from the system's user database, asked as uids are met.
    pub fn load() -> UserNames {
        UserNames::default()
    }

    /// The name of `uid`, or its number when the database does not know it.
    pub fn name(&mut self, uid: u32) -> Arc<str> {
        match self.names.get(&uid) {
            Some(Entry::Known(name)) => return Arc::clone(name),
            Some(Entry::Unknown { shown, asked }) if asked.elapsed() < self.retry => {
                return Arc::clone(shown);
            }
            _ => {}
        }
        let entry = match (self.lookup)(uid) {
            Some(name) => Entry::Known(Arc::from(name)),
            None => Entry::Unknown { shown: Arc::from(uid.to_string()), asked: Instant::now() },
        };
        let (Entry::Known(name) | Entry::Unknown { shown: name, .. }) = &entry;
        let name = Arc::clone(name);
        self.names.insert(uid, entry);
        name
    }
}

/// The login name of `uid`, escaped like a process name (a directory may hold any bytes).
fn getpwuid(uid: u32) -> Option<String> {
    let mut buf: Vec<libc::c_char> = vec![0; FIRST_BUFFER];
    loop {
        // SAFETY: `passwd` is plain data (integers and pointers); all zeroes is a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call: `pwd` and `found` are live locals, and
        // `buf` is writable for exactly `buf.len()` bytes, the length passed. getpwuid_r writes
        // the entry's strings into `buf` only, and says ERANGE (writing nothing we read) when
        // they do not fit; then `buf` grows by doubling up to MAX_BUFFER and the call is repeated
        // with fresh locals. `found` is non-null only on success, pointing at `pwd`.
        let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc == libc::ERANGE && buf.len() < MAX_BUFFER {
            let grown = buf.len() * 2;
            buf.resize(grown, 0);
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success `pw_name` points at a NUL-terminated string inside `buf`, which
        // is alive and not touched until the name is copied out here.
        return shown(unsafe { CStr::from_ptr(pwd.pw_name) });
    }
}

fn shown(name: &CStr) -> Option<String> {
    (!name.is_empty()).then(|| escape_bytes(name.to_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn root_is_root_and_an_unknown_uid_shows_as_its_number() {
        let mut u = UserNames::load();
        assert_eq!(&*u.name(0), "root");
        assert_eq!(&*u.name(4_000_000_123), "4000000123");
        assert!(Arc::ptr_eq(&u.name(0), &u.name(0)), "a known uid is cached");
    }

    static ASKED: AtomicUsize = AtomicUsize::new(0);

    fn nobody_known(_: u32) -> Option<String> {
        ASKED.fetch_add(1, Ordering::SeqCst);
        None
    }

    #[test]
    fn an_unknown_uid_is_asked_again_only_after_the_retry_interval() {
        let mut u = UserNames { lookup: nobody_known, ..UserNames::default() };
        assert_eq!(&*u.name(77), "77");
        assert_eq!(&*u.name(77), "77");
        assert_eq!(ASKED.load(Ordering::SeqCst), 1, "cached within the interval");
        u.retry = Duration::ZERO;
        assert_eq!(&*u.name(77), "77");
        assert_eq!(ASKED.load(Ordering::SeqCst), 2, "asked again once it passed");
    }

    #[test]
    fn a_name_that_is_not_utf8_keeps_its_bytes_escaped() {
        assert_eq!(shown(c"ev\xffil").as_deref(), Some("ev\\xffil"));
        assert_eq!(shown(c""), None);
    }
}
