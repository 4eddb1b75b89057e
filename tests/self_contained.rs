//! The repository explains itself: no file points at documents it does not contain,
//! and every relative link in its Markdown files names a file that exists.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file of the checkout except build output and git's own.
fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn nothing_refers_to_documents_outside_the_repository() {
    // Spelled in pieces so that this file does not match itself.
    let outside = [["DESIGN", ".md"].concat(), ["NOTES", ".md"].concat(), ["../", "shared"].concat()];
    let mut found = Vec::new();
    for file in files() {
        let Ok(text) = std::fs::read_to_string(&file) else { continue }; // binary files
        for (n, line) in text.lines().enumerate() {
            if outside.iter().any(|o| line.contains(o.as_str())) {
                found.push(format!(
                    "{}:{}: {line}",
                    file.strip_prefix(root()).unwrap_or(&file).display(),
                    n + 1
                ));
            }
        }
    }
    assert!(found.is_empty(), "references to documents the repository does not have:\n{}", found.join("\n"));
}

/// The targets of `[text](target)` links in Markdown.
fn links(text: &str) -> Vec<&str> {
    text.match_indices("](")
        .filter_map(|(i, _)| {
            let rest = &text[i + 2..];
            rest.find(')').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn relative_markdown_links_name_existing_files() {
    let mut broken = Vec::new();
    for file in files().into_iter().filter(|f| f.extension().is_some_and(|e| e == "md")) {
        let text = std::fs::read_to_string(&file).expect("Markdown is text");
        for link in links(&text) {
            let target = link.split('#').next().unwrap_or_default();
            if target.is_empty() || target.contains("://") {
                continue;
            }
            let dir = file.parent().expect("a file has a directory");
            if !dir.join(target).exists() {
                broken.push(format!("{}: {link}", file.strip_prefix(root()).unwrap_or(&file).display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to files that do not exist:\n{}", broken.join("\n"));
}

#[test]
fn links_are_found() {
    assert_eq!(links("see [a](docs/a.md#x) and ![b](s/b.svg)."), vec!["docs/a.md#x", "s/b.svg"]);
}
