use super::*;
use crate::config::Config;

fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn defaults_bind_vim_and_arrow_keys() {
    let km = Keymap::from_config(&Config::default().keys).unwrap();
    assert_eq!(km.command_for(&ev(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Command::Down));
    assert_eq!(km.command_for(&ev(KeyCode::Down, KeyModifiers::NONE)), Some(Command::Down));
    assert_eq!(km.command_for(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Command::Bottom));
    assert_eq!(km.command_for(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Command::Quit));
    assert_eq!(km.command_for(&ev(KeyCode::Char('c'), KeyModifiers::NONE)), Some(Command::TagBelow));
    assert_eq!(km.keys_label(Command::Quit), "q ^C");
}

#[test]
fn bad_bindings_are_reported() {
    let mut keys = Config::default().keys;
    keys.insert("fly".into(), vec!["f".into()]);
    assert!(matches!(Keymap::from_config(&keys), Err(KeymapError::UnknownAction { .. })));
    let mut keys = Config::default().keys;
    keys.insert("quit".into(), vec!["ctrl-".into()]);
    assert!(matches!(Keymap::from_config(&keys), Err(KeymapError::BadKey { .. })));
    let mut keys = Config::default().keys;
    keys.insert("quit".into(), vec!["j".into()]);
    let e = Keymap::from_config(&keys).unwrap_err();
    assert!(e.to_string().contains("\"j\" is bound to both"), "{e}");
}

#[test]
fn quit_and_help_cannot_be_left_without_a_key_but_others_can() {
    for action in ["quit", "help"] {
        let mut keys = Config::default().keys;
        keys.insert(action.into(), Vec::new());
        let e = Keymap::from_config(&keys).unwrap_err();
        assert_eq!(e, KeymapError::Unbound { action: action.into() });
        assert_eq!(e.to_string(), format!("keys.{action}: {action} needs at least one key"));
    }
    let mut keys = Config::default().keys;
    keys.insert("kill".into(), Vec::new());
    let km = Keymap::from_config(&keys).unwrap();
    assert_eq!(km.command_for(&ev(KeyCode::Char('x'), KeyModifiers::NONE)), None);
}

#[test]
fn key_names_parse() {
    assert_eq!(parse_key("f5").map(|k| k.code), Some(KeyCode::F(5)));
    assert_eq!(parse_key("alt-x"), Some(KeySpec { code: KeyCode::Char('x'), ctrl: false, alt: true }));
    assert_eq!(parse_key("f13"), None);
    assert_eq!(parse_key("hyper-x"), None);
}

fn plain(code: KeyCode) -> KeyEvent {
    ev(code, KeyModifiers::NONE)
}

#[test]
fn every_context_has_its_own_keys_from_the_table() {
    let km = Keymap::from_config(&Config::default().keys).unwrap();
    let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for context in [Context::Filter, Context::HelpModal, Context::KillConfirm, Context::KillRunning] {
        assert_eq!(km.command_in(context, &ctrl_c), Some(Command::Quit), "{context:?}");
    }
    assert_eq!(km.command_in(Context::Filter, &plain(KeyCode::Char('q'))), Some(Command::FilterType));
    assert_eq!(km.command_in(Context::Filter, &ev(KeyCode::Char('q'), KeyModifiers::ALT)), None);
    assert_eq!(km.command_in(Context::Filter, &plain(KeyCode::Enter)), Some(Command::FilterKeep));
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::Char('q'))), Some(Command::Close));
    assert_eq!(km.command_in(Context::KillConfirm, &plain(KeyCode::Char('n'))), Some(Command::Close));
    assert_eq!(km.command_in(Context::KillConfirm, &plain(KeyCode::BackTab)), Some(Command::FocusPrevious));
    assert_eq!(km.command_in(Context::KillRunning, &plain(KeyCode::Esc)), None, "a running kill stays");
    assert_eq!(km.command_in(Context::KillReport, &plain(KeyCode::Enter)), Some(Command::Close));
    assert_eq!(
        km.hints(Context::Filter, false),
        [("Enter".to_string(), "keep"), ("Esc".to_string(), "clear")]
    );
    let confirm: Vec<String> =
        km.hints(Context::KillConfirm, false).iter().map(|(k, l)| format!("{k} {l}")).collect();
    assert_eq!(confirm, ["←→ choose", "Enter confirm", "Esc cancel"]);
    assert_eq!(km.first_keys(Context::KillReport, &[Command::ScrollUp, Command::ScrollDown]), "↑↓");
}

#[test]
fn the_help_closes_with_the_help_key_where_it_is_free() {
    let km = Keymap::from_config(&Config::default().keys).unwrap();
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::Char('?'))), Some(Command::Close));
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::F(1))), Some(Command::Close));
    let mut keys = Config::default().keys;
    keys.insert("help".into(), vec!["j".into(), "H".into()]);
    keys.insert("down".into(), vec!["down".into()]);
    let km = Keymap::from_config(&keys).unwrap();
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::Char('j'))), Some(Command::ScrollDown));
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::Char('H'))), Some(Command::Close));
    assert_eq!(km.command_in(Context::HelpModal, &plain(KeyCode::Char('?'))), None);
}

#[test]
fn read_only_hides_every_destructive_binding() {
    let km = Keymap::from_config(&Config::default().keys).unwrap();
    let labels = |ro| km.hints(Context::Tree, ro).into_iter().map(|(_, l)| l).collect::<Vec<_>>();
    assert!(labels(false).contains(&"kill"));
    assert!(!labels(true).contains(&"kill"));
    assert!(km.usable(Context::Tree, true).all(|b| !b.command.is_destructive()));
    assert_eq!(km.usable(Context::KillConfirm, true).count(), 0);
    assert_eq!(km.usable(Context::Tree, false).filter(|b| b.command.is_destructive()).count(), 9);
    for context in [Context::SignalMenu, Context::KillRunning, Context::KillReport, Context::QuitConfirm] {
        assert_eq!(km.usable(context, true).count(), 0, "{context:?}");
    }
}
