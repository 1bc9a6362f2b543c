//! Ownership checks the reference documents but never performs: the
//! configuration and the filter definitions decide what runs as root, so
//! they, and every directory above them, must be controlled by root alone.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A path rootwrap refuses to trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct TrustError {
    /// The offending path (the file itself or one of its ancestors).
    pub path: String,
    /// Why it is not trusted.
    pub reason: String,
}

const S_ISVTX: u32 = 0o1000;

fn untrusted(path: &Path, reason: impl Into<String>) -> TrustError {
    TrustError {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// Checks one path component and says whether it is a symlink. `leaf` is
/// the file or directory itself; its ancestors may be root-owned sticky
/// directories (like `/tmp`) even when world-writable, since nobody else
/// can then rename what root put there.
fn check_one(path: &Path, leaf: bool) -> Result<bool, TrustError> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| untrusted(path, format!("cannot stat: {e}")))?;
    if meta.uid() != 0 {
        return Err(untrusted(
            path,
            format!("owned by uid {}, not root", meta.uid()),
        ));
    }
    let mode = meta.permissions().mode();
    if meta.file_type().is_symlink() {
        return Ok(true); // a root-owned link; its target is checked separately
    }
    if mode & 0o022 != 0 {
        let sticky_dir = !leaf && meta.is_dir() && mode & S_ISVTX != 0;
        if !sticky_dir {
            return Err(untrusted(
                path,
                format!("writable by group or others (mode {:04o})", mode & 0o7777),
            ));
        }
    }
    Ok(false)
}

/// Remembers the directories already found trustworthy, so loading many
/// filter files checks each common ancestor once.
#[derive(Debug, Default)]
pub struct TrustCache {
    trusted_dirs: std::collections::HashSet<PathBuf>,
}

impl TrustCache {
    /// Checks `path` and its ancestors; returns whether a symlink was seen.
    fn check_chain(&mut self, path: &Path) -> Result<bool, TrustError> {
        let mut saw_link = check_one(path, true)?;
        let mut ancestor = path.parent();
        while let Some(dir) = ancestor {
            if dir.as_os_str().is_empty() || self.trusted_dirs.contains(dir) {
                break;
            }
            if check_one(dir, false)? {
                saw_link = true;
            } else {
                self.trusted_dirs.insert(dir.to_path_buf());
            }
            ancestor = dir.parent();
        }
        Ok(saw_link)
    }

    /// Refuses `path` unless it, every directory above it, and (if symlinks
    /// are involved) the resolved path and its ancestors are owned by root
    /// and not writable by group or others (ancestors may be root-owned
    /// sticky directories).
    pub fn check(&mut self, path: &Path) -> Result<(), TrustError> {
        let absolute: PathBuf = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| untrusted(path, format!("cannot resolve relative path: {e}")))?
                .join(path)
        };
        if self.check_chain(&absolute)? {
            let resolved = std::fs::canonicalize(&absolute)
                .map_err(|e| untrusted(path, format!("cannot resolve: {e}")))?;
            self.check_chain(&resolved)?;
        }
        Ok(())
    }
}

/// [`TrustCache::check`] with a fresh cache.
pub fn check_path(path: &Path) -> Result<(), TrustError> {
    TrustCache::default().check(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_writable_files_when_root() -> Result<(), Box<dyn std::error::Error>> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("SKIPPED: trust tests need root (file ownership)");
            return Ok(());
        }
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let file = dir.path().join("f");
        std::fs::write(&file, "x")?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
        check_path(&file)?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664))?;
        assert!(check_path(&file).is_err());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o757))?;
        assert!(check_path(&file).is_err());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777))?;
        check_path(&file)?;
        nix::unistd::chown(&file, Some(nix::unistd::Uid::from_raw(65534)), None)?;
        assert!(check_path(&file).is_err());
        Ok(())
    }
}
