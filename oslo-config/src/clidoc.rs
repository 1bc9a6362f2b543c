//! A tool's command line as data — the very actions its `--help` is
//! printed from — for man pages and shell completions
//! (`cargo run -p xtask -- docs`).

use crate::argparse::{Kind, Nargs, Parser};

/// One option or positional argument, as `--help` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionDoc {
    /// `--name`, `-n`, deprecated spellings; empty for a positional.
    pub flags: Vec<String>,
    /// The name of its value (`PATH`, `OUTPUT_FILE`), or of the positional.
    pub value_name: Option<String>,
    /// Its help text.
    pub help: String,
    /// Whether it takes a value.
    pub takes_value: bool,
    /// Whether it may be given more than once (or takes several values).
    pub repeatable: bool,
    /// Whether it names a file or directory (for completions).
    pub path: bool,
}

/// A command line: its usage, its whole `--help` text and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandDoc {
    /// The program name.
    pub prog: String,
    /// `usage: ...` as `--help` prints it.
    pub usage: String,
    /// The whole `--help` text.
    pub help: String,
    /// The options and positionals, in `--help` order.
    pub options: Vec<OptionDoc>,
    /// Sub-commands (name, their command line).
    pub subcommands: Vec<(String, CommandDoc)>,
}

impl CommandDoc {
    pub(crate) fn from_parser(parser: &Parser) -> CommandDoc {
        let mut options = Vec::new();
        let mut subcommands = Vec::new();
        for a in &parser.actions {
            if let Kind::SubParsers(subs) = &a.kind {
                subcommands.extend(
                    subs.iter()
                        .map(|(name, p)| (name.clone(), CommandDoc::from_parser(p))),
                );
                continue;
            }
            let takes_value = a.nargs != Nargs::Zero;
            let value_name = if takes_value || a.option_strings.is_empty() {
                Some(
                    a.metavar
                        .clone()
                        .unwrap_or_else(|| a.dest.to_uppercase().replace('-', "_")),
                )
            } else {
                None
            };
            let repeatable =
                matches!(a.kind, Kind::Append | Kind::ConfigFile) || matches!(a.nargs, Nargs::Any);
            let path = matches!(a.kind, Kind::ConfigFile | Kind::ConfigDir)
                || ["file", "dir", "path"].iter().any(|w| a.dest.contains(w));
            options.push(OptionDoc {
                flags: a.option_strings.clone(),
                value_name,
                help: parser.expanded_help(a),
                takes_value,
                repeatable,
                path,
            });
        }
        CommandDoc {
            prog: parser.prog.clone(),
            usage: parser.usage_line(),
            help: parser.help_text(),
            options,
            subcommands,
        }
    }
}
