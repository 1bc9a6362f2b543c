//! Every operating-system call rootwrap makes beyond `std`'s portable file
//! and process APIs. This is the only module that uses `nix`: the rest of
//! the crate sees typed, safe wrappers, so a reviewer finds each
//! privileged syscall, and what it relies on, here and nowhere else.
//!
//! * [`ids`] — who we run as: privilege detection, becoming root, users
//!   and groups, the credentials a child is started with;
//! * [`fs`] — descriptor-based opening, `fstat`, `readlinkat`, directory
//!   listing, `faccessat`;
//! * [`process`] — the child's process state (umask, resource limits,
//!   signals, descriptors), `posix_spawn`, `waitpid`, pipes and `poll`;
//! * [`ipc`] — what the daemon needs: peer credentials, the termination
//!   signals as a descriptor, `poll`, socket ownership.

pub mod fs;
pub mod ids;
pub mod ipc;
pub mod process;

pub use nix::errno::Errno;
pub use nix::unistd::{Gid, Pid, Uid};
