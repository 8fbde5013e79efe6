//! `serve --state FILE`: the tenant's users in the admin state export format, loaded at
//! start and saved atomically (a temporary file in the same folder, fsync, rename, fsync of
//! the folder), so a crash loses at most what came after the last save, never the file.

use super::Tenant;
use crate::scim::error::ScimError;
use parking_lot::Mutex;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Why the state file could not be loaded or saved; shown as `FILE: reason`.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{}: not a state file (invalid JSON): {source}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: serde_json::Error,
    },
    /// The JSON is not a valid state.
    #[error("{}: invalid state: {}", path.display(), source.detail)]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The first offending user and why.
        source: ScimError,
    },
    /// No state file was configured (`POST /_admin/save` without `--state`).
    #[error("no state file: start serve with --state FILE")]
    NotConfigured,
}

/// The tenant's state file, once configured; saves are serialised.
#[derive(Debug, Default)]
pub struct StateFile {
    path: OnceLock<PathBuf>,
    saving: Mutex<()>,
}

impl Tenant {
    /// Loads `path` when it exists (returning the users read) and saves there from now on.
    /// A corrupt or invalid file is an error and is left untouched.
    pub fn use_state_file(&self, path: &Path) -> Result<Option<usize>, StateError> {
        let loaded = match std::fs::read(path) {
            Ok(bytes) => {
                let value: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt {
                        path: path.to_path_buf(),
                        source,
                    })?;
                let n = self
                    .import_state(&value)
                    .map_err(|source| StateError::Invalid {
                        path: path.to_path_buf(),
                        source,
                    })?;
                Some(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(StateError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let _ = self.state_file().path.set(path.to_path_buf());
        Ok(loaded)
    }

    /// Saves the users to the state file; returns how many were saved.
    pub fn save_state(&self) -> Result<usize, StateError> {
        let file = self.state_file();
        let path = file.path.get().ok_or(StateError::NotConfigured)?;
        let _saving = file.saving.lock();
        let users = self.users();
        let n = users.len();
        // The same bytes `GET /_admin/state` answers.
        let bytes = serde_json::to_vec(&serde_json::json!({ "users": users }))
            .map_err(|e| io_error(path, std::io::Error::other(e)))?;
        write_atomically(path, &bytes).map_err(|e| io_error(path, e))?;
        Ok(n)
    }

    /// Whether a state file is configured.
    pub fn has_state_file(&self) -> bool {
        self.state_file().path.get().is_some()
    }
}

fn io_error(path: &Path, source: std::io::Error) -> StateError {
    StateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and
/// syncs the folder, so `path` always holds either the old or the new content.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".blinksim-state-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::TenantOptions;

    #[test]
    fn saves_and_loads_the_same_export() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let a = Tenant::new(TenantOptions::default());
        a.prefill(25, 4);
        assert_eq!(a.use_state_file(&path).unwrap(), None);
        assert_eq!(a.save_state().unwrap(), 25);
        let b = Tenant::new(TenantOptions::default());
        assert_eq!(b.use_state_file(&path).unwrap(), Some(25));
        assert_eq!(a.export_state(), b.export_state());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn corrupt_and_invalid_files_are_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{\"users\": [").unwrap();
        let t = Tenant::new(TenantOptions::default());
        let e = t.use_state_file(&path).unwrap_err();
        assert!(matches!(e, StateError::Corrupt { .. }), "{e}");
        assert!(!t.has_state_file());
        std::fs::write(&path, b"{\"users\": [{\"userName\": \"x\"}]}").unwrap();
        let e = t.use_state_file(&path).unwrap_err();
        assert!(e.to_string().contains("users[0]"), "{e}");
        let kept = std::fs::read(&path).unwrap();
        assert_eq!(kept, b"{\"users\": [{\"userName\": \"x\"}]}");
    }

    #[test]
    fn saving_without_a_file_says_so() {
        let t = Tenant::new(TenantOptions::default());
        assert!(matches!(t.save_state(), Err(StateError::NotConfigured)));
    }
}
