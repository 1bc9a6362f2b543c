//! The allow/deny decision of one command line against loaded filters, and
//! the argv and environment to execute, without executing anything. The CLI,
//! `--dry-run --json` and the audit log are all rendered from [`Outcome`]
//! (the steps around it are in [`crate::pipeline`]).

use crate::filters::MatchEnv;
use crate::wrapper::{self, Match};
use pycompat::str as pystr;

/// Exit status for a denied command.
pub const RC_UNAUTHORIZED: i32 = 99;
/// Exit status when no command was given.
pub const RC_NOCOMMAND: i32 = 98;
/// Exit status for an unusable configuration.
pub const RC_BADCONFIG: i32 = 97;
/// Exit status when the matching filter's executable is missing.
pub const RC_NOEXECFOUND: i32 = 96;
/// Exit status where the reference crashes with a traceback.
pub const RC_ERROR: i32 = 1;
/// Added to a signal number when the command is killed by it.
pub const SIGNAL_BASE: i32 = 128;

/// An allowed command, ready to execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// The matching filter's name.
    pub filter: String,
    /// The user to run as, verbatim from the definition.
    pub run_as: String,
    /// The argv to execute (`command[0]` as resolved by the filter).
    pub command: Vec<Vec<u8>>,
    /// Variables the filter adds to the environment (EnvFilter).
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The result of a rootwrap call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Run [`Allowed::command`].
    Allowed(Allowed),
    /// No filter matched; `userargs` as the reference reports them (after
    /// any EnvFilter mutation).
    Unauthorized {
        /// The (possibly mutated) user arguments.
        userargs: Vec<Vec<u8>>,
    },
    /// A filter matched but its executable was not found.
    NoExec {
        /// That filter's name.
        filter: String,
        /// Its `exec_path`.
        exec_path: String,
    },
    /// rootwrap.conf (or a trust check) refused; the message is complete.
    BadConfig(String),
    /// Fewer than two arguments.
    NoCommand,
    /// A case the reference crashes on.
    Error(String),
}

impl Outcome {
    /// The exit status the reference uses for this outcome (allowed: 0).
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Allowed(_) => 0,
            Outcome::Unauthorized { .. } => RC_UNAUTHORIZED,
            Outcome::NoExec { .. } => RC_NOEXECFOUND,
            Outcome::BadConfig(_) => RC_BADCONFIG,
            Outcome::NoCommand => RC_NOCOMMAND,
            Outcome::Error(_) => RC_ERROR,
        }
    }

    /// The message the reference prints after `"<execname>: "` (and logs
    /// for denials), or `None` for an allowed command.
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Outcome::Allowed(_) => return None,
            Outcome::Unauthorized { userargs } => {
                let joined: Vec<String> = userargs.iter().map(|a| pystr::display(a)).collect();
                format!(
                    "Unauthorized command: {} (no filter matched)",
                    joined.join(" ")
                )
            }
            Outcome::NoExec { filter, exec_path } => {
                format!("Executable not found: {exec_path} (filter match = {filter})")
            }
            Outcome::BadConfig(m) | Outcome::Error(m) => m.clone(),
            Outcome::NoCommand => "No command specified".to_owned(),
        })
    }

    /// The one-line JSON object of `--dry-run --json`, formatted like
    /// Python's `json.dumps`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"allowed\": ");
        let reason = match self {
            Outcome::Allowed(a) => {
                out.push_str("true, \"filter\": ");
                pycompat::json::push_bytes(&mut out, a.filter.as_bytes());
                out.push_str(", \"run_as\": ");
                pycompat::json::push_bytes(&mut out, a.run_as.as_bytes());
                out.push_str(", \"command\": [");
                for (i, arg) in a.command.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    pycompat::json::push_bytes(&mut out, arg);
                }
                out.push_str("], \"env\": {");
                for (i, (k, v)) in a.env.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    pycompat::json::push_bytes(&mut out, k);
                    out.push_str(": ");
                    pycompat::json::push_bytes(&mut out, v);
                }
                out.push_str("}}");
                return out;
            }
            Outcome::Unauthorized { .. } => "unauthorized",
            Outcome::NoExec { .. } => "noexec",
            Outcome::BadConfig(_) => "badconfig",
            Outcome::NoCommand => "nocommand",
            Outcome::Error(_) => "error",
        };
        out.push_str("false, \"reason\": ");
        pycompat::json::push_bytes(&mut out, reason.as_bytes());
        if let Outcome::NoExec { filter, .. } = self {
            out.push_str(", \"filter\": ");
            pycompat::json::push_bytes(&mut out, filter.as_bytes());
        }
        out.push('}');
        out
    }
}

/// Matches `userargs` against loaded filters (`match_filter`,
/// `get_command`, `get_environment`).
pub fn decide_with(
    filters: &[crate::filters::Filter],
    userargs: &mut Vec<Vec<u8>>,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Outcome {
    let found = wrapper::match_filter(filters, userargs, exec_dirs, env);
    outcome(filters, found, userargs, exec_dirs)
}

/// [`decide_with`] over the filters `candidates` only, as if every
/// filter's executable were installed (see [`wrapper::match_among`]): what
/// `oslo-rootwrap lint` asks of one filter.
pub fn decide_installed(
    filters: &[crate::filters::Filter],
    candidates: &[usize],
    userargs: &mut Vec<Vec<u8>>,
    exec_dirs: &[Vec<u8>],
    env: &MatchEnv,
) -> Outcome {
    let found = wrapper::match_among(filters, candidates, userargs, env, &|_| Ok(true));
    outcome(filters, found, userargs, exec_dirs)
}

/// The outcome of a match: the command and environment of the filter
/// found, or the refusal.
fn outcome(
    filters: &[crate::filters::Filter],
    found: Result<Match, crate::pyos::PyCrash>,
    userargs: &mut Vec<Vec<u8>>,
    exec_dirs: &[Vec<u8>],
) -> Outcome {
    let crash =
        |e: crate::pyos::PyCrash| Outcome::Error(format!("Unexpected error while matching: {e}"));
    let found = match found {
        Ok(m) => m,
        Err(e) => return crash(e),
    };
    match found {
        Match::NoMatch => Outcome::Unauthorized {
            userargs: userargs.clone(),
        },
        Match::NotExecutable(i) => match filters.get(i) {
            Some(f) => Outcome::NoExec {
                filter: f.name.clone(),
                exec_path: f.exec_path.clone(),
            },
            None => Outcome::Error("internal error: filter index".to_owned()),
        },
        Match::Allowed(i) => {
            let Some(f) = filters.get(i) else {
                return Outcome::Error("internal error: filter index".to_owned());
            };
            let command = match f.get_command(userargs, exec_dirs) {
                Ok(c) => c,
                Err(e) => return crash(e),
            };
            let env = f.environment_additions(userargs);
            Outcome::Allowed(Allowed {
                filter: f.name.clone(),
                run_as: f.run_as.clone(),
                command,
                env,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let a = Outcome::Allowed(Allowed {
            filter: "ls".into(),
            run_as: "root".into(),
            command: vec![b"/bin/ls".to_vec(), b"\xff".to_vec()],
            env: vec![(b"A".to_vec(), b"1".to_vec())],
        });
        assert_eq!(
            a.to_json(),
            r#"{"allowed": true, "filter": "ls", "run_as": "root", "command": ["/bin/ls", "\udcff"], "env": {"A": "1"}}"#
        );
        let n = Outcome::NoExec {
            filter: "x".into(),
            exec_path: "/x".into(),
        };
        assert_eq!(
            n.to_json(),
            r#"{"allowed": false, "reason": "noexec", "filter": "x"}"#
        );
        assert_eq!(n.exit_code(), 96);
        assert_eq!(
            Outcome::NoCommand.to_json(),
            r#"{"allowed": false, "reason": "nocommand"}"#
        );
        let u = Outcome::Unauthorized {
            userargs: vec![b"a".to_vec(), b"b\xfe".to_vec()],
        };
        assert_eq!(
            u.message().as_deref(),
            Some(r"Unauthorized command: a b\udcfe (no filter matched)")
        );
    }
}
