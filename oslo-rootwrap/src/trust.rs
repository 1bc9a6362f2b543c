//! Reading `rootwrap.conf` and the filter files so that what rootwrap reads
//! is exactly what it verified.
//!
//! The reference documents that these files must be root's alone but never
//! checks. When rootwrap runs as root ([`Trust::Verify`]) every path is
//! walked from `/` one component at a time with `openat(O_PATH |
//! O_NOFOLLOW)`, every directory, symlink and file met is checked with
//! `fstat` on the descriptor just opened, and the file is then read from a
//! descriptor opened relative to its verified directory and compared (device
//! and inode) with what was checked. Nothing is checked on a path string and
//! opened again later, nothing the caller named is canonicalised, and
//! `/proc`'s magic links are never followed.
//!
//! What is trusted:
//! * directories: owned by root and not writable by group or others; an
//!   *ancestor* may instead be a root-owned sticky directory such as
//!   `/tmp` (others cannot rename or remove what root put there);
//! * symlinks: owned by root (they sit in a verified directory, so only
//!   root could have made them); their targets are walked the same way,
//!   at most 40 of them per path like the kernel;
//! * files: regular, owned by root, not writable by group or others, and
//!   not hard-linked elsewhere when they sit in a directory others can
//!   write to (a caller could otherwise give a root file a name of its
//!   choosing there);
//! * nothing on procfs.
//!
//! Without privilege ([`Trust::Assume`]) files are opened as Python opens
//! them (the kernel resolves the path), since there is nothing to protect.

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::rc::Rc;

use crate::sys::Errno;
use crate::sys::fs::{self, Info, Kind};
use pycompat::ospath;

/// Whether the files must be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Running as root: verify everything as described in the module docs.
    Verify,
    /// No privilege to hand out: read as the reference does.
    Assume,
}

/// Why a path is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    /// Not owned by root.
    #[error("owned by uid {0}, not root")]
    Owner(u32),
    /// Writable by group or others.
    #[error("writable by group or others (mode {0:04o})")]
    Writable(u32),
    /// A symlink made by someone else than root.
    #[error("a symlink owned by uid {0}, not root")]
    LinkOwner(u32),
    /// On procfs: its links lead to whatever some process has open,
    /// whatever their text says.
    #[error("on /proc, whose links are not followed")]
    Procfs,
    /// A file with other names, in a directory others can write to.
    #[error("has {0} hard links and sits in a directory others can write to")]
    SharedHardLink(u64),
    /// Not a regular file.
    #[error("not a regular file")]
    NotRegular,
    /// Nothing (readable) there, where something is required.
    #[error("does not exist")]
    Missing,
    /// The object changed between the check and the open.
    #[error("changed while being opened")]
    Changed,
    /// A system error.
    #[error("{0}")]
    Io(Errno),
}

/// A path rootwrap refuses to trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct TrustError {
    /// The offending path (the file itself or one of its ancestors).
    pub path: String,
    /// Why it is not trusted.
    pub reason: Untrusted,
}

fn untrusted(path: &[u8], reason: Untrusted) -> TrustError {
    TrustError {
        path: pycompat::str::display(path),
        reason,
    }
}

/// The kernel's limit on symlinks followed in one path (`MAXSYMLINKS`).
const MAX_HOPS: usize = 40;

const S_ISVTX: u32 = 0o1000;

/// Why a walk found nothing to read.
enum Walk {
    /// Nothing there in the sense of Python's `os.path.exists` (missing,
    /// not a directory on the way, a symlink loop): the reference would see
    /// no file or directory.
    Nothing,
    /// Something there that is not trusted.
    Untrusted(TrustError),
}

/// A directory descriptor a walk holds: the verified directory it started
/// from, or one it opened.
enum DirFd<'a> {
    Borrowed(BorrowedFd<'a>),
    Owned(OwnedFd),
    /// One the load's [`Memo`] keeps too.
    Shared(Rc<OwnedFd>),
}

impl AsFd for DirFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            DirFd::Borrowed(fd) => *fd,
            DirFd::Owned(fd) => fd.as_fd(),
            DirFd::Shared(fd) => fd.as_fd(),
        }
    }
}

/// Where a walk starts.
enum Start<'a> {
    /// At `/`, which the walk checks.
    Root,
    /// At a directory the caller verified: its descriptor, its path, and
    /// whether others may write to it.
    Verified {
        dir: DirFd<'a>,
        shown: Vec<u8>,
        shared: bool,
    },
}

/// What a load has learnt while walking: the directories it verified, each
/// under the path that reached it with no symlink, `.` or `..` on the way
/// (that text, walked again, would meet only directories already found to
/// be root's alone, so it names the same verified directory: a later walk
/// starts there instead of at `/`), and which devices are procfs.
#[derive(Debug, Default)]
struct Memo {
    dirs: Vec<(Vec<u8>, Rc<OwnedFd>, bool)>,
    devices: fs::Devices,
}

impl Memo {
    fn get(&self, path: &[u8]) -> Option<(Rc<OwnedFd>, bool)> {
        self.dirs
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, fd, shared)| (Rc::clone(fd), *shared))
    }

    fn remember(&mut self, path: &[u8], dir: &Rc<OwnedFd>, shared: bool) {
        if !self.dirs.iter().any(|(p, _, _)| p == path) {
            self.dirs.push((path.to_vec(), Rc::clone(dir), shared));
        }
    }
}

/// The end of a walk: a verified object that is not a symlink.
struct Found<'a> {
    /// What `fstat` said about it.
    info: Info,
    /// Its directory (for a file) or itself (for a directory).
    dir: DirFd<'a>,
    /// Its name in `dir` (for a file).
    name: Vec<u8>,
    /// Whether `dir` is writable by others (sticky).
    dir_shared: bool,
    /// The path walked, symlinks resolved, for messages.
    shown: Vec<u8>,
    /// How many symlinks the walk followed.
    hops: usize,
}

/// Checks a directory met on the way (an ancestor: sticky root-owned
/// directories are fine) and says whether others may write to it.
fn check_ancestor(path: &[u8], info: &Info) -> Result<bool, TrustError> {
    if info.procfs {
        return Err(untrusted(path, Untrusted::Procfs));
    }
    if info.uid != 0 {
        return Err(untrusted(path, Untrusted::Owner(info.uid)));
    }
    let writable = info.mode & 0o022 != 0;
    if writable && info.mode & S_ISVTX == 0 {
        return Err(untrusted(path, Untrusted::Writable(info.mode)));
    }
    Ok(writable)
}

/// Checks the file or directory itself: root's, and only root's to write.
fn check_leaf(path: &[u8], info: &Info) -> Result<(), TrustError> {
    if info.procfs {
        return Err(untrusted(path, Untrusted::Procfs));
    }
    if info.uid != 0 {
        return Err(untrusted(path, Untrusted::Owner(info.uid)));
    }
    if info.mode & 0o022 != 0 {
        return Err(untrusted(path, Untrusted::Writable(info.mode)));
    }
    Ok(())
}

fn io_at(path: &[u8]) -> impl Fn(Errno) -> Walk + '_ {
    move |e| match e {
        Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP | Errno::ENAMETOOLONG => Walk::Nothing,
        other => Walk::Untrusted(untrusted(path, Untrusted::Io(other))),
    }
}

/// Walks `path` (absolute, or relative to a verified `start` directory)
/// one component at a time, verifying every directory and symlink met,
/// following symlinks like the kernel.
fn walk<'a>(start: Start<'a>, path: &[u8], memo: &mut Memo) -> Result<Found<'a>, Walk> {
    let root_checked = |memo: &mut Memo| -> Result<(DirFd<'a>, bool), Walk> {
        if let Some((root, shared)) = memo.get(b"/") {
            return Ok((DirFd::Shared(root), shared));
        }
        let root = fs::open_root().map_err(io_at(b"/"))?;
        let info = fs::stat(root.as_fd(), &mut memo.devices).map_err(io_at(b"/"))?;
        let shared = check_ancestor(b"/", &info).map_err(Walk::Untrusted)?;
        let root = Rc::new(root);
        memo.remember(b"/", &root, shared);
        Ok((DirFd::Shared(root), shared))
    };
    let (mut dir, mut dir_shown, mut dir_shared) = match start {
        Start::Verified { dir, shown, shared } if !ospath::isabs(path) => (dir, shown, shared),
        _ => {
            let (root, shared) = root_checked(memo)?;
            (root, b"/".to_vec(), shared)
        }
    };
    // Directories are remembered while the path walked is plain text (see
    // [`Memo`]).
    let mut plain = true;
    let mut pending: std::collections::VecDeque<Vec<u8>> = components(path);
    // A trailing slash (of the path, or of the target of a final symlink)
    // means the path names a directory.
    let mut must_be_dir = path.ends_with(b"/");
    let mut hops = 0usize;
    // What `fstat` said about `dir` when this walk opened it (`None` for
    // one it started from).
    let mut dir_info: Option<Info> = None;
    while let Some(name) = pending.pop_front() {
        if name == b"." {
            plain = false;
            continue;
        }
        if name == b".." {
            plain = false;
            let parent = fs::open_parent(dir.as_fd()).map_err(io_at(&dir_shown))?;
            dir_shown = ospath::dirname(&dir_shown);
            if dir_shown.is_empty() {
                dir_shown = b"/".to_vec();
            }
            let info = fs::stat(parent.as_fd(), &mut memo.devices).map_err(io_at(&dir_shown))?;
            dir_shared = check_ancestor(&dir_shown, &info).map_err(Walk::Untrusted)?;
            dir = DirFd::Owned(parent);
            dir_info = Some(info);
            continue;
        }
        let shown = ospath::join(&dir_shown, &name);
        let object = fs::open_path_at(dir.as_fd(), &name).map_err(io_at(&shown))?;
        let info = fs::stat(object.as_fd(), &mut memo.devices).map_err(io_at(&shown))?;
        match info.kind {
            Kind::Symlink => {
                if info.procfs {
                    return Err(Walk::Untrusted(untrusted(&shown, Untrusted::Procfs)));
                }
                if info.uid != 0 {
                    return Err(Walk::Untrusted(untrusted(
                        &shown,
                        Untrusted::LinkOwner(info.uid),
                    )));
                }
                plain = false;
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(Walk::Nothing);
                }
                let target = fs::read_link(object.as_fd()).map_err(io_at(&shown))?;
                if target.is_empty() {
                    return Err(Walk::Nothing);
                }
                if pending.is_empty() && target.ends_with(b"/") {
                    must_be_dir = true;
                }
                let mut expanded = components(&target);
                expanded.extend(pending);
                pending = expanded;
                if ospath::isabs(&target) {
                    let (root, shared) = root_checked(memo)?;
                    dir = root;
                    dir_shown = b"/".to_vec();
                    dir_shared = shared;
                    dir_info = None;
                }
            }
            Kind::Directory => {
                dir_shared = check_ancestor(&shown, &info).map_err(Walk::Untrusted)?;
                if plain {
                    let object = Rc::new(object);
                    memo.remember(&shown, &object, dir_shared);
                    dir = DirFd::Shared(object);
                } else {
                    dir = DirFd::Owned(object);
                }
                dir_shown = shown;
                dir_info = Some(info);
            }
            Kind::Regular | Kind::Other => {
                if !pending.is_empty() || must_be_dir {
                    return Err(Walk::Nothing); // ENOTDIR
                }
                return Ok(Found {
                    info,
                    dir,
                    name,
                    dir_shared,
                    shown,
                    hops,
                });
            }
        }
    }
    // The path ended on a directory: `dir` itself, whose `fstat` the walk
    // has unless it started there.
    let info = match dir_info {
        Some(info) => info,
        None => fs::stat(dir.as_fd(), &mut memo.devices).map_err(io_at(&dir_shown))?,
    };
    Ok(Found {
        info,
        dir,
        name: b".".to_vec(),
        dir_shared,
        shown: dir_shown,
        hops,
    })
}

/// The components of a path, empty ones dropped.
fn components(path: &[u8]) -> std::collections::VecDeque<Vec<u8>> {
    path.split(|&c| c == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Walks `path` from `/` (a relative path from the working directory,
/// whose own path is walked and verified too), or from the deepest
/// directory of it `memo` already holds.
fn walk_path(path: &[u8], memo: &mut Memo) -> Result<Found<'static>, Walk> {
    let absolute = if ospath::isabs(path) {
        path.to_vec()
    } else {
        let cwd = fs::cwd().map_err(|e| Walk::Untrusted(untrusted(path, Untrusted::Io(e))))?;
        ospath::join(&cwd, path)
    };
    let parts: Vec<&[u8]> = absolute
        .split(|&c| c == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    let plain = parts
        .iter()
        .take_while(|c| **c != b"." && **c != b"..")
        .count();
    // The plain part of the path with single slashes; `ends[d]` is where
    // its first `d + 1` components end.
    let mut normal: Vec<u8> = Vec::with_capacity(absolute.len() + 1);
    let mut ends: Vec<usize> = Vec::with_capacity(plain);
    for part in parts.iter().take(plain) {
        normal.push(b'/');
        normal.extend_from_slice(part);
        ends.push(normal.len());
    }
    for depth in (1..=plain).rev() {
        let Some(prefix) = ends.get(depth - 1).and_then(|&end| normal.get(..end)) else {
            continue;
        };
        if let Some((dir, shared)) = memo.get(prefix) {
            let mut rest: Vec<u8> = parts.get(depth..).unwrap_or_default().join(&b'/');
            if rest.is_empty() {
                rest.push(b'.');
            }
            if absolute.ends_with(b"/") {
                rest.push(b'/');
            }
            let start = Start::Verified {
                dir: DirFd::Shared(dir),
                shown: prefix.to_vec(),
                shared,
            };
            return walk(start, &rest, memo);
        }
    }
    walk(Start::Root, &absolute, memo)
}

/// Reads a verified regular file found by a walk.
fn read_found(found: &Found<'_>, devices: &mut fs::Devices) -> Result<Vec<u8>, TrustError> {
    let shown = &found.shown;
    if found.info.kind != Kind::Regular {
        return Err(untrusted(shown, Untrusted::NotRegular));
    }
    check_leaf(shown, &found.info)?;
    if found.dir_shared && found.info.nlink > 1 {
        return Err(untrusted(
            shown,
            Untrusted::SharedHardLink(found.info.nlink),
        ));
    }
    let mut file = fs::open_read_at(found.dir.as_fd(), &found.name)
        .map_err(|e| untrusted(shown, Untrusted::Io(e)))?;
    let opened = fs::stat(file.as_fd(), devices).map_err(|e| untrusted(shown, Untrusted::Io(e)))?;
    if !opened.same_object(&found.info) || opened.kind != Kind::Regular {
        return Err(untrusted(shown, Untrusted::Changed));
    }
    check_leaf(shown, &opened)?;
    read_sized(&mut file, opened.size).map_err(|e| untrusted(shown, e))
}

fn read_all(file: &mut File) -> Result<Vec<u8>, Untrusted> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Untrusted::Io(Errno::from_raw(e.raw_os_error().unwrap_or(0))))?;
    Ok(bytes)
}

/// Reads a file whose size `fstat` just gave, without asking the size and
/// position again as `File::read_to_end` does (a file that grows meanwhile
/// is still read to its end).
fn read_sized(file: &mut File, size: u64) -> Result<Vec<u8>, Untrusted> {
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    Read::read_to_end(&mut file.take(u64::MAX), &mut bytes)
        .map_err(|e| Untrusted::Io(Errno::from_raw(e.raw_os_error().unwrap_or(0))))?;
    Ok(bytes)
}

/// What reading `rootwrap.conf` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFile {
    /// Its contents.
    Read(Vec<u8>),
    /// No regular file readable there (the reference reads that as an
    /// empty configuration).
    Absent,
}

/// Reads the configuration and filter files of one load, remembering the
/// directories it verified so that files sharing ancestors do not walk
/// them again (see `Memo`).
#[derive(Debug)]
pub struct Reader {
    trust: Trust,
    memo: Memo,
}

impl Reader {
    /// A reader for one load.
    pub fn new(trust: Trust) -> Reader {
        Reader {
            trust,
            memo: Memo::default(),
        }
    }

    /// Reads `rootwrap.conf` (see the module docs for what
    /// [`Trust::Verify`] checks). Under [`Trust::Verify`] something that
    /// exists but is not a regular file is refused; a missing file is
    /// [`ConfigFile::Absent`], for the caller to accept (sudo: the
    /// reference's empty configuration) or refuse (setuid).
    pub fn read_config(&mut self, path: &Path) -> Result<ConfigFile, TrustError> {
        let bytes = path.as_os_str().as_bytes();
        match self.trust {
            Trust::Assume => {
                let read = fs::open_read(bytes).ok().and_then(|mut f| {
                    let mut b = Vec::new();
                    f.read_to_end(&mut b).ok().map(|_| b)
                });
                Ok(read.map_or(ConfigFile::Absent, ConfigFile::Read))
            }
            Trust::Verify => match walk_path(bytes, &mut self.memo) {
                Err(Walk::Nothing) => Ok(ConfigFile::Absent),
                Err(Walk::Untrusted(e)) => Err(e),
                Ok(found) => read_found(&found, &mut self.memo.devices).map(ConfigFile::Read),
            },
        }
    }

    /// Opens a `filters_path` entry. `Ok(None)` when it is not a directory
    /// (Python's `os.path.isdir` is false: the reference skips it).
    pub fn open_filters_dir(&mut self, path: &[u8]) -> Result<Option<FiltersDir>, TrustError> {
        // Whether to skip the entry is Python's `os.path.isdir`, asked of
        // the kernel: skipping only ever means fewer filters. Only what
        // exists is walked and verified (a relative entry such as the " /b"
        // of "/a, /b" is skipped as the reference skips it, whatever the
        // working directory).
        let Ok(opened) = fs::open_dir(path) else {
            return Ok(None);
        };
        let (listing, shown, hops) = match self.trust {
            Trust::Assume => (opened, path.to_vec(), 0),
            Trust::Verify => {
                let found = match walk_path(path, &mut self.memo) {
                    Err(Walk::Nothing) => return Ok(None),
                    Err(Walk::Untrusted(e)) => return Err(e),
                    Ok(found) => found,
                };
                if found.info.kind != Kind::Directory {
                    return Ok(None);
                }
                check_leaf(&found.shown, &found.info)?;
                let io = |e| untrusted(&found.shown, Untrusted::Io(e));
                // What the kernel opened for the path is the directory the
                // walk verified (same device and inode): list that one.
                // Otherwise (the path changed meanwhile), the verified one.
                let same = fs::stat(opened.as_fd(), &mut self.memo.devices).map_err(io)?;
                let listing = if same.same_object(&found.info) {
                    opened
                } else {
                    let fd = fs::reopen_dir(found.dir.as_fd()).map_err(io)?;
                    let reopened = fs::stat(fd.as_fd(), &mut self.memo.devices).map_err(io)?;
                    if !reopened.same_object(&found.info) {
                        return Err(untrusted(&found.shown, Untrusted::Changed));
                    }
                    fd
                };
                (listing, found.shown, found.hops)
            }
        };
        let listing = fs::Listing::new(listing).map_err(|e| untrusted(&shown, Untrusted::Io(e)))?;
        Ok(Some(FiltersDir {
            listing,
            path: path.to_vec(),
            shown,
            hops,
            trust: self.trust,
            memo: Memo::default(),
        }))
    }
}

/// [`Reader::read_config`] for one file.
pub fn read_config(path: &Path, trust: Trust) -> Result<ConfigFile, TrustError> {
    Reader::new(trust).read_config(path)
}

/// [`Reader::open_filters_dir`] for one directory.
pub fn open_filters_dir(path: &[u8], trust: Trust) -> Result<Option<FiltersDir>, TrustError> {
    Reader::new(trust).open_filters_dir(path)
}

/// A filters directory, open for listing.
#[derive(Debug)]
pub struct FiltersDir {
    listing: fs::Listing,
    path: Vec<u8>,
    shown: Vec<u8>,
    /// Symlinks followed to reach it.
    hops: usize,
    trust: Trust,
    memo: Memo,
}

/// One entry of a filters directory that the reference would read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterFile {
    /// `os.path.join(directory, name)`, as the reference names it.
    pub path: Vec<u8>,
    /// Its contents; `None` if it could not be read (the reference's
    /// configparser then sees no `[Filters]` section).
    pub contents: Option<Vec<u8>>,
}

impl FiltersDir {
    /// The names the reference considers, in directory (readdir) order:
    /// those not starting with `.`.
    pub fn names(&mut self) -> Result<Vec<Vec<u8>>, TrustError> {
        let mut names = self
            .listing
            .names()
            .map_err(|e| untrusted(&self.shown, Untrusted::Io(e)))?;
        names.retain(|n| !n.starts_with(b"."));
        Ok(names)
    }

    /// Reads the entry `name` if the reference would (a regular file after
    /// following symlinks; `Ok(None)` otherwise), verified under
    /// [`Trust::Verify`].
    pub fn read(&mut self, name: &[u8]) -> Result<Option<FilterFile>, TrustError> {
        let path = ospath::join(&self.path, name);
        // Whether to skip the entry is `os.path.isfile(join(dir, name))`,
        // one kernel lookup of the whole path whose 40-symlink budget covers
        // the directory's own path too; skipping only ever means fewer
        // filters. When no symlink led to the directory, a lookup relative
        // to it has the same budget (below); otherwise ask the whole path.
        if self.hops > 0 && fs::kind_following(&path) != Ok(Kind::Regular) {
            return Ok(None);
        }
        let contents = match self.trust {
            Trust::Assume => {
                if self.hops == 0 && fs::kind_following(&path) != Ok(Kind::Regular) {
                    return Ok(None);
                }
                fs::open_read(&path)
                    .ok()
                    .and_then(|mut f| read_all(&mut f).ok())
            }
            Trust::Verify => {
                let shown = ospath::join(&self.shown, name);
                // The common case, a regular file: opened without following
                // (a symlink fails with ELOOP), checked, read.
                match fs::open_read_at(self.listing.as_fd(), name) {
                    Ok(mut file) => {
                        let info = fs::stat(file.as_fd(), &mut self.memo.devices)
                            .map_err(|e| untrusted(&shown, Untrusted::Io(e)))?;
                        if info.kind != Kind::Regular {
                            return Ok(None);
                        }
                        // The directory is a verified leaf: nobody else
                        // writes to it, so the hard-link rule has no place.
                        check_leaf(&shown, &info)?;
                        Some(read_sized(&mut file, info.size).map_err(|e| untrusted(&shown, e))?)
                    }
                    Err(Errno::ELOOP) => {
                        if self.hops == 0 && fs::kind_following(&path) != Ok(Kind::Regular) {
                            return Ok(None);
                        }
                        let start = Start::Verified {
                            dir: DirFd::Borrowed(self.listing.as_fd()),
                            shown: self.shown.clone(),
                            shared: false,
                        };
                        let mut memo = Memo::default();
                        match walk(start, name, &mut memo) {
                            Err(Walk::Nothing) => return Ok(None),
                            Err(Walk::Untrusted(e)) => return Err(e),
                            Ok(found) if found.info.kind != Kind::Regular => return Ok(None),
                            Ok(found) => Some(read_found(&found, &mut memo.devices)?),
                        }
                    }
                    Err(Errno::ENOENT | Errno::ENOTDIR) => return Ok(None),
                    Err(e) => return Err(untrusted(&shown, Untrusted::Io(e))),
                }
            }
        };
        Ok(Some(FilterFile { path, contents }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn verify(path: &Path) -> Result<ConfigFile, TrustError> {
        read_config(path, Trust::Verify)
    }

    #[test]
    fn refuses_what_others_could_change() -> Result<(), Box<dyn std::error::Error>> {
        if !crate::sys::ids::is_effective_root() {
            eprintln!("SKIPPED: trust tests need root (file ownership)");
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let file = dir.path().join("f");
        std::fs::write(&file, "x")?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
        assert_eq!(verify(&file)?, ConfigFile::Read(b"x".to_vec()));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664))?;
        assert!(verify(&file).is_err());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o757))?;
        assert!(verify(&file).is_err());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777))?;
        assert_eq!(verify(&file)?, ConfigFile::Read(b"x".to_vec()));
        // A second name for it in a directory others can write to.
        std::fs::hard_link(&file, dir.path().join("g"))?;
        assert!(matches!(
            verify(&file),
            Err(TrustError {
                reason: Untrusted::SharedHardLink(2),
                ..
            })
        ));
        std::fs::remove_file(dir.path().join("g"))?;
        std::os::unix::fs::chown(&file, Some(65534), None)?;
        assert!(matches!(
            verify(&file),
            Err(TrustError {
                reason: Untrusted::Owner(65534),
                ..
            })
        ));
        // Root-owned symlinks are followed; others' are not.
        std::os::unix::fs::chown(&file, Some(0), None)?;
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("f", &link)?;
        assert_eq!(verify(&link)?, ConfigFile::Read(b"x".to_vec()));
        std::os::unix::fs::lchown(&link, Some(65534), None)?;
        assert!(matches!(
            verify(&link),
            Err(TrustError {
                reason: Untrusted::LinkOwner(65534),
                ..
            })
        ));
        assert_eq!(verify(&dir.path().join("missing"))?, ConfigFile::Absent);
        Ok(())
    }

    #[test]
    fn entries_that_do_not_exist_are_skipped_wherever_they_point()
    -> Result<(), Box<dyn std::error::Error>> {
        if !crate::sys::ids::is_effective_root() {
            eprintln!("SKIPPED: trust tests need root (file ownership)");
            return Ok(());
        }
        // A directory others own on the way to a path that does not exist:
        // the reference skips the entry (isdir is false), and so do we.
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs)?;
        std::os::unix::fs::chown(&theirs, Some(65534), None)?;
        let missing = theirs.join("missing");
        assert!(open_filters_dir(missing.as_os_str().as_bytes(), Trust::Verify)?.is_none());
        // What does exist there is refused.
        std::fs::create_dir(&missing)?;
        assert!(open_filters_dir(missing.as_os_str().as_bytes(), Trust::Verify).is_err());
        Ok(())
    }

    #[test]
    fn filter_directories_read_what_the_reference_reads() -> Result<(), Box<dyn std::error::Error>>
    {
        if !crate::sys::ids::is_effective_root() {
            eprintln!("SKIPPED: trust tests need root (file ownership)");
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let d = dir.path().join("rootwrap.d");
        std::fs::create_dir(&d)?;
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))?;
        std::fs::write(d.join("a.filters"), "a")?;
        std::fs::write(dir.path().join("elsewhere"), "b")?;
        std::os::unix::fs::symlink("../elsewhere", d.join("b.filters"))?;
        std::os::unix::fs::symlink("missing", d.join("dangling"))?;
        std::fs::write(d.join(".hidden"), "h")?;
        std::fs::create_dir(d.join("sub"))?;
        let path = d.as_os_str().as_bytes();
        let Some(mut opened) = open_filters_dir(path, Trust::Verify)? else {
            panic!("not opened")
        };
        let mut read = Vec::new();
        for name in opened.names()? {
            if let Some(f) = opened.read(&name)? {
                read.push((name, f.contents));
            }
        }
        read.sort();
        assert_eq!(
            read,
            vec![
                (b"a.filters".to_vec(), Some(b"a".to_vec())),
                (b"b.filters".to_vec(), Some(b"b".to_vec())),
            ]
        );
        // Another's file, directly or behind a link: refused.
        std::os::unix::fs::chown(dir.path().join("elsewhere"), Some(65534), None)?;
        assert!(opened.read(b"b.filters").is_err());
        std::os::unix::fs::chown(d.join("a.filters"), Some(65534), None)?;
        assert!(matches!(
            opened.read(b"a.filters"),
            Err(TrustError {
                reason: Untrusted::Owner(65534),
                ..
            })
        ));
        Ok(())
    }

    #[test]
    fn magic_links_are_not_followed() -> Result<(), Box<dyn std::error::Error>> {
        if !crate::sys::ids::is_effective_root() {
            eprintln!("SKIPPED: trust tests need root (file ownership)");
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let file = dir.path().join("f");
        std::fs::write(&file, "x")?;
        let open = File::open(&file)?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&open);
        for path in [
            format!("/proc/self/fd/{fd}"),
            format!("/dev/fd/{fd}"),
            format!("/proc/{}/fd/{fd}", std::process::id()),
        ] {
            match verify(Path::new(&path)) {
                Err(TrustError {
                    reason: Untrusted::Procfs,
                    ..
                }) => {}
                other => panic!("{path}: {other:?}"),
            }
        }
        Ok(())
    }
}
