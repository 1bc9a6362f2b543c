//! Python `os`, `os.path` and `shutil.which` semantics on byte paths, where
//! they ask the file system (the lexical ones are [`pycompat::ospath`]).
//!
//! The filters' decisions depend on these primitives (string-prefix checks
//! after `os.path.realpath`, `os.access(X_OK)` with the real uid, ...), so
//! they follow CPython 3.11's `posixpath.py` step by step rather than Rust's
//! `std::path`, which normalises differently.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use pycompat::ospath::{dirname, isabs, join, normpath, split};

/// An operation Python would have raised an uncaught exception for (for
/// instance an embedded NUL byte in a path): the reference crashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class}: {message}")]
pub struct PyCrash {
    /// The Python exception class (`ValueError`, `OSError`...).
    pub class: &'static str,
    /// Its message, as `str(exception)`.
    pub message: String,
}

impl PyCrash {
    pub(crate) fn new(class: &'static str, message: impl Into<String>) -> PyCrash {
        PyCrash {
            class,
            message: message.into(),
        }
    }
}

fn path(b: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(b))
}

fn check_nul(p: &[u8]) -> Result<(), PyCrash> {
    if p.contains(&0) {
        Err(PyCrash::new("ValueError", "embedded null byte"))
    } else {
        Ok(())
    }
}

/// `os.access(p, os.X_OK)`. Python asks with the real ids; rootwrap's
/// real and effective ids are equal whenever it decides, and asking with
/// the effective ones keeps the answer stable while the daemon starts a
/// command under another real uid (see [`crate::sys::fs::executable`]).
pub fn access_x(p: &[u8]) -> Result<bool, PyCrash> {
    check_nul(p)?;
    Ok(crate::sys::fs::executable(p))
}

/// `os.path.isfile` (follows symlinks; false on any error).
pub fn isfile(p: &[u8]) -> bool {
    !p.contains(&0) && std::fs::metadata(path(p)).is_ok_and(|m| m.is_file())
}

/// `os.path.isdir` (follows symlinks; false on any error).
pub fn isdir(p: &[u8]) -> bool {
    !p.contains(&0) && std::fs::metadata(path(p)).is_ok_and(|m| m.is_dir())
}

/// `os.path.exists`.
pub fn exists(p: &[u8]) -> bool {
    !p.contains(&0) && std::fs::metadata(path(p)).is_ok()
}

fn is_symlink(p: &[u8]) -> bool {
    std::fs::symlink_metadata(path(p)).is_ok_and(|m| m.file_type().is_symlink())
}

/// `os.getcwd()` as bytes, `None` when it fails (deleted directory).
pub fn getcwd() -> Option<Vec<u8>> {
    std::env::current_dir()
        .ok()
        .map(|p| p.into_os_string().into_vec())
}

/// `os.path.abspath`; `None` when the working directory is needed and gone.
pub fn abspath(p: &[u8]) -> Option<Vec<u8>> {
    if isabs(p) {
        Some(normpath(p))
    } else {
        Some(normpath(&join(&getcwd()?, p)))
    }
}

/// rootwrap's `filters.realpath`: Python 3.11's non-strict
/// `os.path.realpath`, or an empty path when the working directory is gone.
pub fn realpath(p: &[u8]) -> Result<Vec<u8>, PyCrash> {
    // An embedded NUL raises where Python `lstat`s a name holding it, not
    // before: after a symlink loop the rest of the path is never looked at.
    let mut seen = Seen::new();
    match join_realpath(Vec::new(), p, &mut seen, 0) {
        Ok((joined, _)) => Ok(abspath(&joined).unwrap_or_default()),
        // `os.readlink` raised FileNotFoundError (the link went away after
        // `lstat`): `filters.realpath` catches it and answers ''.
        Err(Unresolved::NotFound) => Ok(Vec::new()),
        Err(Unresolved::Crash(c)) => Err(c),
    }
}

/// Links being resolved (`None`) or resolved, like `_joinrealpath`'s `seen`.
type Seen = std::collections::HashMap<Vec<u8>, Option<Vec<u8>>>;

/// Why [`join_realpath`] stopped without an answer.
enum Unresolved {
    /// `FileNotFoundError`, which rootwrap's `realpath` turns into `''`.
    NotFound,
    /// Any other exception: the reference crashes.
    Crash(PyCrash),
}

/// How deep a chain of symlinks (each link's target holding the next) is
/// followed. CPython 3.11's `_joinrealpath` recurses once per link and
/// raises `RecursionError` (an uncaught crash in rootwrap) near its
/// recursion limit of 1000 frames; chains deeper than this are refused as
/// that crash, never left half-resolved: a partial answer would let the
/// kernel follow the rest of the chain after a PathFilter checked it. The
/// bound is well below the reference's own so that we never resolve a
/// chain the reference crashes on.
pub const MAX_LINK_DEPTH: usize = 512;

fn join_realpath(
    mut path: Vec<u8>,
    rest: &[u8],
    seen: &mut Seen,
    depth: usize,
) -> Result<(Vec<u8>, bool), Unresolved> {
    let mut rest = rest;
    if isabs(rest) {
        rest = rest.get(1..).unwrap_or_default();
        path = b"/".to_vec();
    }
    while !rest.is_empty() {
        let (name, tail) = match rest.iter().position(|&c| c == b'/') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &b""[..]),
        };
        rest = tail;
        if name.is_empty() || name == b"." {
            continue;
        }
        if name == b".." {
            if !path.is_empty() {
                let (head, last) = split(&path);
                path = if last == b".." {
                    join(&join(&head, b".."), b"..")
                } else {
                    head
                };
            } else {
                path = b"..".to_vec();
            }
            continue;
        }
        let newpath = join(&path, name);
        check_nul(&newpath).map_err(Unresolved::Crash)?;
        if !is_symlink(&newpath) {
            path = newpath;
            continue;
        }
        if let Some(resolved) = seen.get(&newpath) {
            match resolved {
                Some(r) => {
                    path = r.clone();
                    continue;
                }
                None => return Ok((join(&newpath, rest), false)),
            }
        }
        if depth >= MAX_LINK_DEPTH {
            return Err(Unresolved::Crash(PyCrash::new(
                "RecursionError",
                "maximum recursion depth exceeded while resolving symlinks",
            )));
        }
        seen.insert(newpath.clone(), None);
        let target = match std::fs::read_link(path_of(&newpath)) {
            Ok(t) => t.into_os_string().into_vec(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Unresolved::NotFound);
            }
            Err(e) => return Err(Unresolved::Crash(PyCrash::new("OSError", e.to_string()))),
        };
        let (resolved, ok) = join_realpath(path, &target, seen, depth + 1)?;
        if !ok {
            return Ok((join(&resolved, rest), false));
        }
        seen.insert(newpath, Some(resolved.clone()));
        path = resolved;
    }
    Ok((path, true))
}

fn path_of(b: &[u8]) -> &Path {
    path(b)
}

/// `shutil.which(cmd)` with the given `PATH` value (`None`: unset, in which
/// case Python uses `confstr("CS_PATH")`, i.e. `/bin:/usr/bin` on glibc).
pub fn which(cmd: &[u8], path_var: Option<&[u8]>) -> Result<Option<Vec<u8>>, PyCrash> {
    let access_check =
        |f: &[u8]| -> Result<bool, PyCrash> { Ok(exists(f) && access_x(f)? && !isdir(f)) };
    if !dirname(cmd).is_empty() {
        return Ok(if access_check(cmd)? {
            Some(cmd.to_vec())
        } else {
            None
        });
    }
    let path_var = path_var.unwrap_or(b"/bin:/usr/bin");
    if path_var.is_empty() {
        return Ok(None);
    }
    let mut seen: Vec<&[u8]> = Vec::new();
    for dir in path_var.split(|&c| c == b':') {
        if seen.contains(&dir) {
            continue;
        }
        seen.push(dir);
        let name = join(dir, cmd);
        if access_check(&name)? {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// `os.readlink` as bytes.
pub fn readlink(p: &[u8]) -> Option<Vec<u8>> {
    std::fs::read_link(path(p))
        .ok()
        .map(|t| t.into_os_string().into_vec())
}

/// Whether `p` is a FIFO, socket or device (used by lint only).
pub fn is_special(p: &[u8]) -> bool {
    std::fs::metadata(path(p)).is_ok_and(|m| {
        let t = m.file_type();
        t.is_fifo() || t.is_socket() || t.is_block_device() || t.is_char_device()
    })
}

/// Converts bytes to an `OsString`.
pub fn os(b: &[u8]) -> OsString {
    OsString::from_vec(b.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realpath_is_lexical_after_links() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let d = dir.path().as_os_str().as_bytes().to_vec();
        std::fs::create_dir(dir.path().join("real"))?;
        std::os::unix::fs::symlink("real", dir.path().join("link"))?;
        std::os::unix::fs::symlink("loop", dir.path().join("loop"))?;
        let rp = |s: &str| realpath(&[d.as_slice(), s.as_bytes()].concat());
        assert_eq!(rp("/link/x/")?, [d.as_slice(), b"/real/x"].concat());
        assert_eq!(rp("/link/../y")?, [d.as_slice(), b"/y"].concat());
        assert_eq!(rp("/loop/z")?, [d.as_slice(), b"/loop/z"].concat());
        assert_eq!(realpath(b"//a//b")?, b"/a/b");
        Ok(())
    }

    #[test]
    fn long_chains_resolve_completely_or_not_at_all() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let d = dir.path().as_os_str().as_bytes().to_vec();
        std::fs::write(dir.path().join("end"), "x")?;
        let chain = |n: usize| -> std::io::Result<()> {
            for i in 0..n {
                let target = if i + 1 == n {
                    "end".to_owned()
                } else {
                    format!("c{n}-{}", i + 1)
                };
                std::os::unix::fs::symlink(target, dir.path().join(format!("c{n}-{i}")))?;
            }
            Ok(())
        };
        // Past the kernel's own 40 and the old cap of 64: fully resolved.
        chain(70)?;
        assert_eq!(
            realpath(&[d.as_slice(), b"/c70-0"].concat())?,
            [d.as_slice(), b"/end"].concat()
        );
        chain(MAX_LINK_DEPTH)?;
        assert_eq!(
            realpath(&[d.as_slice(), b"/c512-0"].concat())?,
            [d.as_slice(), b"/end"].concat()
        );
        // Deeper than we follow: refused like the reference's RecursionError,
        // never answered with a path that is still a link.
        chain(MAX_LINK_DEPTH + 1)?;
        assert!(realpath(&[d.as_slice(), b"/c513-0"].concat()).is_err());
        Ok(())
    }
}
