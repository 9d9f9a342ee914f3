//! Reads files that untrusted input names (config YAML, uploaded files): regular files
//! only, never blocking on a FIFO or a device, and never more than a size cap. The type and
//! size are checked on the opened file, so a path swapped after a check is still caught.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The path names something other than a regular file (`what` says what, e.g. "a FIFO").
    NotRegular {
        what: &'static str,
    },
    /// The file is larger than the cap.
    TooLarge {
        size: u64,
        cap: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular { what } => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { size, cap } => write!(
                f,
                "it is {size} bytes long; the limit is {cap} bytes ({})",
                describe_size(*cap)
            ),
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

/// Reads a regular file of at most `cap` bytes, following symlinks.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            what: type_name(&meta.file_type()),
        });
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: read one byte past the cap to notice.
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    let read = bytes.len() as u64;
    if read > cap {
        return Err(ReadError::TooLarge { size: read, cap });
    }
    Ok(bytes)
}

/// Opening a FIFO for reading blocks until a writer appears; `O_NONBLOCK` makes it return
/// at once (it changes nothing for regular files).
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// "a FIFO", "a directory"…: what a file type is, for messages.
pub fn type_name(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// `10 MiB`, `512 bytes`: a byte count for messages.
pub fn describe_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    const MB: u64 = 1000 * 1000;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_cap() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"hello").expect("write");
        assert_eq!(read(&p, 5).expect("reads"), b"hello");
        assert!(matches!(
            read(&p, 4),
            Err(ReadError::TooLarge { size: 5, cap: 4 })
        ));
    }

    #[test]
    fn refuses_directories_and_devices() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(matches!(
            read(dir.path(), 10),
            Err(ReadError::NotRegular {
                what: "a directory"
            })
        ));
        #[cfg(unix)]
        assert!(matches!(
            read(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular {
                what: "a character device"
            })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("p.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        assert!(matches!(
            read(&p, 10),
            Err(ReadError::NotRegular {
                what: "a FIFO (named pipe)"
            })
        ));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(describe_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(describe_size(300), "300 bytes");
        assert_eq!(describe_size(2048), "2 KiB");
        assert_eq!(describe_size(10_000_000), "10 MB");
    }
}
