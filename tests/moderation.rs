//! The moderators' back end without Discord: every test works on a temporary copy of the real
//! `knowledge/` folder (and question set), never on the repository's files.

#[path = "support/git.rs"]
mod git_support;
use git_support::git;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use strikefacts::moderation::edit::ModerationError;
use strikefacts::moderation::permissions::{
    may_moderate, parse_ids, MANAGE_GUILD, MANAGE_MESSAGES, ROLES_ENV,
};
use strikefacts::moderation::store::{write_atomic, Step};
use strikefacts::moderation::{
    watch, Action, Actor, FactDraft, Moderation, ModerationConfig, SourceDraft, WriteHook,
};
use strikefacts::{Engine, KnowledgeBase};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("a valid date")
}

/// A scratch project: `knowledge/`, `tests/questions.jsonl` and `data/` in a temp folder.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(REPO).join("knowledge"),
            &dir.path().join("knowledge"),
        );
        fs::create_dir_all(dir.path().join("tests")).unwrap();
        fs::copy(
            Path::new(REPO).join("tests/questions.jsonl"),
            dir.path().join("tests/questions.jsonl"),
        )
        .unwrap();
        Sandbox { dir }
    }

    /// The same, with the facts of one dispute only: every rule still runs on every edit, on a
    /// smaller base, so that 50 fully checked edits stay quick in a debug build.
    fn one_dispute(dispute: &str) -> Sandbox {
        let sb = Sandbox::new();
        for entry in fs::read_dir(sb.knowledge().join("facts")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() != dispute {
                fs::remove_dir_all(path).unwrap();
            }
        }
        sb
    }

    fn knowledge(&self) -> PathBuf {
        self.dir.path().join("knowledge")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn config(&self) -> ModerationConfig {
        let mut c = ModerationConfig::new(self.knowledge(), self.data());
        assert!(c.questions.is_some(), "the question set is found");
        c.today = Some(today());
        c
    }

    /// Without the question-set rule: for tests about concurrency and files, where 50 runs of the
    /// whole question set would only add minutes.
    fn config_without_questions(&self) -> ModerationConfig {
        let mut c = self.config();
        c.questions = None;
        c
    }

    fn open(&self) -> Moderation {
        Moderation::open(self.config()).unwrap()
    }

    fn audit_text(&self) -> String {
        fs::read_to_string(self.knowledge().join(".strikefacts/audit.jsonl")).unwrap_or_default()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn alice() -> Actor {
    Actor::discord(1001, "alice")
}

fn bob() -> Actor {
    Actor::discord(1002, "bob")
}

const GUILD: Option<u64> = Some(42);

/// Served facts whose first phrasing leads back to them: safe targets for new phrasings.
fn steady_facts(engine: &Engine, n: usize) -> Vec<(String, String)> {
    engine
        .knowledge()
        .served_facts()
        .filter_map(|f| {
            let p = f.phrasings.first()?;
            let a = engine.ask(p, f.as_of.latest());
            (a.facts.len() == 1 && a.facts[0].id == f.id).then(|| (f.id.clone(), p.clone()))
        })
        .take(n)
        .collect()
}

fn answer_text(m: &Moderation, q: &str) -> String {
    m.engine().load().ask(q, today()).text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_edits_from_ten_tasks_lose_none() {
    let sb = Sandbox::one_dispute("pay-2022");
    let m = Arc::new(Moderation::open(sb.config_without_questions()).unwrap());
    let targets = steady_facts(&m.engine().load(), 5);
    assert_eq!(targets.len(), 5);
    let originals: Vec<String> = targets
        .iter()
        .map(|(id, _)| m.show(id).unwrap().text)
        .collect();
    // Two tasks per fact: one adds phrasings with `alias`, the other with a full `edit` based on
    // the version it read, retrying when another task got there first.
    let mut tasks = Vec::new();
    for t in 0..10usize {
        let m = m.clone();
        let (id, first) = targets[t % 5].clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            let who = Actor::new(format!("task{t}"));
            let mut stale = 0;
            for k in 0..5 {
                let phrasing = format!("{first} zq{t}v{k}");
                if t < 5 {
                    m.alias(&who, GUILD, &id, &phrasing, None, false)
                        .unwrap_or_else(|e| panic!("alias {phrasing:?}: {e}"));
                } else {
                    loop {
                        let view = m.show(&id).unwrap();
                        let mut draft = view.draft.clone();
                        draft.phrasings.push(phrasing.clone());
                        match m.edit(&who, GUILD, &id, &view.version, draft, false) {
                            Ok(_) => break,
                            Err(ModerationError::Stale { .. }) => stale += 1,
                            Err(e) => panic!("edit {phrasing:?}: {e}"),
                        }
                    }
                }
            }
            stale
        }));
    }
    let mut stale = 0;
    for t in tasks {
        stale += t.await.unwrap();
    }
    eprintln!("concurrent edits: 50 applied, {stale} stale edit(s) refused and retried");
    let entries = m.audit().entries().unwrap();
    assert_eq!(entries.len(), 50, "one audit entry per edit");
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<u64>>());
    for (i, (id, first)) in targets.iter().enumerate() {
        let view = m.show(id).unwrap();
        // Every phrasing of both tasks is in the file.
        for t in [i, i + 5] {
            for k in 0..5 {
                let p = format!("{first} zq{t}v{k}");
                assert!(view.draft.phrasings.contains(&p), "{id} lost {p:?}");
            }
        }
        // The log and the file agree: each entry starts from the previous one's text, the first
        // from the original file, the last ends at the file as it is now.
        let history = m.history(id).unwrap();
        assert_eq!(history.len(), 10);
        assert_eq!(history[0].before.as_deref(), Some(originals[i].as_str()));
        for w in history.windows(2) {
            assert_eq!(
                w[1].before, w[0].after,
                "{id}: a change was based on a lost text"
            );
        }
        assert_eq!(history[9].after.as_deref(), Some(view.text.as_str()));
        // ...and the serving engine has the last version.
        let served = m.engine().load();
        let fact = served.knowledge().fact(id).unwrap();
        assert_eq!(fact.phrasings.len(), view.draft.phrasings.len());
    }
    // What the bot serves is what a fresh load of the files gives.
    let fresh = KnowledgeBase::load(&sb.knowledge()).unwrap();
    let served = m.engine().load();
    for f in &fresh.facts {
        assert_eq!(
            served.knowledge().fact(&f.id).map(|s| &s.phrasings),
            Some(&f.phrasings)
        );
    }
}

/// Fails the write between the temporary file and the rename, when armed: a simulated crash.
struct CrashBeforeRename {
    armed: AtomicBool,
}

impl WriteHook for CrashBeforeRename {
    fn before_rename(&self, target: &Path) -> io::Result<()> {
        if self.armed.load(Ordering::SeqCst) {
            // The temporary file is complete and flushed at this point.
            let dir = target.parent().unwrap();
            let temps = fs::read_dir(dir)
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().ends_with(".tmp")
                })
                .count();
            assert_eq!(temps, 1, "the temporary file is in the target's folder");
            return Err(io::Error::other("simulated crash before rename"));
        }
        Ok(())
    }
}

#[test]
fn a_crash_between_temp_write_and_rename_leaves_the_old_file_intact() {
    let sb = Sandbox::new();
    let hook = Arc::new(CrashBeforeRename {
        armed: AtomicBool::new(false),
    });
    let m = Moderation::open(sb.config_without_questions())
        .unwrap()
        .with_write_hook(hook.clone());
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let before = m.show(&id).unwrap();
    let bytes = fs::read(sb.knowledge().join(&before.path)).unwrap();
    let engine = m.engine().load_full();

    hook.armed.store(true, Ordering::SeqCst);
    let err = m
        .alias(
            &alice(),
            GUILD,
            &id,
            &format!("{first} crashtest"),
            None,
            false,
        )
        .unwrap_err();
    assert!(err.to_string().contains("simulated crash"), "{err}");
    assert_eq!(fs::read(sb.knowledge().join(&before.path)).unwrap(), bytes);
    assert_eq!(m.show(&id).unwrap().version, before.version);
    let ledger = m.audit().ledger().unwrap();
    assert!(ledger.committed.is_empty(), "nothing recorded as history");
    assert!(ledger.pending.is_empty(), "the intent is marked abandoned");
    assert!(Arc::ptr_eq(&engine, &m.engine().load_full()), "engine kept");

    // A real crash would leave the temporary file behind: the loader ignores it.
    let dir = sb.knowledge().join(&before.path);
    let stray = dir.parent().unwrap().join(format!(".{id}.toml.x1y2z3.tmp"));
    fs::write(&stray, "id = \"half-writ").unwrap();
    KnowledgeBase::load(&sb.knowledge()).expect("a leftover temp file is not a fact");

    // The same at the lowest level.
    let file = sb.dir.path().join("plain.toml");
    fs::write(&file, "old").unwrap();
    assert!(write_atomic(&file, "new", hook.as_ref()).is_err());
    assert_eq!(fs::read_to_string(&file).unwrap(), "old");
    hook.armed.store(false, Ordering::SeqCst);
    write_atomic(&file, "new", hook.as_ref()).unwrap();
    assert_eq!(fs::read_to_string(&file).unwrap(), "new");
    m.alias(
        &alice(),
        GUILD,
        &id,
        &format!("{first} crashtest"),
        None,
        false,
    )
    .expect("works once the fault is gone");
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_broken_hand_edit_keeps_the_last_good_fact_base() {
    let sb = Sandbox::new();
    let m = Arc::new(Moderation::open(sb.config_without_questions()).unwrap());
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let path = sb.knowledge().join(m.show(&id).unwrap().path);
    let good = fs::read_to_string(&path).unwrap();
    let served_before = answer_text(&m, &first);
    let _watcher = watch::watch(m.clone(), Duration::from_millis(100)).unwrap();

    // Broken by hand: the reload is refused, the same engine keeps serving.
    let engine = m.engine().load_full();
    fs::write(&path, good.replace("answer = \"", "answer = ")).unwrap();
    assert!(m.reload_from_disk().is_err());
    std::thread::sleep(Duration::from_millis(800));
    assert!(Arc::ptr_eq(&engine, &m.engine().load_full()));
    assert_eq!(answer_text(&m, &first), served_before);

    // Fixed by hand (with a new answer): picked up without a restart.
    let fixed = good.replace("answer = \"", "answer = \"HAND-EDITED. ");
    fs::write(&path, &fixed).unwrap();
    wait_for("the watcher to reload", Duration::from_secs(20), || {
        answer_text(&m, &first).contains("HAND-EDITED.")
    });

    // The plain reload function behaves the same.
    let handle = arc_swap::ArcSwap::from_pointee(Engine::load(&sb.knowledge()).unwrap());
    let before = handle.load_full();
    fs::write(&path, "id = [").unwrap();
    let err = watch::reload(&sb.knowledge(), &handle).unwrap_err();
    assert!(err.to_string().contains(&format!("{id}.toml:1")), "{err}");
    assert!(Arc::ptr_eq(&before, &handle.load_full()));
    fs::write(&path, &fixed).unwrap();
}

#[test]
fn the_audit_log_is_append_only_and_history_and_undo_round_trip() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let v0 = m.show(&id).unwrap();
    let mut logs: Vec<String> = Vec::new();
    let mut check_prefix = |sb: &Sandbox| {
        let now = sb.audit_text();
        if let Some(prev) = logs.last() {
            assert!(now.len() > prev.len() && now.starts_with(prev.as_str()));
        }
        logs.push(now);
    };

    let c1 = m
        .alias(
            &alice(),
            GUILD,
            &id,
            &format!("{first} roundtrip"),
            None,
            false,
        )
        .unwrap();
    check_prefix(&sb);
    let v1 = m.show(&id).unwrap();
    let c2 = m
        .retire(&bob(), GUILD, &id, "superseded", None, false)
        .unwrap();
    check_prefix(&sb);
    assert!(!m.show(&id).unwrap().served);
    assert!(m
        .engine()
        .load()
        .knowledge()
        .served_facts()
        .all(|f| f.id != id));

    let history = m.history(&id).unwrap();
    assert_eq!(
        history.iter().map(|e| e.action).collect::<Vec<_>>(),
        [Action::Alias, Action::Retire]
    );
    assert_eq!(history[0].actor, "alice");
    assert_eq!(history[0].guild, GUILD);
    assert_eq!(history[0].before.as_deref(), Some(v0.text.as_str()));
    assert_eq!(history[1].note.as_deref(), Some("superseded"));
    assert_eq!((c1.entry.seq, c2.entry.seq), (1, 2));

    // Undo walks back: retire, then alias; each undo is itself recorded.
    m.undo(&alice(), GUILD, &id, &m.show(&id).unwrap().version, false)
        .unwrap();
    check_prefix(&sb);
    assert_eq!(m.show(&id).unwrap().text, v1.text);
    m.undo(&alice(), GUILD, &id, &m.show(&id).unwrap().version, false)
        .unwrap();
    check_prefix(&sb);
    assert_eq!(m.show(&id).unwrap().text, v0.text);
    let err = m
        .undo(&alice(), GUILD, &id, &m.show(&id).unwrap().version, false)
        .unwrap_err();
    assert!(matches!(err, ModerationError::NothingToUndo(_)), "{err}");
    assert_eq!(m.history(&id).unwrap().len(), 4);

    // Undo of an add retires the new fact; the file stays.
    let mut draft = m.show(&id).unwrap().draft;
    draft.id = "2026-undo-probe".into();
    draft.phrasings = vec!["zyxwv undo probe qwerty".into()];
    draft.keywords = vec!["zyxwv".into()];
    m.add(&alice(), GUILD, draft, false).unwrap();
    check_prefix(&sb);
    let probe = m.show("2026-undo-probe").unwrap().version;
    m.undo(&bob(), GUILD, "2026-undo-probe", &probe, false)
        .unwrap();
    check_prefix(&sb);
    let view = m.show("2026-undo-probe").unwrap();
    assert!(!view.served);
    assert!(view.draft.retired.unwrap().reason.contains("undo of add"));
}

#[test]
fn a_stale_edit_is_refused_with_who_changed_it() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let opened_by_bob = m.show(&id).unwrap();
    let c = m
        .alias(&alice(), GUILD, &id, &format!("{first} stale"), None, false)
        .unwrap();

    let mut draft = opened_by_bob.draft.clone();
    draft.answer.push_str(" Bob's addition.");
    let before = sb.audit_text();
    let err = m
        .edit(
            &bob(),
            GUILD,
            &id,
            &opened_by_bob.version,
            draft.clone(),
            false,
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("changed by alice at {}", c.entry.at)) && msg.contains("reopen it"),
        "{msg}"
    );
    assert_eq!(sb.audit_text(), before);
    assert_eq!(m.show(&id).unwrap().version, c.version);

    // A hand edit since: "changed outside the bot".
    let path = sb.knowledge().join(&c.path);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}# a comment\n")).unwrap();
    let err = m
        .edit(&bob(), GUILD, &id, &c.version, draft, false)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("changed outside the bot, reopen it"),
        "{err}"
    );
}

#[test]
fn an_invalid_edit_writes_nothing() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, _) = steady_facts(&m.engine().load(), 1).remove(0);
    let view = m.show(&id).unwrap();
    let file = sb.knowledge().join(&view.path);
    let bytes = fs::read(&file).unwrap();
    let engine = m.engine().load_full();

    let attempts: [(&str, FactDraft); 4] = [
        ("answer: at most 600 characters", {
            let mut d = view.draft.clone();
            d.answer = "x".repeat(700);
            d
        }),
        ("unknown source id", {
            let mut d = view.draft.clone();
            d.sources.push("NO-SUCH-SOURCE".into());
            d
        }),
        ("bad date", {
            let mut d = view.draft.clone();
            d.as_of = "2016-13-45".into();
            d
        }),
        ("`excerpts` is empty", {
            let mut d = view.draft.clone();
            d.excerpts.clear();
            d
        }),
    ];
    for (expect, draft) in attempts {
        let err = m
            .edit(&alice(), GUILD, &id, &view.version, draft, true)
            .unwrap_err();
        assert!(err.to_string().contains(expect), "{expect}: {err}");
        assert!(err.to_string().contains("nothing was written"), "{err}");
    }
    // A new fact in an unknown dispute creates no file.
    let mut d = view.draft.clone();
    d.id = "2026-invalid-probe".into();
    d.dispute = "no-such-dispute".into();
    d.phrasings = vec!["qqq invalid probe".into()];
    let err = m.add(&alice(), GUILD, d, true).unwrap_err();
    assert!(err.to_string().contains("unknown dispute"), "{err}");
    assert!(!sb
        .knowledge()
        .join("facts/no-such-dispute/2026-invalid-probe.toml")
        .exists());

    assert_eq!(fs::read(&file).unwrap(), bytes);
    assert!(sb.audit_text().is_empty());
    assert!(Arc::ptr_eq(&engine, &m.engine().load_full()));
}

#[test]
fn a_state_facts_edit_is_validated_on_what_it_reaches_and_served_at_once() {
    // A fact marked `state` answers "is it over?" by rule: its edit asks the whole question set
    // again and checks the state facts the rule moves, but no longer rebuilds the whole base.
    let sb = Sandbox::new();
    let m = sb.open();
    let id = "2026-deal-accepted-strikes-end";
    assert!(m
        .engine()
        .load()
        .knowledge()
        .fact(id)
        .is_some_and(|f| f.state));
    let view = m.show(id).unwrap();
    let mut draft = view.draft.clone();
    draft.answer = format!("{} (checked by a moderator)", draft.answer);
    m.edit(&alice(), GUILD, id, &view.version, draft, true)
        .unwrap();
    let a = m.ask("is the resident doctors strike over now?", GUILD);
    assert!(a.text.contains("(checked by a moderator)"), "{}", a.text);
    // A broken state fact is still refused, with nothing written.
    let view = m.show(id).unwrap();
    let bytes = fs::read(sb.knowledge().join(&view.path)).unwrap();
    let mut draft = view.draft.clone();
    draft.phrasings = vec!["what is the capital of france".into()];
    let err = match m.edit(&alice(), GUILD, id, &view.version, draft, true) {
        Ok(change) => panic!(
            "a phrasing that leads nowhere was accepted: {}",
            change.version
        ),
        Err(e) => e,
    };
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(fs::read(sb.knowledge().join(&view.path)).unwrap(), bytes);
}

#[test]
fn a_phrasing_that_leads_to_another_fact_is_refused() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let facts = steady_facts(&m.engine().load(), 2);
    let (a, _) = &facts[0];
    let (b, b_phrasing) = &facts[1];
    let before = m.show(a).unwrap();

    let err = m
        .alias(&alice(), GUILD, a, b_phrasing, None, false)
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("already leads to fact {b:?}")) && msg.contains("confirm"),
        "{msg}"
    );
    // Confirming does not get past the `check` rule: a phrasing belongs to one fact.
    let err = m
        .alias(&alice(), GUILD, a, b_phrasing, None, true)
        .unwrap_err();
    assert!(matches!(err, ModerationError::Invalid { .. }), "{err}");
    assert_eq!(m.show(a).unwrap().text, before.text);
    assert!(sb.audit_text().is_empty());
}

#[test]
fn the_next_question_after_an_edit_uses_the_new_fact() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    // Edit: the next answer has the new text. Timed from the call to the first answer using it.
    let original = m.show(&id).unwrap().draft.answer;
    let mut times = Vec::new();
    for k in 0..3 {
        let view = m.show(&id).unwrap();
        let mut draft = view.draft.clone();
        let marker = format!("(revision {k})");
        draft.answer = format!("{original} {marker}");
        let start = Instant::now();
        m.edit(&alice(), GUILD, &id, &view.version, draft, false)
            .unwrap();
        let text = answer_text(&m, &first);
        times.push(start.elapsed());
        assert!(text.contains(&marker), "{text}");
    }
    times.sort();
    eprintln!(
        "closing note (debug build): edit -> first answer using it, median {:?} of {:?}",
        times[times.len() / 2],
        times
    );

    // Add: a brand-new fact is answered at once.
    let draft = FactDraft {
        dispute: "resident-2025".into(),
        as_of: "2026-11-20".into(),
        answer: "The picket line mascot was a knitted stethoscope called Stethy.".into(),
        sources: vec!["SEED-001".into()],
        excerpts: vec!["doctors".into()],
        phrasings: vec![
            "what was the picket line mascot called".into(),
            "knitted stethoscope mascot".into(),
        ],
        ..FactDraft::default()
    };
    let c = m.add(&alice(), GUILD, draft, false).unwrap();
    assert!(c.path.starts_with("facts/resident-2025/"), "{}", c.path);
    assert_eq!(c.id, "2026-what-was-the-picket-line-mascot-called");
    let a = m.ask("what was the picket line mascot called?", GUILD);
    assert!(a.answered && a.text.contains("Stethy"), "{}", a.text);
    let written = fs::read_to_string(sb.knowledge().join(&c.path)).unwrap();
    assert!(written.contains("phrasings = [\n  \"what was the picket line mascot called\",\n"));

    // Rebuild time of the matcher index for the real fact base.
    let kb = KnowledgeBase::load(&sb.knowledge()).unwrap();
    let mut rebuild = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let e = Engine::new(kb.clone());
        rebuild.push(start.elapsed());
        drop(e);
    }
    rebuild.sort();
    eprintln!(
        "closing note (debug build): Engine::new for {} facts, median {:?}",
        kb.facts.len(),
        rebuild[1]
    );
}

#[test]
fn an_edit_that_answers_the_question_set_worse_needs_confirm() {
    let sb = Sandbox::new();
    let m = sb.open();
    // A fact the question set relies on: retiring it loses correct answers.
    let needed = "2016-march-cancellations-total";
    let before = m.show(needed).unwrap();
    let err = m
        .retire(&alice(), GUILD, needed, "test", None, false)
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("the question set answers worse") && msg.contains("confirm"),
        "{msg}"
    );
    assert_eq!(m.show(needed).unwrap().text, before.text);
    let c = m
        .retire(&alice(), GUILD, needed, "test", None, true)
        .unwrap();
    assert!(c.notes.iter().any(|n| n.contains("answers worse")));
}

#[test]
fn declined_questions_are_grouped_and_become_phrasings() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, _) = steady_facts(&m.engine().load(), 1).remove(0);
    for q in [
        "what did the glorpwizzle committee rule",
        "What did the Glorpwizzle committee rule?",
        "what did the glorpwizle committee rule",
    ] {
        assert!(!m.ask(q, GUILD).answered);
    }
    assert!(!m.ask("who is the blibberflop", Some(7)).answered);
    let groups = m.unanswered(GUILD).unwrap();
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0].count, 3);
    let raw = fs::read_to_string(sb.data().join("unanswered.jsonl")).unwrap();
    assert!(
        !raw.contains("alice") && !raw.contains("1001"),
        "never who asked"
    );

    let draft = m.unanswered_to_draft(GUILD, &groups[0].id).unwrap();
    assert!(!draft.phrasings.is_empty());
    m.unanswered_to_alias(&alice(), GUILD, &groups[0].id, &id, false)
        .unwrap();
    let a = m.ask("what did the glorpwizzle committee rule", GUILD);
    assert!(
        a.answered && a.facts.iter().any(|f| f.id == id),
        "{}",
        a.text
    );
    assert!(m.unanswered(GUILD).unwrap().is_empty());
    assert_eq!(m.unanswered(Some(7)).unwrap().len(), 1);
}

#[test]
fn sources_are_added_validated() {
    let sb = Sandbox::new();
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let good = SourceDraft {
        id: "TEST-2026-11".into(),
        publisher: "Test Gazette".into(),
        headline: Some("Doctors \"strike\" again".into()),
        date: "2026-11-20".into(),
        url: Some("https://example.org/strike".into()),
        text: "Doctors went on strike again on Friday.".into(),
        ..SourceDraft::default()
    };
    let before = fs::read_to_string(sb.knowledge().join("sources.toml")).unwrap();
    for (bad, expect) in [
        (
            SourceDraft {
                id: "SEED-000".into(),
                ..good.clone()
            },
            "already exists",
        ),
        (
            SourceDraft {
                date: "20 Nov 2026".into(),
                ..good.clone()
            },
            "bad date",
        ),
        (
            SourceDraft {
                url: Some("ftp://example.org/x".into()),
                ..good.clone()
            },
            "bad url",
        ),
        (
            SourceDraft {
                url: Some("javascript:alert(1)".into()),
                ..good.clone()
            },
            "bad url",
        ),
        (
            SourceDraft {
                text: "  ".into(),
                ..good.clone()
            },
            "text is empty",
        ),
        (
            SourceDraft {
                text: "Doctors\u{1b}[31m struck".into(),
                ..good.clone()
            },
            "control character",
        ),
    ] {
        let err = m.add_source(&alice(), GUILD, bad).unwrap_err();
        assert!(err.to_string().contains(expect), "{expect}: {err}");
    }
    assert_eq!(
        fs::read_to_string(sb.knowledge().join("sources.toml")).unwrap(),
        before
    );
    let e = m.add_source(&alice(), GUILD, good).unwrap();
    assert_eq!(e.action, Action::SourceAdd);
    let after = fs::read_to_string(sb.knowledge().join("sources.toml")).unwrap();
    assert!(after.starts_with(&before));
    let kb = KnowledgeBase::load(&sb.knowledge()).unwrap();
    assert_eq!(
        kb.source("TEST-2026-11").unwrap().headline.as_deref(),
        Some("Doctors \"strike\" again")
    );
}

#[test]
fn who_may_moderate() {
    let roles = parse_ids(ROLES_ENV, "111, 222").unwrap();
    assert!(may_moderate(MANAGE_MESSAGES, &[], &roles));
    assert!(may_moderate(MANAGE_GUILD, &[], &roles));
    assert!(may_moderate(0, &[999, 222], &roles));
    assert!(!may_moderate(1 << 10 | 1 << 11, &[999], &roles));
    assert!(!may_moderate(0, &[], &[]));
}

/// Two back ends over the same fact base but *different data folders*, as the bot (on
/// `/var/lib/strikefacts`) and `strikefacts fact ...` (on `./data`) would be: the writer lock and
/// the audit log live with the facts, so their changes never interleave, none is lost and the
/// one audit log numbers every change once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_editing_at_once_lose_nothing() {
    let sb = Sandbox::one_dispute("pay-2022");
    let a = Arc::new(Moderation::open(sb.config_without_questions()).unwrap());
    let mut other = sb.config_without_questions();
    other.data = sb.dir.path().join("other-data");
    let b = Arc::new(Moderation::open(other).unwrap());
    let targets = steady_facts(&a.engine().load(), 2);
    assert_eq!(targets.len(), 2);
    let mut tasks = Vec::new();
    for (n, m) in [a.clone(), b.clone()].into_iter().enumerate() {
        let (id, first) = targets[n].clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            let who = Actor::new(format!("process{n}"));
            for k in 0..4 {
                let phrasing = format!("{first} zp{n}v{k}");
                m.alias(&who, GUILD, &id, &phrasing, None, false)
                    .unwrap_or_else(|e| panic!("alias {phrasing:?}: {e}"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = a.audit().entries().unwrap();
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=8).collect::<Vec<u64>>(),
        "each change numbered once"
    );
    for (n, (id, first)) in targets.iter().enumerate() {
        let view = a.show(id).unwrap();
        for k in 0..4 {
            let p = format!("{first} zp{n}v{k}");
            assert!(view.draft.phrasings.contains(&p), "{id} lost {p:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_undos_of_one_version_undo_once() {
    let sb = Sandbox::one_dispute("pay-2022");
    let m = Arc::new(Moderation::open(sb.config_without_questions()).unwrap());
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let original = m.show(&id).unwrap().text;
    m.alias(
        &alice(),
        GUILD,
        &id,
        &format!("{first} zqundo1"),
        None,
        false,
    )
    .unwrap();
    let aliased = m.show(&id).unwrap();
    // Both moderators saw the same version and click undo at once.
    let tasks: Vec<_> = [alice(), bob()]
        .into_iter()
        .map(|who| {
            let (m, id, version) = (m.clone(), id.clone(), aliased.version.clone());
            tokio::task::spawn_blocking(move || m.undo(&who, GUILD, &id, &version, false))
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let done = results.iter().filter(|r| r.is_ok()).count();
    let stale = results
        .iter()
        .filter(|r| matches!(r, Err(ModerationError::Stale { .. })))
        .count();
    assert_eq!((done, stale), (1, 1), "{results:?}");
    // One undo: back to the original, not past it.
    assert_eq!(m.show(&id).unwrap().text, original);
}

/// Ten moderators edit one fact from the version they all read, five through each of two back
/// ends on different data folders: exactly one edit lands, nine are refused as stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_edits_of_one_version_over_two_data_folders_give_one_success() {
    let sb = Sandbox::one_dispute("pay-2022");
    let a = Arc::new(Moderation::open(sb.config_without_questions()).unwrap());
    let mut other = sb.config_without_questions();
    other.data = sb.dir.path().join("other-data");
    let b = Arc::new(Moderation::open(other).unwrap());
    let (id, first) = steady_facts(&a.engine().load(), 1).remove(0);
    let view = a.show(&id).unwrap();
    let tasks: Vec<_> = (0..10usize)
        .map(|t| {
            let m = if t % 2 == 0 { a.clone() } else { b.clone() };
            let (id, version) = (id.clone(), view.version.clone());
            let mut draft = view.draft.clone();
            draft.phrasings.push(format!("{first} zt{t}"));
            tokio::task::spawn_blocking(move || {
                m.edit(
                    &Actor::new(format!("mod{t}")),
                    GUILD,
                    &id,
                    &version,
                    draft,
                    false,
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let won = results.iter().filter(|r| r.is_ok()).count();
    let stale = results
        .iter()
        .filter(|r| matches!(r, Err(ModerationError::Stale { .. })))
        .count();
    assert_eq!((won, stale), (1, 9), "{results:?}");
    assert_eq!(a.history(&id).unwrap().len(), 1, "one change recorded");
}

#[test]
fn a_retired_fact_refuses_edits_until_restored() {
    let sb = Sandbox::one_dispute("pay-2022");
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    m.retire(&alice(), GUILD, &id, "outdated", None, false)
        .unwrap();
    let view = m.show(&id).unwrap();
    let mut draft = view.draft.clone();
    draft.phrasings.push(format!("{first} zretired"));
    let before = m.show(&id).unwrap().text;
    let err = m
        .edit(&bob(), GUILD, &id, &view.version, draft.clone(), false)
        .unwrap_err();
    assert!(matches!(err, ModerationError::Retired(_)), "{err}");
    assert_eq!(m.show(&id).unwrap().text, before, "nothing written");
    // Undoing the retirement restores it; then the edit goes through.
    m.undo(&alice(), GUILD, &id, &view.version, false).unwrap();
    let restored = m.show(&id).unwrap();
    draft.retired = None;
    m.edit(&bob(), GUILD, &id, &restored.version, draft, false)
        .unwrap();
}

/// The process's peak resident memory in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_megabyte_phrasing_is_refused_in_bounded_memory_and_nothing_changes() {
    let sb = Sandbox::one_dispute("pay-2022");
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, _) = steady_facts(&m.engine().load(), 1).remove(0);
    let before = m.show(&id).unwrap().text;
    let peak = peak_rss_kib();
    let huge = "w".repeat(1 << 20);
    let err = m
        .alias(&alice(), GUILD, &id, &huge, None, false)
        .unwrap_err();
    let cap = format!(
        "at most {} characters",
        strikefacts::moderation::limits::MAX_PHRASING
    );
    assert!(err.to_string().contains(&cap), "{err}");
    let mut draft = m.show(&id).unwrap().draft;
    draft.answer = "@everyone the strike is cancelled".into();
    let version = m.show(&id).unwrap().version;
    let err = m
        .edit(&alice(), GUILD, &id, &version, draft, false)
        .unwrap_err();
    assert!(err.to_string().contains("mention"), "{err}");
    assert_eq!(m.show(&id).unwrap().text, before, "nothing written");
    assert!(m.history(&id).unwrap().is_empty(), "nothing recorded");
    if let (Some(a), Some(b)) = (peak, peak_rss_kib()) {
        eprintln!("peak RSS {a} KiB before, {b} KiB after a 1 MiB phrasing");
        assert!(b.saturating_sub(a) < 200 * 1024, "grew {} KiB", b - a);
    }
}

/// Where a simulated crash strikes: inside the file write (between the temporary file and the
/// rename) or after a step of the change has reached the disk.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CrashPoint {
    BeforeRename,
    After(Step),
}

impl CrashPoint {
    const ALL: [CrashPoint; 4] = [
        CrashPoint::After(Step::Intended),
        CrashPoint::BeforeRename,
        CrashPoint::After(Step::Written),
        CrashPoint::After(Step::Committed),
    ];

    /// Whether the change is on disk when the crash strikes here.
    fn written(self) -> bool {
        matches!(self, CrashPoint::After(Step::Written | Step::Committed))
    }
}

/// Panics at one point of the next change: nothing after it runs, as after a real crash.
struct CrashAt(CrashPoint);

impl WriteHook for CrashAt {
    fn before_rename(&self, _target: &Path) -> io::Result<()> {
        if self.0 == CrashPoint::BeforeRename {
            panic!("simulated crash before rename");
        }
        Ok(())
    }

    fn after_step(&self, step: Step) {
        if self.0 == CrashPoint::After(step) {
            panic!("simulated crash after {step:?}");
        }
    }
}

/// The fact base and the log agree: no unsettled intent, every fact the log knows holds the
/// text the log last recorded for it, and sequence numbers rise without repeats.
fn assert_base_and_log_agree(sb: &Sandbox, m: &Moderation, context: &str) {
    let ledger = m.audit().ledger().unwrap();
    assert!(ledger.pending.is_empty(), "{context}: unsettled intents");
    let mut last = std::collections::BTreeMap::new();
    for e in ledger
        .committed
        .iter()
        .filter(|e| e.action != Action::SourceAdd)
    {
        last.insert(e.fact_id.clone(), e.clone());
    }
    for (id, e) in last {
        let on_disk = fs::read_to_string(sb.knowledge().join(&e.path)).unwrap();
        assert_eq!(
            Some(on_disk),
            e.after,
            "{context}: {id} differs from its log"
        );
    }
    let mut seqs: Vec<u64> = ledger.committed.iter().map(|e| e.seq).collect();
    let n = seqs.len();
    seqs.dedup();
    assert_eq!(seqs.len(), n, "{context}: a sequence number repeats");
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "{context}: out of order"
    );
}

/// One change of each kind that writes: a new phrasing, a new fact, a new source.
fn crash_during(sb: &Sandbox, point: CrashPoint, kind: &str) -> (String, String) {
    let m = Moderation::open(sb.config_without_questions())
        .unwrap()
        .with_write_hook(Arc::new(CrashAt(point)));
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind {
        "alias" => {
            let p = format!("{first} crashtest");
            m.alias(&alice(), GUILD, &id, &p, None, false).map(|_| ())
        }
        "add" => {
            let draft = FactDraft {
                id: "2026-crash-test-fact".into(),
                dispute: "resident-2025".into(),
                as_of: "2026-11-20".into(),
                answer: "A fact added while the process crashed.".into(),
                sources: vec!["SEED-001".into()],
                excerpts: vec!["doctors".into()],
                phrasings: vec!["what was added during the crash test".into()],
                ..FactDraft::default()
            };
            m.add(&alice(), GUILD, draft, false).map(|_| ())
        }
        _ => {
            let source = SourceDraft {
                id: "CRASH-2026-11".into(),
                publisher: "Crash Gazette".into(),
                date: "2026-11-20".into(),
                text: "Doctors went on strike again.".into(),
                ..SourceDraft::default()
            };
            m.add_source(&alice(), GUILD, source).map(|_| ())
        }
    }));
    assert!(outcome.is_err(), "{kind} at {point:?}: the crash struck");
    let target = match kind {
        "alias" => id,
        "add" => "2026-crash-test-fact".into(),
        _ => "CRASH-2026-11".into(),
    };
    (target, first)
}

#[test]
fn a_crash_between_any_two_steps_leaves_the_base_and_the_log_agreeing_after_restart() {
    let mut figures = Vec::new();
    for kind in ["alias", "add", "source"] {
        for point in CrashPoint::ALL {
            let sb = Sandbox::one_dispute("resident-2025");
            let (target, first) = crash_during(&sb, point, kind);
            let context = format!("{kind} crashed at {point:?}");
            // Restart: opening reconciles.
            let m = Moderation::open(sb.config_without_questions()).unwrap();
            assert_base_and_log_agree(&sb, &m, &context);
            let in_history = m
                .audit()
                .entries()
                .unwrap()
                .iter()
                .any(|e| e.fact_id == target && e.action != Action::Found);
            let on_disk = match kind {
                "alias" => m
                    .show(&target)
                    .unwrap()
                    .draft
                    .phrasings
                    .contains(&format!("{first} crashtest")),
                "add" => m.show(&target).is_ok(),
                _ => fs::read_to_string(sb.knowledge().join("sources.toml"))
                    .unwrap()
                    .contains("CRASH-2026-11"),
            };
            assert_eq!(on_disk, point.written(), "{context}: on disk");
            assert_eq!(
                in_history, on_disk,
                "{context}: history agrees with the files"
            );
            // The served facts are the files' facts.
            if kind == "add" {
                let served = m.engine().load().knowledge().fact(&target).is_some();
                assert_eq!(served, on_disk, "{context}: served");
            }
            figures.push(format!("{kind}/{point:?}: written={on_disk}"));
        }
    }
    eprintln!(
        "crash points checked: {} ({})",
        figures.len(),
        figures.join(", ")
    );
}

/// A moderation back end on `sb` whose first change is alice's new phrasing (the steady fact's
/// first phrasing plus `suffix`): the fact's id, that first phrasing, and the change.
fn first_alias(
    sb: &Sandbox,
    suffix: &str,
) -> (Moderation, String, String, strikefacts::moderation::Change) {
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let phrasing = format!("{first} {suffix}");
    let c = m
        .alias(&alice(), GUILD, &id, &phrasing, None, false)
        .unwrap();
    (m, id, first, c)
}

#[test]
fn a_torn_audit_line_is_repaired_and_its_number_not_issued_again() {
    let sb = Sandbox::one_dispute("resident-2025");
    let (m, id, first, c) = first_alias(&sb, "torn one");
    assert_eq!(c.entry.seq, 1);
    drop(m);
    // A crash mid-append: the start of entry 2, no newline.
    let log = sb.knowledge().join(".strikefacts/audit.jsonl");
    let mut text = fs::read_to_string(&log).unwrap();
    text.push_str("{\"seq\":2,\"at\":\"2026-11-2");
    fs::write(&log, &text).unwrap();

    let m = Moderation::open(sb.config_without_questions()).unwrap();
    assert!(
        fs::read_to_string(&log).unwrap().ends_with('\n'),
        "closed off"
    );
    let c = m
        .alias(
            &bob(),
            GUILD,
            &id,
            &format!("{first} torn two"),
            None,
            false,
        )
        .unwrap();
    assert_eq!(
        c.entry.seq, 3,
        "the torn entry's number is not issued again"
    );
    let ledger = m.audit().ledger().unwrap();
    assert_eq!(
        ledger.unreadable.len(),
        1,
        "only the torn line is unreadable"
    );
    let history = m.history(&id).unwrap();
    assert_eq!(history.len(), 2, "the next entry was not swallowed");
    assert_eq!(history[1].actor, "bob");
    assert!(
        fs::read_to_string(&log).unwrap().starts_with(&text),
        "no byte rewritten"
    );
    assert_base_and_log_agree(&sb, &m, "after a torn line");
}

#[test]
fn a_hand_edit_the_log_does_not_know_is_recorded_at_start_not_lost() {
    let sb = Sandbox::one_dispute("resident-2025");
    let (m, id, _, c) = first_alias(&sb, "by alice");
    let moderators_text = m.show(&id).unwrap().text;
    drop(m);
    let path = sb.knowledge().join(&c.path);
    let hand = moderators_text.replace("by alice", "by hand");
    fs::write(&path, &hand).unwrap();

    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let findings = m.reconcile().unwrap();
    assert!(
        findings.is_empty(),
        "recorded once, at the first open: {findings:?}"
    );
    let last = m.history(&id).unwrap().pop().unwrap();
    assert_eq!(last.action, Action::Found);
    assert_eq!(last.before.as_deref(), Some(moderators_text.as_str()));
    assert_eq!(last.after.as_deref(), Some(hand.as_str()));
    assert_base_and_log_agree(&sb, &m, "after a hand edit");
    // It can be undone like any change.
    let version = m.show(&id).unwrap().version;
    m.undo(&bob(), GUILD, &id, &version, false).unwrap();
    assert_eq!(m.show(&id).unwrap().text, moderators_text);
}

#[test]
fn an_excerpt_its_sources_never_printed_is_refused() {
    let sb = Sandbox::one_dispute("resident-2025");
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let draft = |sources: &[&str], excerpt: &str| FactDraft {
        dispute: "resident-2025".into(),
        as_of: "2026-11-20".into(),
        answer: "Resident doctors held a parade in Leeds.".into(),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        excerpts: vec![excerpt.into()],
        phrasings: vec!["did resident doctors hold a parade in leeds".into()],
        ..FactDraft::default()
    };
    let files = || Snapshot::of(&sb.knowledge());
    let before = files();
    for (sources, excerpt, expect) in [
        (
            &["SEED-001"][..],
            "doctors held a parade in Leeds",
            "excerpt not found",
        ),
        // Found in another source's text, not the cited one's.
        (
            &["SEED-001"][..],
            "Strikes are not the main reason",
            "excerpt not found",
        ),
    ] {
        let err = m
            .add(&alice(), GUILD, draft(sources, excerpt), false)
            .unwrap_err();
        assert!(err.to_string().contains(expect), "{excerpt}: {err}");
    }
    assert_eq!(files(), before, "nothing written");
    // A new source brings its text; a fact quoting it is then verified.
    let source = SourceDraft {
        id: "LEEDS-2026-11".into(),
        publisher: "Leeds Gazette".into(),
        date: "2026-11-20".into(),
        text: "Resident doctors held a parade in Leeds on Friday.".into(),
        ..SourceDraft::default()
    };
    m.add_source(&alice(), GUILD, source).unwrap();
    let text = fs::read_to_string(sb.knowledge().join("sources/LEEDS-2026-11.txt")).unwrap();
    assert!(text.contains("parade in Leeds"));
    m.add(
        &alice(),
        GUILD,
        draft(&["LEEDS-2026-11"], "held a parade in Leeds"),
        false,
    )
    .expect("an excerpt of the cited source's text");
}

/// Every file of a folder with its bytes, to show that a refusal wrote nothing.
#[derive(Debug, PartialEq)]
struct Snapshot(std::collections::BTreeMap<PathBuf, Vec<u8>>);

impl Snapshot {
    fn of(dir: &Path) -> Snapshot {
        let mut files = std::collections::BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.insert(path.clone(), fs::read(&path).unwrap());
                }
            }
        }
        Snapshot(files)
    }
}

#[test]
fn each_change_in_a_git_work_tree_is_one_commit_by_its_moderator() {
    let sb = Sandbox::one_dispute("resident-2025");
    let root = sb.dir.path();
    fs::write(root.join(".gitignore"), "/knowledge/.strikefacts/\n/data\n").unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "the fact base"]);
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    let (id, first) = steady_facts(&m.engine().load(), 1).remove(0);
    let c = m
        .alias(
            &alice(),
            GUILD,
            &id,
            &format!("{first} in git"),
            None,
            false,
        )
        .unwrap();
    assert!(c.notes.is_empty(), "{:?}", c.notes);
    let last = git(root, &["log", "-1", "--format=%an <%ae>|%s|%b"]);
    assert!(
        last.starts_with(&format!(
            "alice <discord-1001@server-42.invalid>|fact alias: {id}|"
        )),
        "{last}"
    );
    assert!(last.contains(&format!("audit #{}", c.entry.seq)), "{last}");
    let changed = git(root, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(changed.trim(), format!("knowledge/{}", c.path));
    drop(m);

    // The shell's changes are commits too, with the shell user as author: an edit from a file,
    // then a retirement. Each returns the newest commit's author and subject.
    let shell = |args: &[&str]| -> String {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strikefacts"))
            .arg("--knowledge")
            .arg(sb.knowledge())
            .args(["--today", "2026-11-21", "fact"])
            .args(args)
            .args(["--actor", "carol", "--data"])
            .arg(sb.data())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        git(root, &["log", "-1", "--format=%an <%ae>|%s"])
    };
    let version = || {
        Moderation::open(sb.config_without_questions())
            .unwrap()
            .show(&id)
            .unwrap()
            .version
    };
    // The draft is written outside the work tree, as a moderator's editor would.
    let drafts = tempfile::tempdir().unwrap();
    let edited = drafts.path().join("edited.toml");
    let text = fs::read_to_string(sb.knowledge().join(&c.path)).unwrap();
    let answer_line = text.lines().find(|l| l.starts_with("answer = ")).unwrap();
    let new_answer = answer_line.replacen("answer = \"", "answer = \"In short: ", 1);
    fs::write(&edited, text.replace(answer_line, &new_answer)).unwrap();
    let file = edited.to_str().expect("a UTF-8 temp path");
    let base = version();
    assert_eq!(
        shell(&["edit", &id, "--base-version", &base, "--file", file]).trim(),
        format!("carol <shell@shell.invalid>|fact edit: {id}")
    );
    let base = version();
    let retire = [
        "retire",
        &id,
        "--reason",
        "superseded",
        "--base-version",
        &base,
    ];
    assert_eq!(
        shell(&retire).trim(),
        format!("carol <shell@shell.invalid>|fact retire: {id}")
    );
    assert_eq!(git(root, &["rev-list", "--count", "HEAD"]).trim(), "4");
    assert!(
        git(root, &["status", "--porcelain"]).trim().is_empty(),
        "all committed"
    );
    // History and git agree: one audit entry per commit after the first.
    let m = Moderation::open(sb.config_without_questions()).unwrap();
    assert_eq!(m.history(&id).unwrap().len(), 3);
}
