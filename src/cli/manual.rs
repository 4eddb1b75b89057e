//! `swarmtop completions SHELL` and the man pages, generated from the clap definitions.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap_complete::Shell;

use super::CliError;
use super::args::{KILL_EXIT_STATUS, KILL_SPARED, KILL_TARGETS, command};

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Directory to write swarmtop.1 and one page per subcommand into.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn completions(args: &CompletionsArgs) -> Result<i32, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command(), "swarmtop", &mut script);
    super::list::write_stdout(&String::from_utf8_lossy(&script))
}

pub fn write_man_pages(args: &ManArgs) -> Result<i32, CliError> {
    std::fs::create_dir_all(&args.dir)?;
    for (name, page) in man_pages()? {
        write_file(&args.dir.join(name), &page)?;
    }
    Ok(0)
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// Every man page, as (file name, roff): `swarmtop.1`, then `swarmtop-SUBCOMMAND.1` for
/// each visible subcommand, which the first page's SUBCOMMANDS section refers to.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut top = command().disable_help_subcommand(true);
    top.build();
    let mut pages = Vec::new();
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_display_name().unwrap_or_else(|| sub.get_name()).to_string();
        let page = if sub.get_name() == "kill" { kill_page(sub.clone())? } else { render(sub.clone())? };
        pages.push((format!("{name}.1"), page));
    }
    pages.insert(0, ("swarmtop.1".to_string(), render(top)?));
    Ok(pages)
}

fn render(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}

/// The kill page, with the target forms as a tagged list of their own: roff would run
/// the lines of the `--help` text together into one paragraph.
fn kill_page(kill: clap::Command) -> std::io::Result<Vec<u8>> {
    let page = render(kill.after_help(None::<&str>))?;
    let mut section = String::from(".SH TARGETS\n");
    for (form, covers) in KILL_TARGETS {
        section.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_escape(form), roff_escape(covers)));
    }
    section.push_str(&format!(".PP\n{}\n", roff_escape(KILL_SPARED)));
    section.push_str(&format!(".SH \"EXIT STATUS\"\n{}\n", roff_escape(KILL_EXIT_STATUS)));
    let page = String::from_utf8_lossy(&page).into_owned();
    let at = page.find(".SH VERSION").unwrap_or(page.len());
    Ok([&page[..at], &section, &page[at..]].concat().into_bytes())
}

/// Escapes for roff text lines (our own constants: no leading `.` or `'`).
fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}
