//! Writing an export to a folder, and the manifest (`.wxcc-export`) that lists the files
//! wxcc wrote there: a later export into the same folder replaces exactly those files and
//! leaves everything else (a README, CI files, the `.git` folder) alone. A non-empty
//! folder without a manifest is refused, so an export never mixes into someone's files.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name, in the export folder.
pub const MANIFEST: &str = ".wxcc-export";

const MANIFEST_HEADER: &str = "# Files written by `wxcc export`. A new export into this folder replaces exactly\n# these; other files are left alone. Keep this file to re-export here.\n";

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{} is not empty and holds no previous export (no {MANIFEST} in it); export into an empty or new folder, or into a folder an earlier `wxcc export` wrote",
        .0.display()
    )]
    NotAnExport(PathBuf),
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{} is a symbolic link; export writes only regular files and folders", .0.display())]
    Symlink(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a write did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Files whose content is new or changed.
    pub changed: usize,
    /// Files of the previous export that this one no longer has, removed.
    pub removed: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `files` (relative `/`-separated path → content) into `out` with a manifest.
pub fn write_export(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<Written, WriteError> {
    let previous = previous_files(out)?;
    let mut written = Written::default();
    for (rel, bytes) in files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            make_dirs(out, parent)?;
        }
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink(path)),
            Ok(_) if std::fs::read(&path).is_ok_and(|old| old == *bytes) => continue,
            _ => {}
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
        written.changed += 1;
    }
    for rel in previous.iter().filter(|r| !files.contains_key(*r)) {
        let path = out.join(rel);
        if no_link_between(out, rel) && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        {
            std::fs::remove_file(&path).map_err(io(&path))?;
            written.removed += 1;
            // Folders export made and emptied go too; a folder with other files stays.
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| *d != out) {
                if std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    let mut manifest = MANIFEST_HEADER.to_string();
    for rel in files.keys() {
        manifest.push_str(rel);
        manifest.push('\n');
    }
    let path = out.join(MANIFEST);
    if std::fs::read(&path).ok().as_deref() != Some(manifest.as_bytes()) {
        std::fs::write(&path, manifest).map_err(io(&path))?;
    }
    Ok(written)
}

/// Refuses, before anything is read or written, a folder an export may not write into.
pub fn check_folder(out: &Path) -> Result<(), WriteError> {
    previous_files(out).map(|_| ())
}

/// The files the previous export listed (only safe relative paths), or none for a new or
/// empty folder; an error for a non-empty folder without a manifest.
fn previous_files(out: &Path) -> Result<Vec<String>, WriteError> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(out)(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(WriteError::Symlink(out.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(WriteError::NotAFolder(out.to_path_buf()));
    }
    let manifest = out.join(MANIFEST);
    match std::fs::read_to_string(&manifest) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.starts_with('#') && is_safe_relative(l))
            .map(str::to_string)
            .collect()),
        Err(_) => {
            let mut entries = std::fs::read_dir(out).map_err(io(out))?;
            if entries.next().is_some() {
                Err(WriteError::NotAnExport(out.to_path_buf()))
            } else {
                Ok(Vec::new())
            }
        }
    }
}

/// A manifest line export may act on: a relative path of plain names (the manifest is a
/// file in a folder someone else may have edited).
fn is_safe_relative(line: &str) -> bool {
    !line.is_empty()
        && Path::new(line)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether every folder between `out` and `out/rel` is a real folder, not a symbolic link
/// (which would make a manifest line reach outside the export).
fn no_link_between(out: &Path, rel: &str) -> bool {
    let mut at = out.to_path_buf();
    let parts: Vec<Component> = Path::new(rel).components().collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        at.push(part);
        if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir()) {
            return false;
        }
    }
    true
}

/// Creates the folders from `out` down to `dir`, refusing a symbolic link on the way.
fn make_dirs(out: &Path, dir: &Path) -> Result<(), WriteError> {
    let rel = dir.strip_prefix(out).unwrap_or(Path::new(""));
    let mut at = out.to_path_buf();
    std::fs::create_dir_all(&at).map_err(io(&at))?;
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink(at)),
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(WriteError::NotAFolder(at)),
            Err(_) => std::fs::create_dir(&at).map_err(io(&at))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn re_export_replaces_only_its_own_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("org");
        write_export(&out, &files(&[("site.yaml", "a"), ("audio/x.wav", "RIFF")])).expect("first");
        std::fs::write(out.join("README.md"), "mine").expect("write");
        let w = write_export(&out, &files(&[("site.yaml", "b")])).expect("second");
        assert_eq!(
            w,
            Written {
                changed: 1,
                removed: 1
            }
        );
        assert_eq!(
            std::fs::read_to_string(out.join("site.yaml")).expect("read"),
            "b"
        );
        assert!(!out.join("audio").exists(), "emptied folder removed");
        assert_eq!(
            std::fs::read_to_string(out.join("README.md")).expect("read"),
            "mine"
        );
        let again = write_export(&out, &files(&[("site.yaml", "b")])).expect("third");
        assert_eq!(again, Written::default());
    }

    #[test]
    fn refuses_a_folder_that_is_not_an_export() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
        let e = write_export(dir.path(), &files(&[("site.yaml", "a")])).expect_err("refused");
        assert!(matches!(e, WriteError::NotAnExport(_)), "{e}");
        assert!(!dir.path().join("site.yaml").exists());
    }

    #[test]
    fn a_manifest_cannot_name_files_outside_the_folder() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("org");
        std::fs::create_dir(&out).expect("mkdir");
        std::fs::write(dir.path().join("victim"), "keep").expect("write");
        std::fs::write(out.join(MANIFEST), "../victim\n/etc/passwd\n").expect("write");
        write_export(&out, &files(&[("site.yaml", "a")])).expect("export");
        assert!(dir.path().join("victim").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_manifest_line_through_a_linked_folder_is_not_followed() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("org");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::create_dir_all(&elsewhere).expect("mkdir");
        std::fs::write(elsewhere.join("victim.yaml"), "keep").expect("write");
        std::os::unix::fs::symlink(&elsewhere, out.join("link")).expect("link");
        std::fs::write(out.join(MANIFEST), "link/victim.yaml\n").expect("write");
        write_export(&out, &files(&[("site.yaml", "a")])).expect("export");
        assert!(elsewhere.join("victim.yaml").exists());
    }
}
