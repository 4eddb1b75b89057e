use proptest::prelude::*;

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

/// Parses bytes the way the CLI does: decode, then resolve.
fn load(bytes: Vec<u8>) -> Result<Config, ConfigError> {
    let path = Path::new("/c/config.toml");
    let text = decode(path, bytes)?;
    resolve(Some(FileInput { path, text: &text }), &no_env, &Flags::default())
}

/// Every error of a file names it and a line inside it.
fn placed(result: &Result<Config, ConfigError>, lines: usize) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => Ok(()),
        Err(ConfigError::At { file, line, .. }) => {
            prop_assert_eq!(file.as_str(), "/c/config.toml");
            prop_assert!(*line >= 1 && *line <= lines.max(1), "line {} of {}", line, lines);
            let text = result.as_ref().err().map(ToString::to_string).unwrap_or_default();
            prop_assert!(text.starts_with(&format!("/c/config.toml:{line}:")), "{}", text);
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("not placed: {other:?}"))),
    }
}

fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

/// TOML-ish lines: real keys and tables with values of every type, some broken.
fn tomlish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "refresh_ms",
        "theme",
        "read_only",
        "sort",
        "source",
        "subreapers",
        "agents",
        "vibe_kanban_dirs",
        "grace_secs",
        "protect",
        "path",
        "quit",
        "help",
        "up",
        "down",
        "kill",
        "fly",
        "kill.grace_secs",
        "keys.quit",
        "\"quoted key\"",
    ]);
    let value = prop::sample::select(vec![
        "0",
        "-1",
        "5",
        "99",
        "86400",
        "86401",
        "9223372036854775807",
        "99999999999999999999",
        "1.5",
        "nan",
        "inf",
        "true",
        "\"mono\"",
        "\"neon\"",
        "\"q\"",
        "[]",
        "[\"q\"]",
        "[\"j\", \"k\"]",
        "[\"ctrl-\"]",
        "[1]",
        "{}",
        "{ a = 1 }",
        "1979-05-27",
        "\"\\u0000\"",
        "'''x'''",
        "= =",
        "[",
        "\"unterminated",
    ]);
    let line = prop_oneof![
        (key.clone(), value).prop_map(|(k, v)| format!("{k} = {v}")),
        prop::sample::select(vec![
            "[kill]",
            "[keys]",
            "[[layout]]",
            "[layout]",
            "[theme]",
            "[[keys]]",
            "",
            "# c"
        ])
        .prop_map(str::to_string),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_are_placed(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let lines = line_count(&bytes);
        placed(&load(bytes), lines)?;
    }

    #[test]
    fn tomlish_text_never_panics_and_errors_are_placed(text in tomlish()) {
        let lines = line_count(text.as_bytes());
        let result = load(text.into_bytes());
        placed(&result, lines)?;
        if let Ok(c) = result {
            prop_assert!(c.kill.grace_secs <= MAX_GRACE_SECS);
            prop_assert!((MIN_REFRESH_MS..=MAX_REFRESH_MS).contains(&c.refresh_ms));
            prop_assert!(crate::tui::keymap::Keymap::from_config(&c.keys).is_ok());
        }
    }

    /// Type and value errors (not syntax errors) also name the key.
    #[test]
    fn value_errors_name_their_key(key in prop::sample::select(vec!["refresh_ms", "read_only", "theme", "sort"]),
                                   value in prop::sample::select(vec!["\"x\"", "7", "[]", "{}", "true"]),
                                   blank in 0usize..4) {
        let text = format!("{}{key} = {value}\n", "\n".repeat(blank));
        if let Err(e) = load(text.into_bytes()) {
            let line = blank + 1;
            prop_assert!(e.to_string().starts_with(&format!("/c/config.toml:{line}:")), "{}", e);
            prop_assert!(e.to_string().contains(&format!(" {key}: ")), "{}", e);
        }
    }
}
