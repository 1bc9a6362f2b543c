//! Whether anything the enforcer's change check reads could have changed
//! since it last read it: the check every `enforce` makes, without a
//! `stat` per call.
//!
//! The reference stats the policy file (and lists and stats its
//! `policy_dirs`) on every `enforce`, so a file changed, replaced by
//! rename, created or removed is seen by the next call. The enforcer does
//! the same through the enforcer's `sources()` scan; this module
//! tells it when that scan can be skipped because it would give the same
//! answer as the last one:
//!
//! * before the scan reads a path, every directory its resolution passes
//!   through (from `/`, following symbolic links component by component
//!   as the kernel does) is watched with inotify for the entry it looks
//!   up, and the inode it ends at is watched for any change (content,
//!   attributes, times, removal, rename; a directory of `policy_dirs`
//!   also for its entries other than dotfiles);
//! * a call asks one `epoll` instance holding the inotify descriptor and
//!   `/proc/self/mounts` whether anything is ready (one `epoll_wait`
//!   with no timeout, plus a `getpid`);
//! * inotify queues an event before the syscall that caused it returns,
//!   so a change made before a call starts is pending when that call
//!   polls; any pending event that concerns a watched name (or the
//!   watched inode itself, or a lost event) sends the call to the scan;
//! * what inotify does not see makes the call scan too: a mount or
//!   unmount anywhere in the namespace (`/proc/self/mounts` polls
//!   readable), a change of the working directory when a configured path
//!   is relative, running in a forked child (the inotify descriptor is
//!   shared with the parent, which may consume its events).
//!
//! No watch is armed (the enforcer stats on every call, as before) where
//! inotify cannot promise to see every change: on filesystems other than
//! local disk and memory ones (NFS, SMB, FUSE and the like change under
//! the kernel's feet), when inotify or `/proc` is unavailable, when a
//! limit is reached or a directory cannot be watched. One kind of change
//! is invisible to inotify and seen by a `stat`: writes through a shared
//! `mmap` of the policy file (inotify(7)); tools that edit policy files
//! write or rename them.

use std::path::Path;

/// A mark of the enforcer's last scan: quiet while nothing it read can
/// have changed.
#[derive(Debug)]
pub(crate) struct Watch {
    #[cfg(target_os = "linux")]
    inner: linux::Armed,
}

/// Sets up a [`Watch`] while the scan reads the paths: each path is
/// watched before it is read.
#[derive(Debug)]
pub(crate) struct Arming {
    #[cfg(target_os = "linux")]
    inner: linux::Armed,
}

impl Arming {
    /// A new watch; `None` where inotify cannot be used. `relative`: a
    /// configured path is relative (the working directory is checked too).
    pub(crate) fn new(relative: bool) -> Option<Arming> {
        #[cfg(test)]
        if refused() == Refuse::New {
            return None;
        }
        #[cfg(target_os = "linux")]
        {
            linux::Armed::new(relative).map(|inner| Arming { inner })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = relative;
            None
        }
    }

    /// Watches what `stat(path)` depends on, before the scan stats it.
    /// `dir`: a `policy_dirs` entry, whose entries (other than dotfiles)
    /// the scan lists and stats. `Err`: this cannot be watched; give up.
    pub(crate) fn path(&mut self, path: &Path, dir: bool) -> Result<(), ()> {
        #[cfg(test)]
        if refused() == Refuse::Path {
            return Err(());
        }
        #[cfg(target_os = "linux")]
        {
            self.inner.path(path, dir)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (path, dir);
            Err(())
        }
    }

    /// The watch, once the scan is over.
    pub(crate) fn finish(self) -> Watch {
        Watch {
            #[cfg(target_os = "linux")]
            inner: self.inner,
        }
    }
}

impl Watch {
    /// `true` when no event at all is pending (nothing the last scan read
    /// can have changed since); `false`: ask [`Watch::quiet`], which may
    /// consume events. Many threads may ask at once.
    pub(crate) fn nothing_pending(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.inner.pending() == Some(0)
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// `true` when nothing the last scan read can have changed since (an
    /// event that concerns none of it is consumed); `false`: scan again.
    pub(crate) fn quiet(&mut self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.inner.quiet()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

/// What the tests make fail in this thread: no inotify instance to be had
/// (`max_user_instances`), or no watch (`max_user_watches`, a directory
/// that cannot be read).
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Refuse {
    #[default]
    Nothing,
    New,
    Path,
}

#[cfg(test)]
thread_local! {
    static REFUSE: std::cell::Cell<Refuse> = const { std::cell::Cell::new(Refuse::Nothing) };
}

#[cfg(test)]
fn refused() -> Refuse {
    REFUSE.with(std::cell::Cell::get)
}

/// Makes arming fail as `how` says, in this thread, from now on.
#[cfg(test)]
pub(crate) fn refuse(how: Refuse) {
    REFUSE.with(|r| r.set(how));
}

/// [`Arming::path`] on an optional arming: gives up (`None`) on failure.
pub(crate) fn arm_path(arming: &mut Option<Arming>, path: &Path, dir: bool) {
    if let Some(a) = arming {
        if a.path(path, dir).is_err() {
            *arming = None;
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;
    use std::ffi::{OsStr, OsString};
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Component, Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};

    use nix::errno::Errno;
    use nix::poll::PollTimeout;
    use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
    use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
    use nix::sys::statfs::{self, FsType};

    /// Filesystems on which every change to a file or directory goes
    /// through this kernel's VFS, so inotify reports it.
    const LOCAL: [FsType; 6] = [
        statfs::EXT4_SUPER_MAGIC, // ext2, ext3 and ext4 share it
        statfs::XFS_SUPER_MAGIC,
        statfs::BTRFS_SUPER_MAGIC,
        statfs::TMPFS_MAGIC,
        statfs::OVERLAYFS_SUPER_MAGIC,
        statfs::F2FS_SUPER_MAGIC,
    ];

    /// What a watched inode's events matter for.
    #[derive(Debug, Default)]
    struct Interest {
        /// Every entry (the inode the path ends at).
        all: bool,
        /// Every entry but dotfiles (a `policy_dirs` directory).
        all_but_dot: bool,
        /// These entries (a directory a path's resolution looks up).
        names: Vec<OsString>,
    }

    impl Interest {
        fn concerns(&self, name: &OsStr) -> bool {
            self.all
                || (self.all_but_dot && !name.as_bytes().starts_with(b"."))
                || self.names.iter().any(|n| n == name)
        }
    }

    /// The epoll data of the inotify descriptor and of the mount table.
    const INOTIFY: u64 = 0;
    const MOUNTS: u64 = 1;

    #[derive(Debug)]
    pub(super) struct Armed {
        inotify: Inotify,
        /// Polls readable (`POLLPRI`) after a mount table change; kept
        /// open for `ready`.
        _mounts: std::fs::File,
        /// The mount table changed: its poll reports that once (reading
        /// or polling it again finds nothing), so it is kept here, for
        /// every call, shared or not, until a scan replaces the watch.
        mounts_changed: AtomicBool,
        /// Both descriptors: an `epoll_wait` that returns nothing is
        /// one system call that looks at no descriptor (the kernel
        /// queues readiness as the event or mount change happens, before
        /// the system call that caused it returns).
        ready: Epoll,
        pid: u32,
        /// The working directory relative paths were resolved in.
        cwd: Option<PathBuf>,
        interests: HashMap<WatchDescriptor, Interest>,
        /// Directories already checked to be on a [`LOCAL`] filesystem.
        checked: Vec<PathBuf>,
    }

    fn mask() -> AddWatchFlags {
        AddWatchFlags::IN_MODIFY
            | AddWatchFlags::IN_ATTRIB
            | AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_MOVED_TO
    }

    /// The kernel's limit on symbolic links in one resolution (`ELOOP`).
    const MAX_LINKS: usize = 40;

    impl Armed {
        pub(super) fn new(relative: bool) -> Option<Armed> {
            let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok()?;
            let mounts = std::fs::File::open("/proc/self/mounts").ok()?;
            let ready = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).ok()?;
            ready
                .add(&inotify, EpollEvent::new(EpollFlags::EPOLLIN, INOTIFY))
                .ok()?;
            ready
                .add(&mounts, EpollEvent::new(EpollFlags::EPOLLPRI, MOUNTS))
                .ok()?;
            let cwd = if relative {
                Some(std::env::current_dir().ok()?)
            } else {
                None
            };
            Some(Armed {
                inotify,
                _mounts: mounts,
                mounts_changed: AtomicBool::new(false),
                ready,
                pid: std::process::id(),
                cwd,
                interests: HashMap::new(),
                checked: Vec::new(),
            })
        }

        /// Watches `dir` (a directory's canonical path) for `interest`
        /// added to what it already has.
        fn watch(&mut self, dir: &Path, add: impl FnOnce(&mut Interest)) -> Result<(), ()> {
            let wd = self.inotify.add_watch(dir, mask()).map_err(drop)?;
            if !self.checked.iter().any(|c| c == dir) {
                let fs = statfs::statfs(dir).map_err(drop)?;
                if !LOCAL.contains(&fs.filesystem_type()) {
                    return Err(());
                }
                self.checked.push(dir.to_path_buf());
            }
            add(self.interests.entry(wd).or_default());
            Ok(())
        }

        pub(super) fn path(&mut self, path: &Path, dir: bool) -> Result<(), ()> {
            let absolute = match &self.cwd {
                Some(cwd) if path.is_relative() => cwd.join(path),
                _ => path.to_path_buf(),
            };
            // The components still to resolve, the next one last.
            let mut todo: Vec<OsString> = Vec::new();
            push_components(&mut todo, &absolute);
            let mut at = PathBuf::from("/");
            let mut links = 0;
            while let Some(name) = todo.pop() {
                if name == ".." {
                    // `at` has no symbolic links: its parent is `..`, and
                    // was watched on the way down.
                    at.pop();
                    continue;
                }
                self.watch(&at, |i| i.names.push(name.clone()))?;
                let next = at.join(&name);
                let Ok(meta) = std::fs::symlink_metadata(&next) else {
                    // Missing or unreadable: `stat` fails until an entry
                    // of `at` changes, which the watch reports.
                    return Ok(());
                };
                if meta.file_type().is_symlink() {
                    links += 1;
                    let Ok(target) = std::fs::read_link(&next) else {
                        return Ok(());
                    };
                    if links > MAX_LINKS {
                        return Ok(());
                    }
                    if target.is_absolute() {
                        at = PathBuf::from("/");
                    }
                    push_components(&mut todo, &target);
                    continue;
                }
                if !meta.is_dir() && !todo.is_empty() {
                    // `ENOTDIR`, until the entry is replaced.
                    return Ok(());
                }
                at = next;
            }
            // The inode the path ends at: any change to it.
            self.watch(&at, |i| {
                if dir {
                    i.all_but_dot = true;
                } else {
                    i.all = true;
                }
            })
        }

        /// How many of the two descriptors are ready (`Some(0)`: no event
        /// is pending) and, when only inotify events are, `true`;
        /// `None` when the watch no longer applies (another process, another
        /// working directory) or cannot be asked.
        fn ready(&self) -> Option<(usize, bool)> {
            if self.pid != std::process::id() {
                return None;
            }
            if let Some(cwd) = &self.cwd {
                if std::env::current_dir().ok().as_ref() != Some(cwd) {
                    return None;
                }
            }
            if self.mounts_changed.load(Ordering::Relaxed) {
                return Some((1, false));
            }
            let mut ready = [EpollEvent::empty(); 2];
            let n = self.ready.wait(&mut ready, PollTimeout::ZERO).ok()?;
            let ready = ready.get(..n).unwrap_or_default();
            if ready.iter().any(|e| e.data() == MOUNTS) {
                // The mount table reports a change to the first poll only:
                // remembered for every call after it.
                self.mounts_changed.store(true, Ordering::Relaxed);
            }
            // Only the inotify descriptor, only readable.
            let only_events = ready
                .iter()
                .all(|e| e.data() == INOTIFY && e.events() == EpollFlags::EPOLLIN);
            Some((n, only_events))
        }

        pub(super) fn pending(&self) -> Option<usize> {
            self.ready().map(|(n, _)| n)
        }

        pub(super) fn quiet(&mut self) -> bool {
            match self.ready() {
                Some((0, _)) => true,
                // Events to read: quiet if none concerns what is watched.
                Some((_, true)) => self.only_unrelated_events(),
                Some((_, false)) | None => false,
            }
        }

        /// Reads the pending events: `true` if none concerns what is watched.
        fn only_unrelated_events(&mut self) -> bool {
            loop {
                let events = match self.inotify.read_events() {
                    Ok(events) => events,
                    Err(Errno::EAGAIN) => return true,
                    Err(_) => return false,
                };
                let lost = AddWatchFlags::IN_Q_OVERFLOW
                    | AddWatchFlags::IN_IGNORED
                    | AddWatchFlags::IN_UNMOUNT;
                for event in events {
                    if event.mask.intersects(lost) {
                        return false;
                    }
                    let concerns = match (self.interests.get(&event.wd), &event.name) {
                        (Some(interest), Some(name)) => interest.concerns(name),
                        // The watched inode itself, or an unknown watch.
                        _ => true,
                    };
                    if concerns {
                        return false;
                    }
                }
            }
        }
    }

    /// Pushes `path`'s components onto `todo` so that the first is popped
    /// first (`.` dropped, the root implied).
    fn push_components(todo: &mut Vec<OsString>, path: &Path) {
        let start = todo.len();
        for c in path.components() {
            match c {
                Component::Normal(n) => todo.push(n.to_os_string()),
                Component::ParentDir => todo.push(OsString::from("..")),
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
        if let Some(added) = todo.get_mut(start..) {
            added.reverse();
        }
    }
}
