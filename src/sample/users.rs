//! uid → user name, from `/etc/passwd` (read once; unknown uids print as numbers).

use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct UserNames {
    names: HashMap<u32, Arc<str>>,
}

impl UserNames {
    pub fn load() -> UserNames {
        match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => UserNames::parse(&text),
            Err(_) => UserNames::default(),
        }
    }

    pub fn parse(passwd: &str) -> UserNames {
        let names = passwd
            .lines()
            .filter_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                let uid = fields.nth(1)?.parse().ok()?;
                Some((uid, Arc::from(name)))
            })
            .collect();
        UserNames { names }
    }

    pub fn name(&self, uid: u32) -> Arc<str> {
        self.names.get(&uid).cloned().unwrap_or_else(|| Arc::from(uid.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_map_uids_to_names() {
        let u =
            UserNames::parse("root:x:0:0:root:/root:/bin/bash\ndev:x:1000:1000::/home/dev:/bin/sh\nbroken\n");
        assert_eq!(&*u.name(0), "root");
        assert_eq!(&*u.name(1000), "dev");
        assert_eq!(&*u.name(4242), "4242");
    }
}
