//! `strikefacts fact ...`, `strikefacts unanswered` and `strikefacts stats`: the moderators'
//! operations from the shell.
//!
//! It exists so maintainers can do from a terminal what moderators do from Discord, through the
//! very same [`Moderation`] calls (and so the same validation, audit log and versions). It lives
//! here rather than in `main.rs` so the binary only gains two subcommand lines.
//!
//! Exit codes: 0 done; 1 refused (invalid, stale, needs confirm); 2 bad usage or not found; 3 the
//! fact base on disk could not be loaded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::audit::diff_lines;
use super::edit::{Moderation, ModerationConfig, ModerationError, SourceDraft, DATA_ENV};
use super::permissions::Actor;
use super::store::FactDraft;
use super::unanswered::UnansweredPolicy;
use crate::moderation::{AuditEntry, Change, FactSummary, FactView};

/// Options every moderation command shares.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Who is making the change (recorded in the audit log); default $USER, else "cli".
    #[arg(long, global = true)]
    pub actor: Option<String>,
    /// The data folder (audit log, unanswered questions).
    #[arg(long, global = true, env = DATA_ENV, default_value = "data")]
    pub data: PathBuf,
    /// Print results as JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

/// `strikefacts fact ...`
#[derive(Debug, Args)]
pub struct FactArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: FactCommand,
}

#[derive(Debug, Subcommand)]
pub enum FactCommand {
    /// Add a fact from a TOML file (the fact file format) or from fields.
    Add {
        #[arg(long)]
        file: Option<PathBuf>,
        #[command(flatten)]
        fields: FactFields,
        /// Accept a phrasing that leads elsewhere now, or a worse question-set score.
        #[arg(long)]
        confirm: bool,
    },
    /// Replace a fact with the text of a file, if BASE_VERSION (from `fact show`) is current.
    Edit {
        id: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        base_version: String,
        #[arg(long)]
        confirm: bool,
    },
    /// Stop serving a fact (it stays in its file and history).
    Retire {
        id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        base_version: Option<String>,
        #[arg(long)]
        confirm: bool,
    },
    /// Add another way to ask for a fact.
    Alias {
        id: String,
        phrasing: String,
        #[arg(long)]
        confirm: bool,
    },
    /// Print a fact's file and version.
    Show { id: String },
    /// List facts.
    List {
        #[arg(long)]
        dispute: Option<String>,
        #[arg(long)]
        search: Option<String>,
    },
    /// Who changed a fact, when, with what difference.
    History { id: String },
    /// Restore the version before a fact's last change (undoing an add retires the fact).
    Undo {
        id: String,
        /// The version it undoes (from `fact show`): refused if the fact changed since.
        #[arg(long)]
        base_version: String,
        #[arg(long)]
        confirm: bool,
    },
    /// Append a source to sources.toml.
    Source {
        #[arg(long)]
        id: String,
        #[arg(long)]
        publisher: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        headline: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        date_note: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// The file holding the article's text (or the passages facts will quote): every
        /// excerpt citing this source is checked against it.
        #[arg(long)]
        text_file: PathBuf,
    },
}

/// A fact's fields as flags (lists repeat the flag).
#[derive(Debug, Clone, Default, Args)]
pub struct FactFields {
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub dispute: Option<String>,
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub answer: Option<String>,
    #[arg(long = "source")]
    pub sources: Vec<String>,
    #[arg(long = "excerpt")]
    pub excerpts: Vec<String>,
    #[arg(long = "phrasing")]
    pub phrasings: Vec<String>,
    #[arg(long = "keyword")]
    pub keywords: Vec<String>,
    #[arg(long)]
    pub approximate: bool,
}

/// `strikefacts unanswered`
#[derive(Debug, Args)]
pub struct UnansweredArgs {
    #[command(flatten)]
    pub common: Common,
    /// Take this group off the list.
    #[arg(long, value_name = "GROUP")]
    pub dismiss: Option<String>,
    /// Add this group's question as a phrasing of --fact.
    #[arg(long, value_name = "GROUP", requires = "fact")]
    pub alias: Option<String>,
    #[arg(long)]
    pub fact: Option<String>,
    /// Only this Discord server's questions.
    #[arg(long)]
    pub guild: Option<u64>,
    /// Erase every recorded question that holds TEXT (someone asked for their words to go).
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["dismiss", "alias"])]
    pub forget: Option<String>,
}

/// `strikefacts stats`
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub common: Common,
    /// The window: this many days ending today (1 to 366).
    #[arg(long, default_value_t = super::stats::DEFAULT_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(super::stats::MAX_DAYS)))]
    pub days: u32,
}

fn actor(common: &Common) -> Actor {
    let name = common
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "cli".to_string());
    Actor::new(name)
}

/// Opens the fact base; `changes_facts` refuses to go on without the question set, which every
/// change to a fact is checked against (reads and source additions do not need it).
fn open(
    knowledge: &Path,
    common: &Common,
    today: NaiveDate,
    changes_facts: bool,
) -> Result<Moderation, ExitCode> {
    let mut config = ModerationConfig::new(knowledge, &common.data);
    config.today = Some(today);
    if changes_facts {
        config.require_question_set().map_err(|e| {
            eprintln!("error: {e}");
            exit_for(&e)
        })?;
    }
    config.unanswered = UnansweredPolicy::from_env().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    Moderation::open(config).map_err(|e| {
        eprintln!("error: {e}");
        exit_for(&e)
    })
}

fn exit_for(e: &ModerationError) -> ExitCode {
    match e {
        ModerationError::BaseBroken(_) => ExitCode::from(3),
        ModerationError::NotFound(_)
        | ModerationError::Store(_)
        | ModerationError::Audit(_)
        | ModerationError::Unanswered(_)
        | ModerationError::Usage(_)
        | ModerationError::Questions(_)
        | ModerationError::NoQuestionSet(_)
        | ModerationError::Scratch(_) => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

fn draft_from(file: Option<&Path>, fields: FactFields) -> anyhow::Result<FactDraft> {
    let mut draft = match file {
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?;
            FactDraft::from_toml(&text)?
        }
        None => FactDraft::default(),
    };
    let set = |slot: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *slot = v;
        }
    };
    set(&mut draft.id, fields.id);
    set(&mut draft.dispute, fields.dispute);
    set(&mut draft.as_of, fields.as_of);
    set(&mut draft.answer, fields.answer);
    let extend = |slot: &mut Vec<String>, v: Vec<String>| {
        if !v.is_empty() {
            *slot = v;
        }
    };
    extend(&mut draft.sources, fields.sources);
    extend(&mut draft.excerpts, fields.excerpts);
    extend(&mut draft.phrasings, fields.phrasings);
    extend(&mut draft.keywords, fields.keywords);
    draft.approximate |= fields.approximate;
    Ok(draft)
}

/// Runs `strikefacts fact ...`.
pub fn run_fact(args: FactArgs, knowledge: &Path, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let changes_facts = !matches!(
        args.command,
        FactCommand::Show { .. }
            | FactCommand::List { .. }
            | FactCommand::History { .. }
            | FactCommand::Source { .. }
    );
    let m = match open(knowledge, &args.common, today, changes_facts) {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let who = actor(&args.common);
    let json = args.common.json;
    if changes_facts {
        let change = change_fact(&m, &who, args.command)?;
        report(change, |c| print_change(&c, json))
    } else {
        read_fact(&m, &who, args.command, json)
    }
}

/// The commands that change a fact: each gives a [`Change`], which `run_fact` prints one way.
fn change_fact(
    m: &Moderation,
    who: &Actor,
    command: FactCommand,
) -> anyhow::Result<Result<Change, ModerationError>> {
    Ok(match command {
        FactCommand::Add {
            file,
            fields,
            confirm,
        } => {
            let draft = draft_from(file.as_deref(), fields)?;
            m.add(who, None, draft, confirm)
        }
        FactCommand::Edit {
            id,
            file,
            base_version,
            confirm,
        } => {
            let draft = draft_from(Some(&file), FactFields::default())?;
            m.edit(who, None, &id, &base_version, draft, confirm)
        }
        FactCommand::Retire {
            id,
            reason,
            base_version,
            confirm,
        } => m.retire(who, None, &id, &reason, base_version.as_deref(), confirm),
        FactCommand::Alias {
            id,
            phrasing,
            confirm,
        } => m.alias(who, None, &id, &phrasing, None, confirm),
        FactCommand::Undo {
            id,
            base_version,
            confirm,
        } => m.undo(who, None, &id, &base_version, confirm),
        FactCommand::Show { .. }
        | FactCommand::List { .. }
        | FactCommand::History { .. }
        | FactCommand::Source { .. } => unreachable!("run_fact runs these with read_fact"),
    })
}

/// The commands that change no fact, and so need no question set: the reads, and `Source`
/// (which adds to `sources.toml`). Each prints its own result.
fn read_fact(
    m: &Moderation,
    who: &Actor,
    command: FactCommand,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match command {
        FactCommand::Show { id } => report(m.show(&id), |v| print_view(&v, json)),
        FactCommand::List { dispute, search } => {
            print_list(&m.list(dispute.as_deref(), search.as_deref()), json)?;
            Ok(ExitCode::SUCCESS)
        }
        FactCommand::History { id } => {
            report(m.history(&id), |entries| print_history(&id, &entries, json))
        }
        FactCommand::Source {
            id,
            publisher,
            date,
            headline,
            url,
            date_note,
            note,
            text_file,
        } => {
            let text = crate::knowledge::read_regular(&text_file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", text_file.display()))?;
            let source = SourceDraft {
                id,
                publisher,
                headline,
                date,
                date_note,
                url,
                note,
                text,
            };
            let mut out = std::io::stdout();
            report(m.add_source(who, None, source), |e| {
                writeln!(out, "source {} added (audit #{})", e.fact_id, e.seq)?;
                Ok(())
            })
        }
        FactCommand::Add { .. }
        | FactCommand::Edit { .. }
        | FactCommand::Retire { .. }
        | FactCommand::Alias { .. }
        | FactCommand::Undo { .. } => unreachable!("run_fact runs these with change_fact"),
    }
}

/// `fact show`: the fact file with its version.
fn print_view(v: &FactView, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
    } else {
        writeln!(
            out,
            "# {} (version {}){}",
            v.path,
            v.version,
            served(v.served)
        )?;
        write!(out, "{}", v.text)?;
    }
    Ok(())
}

/// `fact list`: one line per fact, its answer cut short.
fn print_list(facts: &[FactSummary], json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(facts)?)?;
        return Ok(());
    }
    for f in facts {
        let answer: String = f.answer.chars().take(90).collect();
        writeln!(
            out,
            "{}  [{}, {}]{}  {answer}",
            f.id,
            f.dispute,
            f.as_of,
            served(f.served)
        )?;
    }
    eprintln!("{} fact(s)", facts.len());
    Ok(())
}

/// `fact history`: each recorded change, with its diff.
fn print_history(id: &str, entries: &[AuditEntry], json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(entries)?)?;
        return Ok(());
    }
    if entries.is_empty() {
        writeln!(out, "no recorded changes for {id}")?;
    }
    for e in entries {
        let guild = e.guild.map(|g| format!(" in {g}")).unwrap_or_default();
        let note = e
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        writeln!(
            out,
            "#{} {} {} {}{guild}{note}",
            e.seq, e.at, e.actor, e.action
        )?;
        let diff = diff_lines(
            e.before.as_deref().unwrap_or(""),
            e.after.as_deref().unwrap_or(""),
        );
        for line in diff.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

/// A change made: what, where, its new version and audit entry, and any notes.
fn print_change(c: &Change, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::json!({
                "id": c.id, "action": c.action, "version": c.version, "path": c.path,
                "seq": c.entry.seq, "notes": c.notes,
            })
        )?;
    } else {
        writeln!(
            out,
            "{} {}: {} (version {}, audit #{})",
            c.action, c.id, c.path, c.version, c.entry.seq
        )?;
        for n in &c.notes {
            writeln!(out, "note: {n}")?;
        }
    }
    Ok(())
}

fn served(s: bool) -> &'static str {
    if s {
        ""
    } else {
        " RETIRED"
    }
}

fn report<T>(
    result: Result<T, ModerationError>,
    ok: impl FnOnce(T) -> anyhow::Result<()>,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(v) => {
            ok(v)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(exit_for(&e))
        }
    }
}

/// Runs `strikefacts unanswered`.
pub fn run_unanswered(
    args: UnansweredArgs,
    knowledge: &Path,
    today: NaiveDate,
) -> anyhow::Result<ExitCode> {
    // Only --alias changes a fact (it adds a phrasing).
    let m = match open(knowledge, &args.common, today, args.alias.is_some()) {
        Ok(m) => m,
        Err(code) => return Ok(code),
    };
    let mut out = std::io::stdout();
    let who = actor(&args.common);
    if let Some(text) = &args.forget {
        return report(
            m.unanswered_log()
                .forget(text)
                .map_err(ModerationError::from),
            |n| {
                writeln!(out, "forgot {n} recorded question(s)")?;
                Ok(())
            },
        );
    }
    if let Some(group) = &args.dismiss {
        return report(m.dismiss_unanswered(&who, args.guild, group), |g| {
            writeln!(out, "dismissed {} ({} question(s))", g.id, g.count)?;
            Ok(())
        });
    }
    if let (Some(group), Some(fact)) = (&args.alias, &args.fact) {
        return report(
            m.unanswered_to_alias(&who, args.guild, group, fact, false),
            |c| {
                writeln!(out, "alias added to {} (version {})", c.id, c.version)?;
                Ok(())
            },
        );
    }
    report(m.unanswered(args.guild), |groups| {
        if args.common.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&groups)?)?;
            return Ok(());
        }
        if groups.is_empty() {
            writeln!(out, "no unanswered questions")?;
        }
        for g in groups {
            writeln!(out, "{}  x{}  {}", g.id, g.count, g.question)?;
            for (q, n) in g.questions.iter().skip(1).take(4) {
                writeln!(out, "          x{n}  {q}")?;
            }
        }
        Ok(())
    })
}

/// Runs `strikefacts stats`: reads the usage file of the data folder (changing nothing) and
/// prints the figures of the window.
pub fn run_stats(args: StatsArgs, knowledge: &Path, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let engine = match crate::Engine::load(knowledge) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(3));
        }
    };
    let data = match super::usage::read(&args.common.data) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let stats = super::stats::compute(&data, engine.knowledge(), today, args.days)?;
    let mut out = std::io::stdout();
    if args.common.json {
        writeln!(out, "{}", super::stats::render_json(&stats)?)?;
    } else {
        write!(out, "{}", super::stats::render_text(&stats))?;
    }
    Ok(ExitCode::SUCCESS)
}
