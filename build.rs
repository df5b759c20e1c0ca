//! Gives the program a digest of its own source (`STRIKEFACTS_PROGRAM_DIGEST`): an index stored
//! on disk by one version of the program is read back only by the same version (see
//! `src/index_cache.rs`), since any change to the code may change what an index holds.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    files_under(Path::new("src"), &mut files);
    files.push(PathBuf::from("Cargo.lock"));
    files.sort();
    let mut digest = Sha256::new();
    for path in &files {
        if let Ok(bytes) = fs::read(path) {
            digest.update(path.as_os_str().as_encoded_bytes());
            digest.update([0]);
            digest.update(Sha256::digest(&bytes));
        }
    }
    let hex: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=STRIKEFACTS_PROGRAM_DIGEST={hex}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
