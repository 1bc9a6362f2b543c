//! Files by descriptor: every check rootwrap makes on the configuration and
//! the filter files is made with `fstat` on the descriptor it then reads,
//! and every path is opened one component at a time relative to an
//! already-checked directory (`openat` with `O_NOFOLLOW`), never as a
//! string checked first and opened later.

use std::ffi::{CStr, OsStr};
use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{Mode, SFlag};

use super::Errno;

/// What kind of object a descriptor refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link (only seen through `O_PATH | O_NOFOLLOW`).
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// The `fstat` fields trust decisions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// The object's kind.
    pub kind: Kind,
    /// Its owner.
    pub uid: u32,
    /// Its permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Its device.
    pub dev: u64,
    /// Its inode.
    pub ino: u64,
    /// Its number of hard links.
    pub nlink: u64,
    /// Its size in bytes.
    pub size: u64,
    /// For a directory, whether it lives on procfs (whose links are
    /// "magic": they lead to whatever a process has open, whatever the
    /// link's text says). Not asked for other objects: nothing on procfs
    /// is reached without going through a procfs directory first.
    pub procfs: bool,
}

impl Info {
    /// Whether `other` is the very same object.
    pub fn same_object(&self, other: &Info) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}

fn c_name(name: &[u8]) -> Result<&OsStr, Errno> {
    if name.contains(&0) {
        Err(Errno::EINVAL)
    } else {
        Ok(OsStr::from_bytes(name))
    }
}

/// `/`, as a directory descriptor to walk from.
pub fn open_root() -> Result<OwnedFd, Errno> {
    nix::fcntl::open(
        "/",
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens `name` in `dir` without following it if it is a symlink, without
/// reading or writing it (`O_PATH | O_NOFOLLOW`): only for `fstat`,
/// `readlinkat` and further `openat`s.
pub fn open_path_at(dir: BorrowedFd<'_>, name: &[u8]) -> Result<OwnedFd, Errno> {
    nix::fcntl::openat(
        dir,
        c_name(name)?,
        OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens the non-symlink `name` in `dir` for reading. `O_NONBLOCK` so a
/// FIFO cannot block us (the caller checks the kind with [`stat`]).
pub fn open_read_at(dir: BorrowedFd<'_>, name: &[u8]) -> Result<File, Errno> {
    nix::fcntl::openat(
        dir,
        c_name(name)?,
        OFlag::O_RDONLY
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_NOCTTY
            | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map(File::from)
}

/// Opens the non-symlink directory `name` in `dir` for listing.
pub fn open_dir_at(dir: BorrowedFd<'_>, name: &[u8]) -> Result<OwnedFd, Errno> {
    nix::fcntl::openat(
        dir,
        c_name(name)?,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// The kind of what `path` is after following symlinks, as the kernel
/// resolves the whole path (Python's `os.path.isfile(path)`).
pub fn kind_following(path: &[u8]) -> Result<Kind, Errno> {
    let st = nix::sys::stat::stat(c_name(path)?)?;
    Ok(kind_of(st.st_mode))
}

/// Reopens the directory `dir` (any descriptor of it, `O_PATH` included)
/// for listing.
pub fn reopen_dir(dir: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    nix::fcntl::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens `path` for reading the way Python's `open()` does (the kernel
/// resolves it, following symlinks): for when nothing is to be trusted.
pub fn open_read(path: &[u8]) -> Result<File, Errno> {
    nix::fcntl::open(
        c_name(path)?,
        OFlag::O_RDONLY | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map(File::from)
}

/// Opens `..` of the directory `dir` (`O_PATH`; `..` of `/` is `/`).
pub fn open_parent(dir: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    nix::fcntl::openat(
        dir,
        "..",
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// The working directory, as bytes.
pub fn cwd() -> Result<Vec<u8>, Errno> {
    nix::unistd::getcwd().map(|p| p.into_os_string().into_vec())
}

/// Opens the directory `path` for listing, as the kernel resolves it.
pub fn open_dir(path: &[u8]) -> Result<OwnedFd, Errno> {
    nix::fcntl::open(
        c_name(path)?,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// What [`stat`] learnt about devices: whether each is procfs (asked of
/// `fstatfs` once per device, not once per directory).
#[derive(Debug, Default)]
pub struct Devices(Vec<(u64, bool)>);

/// `fstat` (and, for a directory on a device not met before, `fstatfs`:
/// [`Info::procfs`]) of a descriptor.
pub fn stat(fd: BorrowedFd<'_>, devices: &mut Devices) -> Result<Info, Errno> {
    let st = nix::sys::stat::fstat(fd)?;
    let kind = kind_of(st.st_mode);
    let procfs = if kind != Kind::Directory {
        false
    } else if let Some((_, p)) = devices.0.iter().find(|(d, _)| *d == st.st_dev) {
        *p
    } else {
        let p =
            nix::sys::statfs::fstatfs(fd)?.filesystem_type() == nix::sys::statfs::PROC_SUPER_MAGIC;
        devices.0.push((st.st_dev, p));
        p
    };
    Ok(Info {
        kind,
        uid: st.st_uid,
        mode: st.st_mode & 0o7777,
        dev: st.st_dev,
        ino: st.st_ino,
        nlink: st.st_nlink,
        size: u64::try_from(st.st_size).unwrap_or(0),
        procfs,
    })
}

fn kind_of(mode: u32) -> Kind {
    let fmt = SFlag::from_bits_truncate(mode & SFlag::S_IFMT.bits());
    if fmt == SFlag::S_IFREG {
        Kind::Regular
    } else if fmt == SFlag::S_IFDIR {
        Kind::Directory
    } else if fmt == SFlag::S_IFLNK {
        Kind::Symlink
    } else {
        Kind::Other
    }
}

/// The target of the symlink `link` refers to (opened with
/// [`open_path_at`]): `readlinkat(link, "")`.
pub fn read_link(link: BorrowedFd<'_>) -> Result<Vec<u8>, Errno> {
    nix::fcntl::readlinkat(link, "").map(|t| t.into_vec())
}

/// A directory open for listing (and, through [`AsFd`], for `openat`s
/// relative to it).
#[derive(Debug)]
pub struct Listing(nix::dir::Dir);

impl Listing {
    /// Takes a directory descriptor opened for reading (not `O_PATH`).
    pub fn new(dir: OwnedFd) -> Result<Listing, Errno> {
        nix::dir::Dir::from_fd(dir).map(Listing)
    }

    /// The names in the directory, in the order the kernel returns them
    /// (Python's `os.listdir`), without `.` and `..`.
    pub fn names(&mut self) -> Result<Vec<Vec<u8>>, Errno> {
        let mut names = Vec::new();
        for entry in self.0.iter() {
            let entry = entry?;
            let name: &CStr = entry.file_name();
            let name = name.to_bytes();
            if name != b"." && name != b".." {
                names.push(name.to_vec());
            }
        }
        Ok(names)
    }
}

impl AsFd for Listing {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Python's `os.access(path, os.X_OK)` for a process whose real and
/// effective ids are equal (always the case when rootwrap decides), asked
/// with the *effective* ids (`AT_EACCESS`) so that the answer does not
/// change while a command is being started under another real uid.
pub fn executable(path: &[u8]) -> bool {
    c_name(path).is_ok_and(|p| {
        nix::unistd::faccessat(
            nix::fcntl::AT_FDCWD,
            p,
            nix::unistd::AccessFlags::X_OK,
            AtFlags::AT_EACCESS,
        )
        .is_ok()
    })
}

/// Borrows any descriptor-holding value (for callers outside `sys`).
pub fn borrow<F: AsFd>(f: &F) -> BorrowedFd<'_> {
    f.as_fd()
}
