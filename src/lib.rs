//! strikefacts: short, sourced answers about the doctors' strikes in England.
//!
//! The core (fact base, matcher, answer composer) knows nothing about Discord; the command line
//! and the Discord bot are thin layers over [`Engine`].
//!
//! - [`model`]: the fact base's types; [`knowledge`]: reading and validating `knowledge/`.
//! - [`lexicon`]: folding what people type into comparable tokens; [`matcher`]: scoring facts,
//!   whose [`calibration`] turns a match's features into a confidence.
//! - [`screen`]: emergency, crisis, instruction and place screens; [`cues`]: time, dispute and
//!   intent cues, and [`now`] whether a question asks about the present; [`timeline`]:
//!   strike-period questions.
//! - [`discord`]: the Discord bot (`serve`), a thin layer over [`Engine`].
//! - [`moderation`]: the moderators' back end (edits, audit log, unanswered questions).
//! - [`engine`]: question to [`Answer`]; [`check`]: fact base validation, against the texts
//!   [`source_text`] reads from the research folder and [`figures`] compares; [`eval`]: scoring
//!   a question set; [`provenance`]: the source texts kept in the fact base, which every excerpt
//!   must be found in (for moderators' changes as for `check`).

pub mod answer;
pub mod calibration;
pub mod check;
pub mod conversation;
pub mod cues;
pub mod discord;
pub mod engine;
pub mod eval;
pub mod figures;
pub mod index_cache;
pub mod knowledge;
pub mod lexicon;
pub mod matcher;
pub mod model;
pub mod moderation;
pub mod now;
pub mod overview;
pub mod provenance;
pub mod screen;
pub mod sequel;
pub mod source_text;
pub mod timeline;
pub mod training;

pub use answer::{Answer, Decline, FactAnswer, Help, SourceRef};
pub use conversation::Turn;
pub use engine::Engine;
pub use index_cache::IndexCache;
pub use knowledge::{KnowledgeBase, LoadError, Problem, Severity};
pub use matcher::{Match, Matcher};
pub use model::{Dispute, Fact, PartialDate, Source, StrikePeriod};

/// Everything that links this crate (the bot and command line, the tests, the benchmarks)
/// allocates with mimalloc: answering a question makes hundreds of small, short-lived
/// allocations, which mimalloc serves with less work than the system allocator (see the README's
/// benchmark figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
