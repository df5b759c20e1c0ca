//! The moderators' back end: keeping the facts current without a deploy, with nothing ever lost.
//!
//! Everything here is independent of Discord; the Discord commands and the `strikefacts fact ...`
//! shell commands are thin layers over [`Moderation`], so both take the same code path.
//!
//! - [`store`]: the `knowledge/` files, written atomically in the hand-written layout; versions.
//! - [`audit`]: the append-only, write-ahead log of every change (history, undo, "changed by X at T").
//! - [`git`]: each change also a git commit, when the fact base is in a work tree.
//! - [`reconcile`]: settles the log and the files after a crash or a hand edit, at every start.
//! - [`edit`]: the operations (add, edit, retire, alias, undo, source add), validated before any
//!   write, serialized, and swapping the serving engine.
//! - [`unanswered`]: declined questions, grouped, for moderators to turn into facts.
//! - [`usage`]: daily counts of answers, declines and facts used; [`stats`]: the figures and
//!   charts moderators read from them.
//! - [`watch`]: hot reload of hand edits; a broken one keeps the last good fact base.
//! - [`limits`]: the sizes and characters a moderator's fact may hold.
//! - [`permissions`]: who may moderate.
//! - [`cli`]: the same operations as `strikefacts fact ...`, `strikefacts unanswered` and
//!   `strikefacts stats`.

pub mod audit;
pub mod cli;
pub mod edit;
pub mod git;
pub mod limits;
pub mod permissions;
pub mod reconcile;
pub mod stats;
pub mod store;
pub mod unanswered;
pub mod usage;
pub mod watch;

pub use audit::{Action, AuditEntry, AuditLog};
pub use edit::{
    data_dir_from_env, Change, ChangedBy, FactSummary, FactView, Moderation, ModerationConfig,
    ModerationError, SourceDraft, SourceSummary, DATA_ENV,
};
pub use permissions::{may_moderate, Actor};
pub use store::{version_of, FactDraft, FactStore, WriteHook};
pub use unanswered::{UnansweredGroup, UnansweredLog};
pub use usage::{UsageData, UsageLog};
