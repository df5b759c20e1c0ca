//! Running git in a test's work tree, with an identity of its own (the machine's git
//! configuration is not assumed).

use std::path::Path;

/// Runs git in `dir`; its standard output. Panics with git's error when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=curator",
            "-c",
            "user.email=curator@example.org",
        ])
        .args(args)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}
