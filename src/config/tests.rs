use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn with_file(text: &str) -> Result<Config, ConfigError> {
    resolve(Some(FileInput { path: Path::new("/c/config.toml"), text }), &no_env, &Flags::default())
}

fn err(text: &str) -> String {
    with_file(text).unwrap_err().to_string()
}

#[test]
fn shipped_file_is_exactly_the_defaults() {
    assert_eq!(resolve(None, &no_env, &Flags::default()).unwrap(), Config::default());
    assert_eq!(with_file("").unwrap(), Config::default());
}

#[test]
fn layers_apply_in_order() {
    let c = with_file("refresh_ms = 2000\n[kill]\ngrace_secs = 9\n").unwrap();
    assert_eq!((c.refresh_ms, c.kill.grace_secs), (2000, 9));
    assert_eq!(c.kill.protect, Config::default().kill.protect, "nested tables merge key by key");
    let c = with_file("[keys]\nquit = [\"Q\"]\n").unwrap();
    assert_eq!(c.keys["quit"], ["Q"]);
    assert_eq!(c.keys["down"], Config::default().keys["down"], "[keys] merges key by key");
    let flags = Flags { refresh_ms: Some(500), read_only: true, ..Flags::default() };
    let env = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
    let text = "refresh_ms = 2000\nmemory = \"pss\"\n";
    let c = resolve(Some(FileInput { path: Path::new("x"), text }), &env, &flags).unwrap();
    assert_eq!((c.refresh_ms, c.read_only, c.theme, c.memory), (500, true, Theme::Mono, MemoryMode::Pss));
    let flags = Flags { memory: Some(MemoryMode::Rss), ..Flags::default() };
    let c = resolve(Some(FileInput { path: Path::new("x"), text }), &env, &flags).unwrap();
    assert_eq!(c.memory, MemoryMode::Rss, "--memory wins over the file");
    assert_eq!(
        err("memory = \"uss\"\n"),
        "/c/config.toml:1:10: memory: unknown variant `uss`, expected `rss` or `pss`"
    );
}

#[test]
fn unknown_key_names_file_line_and_key() {
    assert_eq!(
        err("refresh_ms = 2000\n\nrefresh_msec = 3\n"),
        "/c/config.toml:3:1: refresh_msec: unknown field `refresh_msec`, expected one of `refresh_ms`, `theme`, `tree_guides`, `columns`, `highlight_refreshes`, \
         `read_only`, `sort`, `memory`, `source`, `subreapers`, `agents`, `vibe_kanban_dirs`, `kill`, `layout`, `keys`, \
         `hosts`, `ssh_command`, `remote_command`"
    );
    assert_eq!(
        err("[kill]\ngrace = 3\n"),
        "/c/config.toml:2:1: kill.grace: unknown field `grace`, expected `grace_secs` or `protect`"
    );
}

#[test]
fn hosts_and_ssh_commands_are_checked_at_their_line() {
    let c = with_file("hosts = [\"build1\", \"me@gpu:2222\"]\nremote_command = \"./swarmtop\"\n").unwrap();
    assert_eq!((c.hosts.len(), c.remote_command.as_str()), (2, "./swarmtop"));
    assert_eq!(
        err("refresh_ms = 2000\nhosts = [\"ok\", \"-oProxyCommand=x\"]\n"),
        "/c/config.toml:2:16: hosts[1]: invalid host \"-oProxyCommand=x\": a host cannot start with '-' \
         (expected [user@]HOST[:PORT])"
    );
    assert!(err("ssh_command = \"ssh -F 'unclosed\"\n").starts_with("/c/config.toml:1:1: ssh_command: "));
    assert!(err("remote_command = \"\"\n").contains("remote_command: it must be one line"));
    let flags = Flags { hosts: vec!["a b".into()], ..Flags::default() };
    let e = resolve(None, &no_env, &flags).unwrap_err().to_string();
    assert!(e.starts_with("--host: invalid host"), "{e}");
    let flags = Flags { hosts: vec!["b1".into()], ssh_command: Some("ssh -p 22".into()), ..Flags::default() };
    let c = resolve(
        Some(FileInput { path: Path::new("x"), text: "hosts = [\"b1\", \"b2\"]\n" }),
        &no_env,
        &flags,
    );
    assert_eq!(c.map(|c| (c.hosts, c.ssh_command)), Ok((vec!["b1".into(), "b2".into()], "ssh -p 22".into())));
}

#[test]
fn type_errors_name_file_line_column_and_key() {
    assert_eq!(
        err("theme = \"mono\"\n[kill]\ngrace_secs = \"five\"\n"),
        "/c/config.toml:3:14: kill.grace_secs: invalid type: string \"five\", expected a non-negative integer"
    );
    assert_eq!(
        err("[kill]\ngrace_secs = -1\n"),
        "/c/config.toml:2:14: kill.grace_secs: invalid value: integer `-1`, expected a non-negative integer"
    );
    assert_eq!(err("kill = 3\n"), "/c/config.toml:1:8: kill: invalid type: integer `3`, expected a table");
    assert_eq!(
        err("[keys]\nquit = [\"q\", 1]\n"),
        "/c/config.toml:2:14: keys.quit[1]: invalid type: integer `1`, expected a string"
    );
    assert_eq!(
        err("read_only = 1\n"),
        "/c/config.toml:1:13: read_only: invalid type: integer `1`, expected a boolean"
    );
    assert!(err("theme = \"neon\"\n").starts_with("/c/config.toml:1:9: theme: unknown variant `neon`"));
    assert!(err("sort = 3\n").starts_with("/c/config.toml:1:8: sort: "));
    assert!(err("source = \"x\"\n").starts_with("/c/config.toml:1:10: source: unknown variant `x`"));
    assert!(
        err("[[layout]]\npath = \"/srv/{project}/{task}\"\nname = 1\n")
            .starts_with("/c/config.toml:3:1: layout[0].name: ")
    );
}

#[test]
fn syntax_errors_name_line_and_column() {
    assert!(err("theme = \"mono\"\nrefresh_ms = = 3\n").starts_with("/c/config.toml:2:14: "));
    assert_eq!(err("refresh_ms = 1\nrefresh_ms = 2\n"), "/c/config.toml:2:1: refresh_ms: duplicate key");
    assert_eq!(
        err("[kill]\ngrace_secs = 1\ngrace_secs = 2\n"),
        "/c/config.toml:3:1: kill.grace_secs: duplicate key"
    );
    let deep = format!("agents = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(err(&deep).starts_with("/c/config.toml:1:"), "deep nesting is an error, not a stack overflow");
    let deep = format!("[keys]\nquit = {}1{}\n", "{a=".repeat(100_000), "}".repeat(100_000));
    assert!(err(&deep).starts_with("/c/config.toml:2:"));
    let dotted = format!("{} = 1\n", vec!["k"; 100_000].join("."));
    assert!(err(&dotted).starts_with("/c/config.toml:1:"));
}

#[test]
fn layouts_are_checked_at_their_line() {
    let c = with_file("[[layout]]\npath = \"/srv/{project}/{task}\"\n").unwrap();
    assert_eq!(c.layout, [LayoutConfig { path: "/srv/{project}/{task}".into() }]);
    let e = err("[[layout]]\npath = \"/srv/{project}/{task}\"\n[[layout]]\n\npath = \"/srv/{project}\"\n");
    assert!(e.starts_with("/c/config.toml:5:1: layout[1].path: "), "{e}");
    assert!(err("[[layout]]\n").starts_with("/c/config.toml:1:"));
}

#[test]
fn durations_are_bounded_at_the_edge() {
    assert_eq!(
        err("\n[kill]\ngrace_secs = 9223372036854775807\n"),
        "/c/config.toml:3:1: kill.grace_secs: 9223372036854775807 s is more than 86400 (a day)"
    );
    assert_eq!(with_file("[kill]\ngrace_secs = 86400\n").unwrap().kill.grace_secs, MAX_GRACE_SECS);
    assert_eq!(with_file("[kill]\ngrace_secs = 0\n").unwrap().kill.grace_secs, 0);
    assert_eq!(
        err("refresh_ms = 5\n"),
        "/c/config.toml:1:1: refresh_ms: 5 ms is outside 100..=3600000 (100 ms to an hour)"
    );
    assert!(err("refresh_ms = 3600001\n").contains("outside"));
    assert_eq!(with_file("refresh_ms = 3600000\n").unwrap().refresh_ms, MAX_REFRESH_MS);
    let flags = Flags { refresh_ms: Some(10), ..Flags::default() };
    let e = resolve(None, &no_env, &flags).unwrap_err();
    assert_eq!(e.to_string(), "--refresh: 10 ms is outside 100..=3600000 (100 ms to an hour)");
    // A bad value in the file is an error even when a flag overrides it.
    let e = resolve(
        Some(FileInput { path: Path::new("c"), text: "refresh_ms = 1\n" }),
        &no_env,
        &Flags { refresh_ms: Some(1000), ..Flags::default() },
    );
    assert!(e.is_err());
}

#[test]
fn key_bindings_are_checked_when_the_config_loads() {
    assert_eq!(err("[keys]\nquit = []\n"), "/c/config.toml:2:1: keys.quit: quit needs at least one key");
    assert_eq!(err("[keys]\nhelp = []\n"), "/c/config.toml:2:1: keys.help: help needs at least one key");
    assert!(with_file("[keys]\nkill = []\n").is_ok(), "other commands may be unbound");
    assert!(
        err("[keys]\nfly = [\"f\"]\n")
            .starts_with("/c/config.toml:2:1: keys.fly: unknown command (known: up, ")
    );
    assert_eq!(
        err("[keys]\nquit = [\"q\", \"hyper-x\"]\n"),
        "/c/config.toml:2:14: keys.quit[1]: cannot parse key \"hyper-x\""
    );
    // Both in the file: at the later one.
    assert_eq!(
        err("[keys]\ndown = [\"ctrl-y\"]\nup = [\"ctrl-y\"]\n"),
        "/c/config.toml:3:7: keys.up[0]: key \"ctrl-y\" is bound to both down and up"
    );
    // One side is a default binding: at the user's.
    assert_eq!(
        err("[keys]\n\ndown = [\"q\"]\n"),
        "/c/config.toml:3:1: keys.down: key \"q\" is bound to both down and quit"
    );
}

#[test]
fn hostile_shapes_name_their_key() {
    for (text, expected) in [
        ("[[keys]]\n", "1:1: keys: invalid type: array, expected a table"),
        ("[layout]\npath = \"x\"\n", "1:1: layout: invalid type: table, expected an array"),
        ("layout = [1]\n", "1:11: layout[0]: invalid type: integer `1`, expected a table"),
        ("[[layout]]\n", "1:1: layout: missing field `path`"),
        ("kill.grace_secs = 1\n[kill]\n", "2:2: kill: duplicate key"),
        ("theme = {}\n", "1:9: theme: expected a string"),
        ("[keys]\n\"\" = []\n", "2:1: keys.\"\": unknown command"),
        ("[keys]\n\"\\u001b[2J\" = []\n", "2:1: keys.\"\\u{1b}[2J\": unknown command"),
        ("keys.quit.x = 1\n", "1:6: keys.quit: invalid type: table, expected an array"),
        ("refresh_ms = 99999999999999999999\n", "1:14: refresh_ms: invalid type: integer"),
    ] {
        let e = err(text);
        assert!(e.starts_with(&format!("/c/config.toml:{expected}")), "{text:?}: {e}");
        assert!(!e.contains('\x1b'), "{e:?}");
    }
}

#[test]
fn deep_long_keys_with_many_leaves_stay_cheap() {
    // Under a 400 KB table path, 60,000 keys: paths copied per key would need 24 GB.
    let segment = "k".repeat(10_000);
    let header = vec![segment.as_str(); 40].join(".");
    let leaves: String = (0..60_000).map(|i| format!("a{i}=1\n")).collect();
    let text = format!("[{header}]\n{leaves}");
    let started = std::time::Instant::now();
    let e = err(&text);
    assert!(e.starts_with("/c/config.toml:1:2: kkkk"), "{}", &e[..80.min(e.len())]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(e.chars().count() < 1300, "long keys are clipped: {} chars", e.chars().count());
}

#[test]
fn columns_are_known_names_each_listed_once() {
    let c = with_file("columns = [\"user\", \"pid\", \"ni\"]\n").unwrap();
    assert_eq!(c.columns, [Column::User, Column::Pid, Column::Ni]);
    assert_eq!(with_file("columns = []\n").unwrap().columns, [], "NAME alone");
    assert_eq!(
        err("\ncolumns = [\"pid\", \"cpu\", \"pid\"]\n"),
        "/c/config.toml:2:26: columns[2]: a column is listed twice"
    );
    let unknown = err("columns = [\"pid\", \"ports!\"]\n");
    assert!(unknown.starts_with("/c/config.toml:1:19: columns[1]: unknown variant `ports!`"), "{unknown}");
}

#[test]
fn highlights_last_at_most_a_minute_of_refreshes() {
    assert_eq!(with_file("highlight_refreshes = 0\n").unwrap().highlight_refreshes, 0);
    assert_eq!(
        err("highlight_refreshes = 61\n"),
        "/c/config.toml:1:1: highlight_refreshes: 61 is more than 60 refreshes"
    );
}
