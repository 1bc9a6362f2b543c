//! Project tasks that belong to no crate.
//!
//! ```text
//! cargo run --locked -p xtask -- docs --out /usr/local/share
//! ```
//! writes the man page and the bash, zsh and fish completions of every
//! binary the workspace installs, generated from the very definitions their
//! `--help` is printed from: the clap commands of our own tools, and, for
//! the tools that keep the reference's argparse command line
//! (`oslo-config-generator`, `oslo-config-validator`), the argparse actions
//! they parse with. Layout under `--out`:
//!
//! ```text
//! man/man1/NAME.1
//! bash-completion/completions/NAME
//! zsh/site-functions/_NAME
//! fish/vendor_completions.d/NAME.fish
//! ```
//!
//! ```text
//! cargo run --locked -p xtask -- cycles
//! ```
//! fails on a dependency cycle between modules of any crate (see
//! `cycles.rs` for what counts), naming each one with a `use` per edge.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, Parser, Subcommand, ValueHint};
use clap_complete::Shell;

mod commands;
mod cycles;

#[derive(Parser)]
#[command(name = "xtask", about = "Project tasks that belong to no crate")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Write every binary's man page and shell completions.
    Docs {
        /// Where to write them (`/usr/local/share` installs them).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Fail on a dependency cycle between the modules of a crate.
    Cycles {
        /// The workspace root (default: the one xtask was built in).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

/// Why a task failed.
#[derive(Debug, thiserror::Error)]
enum TaskError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot describe {tool}: {message}")]
    Describe { tool: String, message: String },
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TaskError> {
    let fail = |source| TaskError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    std::fs::write(path, bytes).map_err(fail)
}

/// Writes the man page and completions of every binary under `out`;
/// returns the names documented.
fn docs(out: &Path) -> Result<Vec<String>, TaskError> {
    let mut names = Vec::new();
    for mut cmd in commands::all()? {
        let name = cmd.get_name().to_owned();
        cmd = cmd.bin_name(&name);
        cmd.build();
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone())
            .render(&mut page)
            .map_err(|source| TaskError::Write {
                path: format!("{name}.1"),
                source,
            })?;
        write(&out.join(format!("man/man1/{name}.1")), &page)?;
        for (shell, path) in [
            (Shell::Bash, format!("bash-completion/completions/{name}")),
            (Shell::Zsh, format!("zsh/site-functions/_{name}")),
            (
                Shell::Fish,
                format!("fish/vendor_completions.d/{name}.fish"),
            ),
        ] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, &name, &mut script);
            write(&out.join(path), &script)?;
        }
        names.push(name);
    }
    Ok(names)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.task {
        Task::Docs { out } => match docs(&out) {
            Ok(names) => {
                println!(
                    "wrote the man pages and bash/zsh/fish completions of {} binaries under {}",
                    names.len(),
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask docs: {e}");
                ExitCode::FAILURE
            }
        },
        Task::Cycles { root } => {
            let root = root.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
            let root = root.canonicalize().unwrap_or(root);
            match check_cycles(&root) {
                Ok((0, targets)) => {
                    println!("no module cycle in {targets} crate targets");
                    ExitCode::SUCCESS
                }
                Ok((n, _)) => {
                    eprintln!("xtask cycles: {n} module cycle(s)");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("xtask cycles: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints every module cycle of the workspace at `root`; returns how many
/// there are and how many crate targets were read.
fn check_cycles(root: &Path) -> Result<(usize, usize), cycles::CycleError> {
    let targets = cycles::workspace_targets(root)?;
    let mut count = 0;
    for (name, file) in &targets {
        for cycle in cycles::cycles_of(name, file, &cycles::Disk)? {
            count += 1;
            // Paths relative to the root, as a reader types them.
            print!(
                "{}",
                cycle
                    .to_string()
                    .replace(&format!("{}/", root.display()), "")
            );
        }
    }
    Ok((count, targets.len()))
}

/// A clap command describing an argparse command line (the reference's
/// tools keep theirs), built from the actions it parses with.
fn from_argparse(
    doc: &oslo_config::clidoc::CommandDoc,
    version: &'static str,
    about: &'static str,
) -> clap::Command {
    let usage = doc
        .usage
        .trim()
        .strip_prefix("usage: ")
        .unwrap_or(doc.usage.trim())
        .to_owned();
    let mut cmd = clap::Command::new(doc.prog.clone())
        .version(version)
        .about(about)
        .override_usage(usage)
        .disable_help_flag(true)
        .disable_version_flag(true);
    for (i, opt) in doc.options.iter().enumerate() {
        let id = format!("arg{i}");
        let mut arg = Arg::new(id).help(opt.help.clone());
        let longs: Vec<&str> = opt
            .flags
            .iter()
            .filter_map(|f| f.strip_prefix("--"))
            .collect();
        let short = opt
            .flags
            .iter()
            .filter(|f| !f.starts_with("--"))
            .find_map(|f| f.strip_prefix('-').and_then(|s| s.chars().next()));
        if opt.flags.is_empty() {
            arg = arg.value_name(opt.value_name.clone().unwrap_or_default());
        } else {
            if let Some((first, rest)) = longs.split_first() {
                arg = arg.long(first.to_string());
                for alias in rest {
                    arg = arg.visible_alias(alias.to_string());
                }
            }
            if let Some(s) = short {
                arg = arg.short(s);
            }
        }
        arg = match (opt.takes_value, opt.repeatable) {
            (true, true) => arg.action(ArgAction::Append),
            (true, false) => arg.action(ArgAction::Set),
            (false, _) => arg.action(ArgAction::SetTrue),
        };
        if opt.takes_value {
            if let Some(v) = &opt.value_name {
                arg = arg.value_name(v.clone());
            }
            if opt.path {
                arg = arg.value_hint(ValueHint::AnyPath);
            }
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binary_gets_a_man_page_and_completions() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let names = docs(dir.path())?;
        // Every [[bin]] of every workspace crate is documented.
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut bins = Vec::new();
        for krate in ["oslo-rootwrap", "oslo-policy", "oslo-config"] {
            let manifest = std::fs::read_to_string(workspace.join(krate).join("Cargo.toml"))?;
            let mut in_bin = false;
            for line in manifest.lines() {
                if line.starts_with('[') {
                    in_bin = line == "[[bin]]";
                } else if in_bin {
                    if let Some(name) = line.strip_prefix("name = ") {
                        bins.push(name.trim_matches('"').to_owned());
                    }
                }
            }
        }
        bins.sort();
        let mut documented = names.clone();
        documented.sort();
        assert_eq!(documented, bins, "binaries without documentation");
        for name in &names {
            let page = std::fs::read_to_string(dir.path().join(format!("man/man1/{name}.1")))?;
            assert!(
                page.starts_with(".ie") || page.contains(".TH"),
                "{name}: {page}"
            );
            assert!(
                page.contains(&format!(".TH {name} 1")),
                "{name}: no .TH header"
            );
            // The version names ours and the reference it follows, for
            // every binary alike.
            assert!(
                [
                    "(oslo.rootwrap 7.10.0)",
                    "(oslo.policy 6.0.1)",
                    "(oslo.config 10.7.0)"
                ]
                .iter()
                .any(|r| page.contains(r)),
                "{name}: the man page's version does not name the reference"
            );
            assert!(page.contains(".SH SYNOPSIS"), "{name}: no synopsis");
            // groff, where installed, renders it without a warning.
            let path = dir.path().join(format!("man/man1/{name}.1"));
            if let Ok(out) = std::process::Command::new("groff")
                .args(["-man", "-ww", "-z"])
                .arg(&path)
                .output()
            {
                assert!(
                    out.status.success() && out.stderr.is_empty(),
                    "{name}.1: groff: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            let bash = dir
                .path()
                .join(format!("bash-completion/completions/{name}"));
            let checked = std::process::Command::new("bash")
                .arg("-n")
                .arg(&bash)
                .status();
            if let Ok(status) = checked {
                assert!(status.success(), "{name}: bash completion does not parse");
            }
            for path in [
                format!("zsh/site-functions/_{name}"),
                format!("fish/vendor_completions.d/{name}.fish"),
            ] {
                let text = std::fs::read_to_string(dir.path().join(&path))?;
                assert!(text.contains(name.as_str()), "{path} does not name {name}");
            }
        }
        // The lock file is current: `cargo install --locked`, as the
        // README's install section says, uses exactly these versions.
        let locked = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--locked",
                "--offline",
                "--format-version",
                "1",
                "--no-deps",
            ])
            .current_dir(&workspace)
            .output()?;
        assert!(
            locked.status.success(),
            "Cargo.lock is not current: {}",
            String::from_utf8_lossy(&locked.stderr)
        );
        let readme = std::fs::read_to_string(workspace.join("README.md"))?;
        for krate in ["oslo-rootwrap", "oslo-policy", "oslo-config"] {
            assert!(
                readme.contains(&format!("cargo install --locked --path {krate}")),
                "README: no locked install line for {krate}"
            );
        }
        // The argparse tools keep every option their --help lists.
        let page = std::fs::read_to_string(dir.path().join("man/man1/oslo-config-generator.1"))?;
        for flag in [
            "output\\-file",
            "wrap\\-width",
            "namespace",
            "opt\\-data",
            "config\\-file",
        ] {
            assert!(
                page.contains(flag),
                "oslo-config-generator.1 lacks --{flag}"
            );
        }
        Ok(())
    }
}
