//! Identities: how rootwrap was started, becoming fully root, dropping
//! privilege for good, looking users up, and the identity a command is
//! started with.

use std::ffi::CString;

use nix::unistd::{Gid, Uid, User};

use super::Errno;

/// How the process was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// Real and effective uid are root (sudo, or root itself).
    Root,
    /// Installed setuid root and started by another user: the caller
    /// controls everything but the binary.
    Setuid,
    /// No privilege at all (a plain user, or tests).
    Unprivileged,
}

/// Detects how the process was started from its real, effective and
/// saved ids (set by the kernel at exec; the caller cannot forge them).
pub fn privilege() -> Privilege {
    let (ruid, euid) = match nix::unistd::getresuid() {
        Ok(r) => (r.real, r.effective),
        Err(_) => (nix::unistd::getuid(), nix::unistd::geteuid()),
    };
    let (rgid, egid) = (nix::unistd::getgid(), nix::unistd::getegid());
    if euid.is_root() && (!ruid.is_root() || rgid != egid) {
        Privilege::Setuid
    } else if euid.is_root() {
        Privilege::Root
    } else {
        Privilege::Unprivileged
    }
}

/// The real uid.
pub fn real_uid() -> Uid {
    nix::unistd::getuid()
}

/// The real gid.
pub fn real_gid() -> Gid {
    nix::unistd::getgid()
}

/// The effective uid.
pub fn effective_uid() -> Uid {
    nix::unistd::geteuid()
}

/// Whether the effective uid is root (trust checks apply then).
pub fn is_effective_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Makes a setuid process fully root: real, effective and saved ids 0 and
/// no supplementary groups, so nothing of the caller's identity is left
/// for a child (or for `access`-style checks) to inherit.
pub fn become_root() -> Result<(), Errno> {
    nix::unistd::setgroups(&[])?;
    nix::unistd::setresgid(Gid::from_raw(0), Gid::from_raw(0), Gid::from_raw(0))?;
    nix::unistd::setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0))?;
    Ok(())
}

/// Gives up a setuid binary's privilege for good (real, effective and
/// saved ids all become the caller's).
pub fn drop_to_real_ids() -> Result<(), Errno> {
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    if nix::unistd::geteuid().is_root() && !uid.is_root() {
        nix::unistd::setgroups(&[gid])?;
    }
    nix::unistd::setresgid(gid, gid, gid)?;
    nix::unistd::setresuid(uid, uid, uid)?;
    if !uid.is_root() && nix::unistd::setuid(Uid::from_raw(0)).is_ok() {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// The name of the user with this uid, if any.
pub fn user_name(uid: Uid) -> Option<String> {
    User::from_uid(uid).ok().flatten().map(|u| u.name)
}

/// The primary gid of the user with this uid, if any.
pub fn group_of(uid: Uid) -> Option<Gid> {
    User::from_uid(uid).ok().flatten().map(|u| u.gid)
}

/// Everything a process running as some user has: uid, primary gid and
/// the supplementary groups `initgroups` would give (the user's groups
/// from the group database, the primary one included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user name.
    pub name: String,
    /// Its uid.
    pub uid: Uid,
    /// Its primary gid.
    pub gid: Gid,
    /// Its supplementary groups (`getgrouplist`).
    pub groups: Vec<Gid>,
}

/// Why a `run_as` user cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// No such user.
    #[error("unknown user {0:?} in run_as")]
    UnknownUser(String),
    /// The user or group database could not be read.
    #[error("cannot look up user {name:?}: {errno}")]
    Lookup {
        /// The user asked for.
        name: String,
        /// The error.
        errno: Errno,
    },
}

impl Identity {
    /// Root, with no supplementary groups (what a setuid rootwrap has
    /// after [`become_root`]).
    pub fn root() -> Identity {
        Identity {
            name: "root".to_owned(),
            uid: Uid::from_raw(0),
            gid: Gid::from_raw(0),
            groups: Vec::new(),
        }
    }

    /// Looks `name` up in the user and group databases.
    pub fn lookup(name: &str) -> Result<Identity, IdentityError> {
        let lookup = |errno| IdentityError::Lookup {
            name: name.to_owned(),
            errno,
        };
        let user = User::from_name(name)
            .map_err(lookup)?
            .ok_or_else(|| IdentityError::UnknownUser(name.to_owned()))?;
        let cname = CString::new(user.name.as_bytes())
            .map_err(|_| IdentityError::UnknownUser(name.to_owned()))?;
        let groups = nix::unistd::getgrouplist(&cname, user.gid).map_err(lookup)?;
        Ok(Identity {
            name: user.name,
            uid: user.uid,
            gid: user.gid,
            groups,
        })
    }

    /// Whether this is uid 0.
    pub fn is_root(&self) -> bool {
        self.uid.is_root()
    }
}

/// Runs `start` (which must start a child with `POSIX_SPAWN_RESETIDS`)
/// while the process's *real* ids and supplementary groups are those of
/// `who`, then gives root its ids back.
///
/// `posix_spawn` cannot change credentials and the crate has no `unsafe`
/// for a `pre_exec` hook, so the child gets `who`'s identity this way:
/// the parent sets groups, real gid and real uid (effective and saved
/// stay 0), the child's `RESETIDS` sets its effective ids to those real
/// ids, and `execve` copies them to the saved ids. The command therefore
/// runs with real = effective = saved = `who`, `who`'s groups and no
/// capabilities, and cannot regain root; the parent, still effectively
/// root, restores its own ids. glibc applies the id changes to every
/// thread, so callers serialise every spawn (see `process::spawn`).
pub fn with_real_ids<T>(who: &Identity, start: impl FnOnce() -> T) -> Result<T, Errno> {
    let saved_groups = nix::unistd::getgroups()?;
    let zero_u = Uid::from_raw(0);
    let zero_g = Gid::from_raw(0);
    nix::unistd::setgroups(&who.groups)?;
    if let Err(e) = nix::unistd::setresgid(who.gid, zero_g, zero_g) {
        restore(&saved_groups);
        return Err(e);
    }
    if let Err(e) = nix::unistd::setresuid(who.uid, zero_u, zero_u) {
        restore(&saved_groups);
        return Err(e);
    }
    let started = start();
    restore(&saved_groups);
    Ok(started)
}

/// Gives an effectively-root process its root ids and groups back. This
/// cannot fail while the effective uid is 0; if it ever did, the process
/// would keep a service user's real ids, so it stops rather than go on.
fn restore(groups: &[Gid]) {
    let zero_u = Uid::from_raw(0);
    let zero_g = Gid::from_raw(0);
    let ok = nix::unistd::setresuid(zero_u, zero_u, zero_u).is_ok()
        && nix::unistd::setresgid(zero_g, zero_g, zero_g).is_ok()
        && nix::unistd::setgroups(groups).is_ok();
    if !ok {
        std::process::abort();
    }
}
