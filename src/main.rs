//! The `strikefacts` command line: ask, check, eval, export, serve (and the moderators' fact,
//! unanswered and stats).
//!
//! Exit codes: 0 success (an answered or a declined question both count); 1 `check` found
//! problems or `eval --min-*` targets were missed; 2 bad usage or unreadable input; 3 the fact
//! base could not be loaded.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use strikefacts::check;
use strikefacts::eval;
use strikefacts::knowledge::Severity;
use strikefacts::{Answer, Engine, IndexCache};

#[derive(Parser)]
#[command(
    name = "strikefacts",
    version,
    about = "Short, sourced answers about the doctors' strikes in England"
)]
struct Cli {
    /// The fact base folder.
    #[arg(
        long,
        global = true,
        env = "STRIKEFACTS_KNOWLEDGE",
        default_value = "knowledge"
    )]
    knowledge: PathBuf,
    /// Answer as of this date (YYYY-MM-DD) instead of the clock's.
    #[arg(long, global = true, value_parser = parse_day)]
    today: Option<NaiveDate>,
    /// Keep the built index in this folder between runs, to load a large fact base quickly
    /// [default: $XDG_CACHE_HOME/strikefacts, else ~/.cache/strikefacts].
    #[arg(
        long,
        global = true,
        env = "STRIKEFACTS_INDEX_CACHE",
        value_name = "DIR"
    )]
    index_cache: Option<PathBuf>,
    /// Build the index on every run instead of keeping it.
    #[arg(long, global = true)]
    no_index_cache: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a question; with no QUESTION, answer one question per line of standard input.
    Ask(AskArgs),
    /// Validate the fact base; list each problem as path:line: message.
    Check(CheckArgs),
    /// Score a question file (JSON Lines: id, q, kind, expect_any, expect_all, note).
    Eval(EvalArgs),
    /// Fit the confidence's calibration and threshold, with cross-validated figures.
    ///
    /// On the fact base (phrasings and facts left out in turn) and the tuning questions of these
    /// files (only the `tune` part of a file with splits); prints the table for
    /// `knowledge/matcher.toml`.
    Fit(FitArgs),
    /// Print the whole fact base (facts with their sources, timeline) as JSON.
    Export(ExportArgs),
    /// Moderators' operations on facts: add, edit, retire, alias, show, list, history, undo.
    Fact(strikefacts::moderation::cli::FactArgs),
    /// The questions the bot declined, grouped, most frequent first.
    Unanswered(strikefacts::moderation::cli::UnansweredArgs),
    /// Usage figures: answers and declines per day and dispute, most and never asked facts.
    Stats(strikefacts::moderation::cli::StatsArgs),
    /// Run the Discord bot (token from DISCORD_TOKEN or .env; see docs/discord.md).
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct AskArgs {
    question: Option<String>,
    /// One JSON object per answer.
    #[arg(long)]
    json: bool,
    /// Also show how the matcher scored the question (tokens, cues, best matches).
    #[arg(long)]
    explain: bool,
    /// A question asked before this one, in order (repeat for more): "when was he
    /// appointed?" is then asked about that question's answer.
    #[arg(long = "previous", value_name = "QUESTION")]
    previous: Vec<String>,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Also verify every excerpt verbatim against the source texts in this folder.
    #[arg(long)]
    sources: Option<PathBuf>,
}

#[derive(clap::Args)]
struct EvalArgs {
    file: PathBuf,
    /// Skip questions whose note starts with this prefix.
    #[arg(long)]
    skip_note: Option<String>,
    /// Score only the questions of this split (`tune` or `held_out`); with `--failures`,
    /// use `--split tune` so that held-out misses are never read.
    #[arg(long)]
    split: Option<String>,
    /// List every question answered wrongly or declined wrongly.
    #[arg(long)]
    failures: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct FitArgs {
    questions: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Send every Discord REST call through this base URL (an HTTP proxy, or an emulator).
    #[arg(long, env = "STRIKEFACTS_DISCORD_PROXY")]
    discord_proxy: Option<String>,
}

/// The years `--today` may name: the facts run from 2015, and dates far outside this range only
/// push the date arithmetic towards chrono's limits.
const TODAY_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("expected YYYY-MM-DD: {e}"))?;
    if !TODAY_YEARS.contains(&chrono::Datelike::year(&day)) {
        return Err(format!(
            "{s} is outside the years {}-{} the bot answers for",
            TODAY_YEARS.start(),
            TODAY_YEARS.end()
        ));
    }
    Ok(day)
}

/// The fact base folder, and where its built index is kept between runs (None: nowhere).
struct Base {
    dir: PathBuf,
    cache: Option<IndexCache>,
}

impl Base {
    fn of(cli: &Cli) -> Base {
        let cache = if cli.no_index_cache {
            None
        } else {
            cli.index_cache.clone().or_else(default_index_cache)
        };
        Base {
            dir: cli.knowledge.clone(),
            cache: cache.map(IndexCache::new),
        }
    }
}

/// `$XDG_CACHE_HOME/strikefacts`, else `~/.cache/strikefacts` (the XDG default).
fn default_index_cache() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let home = || std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"));
    Some(xdg.or_else(home)?.join("strikefacts"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let today = cli
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let base = Base::of(&cli);
    match run(cli.command, &base, today) {
        Ok(code) => code,
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether an error is the reader of our output having gone away (`strikefacts … | head`).
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load(base: &Base) -> Result<Engine, ExitCode> {
    let loaded = match &base.cache {
        Some(cache) => cache.load(&base.dir),
        None => Engine::load(&base.dir),
    };
    loaded.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(3)
    })
}

/// One function per command. Each writes with `?`, so a closed pipe (`| head`) ends the command
/// quietly instead of panicking as `println!` does; stdout is not locked for the command's life,
/// as `serve` runs for weeks.
fn run(command: Command, base: &Base, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let dir = base.dir.as_path();
    match command {
        Command::Fact(args) => strikefacts::moderation::cli::run_fact(args, dir, today),
        Command::Unanswered(args) => strikefacts::moderation::cli::run_unanswered(args, dir, today),
        Command::Stats(args) => strikefacts::moderation::cli::run_stats(args, dir, today),
        Command::Ask(args) => cmd_ask(args, base, today),
        Command::Check(args) => cmd_check(args, base, today),
        Command::Eval(args) => cmd_eval(args, base, today),
        Command::Fit(args) => cmd_fit(args, base, today),
        Command::Export(args) => cmd_export(args, base),
        Command::Serve(args) => cmd_serve(args, base),
    }
}

fn cmd_ask(args: AskArgs, base: &Base, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let AskArgs {
        question,
        json,
        explain,
        previous,
    } = args;
    let mut out = std::io::stdout();
    let engine = match load(base) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    match question {
        Some(q) => {
            if q.trim().is_empty() {
                eprintln!("error: the question is empty; ask something like: strikefacts ask \"why are doctors striking?\"");
                return Ok(ExitCode::from(2));
            }
            // Past the question cap the answer is a refusal; explaining it would only
            // spend time on text the engine never reads.
            if explain && q.chars().count() <= strikefacts::engine::MAX_QUESTION_CHARS {
                writeln!(out, "{}", engine.explain(&q, today))?;
            }
            let answer = engine.ask_conversation(&previous, &q, today);
            print_answer(&mut out, &answer, json, false)?;
        }
        None => {
            // One question per line; invalid UTF-8 is replaced, never fatal. Each is
            // asked after the same earlier questions, asked once.
            let turn = engine.turn_after(&previous, today);
            let stdin = std::io::stdin().lock();
            for line in stdin.split(b'\n') {
                let bytes = line.context("reading standard input")?;
                let q = String::from_utf8_lossy(&bytes);
                let q = q.trim_end_matches('\r');
                if q.trim().is_empty() && !json {
                    continue;
                }
                let answer = engine.ask_after(q, today, turn.as_ref());
                print_answer(&mut out, &answer, json, true)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_check(args: CheckArgs, base: &Base, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let CheckArgs { sources } = args;
    let mut out = std::io::stdout();

    let problems = check::check(&base.dir, sources.as_deref(), today);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    if errors > 0 {
        eprintln!("{errors} problem(s) in {}", base.dir.display());
        Ok(ExitCode::from(1))
    } else {
        let engine = match load(base) {
            Ok(e) => e,
            Err(code) => return Ok(code),
        };
        let kb = engine.knowledge();
        eprintln!(
            "ok: {} facts ({} served), {} sources, {} strike periods{}",
            kb.facts.len(),
            kb.served_facts().count(),
            kb.sources.len(),
            kb.timeline.len(),
            if sources.is_some() {
                "; every excerpt found verbatim"
            } else {
                ""
            }
        );
        Ok(ExitCode::SUCCESS)
    }
}

fn cmd_eval(args: EvalArgs, base: &Base, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let EvalArgs {
        file,
        skip_note,
        split,
        failures,
        json,
    } = args;
    let mut out = std::io::stdout();
    let engine = match load(base) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let mut questions = eval::load_questions(&file)?;
    if let Some(prefix) = &skip_note {
        questions.retain(|q| !q.note.starts_with(prefix.as_str()));
    }
    if let Some(name) = &split {
        questions.retain(|q| q.split.as_deref() == Some(name.as_str()));
    }
    let report = eval::run(&engine, &questions, today);
    let separation = eval::separation(&engine, &questions, today, &report);
    let splits = eval::by_split(&questions);
    if json {
        let value = serde_json::json!({ "report": report, "separation": separation });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        if failures {
            for r in report.results.iter().filter(|r| !r.correct) {
                writeln!(
                    out,
                    "[{}] {} ({}, confidence {:.2}, {})\n  {}\n",
                    r.id,
                    r.question,
                    r.kind,
                    r.confidence,
                    if r.answered { "answered" } else { "declined" },
                    r.reply.replace('\n', "\n  ")
                )?;
            }
        }
        write!(out, "{}", eval::summary(&report))?;
        write!(out, "{}", eval::separation_table(&separation))?;
        for (name, part) in &splits {
            let r = eval::run(&engine, part, today);
            write!(out, "{}", eval::split_line(name, &r))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_fit(args: FitArgs, base: &Base, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let FitArgs { questions } = args;
    let mut out = std::io::stdout();
    let engine = match load(base) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let mut tuning = Vec::new();
    for file in &questions {
        let mut part = eval::load_questions(file)?;
        part.retain(|q| q.split.as_deref().is_none_or(|s| s == "tune"));
        tuning.extend(part);
    }
    write!(
        out,
        "{}",
        strikefacts::training::report(engine.knowledge(), &tuning, today)
    )?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_export(args: ExportArgs, base: &Base) -> anyhow::Result<ExitCode> {
    let ExportArgs { json: _ } = args;
    let mut out = std::io::stdout();
    let engine = match load(base) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let kb = engine.knowledge();
    let facts: Vec<serde_json::Value> = kb
        .facts
        .iter()
        .map(|f| {
            let sources: Vec<_> = f.sources.iter().filter_map(|s| kb.source(s)).collect();
            serde_json::json!({ "fact": f, "sources": sources })
        })
        .collect();
    let all = serde_json::json!({
        "disputes": kb.disputes,
        "facts": facts,
        "timeline": kb.timeline,
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_serve(args: ServeArgs, base: &Base) -> anyhow::Result<ExitCode> {
    let ServeArgs { discord_proxy } = args;

    // A long-running bot follows the clock unless --today was given; `today` here is
    // already resolved, so read the flag itself.
    let fixed_today = Cli::try_parse().ok().and_then(|c| c.today);
    // The token is checked before anything else so a missing one is the only error.
    let config = strikefacts::discord::Config::from_env(discord_proxy, fixed_today)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let engine = match load(base) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let engine = std::sync::Arc::new(arc_swap::ArcSwap::from_pointee(engine));
    let data = strikefacts::discord::Data::new(engine, &config);
    tokio::runtime::Runtime::new()
        .context("starting the async runtime")?
        .block_on(strikefacts::discord::run(config, data))?;
    Ok(ExitCode::SUCCESS)
}

fn print_answer(out: &mut impl Write, a: &Answer, json: bool, batch: bool) -> anyhow::Result<()> {
    if json {
        let value = serde_json::json!({
            "question": a.question,
            "answered": a.answered,
            "answer": a.answer,
            "confidence": a.confidence,
            "facts": a.facts.iter().map(|f| serde_json::json!({
                "id": f.id,
                "dispute": f.dispute,
                "answer": f.answer,
                "as_of": f.as_of,
                "confidence": f.confidence,
                "sources": f.sources,
            })).collect::<Vec<_>>(),
            "suggestions": a.suggestions,
        });
        writeln!(out, "{value}")?;
    } else {
        if batch {
            writeln!(out, "Q: {}", a.question)?;
        }
        writeln!(out, "{}", a.text)?;
        if batch {
            writeln!(out)?;
        }
    }
    Ok(())
}
