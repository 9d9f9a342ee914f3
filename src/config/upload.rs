//! Reads the local files that uploading kinds name (`Kind::upload`), as untrusted input: the
//! path must be relative, resolve (after symlinks) inside the config folder, name a regular
//! file within the kind's size cap, and hold what the object's format field says. The
//! digest goes into the body so plans compare content. Everything here is catalogue data;
//! no kind is special-cased.

use std::path::{Component, Path, PathBuf};

use crate::catalogue::{FileFormat, UploadParts};
use crate::model::{DesiredObject, Diagnostic, Span, Upload, content_digest};
use crate::regular_file::{self, ReadError, describe_size};

/// Reads the file `object` uploads, if its kind uploads one. `dir` is the folder of the
/// YAML file the object is in (paths are relative to it); `root` is the canonical config
/// folder no path may leave.
pub(super) fn read_uploads(
    object: &mut DesiredObject,
    dir: &Path,
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(parts) = object.kind.upload else {
        return;
    };
    let field = parts.file;
    let kind = object.kind;
    let Some(node) = object.node.get(field) else {
        diags.push(
            Diagnostic::error(
                format!("{} `{}` has no `{field}`", kind.name, object.key),
                object.key_span,
                format!("needs `{field}`"),
            )
            .with_help(format!(
                "set `{field}:` to the path of the file to upload, relative to this YAML file"
            )),
        );
        return;
    };
    let Some(relative) = node.as_str() else {
        diags.push(Diagnostic::error(
            format!("`{field}` must be a file path"),
            node.span,
            format!("found {}", node.type_name()),
        ));
        return;
    };
    let span = node.span;
    let (resolved, bytes) = match read_confined(
        Confined {
            field,
            relative,
            dir,
            root,
            max_bytes: parts.max_bytes,
            span,
            example: "audio/file.wav",
        },
        |cap| {
            format!(
                "{} files are at most {} ({field}); shorten or compress the file",
                kind.name,
                describe_size(cap)
            )
        },
    ) {
        Ok(read) => read,
        Err(d) => {
            diags.push(*d);
            return;
        }
    };
    if let Some(d) = check_format(object, &parts, relative, &bytes, span) {
        diags.push(d);
        return;
    }
    let digest = content_digest(&bytes);
    object
        .body
        .insert(field.to_string(), serde_json::Value::String(digest.clone()));
    object.uploads.push(Upload {
        field: field.to_string(),
        path: resolved,
        digest,
    });
}

/// A file a config names: what the name says and where it may lead.
pub(super) struct Confined<'a> {
    /// The config field naming the file, for messages.
    pub field: &'a str,
    /// The path as written, relative to `dir`.
    pub relative: &'a str,
    /// The folder of the YAML file the path is written in.
    pub dir: &'a Path,
    /// The canonical config folder no path may leave.
    pub root: &'a Path,
    pub max_bytes: u64,
    /// Where the path is written.
    pub span: Span,
    /// A path to suggest when the one written is not relative (`audio/file.wav`).
    pub example: &'a str,
}

/// Reads a file a config names, as untrusted input: the path must be relative, resolve
/// (after symlinks) inside the config folder and name a regular file of at most
/// `max_bytes`. The canonical path and the bytes, or a diagnostic at the path's span.
pub(super) fn read_confined(
    file: Confined<'_>,
    too_large_help: impl FnOnce(u64) -> String,
) -> Result<(PathBuf, Vec<u8>), Box<Diagnostic>> {
    let Confined {
        field,
        relative,
        dir,
        root,
        span,
        ..
    } = file;
    let refuse = |message: String, label: &str, help: String| {
        Box::new(Diagnostic::error(message, span, label).with_help(help))
    };
    if relative.trim().is_empty() || !is_relative(Path::new(relative)) {
        let example = Path::new(file.example);
        let folder = example
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let name = Path::new(relative)
            .file_name()
            .or(example.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(refuse(
            format!("`{field}` must be a path relative to this YAML file, not `{relative}`"),
            "not a relative path",
            format!(
                "put the file inside the config folder and name it relative to this YAML file, e.g. `{field}: {folder}/{name}`"
            ),
        ));
    }
    let path = dir.join(relative);
    let outside = |resolved: &Path| {
        refuse(
            format!("`{relative}` is outside the config folder"),
            "outside the config folder",
            format!(
                "wxcc reads only files inside the config folder ({}); copy the file into it and name it relative to this YAML file (resolved: {})",
                root.display(),
                resolved.display()
            ),
        )
    };
    // `..` is checked before the file system is asked anything about a place outside.
    if let Some(lexical) = lexical_join(dir, relative)
        && !lexical.starts_with(root)
    {
        return Err(outside(&lexical));
    }
    let resolved = path.canonicalize().map_err(|e| {
        refuse(
            format!("cannot read `{relative}`: {e}"),
            "file not readable",
            format!("the path is relative to this YAML file: {}", path.display()),
        )
    })?;
    // Symlinks are followed: where the file really is must be inside too.
    if !resolved.starts_with(root) {
        return Err(outside(&resolved));
    }
    match regular_file::read(&resolved, file.max_bytes) {
        Ok(bytes) => Ok((resolved, bytes)),
        Err(e) => {
            let help = match e {
                ReadError::NotRegular { .. } => {
                    "name a regular file (a symlink is followed, and must lead to one)".to_string()
                }
                ReadError::TooLarge { cap, .. } => too_large_help(cap),
                ReadError::Io(_) => {
                    format!("the path is relative to this YAML file: {}", path.display())
                }
            };
            Err(refuse(
                format!("cannot read `{relative}`: {e}"),
                "file not readable",
                help,
            ))
        }
    }
}

/// A path with neither a root, a drive prefix, nor anything but plain names and `.`/`..`.
fn is_relative(path: &Path) -> bool {
    path.is_relative()
        && path.components().all(|c| {
            matches!(
                c,
                Component::Normal(_) | Component::CurDir | Component::ParentDir
            )
        })
}

/// `dir` (made canonical) joined with `relative`, with `..` applied to the names rather
/// than followed on disk.
fn lexical_join(dir: &Path, relative: &str) -> Option<PathBuf> {
    let mut out = dir.canonicalize().ok()?;
    for c in Path::new(relative).components() {
        match c {
            Component::Normal(name) => out.push(name),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    Some(out)
}

/// The file must hold what the object's format field says; an unknown or missing value is
/// the schema's to report.
fn check_format(
    object: &DesiredObject,
    parts: &UploadParts,
    relative: &str,
    bytes: &[u8],
    span: Span,
) -> Option<Diagnostic> {
    let declared = object.node.get(parts.format_field)?;
    let value = declared.as_str()?;
    let format = parts.format_for(value)?;
    let problem = format_problem(format, bytes)?;
    Some(
        Diagnostic::error(
            format!(
                "`{relative}` does not hold what `{}: {value}` says: {problem}",
                parts.format_field
            ),
            span,
            "wrong content",
        )
        .with_related(declared.span, "declared here")
        .with_help(match format {
            FileFormat::RiffWave => format!(
                "{value} needs a WAV file (it starts with `RIFF`, then `WAVE` at byte 8); export the audio as .wav, or set `{}` to what the file is",
                parts.format_field
            ),
            FileFormat::Text => format!(
                "{value} needs UTF-8 text; re-save the file as UTF-8, or set `{}` to what the file is",
                parts.format_field
            ),
            FileFormat::Binary => format!("{value} takes any content"),
        }),
    )
}

/// What is wrong with `bytes` as `format`, if anything.
fn format_problem(format: FileFormat, bytes: &[u8]) -> Option<String> {
    match format {
        FileFormat::RiffWave => {
            let riff = bytes.get(0..4) == Some(b"RIFF".as_slice());
            let wave = bytes.get(8..12) == Some(b"WAVE".as_slice());
            match (riff, wave) {
                (true, true) => None,
                (true, false) => Some("a RIFF file, but not of type WAVE".into()),
                _ => Some("no RIFF/WAVE header".into()),
            }
        }
        FileFormat::Text => match std::str::from_utf8(bytes) {
            Err(e) => Some(format!(
                "not UTF-8 text (bad byte at offset {})",
                e.valid_up_to()
            )),
            Ok(text) => text
                .find('\0')
                .map(|at| format!("binary data (a NUL byte at offset {at})")),
        },
        FileFormat::Binary => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_needs_riff_and_wave() {
        assert_eq!(
            format_problem(FileFormat::RiffWave, b"RIFF\x24\0\0\0WAVEfmt "),
            None
        );
        assert!(format_problem(FileFormat::RiffWave, b"RIFF\x24\0\0\0AVI ").is_some());
        assert!(format_problem(FileFormat::RiffWave, b"HOME=/root\0PATH=/bin").is_some());
        assert!(format_problem(FileFormat::RiffWave, b"RIFF").is_some());
    }

    #[test]
    fn text_is_utf8_without_nul() {
        assert_eq!(
            format_problem(FileFormat::Text, "<p>héllo</p>".as_bytes()),
            None
        );
        assert!(format_problem(FileFormat::Text, b"a\0b").is_some());
        assert!(format_problem(FileFormat::Text, b"\xff\xfe").is_some());
        assert_eq!(format_problem(FileFormat::Binary, b"\xff\0"), None);
    }

    #[test]
    fn only_plain_relative_paths_are_relative() {
        assert!(is_relative(Path::new("audio/a.wav")));
        assert!(is_relative(Path::new("../x/a.wav")));
        assert!(!is_relative(Path::new("/proc/self/environ")));
    }
}
