use super::*;
use crate::config::Config;
use crate::tui::keymap::Keymap;

#[test]
fn every_command_has_a_described_binding_with_a_default_key() {
    let keymap = Keymap::from_config(&Config::default().keys).unwrap();
    for command in Command::all() {
        let rows: Vec<&Binding> = BINDINGS.iter().filter(|b| b.command == command).collect();
        assert!(!rows.is_empty(), "{command:?} has no binding");
        for b in &rows {
            assert!(!b.help.trim().is_empty(), "{command:?} in {:?} has no description", b.context);
        }
        assert!(
            rows.iter().any(|b| b.keys == Keys::Text || !keymap.keys_in(b.context, command).is_empty()),
            "{command:?} has no default key"
        );
    }
}

#[test]
fn every_context_has_a_way_out_and_no_binding_is_listed_twice() {
    for context in Context::iter() {
        assert!(bindings(context).any(|b| b.command == Command::Quit), "{context:?} cannot quit");
    }
    for (i, a) in BINDINGS.iter().enumerate() {
        assert!(
            BINDINGS[i + 1..].iter().all(|b| (b.context, b.command) != (a.context, a.command)),
            "{:?} {:?} twice",
            a.context,
            a.command
        );
    }
}

#[test]
fn every_command_has_one_entry_and_a_unique_name() {
    let names: Vec<&str> = BINDINGS
        .iter()
        .filter_map(|b| match b.keys {
            Keys::Config(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    for b in BINDINGS {
        assert_eq!(b.context == Context::Tree, matches!(b.keys, Keys::Config(_)), "{:?}", b.command);
        if let Keys::Config(name) = b.keys {
            assert_eq!(b.command.config_name(), Some(name));
            assert_eq!(Command::by_name(name), Some(b.command));
        }
    }
}

#[test]
fn every_default_binding_names_a_command_and_every_command_is_bound() {
    let keys = Config::default().keys;
    for name in keys.keys() {
        assert!(Command::by_name(name).is_some(), "{name}");
    }
    for b in bindings(Context::Tree) {
        let Keys::Config(name) = b.keys else { continue };
        assert!(keys.get(name).is_some_and(|k| !k.is_empty()), "{name} unbound");
    }
}
