//! Python's `posixpath` on byte paths (CPython 3.11 `Lib/posixpath.py`):
//! the purely lexical functions, step by step rather than Rust's
//! `std::path`, which normalises differently. Those that ask the file
//! system (`realpath`, `os.access`, `shutil.which`) stay with their user.

/// `os.path.isabs`.
pub fn isabs(p: &[u8]) -> bool {
    p.first() == Some(&b'/')
}

/// `os.path.basename`.
pub fn basename(p: &[u8]) -> &[u8] {
    match p.iter().rposition(|&c| c == b'/') {
        Some(i) => p.get(i + 1..).unwrap_or_default(),
        None => p,
    }
}

/// `os.path.split`.
pub fn split(p: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let i = p.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    let (head, tail) = p.split_at(i.min(p.len()));
    let mut head = head.to_vec();
    if !head.is_empty() && head.iter().any(|&c| c != b'/') {
        while head.last() == Some(&b'/') {
            head.pop();
        }
    }
    (head, tail.to_vec())
}

/// `os.path.dirname`.
pub fn dirname(p: &[u8]) -> Vec<u8> {
    split(p).0
}

/// `os.path.join` of two components.
pub fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if isabs(b) {
        return b.to_vec();
    }
    let mut out = a.to_vec();
    if !out.is_empty() && out.last() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(b);
    out
}

/// `os.path.normpath` (POSIX, keeping exactly two leading slashes).
pub fn normpath(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let initial = if p.starts_with(b"/") {
        if p.starts_with(b"//") && !p.starts_with(b"///") {
            2
        } else {
            1
        }
    } else {
        0
    };
    let mut comps: Vec<&[u8]> = Vec::new();
    for comp in p.split(|&c| c == b'/') {
        if comp.is_empty() || comp == b"." {
            continue;
        }
        if comp != b".."
            || (initial == 0 && comps.is_empty())
            || comps.last() == Some(&b"..".as_slice())
        {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let mut out = vec![b'/'; initial];
    out.extend_from_slice(&comps.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// [`normpath`] of a `str` path (splitting on `/` keeps UTF-8 intact).
pub fn normpath_str(p: &str) -> String {
    String::from_utf8(normpath(p.as_bytes()))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`join`] of `str` paths.
pub fn join_str(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        return b.to_owned();
    }
    let mut out = a.to_owned();
    if !out.is_empty() && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(b);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_helpers_match_posixpath() {
        assert_eq!(basename(b"/a/b"), b"b");
        assert_eq!(basename(b"/a/b/"), b"");
        assert_eq!(basename(b"ls"), b"ls");
        assert_eq!(dirname(b"/a//b"), b"/a");
        assert_eq!(dirname(b"//b"), b"//");
        assert_eq!(dirname(b"b"), b"");
        assert_eq!(join(b"", b"ls"), b"ls");
        assert_eq!(join(b"/bin/", b"ls"), b"/bin/ls");
        assert_eq!(join(b"/bin", b"/x"), b"/x");
        assert_eq!(normpath(b"//a/./b/../c/"), b"//a/c");
        assert_eq!(normpath(b"///a"), b"/a");
        assert_eq!(normpath(b"../../a"), b"../../a");
        assert_eq!(normpath(b"/.."), b"/");
        assert_eq!(normpath(b""), b".");
    }

    #[test]
    fn str_paths() {
        assert_eq!(normpath_str("/a/\u{e9}/../b"), "/a/b");
        assert_eq!(normpath_str(""), ".");
        assert_eq!(normpath_str("/a/./b/../c//d/"), "/a/c/d");
        assert_eq!(normpath_str("/../a"), "/a");
        assert_eq!(normpath_str("//a//b"), "//a/b");
        assert_eq!(normpath_str("//a/.."), "//");
        assert_eq!(normpath_str("a/../../b"), "../b");
        assert_eq!(join_str("", "a"), "a");
        assert_eq!(join_str("/x/", "y"), "/x/y");
        assert_eq!(join_str("/x", "y"), "/x/y");
        assert_eq!(join_str("/x", "/y"), "/y");
    }
}
