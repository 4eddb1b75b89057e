//! Paths in serialised data, exact whatever their bytes: a UTF-8 path as a string, any
//! other as `{"bytes": [...]}` (serde's own `Path` refuses paths that are not UTF-8).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Repr<'a> {
    Text(std::borrow::Cow<'a, str>),
    Bytes { bytes: Vec<u8> },
}

fn repr(path: &Path) -> Repr<'_> {
    match path.to_str() {
        Some(text) => Repr::Text(text.into()),
        None => Repr::Bytes { bytes: path.as_os_str().as_bytes().to_vec() },
    }
}

fn path_of(r: Repr<'_>) -> PathBuf {
    match r {
        Repr::Text(text) => PathBuf::from(text.into_owned()),
        Repr::Bytes { bytes } => PathBuf::from(OsStr::from_bytes(&bytes)),
    }
}

pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    repr(path).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    Repr::deserialize(d).map(path_of)
}

/// For `Option<Arc<Path>>` (a process's cwd).
pub mod option_arc {
    use super::*;

    pub fn serialize<S: Serializer>(path: &Option<Arc<Path>>, s: S) -> Result<S::Ok, S::Error> {
        path.as_deref().map(repr).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<Path>>, D::Error> {
        Ok(Option::<Repr<'_>>::deserialize(d)?.map(|r| Arc::from(path_of(r))))
    }
}

/// For `Vec<(T, PathBuf)>` where T serialises itself (a plan's attempts).
pub mod pairs {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Pair<T>(T, #[serde(with = "super")] PathBuf);

    pub fn serialize<S: Serializer, T: Serialize + Clone>(
        v: &[(T, PathBuf)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|(t, p)| Pair(t.clone(), p.clone())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Vec<(T, PathBuf)>, D::Error> {
        Ok(Vec::<Pair<T>>::deserialize(d)?.into_iter().map(|Pair(t, p)| (t, p)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        path: PathBuf,
        #[serde(with = "option_arc")]
        cwd: Option<Arc<Path>>,
    }

    #[test]
    fn paths_round_trip_whatever_their_bytes() {
        for raw in [&b"/plain/path"[..], b"/not\xffutf8", b""] {
            let h = Holder {
                path: PathBuf::from(OsStr::from_bytes(raw)),
                cwd: Some(Arc::from(Path::new(OsStr::from_bytes(raw)))),
            };
            let text = serde_json::to_string(&h).unwrap();
            assert_eq!(serde_json::from_str::<Holder>(&text).unwrap(), h, "{text}");
        }
        let text = serde_json::to_string(&Holder { path: "/a".into(), cwd: None }).unwrap();
        assert_eq!(text, r#"{"path":"/a","cwd":null}"#);
    }
}
