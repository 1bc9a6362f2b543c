//! `pyos::realpath` on fuzzed symlink mazes: never a panic, and where the
//! kernel resolves the query completely, exactly the kernel's answer.
//!
//! Layout: `flags, n, n entries, query`. An entry is `kind, parent, name`
//! and, for links, `len, target[len]` (len < 65); kind 3 makes a chain of
//! `len2 % 48` links (`name.0 -> name.1 -> ... -> target`, crossing the
//! kernel's 40). At most 16 entries, built in a fresh directory; a target
//! starting with `/` is made absolute under it. The query is the rest,
//! absolute under the directory, or (flags bit 0) relative to it as cwd.
//!
//! Why the invariant is exact: when the kernel resolves a path, every
//! component exists, every non-final one is a directory and there is no
//! loop and no more than 40 links. Python's `_joinrealpath` then always
//! holds a symlink-free path to an existing directory when it meets `..`,
//! so its lexical `..` is the kernel's `..`; its `seen` loop answer only
//! happens on real loops; and it nests at most 40 deep (< MAX_LINK_DEPTH).
//! Lexical `..` differs from the kernel only after a missing component, a
//! file (`file/..`) or a loop, all of which the kernel refuses. So:
//! `canonicalize(q)` and `metadata(q)` both succeed => `realpath(q)` is
//! `Ok(canonicalize(q))`. Results outside the directory are not compared
//! (`..` can climb into /proc, whose magic links the kernel follows
//! differently from their readlink text).
#![no_main]

use std::ffi::OsStr;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use oslo_rootwrap::pyos::realpath;

const NAMES: &[&[u8]] = &[
    b"a",
    b"b",
    b"c",
    b"d",
    b"x",
    b"l",
    b"..a",
    b"...",
    b" ",
    b"\xff",
    b"\xc3\xa9",
];

fn p(b: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(b))
}

/// A canonical scratch directory for this process (tmpfs when available).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let parent = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = parent.join(format!("oslo-rs-fuzz-realpath-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        std::fs::canonicalize(&dir).expect("canonical scratch dir")
    })
}

struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.data.len());
        let (a, rest) = self.data.split_at(n);
        self.data = rest;
        a.to_vec()
    }
}

fn target(root: &[u8], raw: Vec<u8>) -> Vec<u8> {
    if raw.first() == Some(&b'/') {
        [root, &raw].concat()
    } else {
        raw
    }
}

fn run(data: &[u8]) {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut input = Input { data };
    let flags = input.byte();
    let n = usize::from(input.byte() % 17);
    let dir = scratch().join(COUNTER.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir(&dir).expect("maze dir");
    let root = dir.as_os_str().as_bytes().to_vec();
    let mut dirs: Vec<Vec<u8>> = vec![root.clone()];
    for _ in 0..n {
        let kind = input.byte() % 4;
        let parent = dirs
            .get(usize::from(input.byte()) % dirs.len())
            .cloned()
            .unwrap_or_else(|| root.clone());
        let name = NAMES
            .get(usize::from(input.byte()) % NAMES.len())
            .copied()
            .unwrap_or(b"a");
        let path = [parent.as_slice(), b"/", name].concat();
        match kind {
            0 => {
                if std::fs::create_dir(p(&path)).is_ok() {
                    dirs.push(path);
                }
            }
            1 => {
                let _ = std::fs::write(p(&path), b"f");
            }
            2 => {
                let len = usize::from(input.byte() % 65);
                let t = target(&root, input.bytes(len));
                let _ = std::os::unix::fs::symlink(p(&t), p(&path));
            }
            _ => {
                let links = usize::from(input.byte() % 48);
                let len = usize::from(input.byte() % 65);
                let end = target(&root, input.bytes(len));
                for i in 0..links {
                    let link = [path.as_slice(), format!(".{i}").as_bytes()].concat();
                    let t = if i + 1 == links {
                        end.clone()
                    } else {
                        [name, format!(".{}", i + 1).as_bytes()].concat()
                    };
                    let _ = std::os::unix::fs::symlink(p(&t), p(&link));
                }
            }
        }
    }
    let rest = input.bytes(256);
    let relative = flags & 1 == 1;
    let query = if relative {
        std::env::set_current_dir(&dir).expect("cwd");
        rest
    } else {
        [root.as_slice(), b"/", &rest].concat()
    };

    let ours = realpath(&query);

    let kernel = std::fs::canonicalize(p(&query))
        .ok()
        .filter(|_| std::fs::metadata(p(&query)).is_ok());
    if let Some(k) = kernel {
        let k = k.into_os_string().into_vec();
        let inside = k == root || k.starts_with(&[root.as_slice(), b"/"].concat());
        if inside {
            match &ours {
                Ok(r) => assert!(
                    r == &k,
                    "realpath({:?}) = {:?}, the kernel resolves it to {:?}",
                    String::from_utf8_lossy(&query),
                    String::from_utf8_lossy(r),
                    String::from_utf8_lossy(&k)
                ),
                Err(e) => panic!(
                    "realpath({:?}) refused ({e}), the kernel resolves it to {:?}",
                    String::from_utf8_lossy(&query),
                    String::from_utf8_lossy(&k)
                ),
            }
        }
        if let Ok(r) = &ours
            && !r.starts_with(b"/proc/")
        {
            let last_is_link =
                std::fs::symlink_metadata(p(r)).is_ok_and(|m| m.file_type().is_symlink());
            assert!(
                !last_is_link,
                "realpath({:?}) = {:?} is still a symlink",
                String::from_utf8_lossy(&query),
                String::from_utf8_lossy(r)
            );
        }
    }

    if relative {
        let _ = std::env::set_current_dir(scratch());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fuzz_target!(|data: &[u8]| run(data));
