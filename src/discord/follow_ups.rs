//! Conversations across Discord messages: a reply to one of the bot's answers, or the next
//! message of a direct-message chat soon after an answer, follows up that answer.
//!
//! The core resolves "he", "they" and "and in 2023?" against a [`Turn`]. A reply carries the
//! answer it replies to: its title is the display question of the answer's first fact, and
//! asking that again gives the turn, with nothing stored (so it works after a restart, and for
//! answers of any age). The next message of a DM has no such link, so the turn of each DM
//! channel's last answer is kept for `next_message_minutes` (`conversation.toml`), at most
//! [`CAPACITY`] of them, oldest dropped first: only a question and fact ids, never who asked.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use poise::serenity_prelude as serenity;

use super::reply::{DECLINED_TITLE, HELP_TITLE};
use crate::conversation::Turn;
use crate::engine::Engine;

/// The most DM channels whose last answer is kept; beyond it the oldest goes.
pub const CAPACITY: usize = 20_000;

/// The turn a reply to one of the bot's answers follows: that answer's, from its title. None
/// when the message replies to no answer of the bot's (or to a decline or a notice).
pub fn turn_of_reply(
    engine: &Engine,
    msg: &serenity::Message,
    bot_id: serenity::UserId,
    today: NaiveDate,
) -> Option<Turn> {
    let answer = msg.referenced_message.as_deref()?;
    if answer.author.id != bot_id {
        return None;
    }
    let title = answer.embeds.first()?.title.as_deref()?;
    if title.is_empty() || title == DECLINED_TITLE || title == HELP_TITLE {
        return None;
    }
    engine
        .turn_after(&[title.to_string()], today)
        .filter(|t| !t.facts.is_empty())
}

/// The last answer of each recent DM channel.
#[derive(Debug)]
pub struct DmTurns {
    lifetime: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    turns: HashMap<u64, (Turn, Instant)>,
    /// Channels in the order their turns were stored, with when: the oldest is dropped first.
    order: VecDeque<(u64, Instant)>,
}

impl DmTurns {
    pub fn new(next_message_minutes: u64) -> DmTurns {
        DmTurns {
            lifetime: Duration::from_secs(next_message_minutes.saturating_mul(60)),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Keeps the turn of the answer just sent in a DM channel.
    pub fn remember(&self, channel: u64, turn: &Turn) {
        self.remember_at(channel, turn, Instant::now());
    }

    /// The turn the next message of a DM channel follows, if it comes soon enough.
    pub fn turn(&self, channel: u64) -> Option<Turn> {
        self.turn_at(channel, Instant::now())
    }

    fn remember_at(&self, channel: u64, turn: &Turn, now: Instant) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.turns.insert(channel, (turn.clone(), now));
        inner.order.push_back((channel, now));
        self.drop_old(&mut inner, now);
    }

    fn turn_at(&self, channel: u64, now: Instant) -> Option<Turn> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (turn, at) = inner.turns.get(&channel)?;
        (now.saturating_duration_since(*at) <= self.lifetime).then(|| turn.clone())
    }

    /// Drops turns beyond the capacity, and expired ones. A channel stored again later has a
    /// newer entry further back: only the entry stored at that time is removed.
    fn drop_old(&self, inner: &mut Inner, now: Instant) {
        while let Some(&(channel, at)) = inner.order.front() {
            let expired = now.saturating_duration_since(at) > self.lifetime;
            if inner.order.len() <= CAPACITY && !expired {
                break;
            }
            inner.order.pop_front();
            if inner
                .turns
                .get(&channel)
                .is_some_and(|(_, stored)| *stored == at)
            {
                inner.turns.remove(&channel);
            }
        }
    }

    /// How many channels' turns are kept.
    pub fn len(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.turns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(q: &str) -> Turn {
        Turn {
            question: q.to_string(),
            facts: vec!["a-fact".to_string()],
            when: Vec::new(),
        }
    }

    #[test]
    fn a_dm_follow_up_must_come_soon() {
        let dms = DmTurns::new(5);
        let start = Instant::now();
        dms.remember_at(7, &turn("who"), start);
        let soon = start + Duration::from_secs(60);
        assert_eq!(dms.turn_at(7, soon), Some(turn("who")));
        assert_eq!(dms.turn_at(7, start + Duration::from_secs(6 * 60)), None);
        assert_eq!(dms.turn_at(8, soon), None);
    }

    #[test]
    fn a_newer_answer_replaces_the_channel_turn() {
        let dms = DmTurns::new(5);
        let start = Instant::now();
        dms.remember_at(7, &turn("first"), start);
        dms.remember_at(7, &turn("second"), start + Duration::from_secs(1));
        let soon = start + Duration::from_secs(2);
        assert_eq!(dms.turn_at(7, soon), Some(turn("second")));
        // The first entry's expiry does not take the second with it.
        dms.remember_at(9, &turn("q"), start + Duration::from_secs(5 * 60 + 1));
        assert_eq!(dms.len(), 2);
    }

    #[test]
    fn the_store_is_bounded_and_forgets_expired_turns() {
        let dms = DmTurns::new(5);
        let start = Instant::now();
        for channel in 0..(CAPACITY as u64 + 50) {
            dms.remember_at(channel, &turn("q"), start);
        }
        assert_eq!(dms.len(), CAPACITY);
        assert_eq!(dms.turn_at(0, start), None);
        dms.remember_at(1, &turn("q"), start + Duration::from_secs(3600));
        assert_eq!(dms.len(), 1);
    }
}
