//! Python's `os.path` (POSIX) as oslo.config uses it on config file and
//! dir names: `expanduser` and `abspath`. These read the process state
//! (`$HOME`, the working directory, `/etc/passwd`), so they stay here: the
//! lexical functions (`normpath`, `join`) are pycompat's, which touches no
//! file system.

use std::path::{Path, PathBuf};

use pycompat::ospath::normpath_str;

/// `os.path.abspath(os.path.expanduser(p))` when `$HOME` is `home`.
pub(crate) fn fixpath_with(p: &str, home: Option<String>) -> String {
    let expanded = expanduser_with(p, home);
    let path = Path::new(&expanded);
    let abs: PathBuf = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    normpath_str(&abs.to_string_lossy())
}

/// `posixpath.expanduser` when `$HOME` is `home`: `~` and `~/…` from
/// `$HOME` (the password database when it is unset), `~user` from the
/// password database; a user it does not know leaves the path alone.
pub(crate) fn expanduser_with(p: &str, home: Option<String>) -> String {
    let Some(rest) = p.strip_prefix('~') else {
        return p.to_owned();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let (user, tail) = rest.split_at(end);
    let home = if user.is_empty() {
        home.or_else(|| passwd_home(None))
    } else {
        passwd_home(Some(user))
    };
    let Some(home) = home else {
        return p.to_owned();
    };
    let out = format!("{}{tail}", home.trim_end_matches('/'));
    if out.is_empty() { "/".to_owned() } else { out }
}

/// A user's home directory from `/etc/passwd` (`pwd.getpwnam`; `None`:
/// the current user's, `pwd.getpwuid(os.getuid())`).
fn passwd_home(user: Option<&str>) -> Option<String> {
    let uid = match user {
        Some(_) => None,
        None => std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            }),
    };
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let (name, id, home) = (fields.first()?, fields.get(2)?, fields.get(5)?);
        let hit = match (user, &uid) {
            (Some(u), _) => *name == u,
            (None, Some(uid)) => id == uid,
            (None, None) => false,
        };
        hit.then(|| (*home).to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanduser_like_python() {
        // `posixpath.expanduser`: `~user` from the password database, the
        // home's trailing slashes dropped, an unknown user left alone.
        assert_eq!(expanduser_with("~root/x", None), "/root/x");
        assert_eq!(expanduser_with("~root", Some("/h".to_owned())), "/root");
        assert_eq!(
            expanduser_with("~no-such-user-here/x", None),
            "~no-such-user-here/x"
        );
        assert_eq!(expanduser_with("~", Some("/h/".to_owned())), "/h");
        assert_eq!(expanduser_with("~/a", Some("/".to_owned())), "/a");
        assert_eq!(expanduser_with("~", Some(String::new())), "/");
        assert_eq!(expanduser_with("a~", None), "a~");
    }
}
