//! The install of docs/discord.md ("4. Run it as a service", "Install"), followed as written.
//!
//! The commands are read from the doc's block itself, so the doc and this test cannot drift: each
//! line is run in order in a temporary folder standing for `/`, with the user `nobody` standing
//! for `strikefacts` (a test should not add users to the machine) and the test's build of the
//! binary for `target/release/strikefacts`. The doc's last steps make a change as the service
//! user and undo it; the test checks that they work, and that leaving out the `chown` or the
//! question set makes the change fail, saying why.
//!
//! Switching to `nobody` needs root (CI runs as root). As any other user the steps run as that
//! user, without the ownership changes, and the test says so on stderr.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_strikefacts");

/// The commands of the doc's install block, in order (comments and blank lines left out).
fn documented_steps() -> Vec<String> {
    let doc = fs::read_to_string(Path::new(REPO).join("docs/discord.md")).expect("read the doc");
    let section = doc
        .split("## 4. Run it as a service")
        .nth(1)
        .expect("docs/discord.md has section 4");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("section 4 has a ```sh block");
    let steps: Vec<String> = block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(
        steps.iter().all(|l| !l.ends_with('\\')),
        "one command per line: the test runs the block line by line"
    );
    steps
}

fn id_output(args: &[&str]) -> String {
    let o = Command::new("id").args(args).output().expect("run id");
    assert!(o.status.success(), "id {args:?} failed");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn is_root() -> bool {
    id_output(&["-u"]) == "0"
}

/// One install in a temporary folder, and where the doc's commands have got to.
struct Install {
    dir: tempfile::TempDir,
    cwd: PathBuf,
    /// The version the last change printed, for the doc's `VERSION`.
    version: Option<String>,
    as_root: bool,
    group: String,
}

impl Install {
    fn new() -> Install {
        let dir = tempfile::tempdir().expect("temp dir");
        // A temp dir is 0700: `nobody` must be able to reach the install inside it.
        for d in [
            dir.path().to_path_buf(),
            dir.path().join("opt"),
            dir.path().join("etc"),
        ] {
            fs::create_dir_all(&d).expect("mkdir");
            fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let as_root = is_root();
        if !as_root {
            eprintln!(
                "note: not root, so the install steps run as the current user and without the \
                 ownership changes; run as root (as CI does) to test them as `nobody`"
            );
        }
        Install {
            dir,
            cwd: PathBuf::from(REPO),
            version: None,
            as_root,
            group: id_output(&["-gn", "nobody"]),
        }
    }

    fn install_root(&self) -> PathBuf {
        self.dir.path().join("opt/strikefacts")
    }

    /// The doc's command as this test runs it; `None` for a step it cannot take here.
    fn translate(&self, line: &str) -> Option<String> {
        if line.contains("useradd") {
            return None; // `nobody` already exists
        }
        let prefix = self.dir.path().display().to_string();
        let mut l = line
            .replace("sudo ", "")
            .replace("target/release/strikefacts", BIN)
            .replace("/opt/strikefacts", &format!("{prefix}/opt/strikefacts"))
            .replace(
                "/etc/strikefacts.env",
                &format!("{prefix}/etc/strikefacts.env"),
            )
            .replace("strikefacts:strikefacts", &format!("nobody:{}", self.group))
            .replace(
                "-o strikefacts -g strikefacts",
                &format!("-o nobody -g {}", self.group),
            )
            .replace("runuser -u strikefacts ", "runuser -u nobody ");
        if let Some(v) = &self.version {
            l = l.replace("VERSION", v);
        }
        if self.as_root {
            return Some(l);
        }
        if l.contains("chown ") {
            return None;
        }
        Some(
            l.replace("runuser -u nobody -- ", "")
                .replace(&format!("-o nobody -g {} ", self.group), ""),
        )
    }

    /// Runs one of the doc's lines (a `cd` moves the later ones); `None` if it was skipped.
    fn run(&mut self, line: &str) -> Option<Output> {
        let command = self.translate(line)?;
        if let Some(dir) = command.strip_prefix("cd ") {
            self.cwd = PathBuf::from(dir.trim());
            return None;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(&self.cwd)
            .output()
            .expect("run sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        if let Some(rest) = stdout.split("(version ").nth(1) {
            self.version = rest.split([',', ')']).next().map(String::from);
        }
        Some(out)
    }

    /// Runs the doc's lines except those `skip` names, up to and including the first change;
    /// returns that change's output.
    fn until_first_change(&mut self, skip: &str) -> Output {
        for line in documented_steps() {
            if line.contains(skip) {
                continue;
            }
            let out = self.run(&line);
            if line.contains(" fact ") {
                return out.expect("the change runs");
            }
            if let Some(o) = out {
                assert!(o.status.success(), "`{line}` failed:\n{}", text(&o));
            }
        }
        panic!("the doc's install block makes no change with `strikefacts fact`");
    }

    /// The installed file of the fact the doc's change is about.
    fn fact_file(&self) -> PathBuf {
        fact_file_in(&self.install_root().join("knowledge"))
    }
}

/// The file of the fact the doc's change is about, in the fact base `knowledge`.
fn fact_file_in(knowledge: &Path) -> PathBuf {
    let id = changed_fact_id();
    fs::read_dir(knowledge.join("facts"))
        .expect("facts folder")
        .map(|e| e.expect("entry").path().join(format!("{id}.toml")))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no file for fact {id} in {}", knowledge.display()))
}

/// The id of the fact the doc's `fact alias` step changes.
fn changed_fact_id() -> String {
    let steps = documented_steps();
    let alias = steps
        .iter()
        .find(|l| l.contains(" fact alias "))
        .expect("the doc's install block has a `fact alias` step");
    let after = alias.split(" fact alias ").nth(1).expect("alias");
    after
        .split_whitespace()
        .next()
        .expect("alias names a fact")
        .to_string()
}

/// The fact's text in the repository, which the install copies.
fn original_fact() -> String {
    fs::read_to_string(fact_file_in(&Path::new(REPO).join("knowledge"))).expect("read fact")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_documented_install_lets_the_service_user_change_a_fact() {
    let mut install = Install::new();
    let original = original_fact();
    let steps = documented_steps();
    assert!(steps.iter().any(|l| l.contains(" fact undo ")), "{steps:?}");
    for line in &steps {
        let Some(out) = install.run(line) else {
            continue;
        };
        assert!(out.status.success(), "`{line}` failed:\n{}", text(&out));
        if !line.contains(" fact ") {
            continue;
        }
        let now = fs::read_to_string(install.fact_file()).expect("read installed fact");
        if line.contains(" fact alias ") {
            assert_ne!(now, original, "the alias changed the fact file");
            assert!(install.version.is_some(), "the change printed its version");
        }
        if line.contains(" fact undo ") {
            assert_eq!(now, original, "the undo restored the fact file");
        }
    }
    let audit = install
        .install_root()
        .join("knowledge/.strikefacts/audit.jsonl");
    let log = fs::read_to_string(&audit).expect("the audit log was written");
    assert!(
        log.contains("\"alias\"") && log.contains("\"undo\""),
        "{log}"
    );
    if install.as_root {
        let owner = fs::metadata(&audit).expect("audit log").uid().to_string();
        assert_eq!(
            owner,
            id_output(&["-u", "nobody"]),
            "written by the service user"
        );
    }
}

#[test]
fn without_the_chown_the_service_user_cannot_change_facts() {
    let mut install = Install::new();
    if !install.as_root {
        eprintln!("note: not root: cannot leave files owned by another user, nothing to check");
        return;
    }
    let out = install.until_first_change("chown ");
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Permission denied"), "{}", text(&out));
    let now = fs::read_to_string(install.fact_file()).expect("read installed fact");
    assert_eq!(now, original_fact(), "nothing was written");
}

#[test]
fn without_the_question_set_changes_and_moderation_are_refused() {
    let mut install = Install::new();
    let out = install.until_first_change("tests/questions.jsonl");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no question set at tests/questions.jsonl") && stderr.contains("Copy"),
        "{}",
        text(&out)
    );
    let now = fs::read_to_string(install.fact_file()).expect("read installed fact");
    assert_eq!(now, original_fact(), "nothing was written");
    // `serve` with home servers refuses to start, before it reaches Discord.
    let root = install.install_root();
    let serve = serve_until_exit(&root);
    assert!(!serve.status.success(), "{}", text(&serve));
    assert!(
        String::from_utf8_lossy(&serve.stderr).contains("no question set at"),
        "{}",
        text(&serve)
    );
}

/// `serve` in the install with a home server set, its Discord calls sent to a closed port;
/// killed if it runs for a minute (it should stop at once).
fn serve_until_exit(root: &Path) -> Output {
    let mut child = Command::new(root.join("strikefacts"))
        .args(["--knowledge", "knowledge", "serve"])
        .args(["--discord-proxy", "http://127.0.0.1:9"])
        .current_dir(root)
        .env("DISCORD_TOKEN", "not-a-real-token")
        .env("STRIKEFACTS_MODERATOR_GUILDS", "123456789012345678")
        .env("STRIKEFACTS_DATA", root.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill serve");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("serve output")
}
