//! From a question to an [`Answer`]: cues, matching, time rules and composition in one place.
//!
//! The rules people rely on live here: a question that names a time or dispute is answered from
//! that dispute only; one with no time cue gets a line per dispute, newest first; "now" means the
//! newest facts; a question in parts gets each part answered; a low confidence declines with
//! suggestions; an emergency always gets NHS signposting.

use std::path::Path;

use chrono::NaiveDate;

use crate::answer::{and_list, Answer, Decline, FactAnswer, Help, SourceRef};
use crate::conversation::{Reference, Turn};
use crate::cues::{self, Cues, Intent};
use crate::knowledge::{KnowledgeBase, LoadError};
use crate::lexicon::{month_number, plain, Analyzed};
use crate::matcher::{Match, Matcher, Scope};
use crate::model::PartialDate;
use crate::screen::Screen;
use crate::timeline;

mod follow_ups;

use follow_ups::Resolved;

/// Longest question considered; longer ones are declined with a reason.
pub const MAX_QUESTION_CHARS: usize = 500;
/// Suggestions offered with a declined question, and related questions with an answer.
const SUGGESTIONS: usize = 3;
/// `[choosing]` of `matcher.toml`: how close to the best match (in confidence) another must be
/// for the engine to prefer or add it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Choosing {
    /// "Now" moves to the newest dispute only among matches this close to the best ("why are
    /// they now called resident doctors?" stays with the 2024 fact that answers it).
    pub now_window: f32,
    /// Among "now" matches this close to the best, the newest fact wins.
    pub recency_window: f32,
    /// A second fact of the same dispute this close to the best is shown beside it: when two
    /// facts fit nearly equally ("did members back the deal?" fits the deal and the vote on it),
    /// showing both is more useful, and safer, than betting on one.
    pub companion_window: f32,
}

impl Default for Choosing {
    /// The values `knowledge/matcher.toml` gives, for a fact base whose file has no table.
    fn default() -> Choosing {
        Choosing {
            now_window: 0.15,
            recency_window: 0.15,
            companion_window: 0.1,
        }
    }
}

/// The answering core: a validated fact base and its index.
#[derive(Debug, Clone)]
pub struct Engine {
    kb: KnowledgeBase,
    matcher: Matcher,
    threshold: f32,
}

/// The outcome of one question part before composition.
#[derive(Debug, Clone)]
struct PartAnswer {
    facts: Vec<FactAnswer>,
    confidence: f32,
    declined: Option<Decline>,
    /// Best matches regardless of the threshold, for suggestions.
    near: Vec<Match>,
}

impl Engine {
    pub fn new(kb: KnowledgeBase) -> Engine {
        let matcher = Matcher::build(&kb);
        Engine::with_index(kb, matcher)
    }

    /// The engine of `kb` with `matcher`, an index built for it (see [`crate::index_cache`]).
    pub(crate) fn with_index(kb: KnowledgeBase, matcher: Matcher) -> Engine {
        let threshold = kb.settings.threshold;
        Engine {
            kb,
            matcher,
            threshold,
        }
    }

    /// The engine of `kb`, a change of this engine's facts (same lexicon and settings, as a
    /// moderator's edit makes): only the facts whose texts differ are analysed again.
    pub fn with_facts(&self, kb: KnowledgeBase) -> Engine {
        let matcher = Matcher::rebuild(&kb, Some((&self.kb, &self.matcher)));
        let threshold = kb.settings.threshold;
        Engine {
            kb,
            matcher,
            threshold,
        }
    }

    pub fn load(dir: &Path) -> Result<Engine, LoadError> {
        Ok(Engine::new(KnowledgeBase::load(dir)?))
    }

    /// The same engine with its fact files under `to` instead of `from` (a fact base checked in
    /// a scratch copy, then served from the real folder); the index holds no paths, so it is kept.
    pub fn moved(mut self, from: &Path, to: &Path) -> Engine {
        if let Ok(r) = self.kb.root.strip_prefix(from) {
            self.kb.root = if r.as_os_str().is_empty() {
                to.to_path_buf()
            } else {
                to.join(r)
            };
        }
        for f in &mut self.kb.facts {
            if let Ok(r) = f.path.strip_prefix(from) {
                f.path = to.join(r);
            }
        }
        self
    }

    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.kb
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The same engine deciding at another threshold (for fitting it on data).
    pub fn with_threshold(mut self, threshold: f32) -> Engine {
        self.threshold = threshold;
        self
    }

    /// Answers one question as of `today`, with no conversation before it.
    pub fn ask(&self, question: &str, today: NaiveDate) -> Answer {
        self.ask_after(question, today, None)
    }

    /// Answers the last of a conversation's questions, each earlier one asked after the one
    /// before it (the command line's `--previous`, an eval question's `previous`).
    pub fn ask_conversation(
        &self,
        previous: &[String],
        question: &str,
        today: NaiveDate,
    ) -> Answer {
        self.ask_after(question, today, self.turn_after(previous, today).as_ref())
    }

    /// What a conversation's questions, asked in order, leave for the next one; `None` when
    /// there are none.
    pub fn turn_after(&self, questions: &[String], today: NaiveDate) -> Option<Turn> {
        questions.iter().fold(None, |turn, q| {
            Some(Turn::from(&self.ask_after(q, today, turn.as_ref())))
        })
    }

    /// Answers one question as of `today`, after `previous` (the question and answer it follows
    /// in a conversation, if any): "when was he appointed?" is asked about that answer's topic.
    pub fn ask_after(&self, question: &str, today: NaiveDate, previous: Option<&Turn>) -> Answer {
        let shown: String = question.chars().take(MAX_QUESTION_CHARS * 2).collect();
        if question.chars().count() > MAX_QUESTION_CHARS {
            let message = reason_text(Decline::TooLong);
            return self.decline(
                shown,
                Decline::TooLong,
                Vec::new(),
                message,
                Vec::new(),
                today,
            );
        }
        let cleaned: String = cues::strip_mentions(question)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let screen = self.kb.screener.screen(&cleaned);
        let notices = self.screen_notices(screen);
        let help = Help::of(screen);
        // Every way out of here carries the help the question was given.
        let helped = |mut a: Answer| {
            a.help = help;
            a
        };
        let declined = |reason: Decline, near: Vec<Match>| {
            let message = reason_text(reason);
            helped(self.decline(shown.clone(), reason, near, message, notices.clone(), today))
        };
        if let Some(reason) = screened_out(screen) {
            return declined(reason, Vec::new());
        }
        if help.is_none() && self.kb.conversation.introduction.is_greeting(&cleaned) {
            return self.introduction(shown, today);
        }
        if let Some(a) = self.what_came_next(&cleaned, &shown, previous, &notices, today) {
            return helped(a);
        }
        let parts: Vec<String> = split_parts(&cleaned, self.kb.screener.question_words())
            .iter()
            .flat_map(|p| self.split_people(p))
            .collect();
        let Some(resolved) = self.resolve_references(&cleaned, parts.clone(), previous, today)
        else {
            return declined(Decline::NeedsContext, Vec::new());
        };
        let (whole, answered, missed) =
            self.answer_with_fallbacks(&cleaned, parts, resolved, today);
        if answered.is_empty() && !screen.signposting {
            return declined(whole.declined.unwrap_or(Decline::Unknown), whole.near);
        }
        if answered.is_empty() {
            // Someone may need care now: the NHS signposting is the answer, whatever the facts.
            let suggestions = self.suggestions_from(&whole.near, &[]);
            return Answer::signposting(shown, notices, suggestions, help);
        }
        let mut a = self.compose(shown, answered, notices, &missed);
        a.help = help;
        a
    }

    /// Answers the resolved question; if nothing answers it, then the question as it stands when
    /// it only borrowed the previous answer's time (it may be a new question), and then the
    /// question after a statement that sets it up ("my mum is a nurse, why are they striking?").
    fn answer_with_fallbacks(
        &self,
        cleaned: &str,
        parts: Vec<String>,
        resolved: Resolved,
        today: NaiveDate,
    ) -> (PartAnswer, Vec<PartAnswer>, Vec<usize>) {
        // In a conversation a question of topic words only is about the answer before it.
        if resolved.asked == cleaned && resolved.parts.len() <= 1 {
            if let Some(part) = self.overview_part(cleaned, today) {
                return (part.clone(), vec![part], Vec::new());
            }
        }
        let mut first = self.answer_parts(&resolved.asked, &resolved.parts, today);
        if resolved.borrowed_topic && resolved.parts.len() <= 1 {
            self.prefer_own_words(&mut first, cleaned, today);
        }
        if !first.1.is_empty() {
            return first;
        }
        if resolved.time_only {
            let alone = self.answer_parts(cleaned, &parts, today);
            if !alone.1.is_empty() {
                return alone;
            }
        }
        let question_words = self.kb.screener.question_words();
        if let Some(question) = after_preamble(cleaned, question_words) {
            let asked = self.answer_parts(question, &split_parts(question, question_words), today);
            if !asked.1.is_empty() {
                return asked;
            }
        }
        first
    }

    /// The notices a screened question carries: the crisis lines, the NHS signposting.
    fn screen_notices(&self, screen: Screen) -> Vec<String> {
        let messages = &self.kb.screener.messages;
        let mut notices = Vec::new();
        if screen.crisis {
            notices.push(messages.crisis.clone());
        }
        if screen.signposting {
            notices.push(messages.emergency.clone());
        }
        notices
    }

    /// Answers the whole question and, when it has several parts, each part: the whole
    /// question's answer (for its declines and suggestions), the answered parts in order, and
    /// the places (from 1) of the parts that went unanswered.
    fn answer_parts(
        &self,
        asked: &str,
        parts: &[String],
        today: NaiveDate,
    ) -> (PartAnswer, Vec<PartAnswer>, Vec<usize>) {
        let whole = self.answer_part(asked, today, None);
        if parts.len() <= 1 {
            let answered = whole
                .declined
                .is_none()
                .then(|| whole.clone())
                .into_iter()
                .collect();
            return (whole, answered, Vec::new());
        }
        let (separate, missed) = self.answer_each_part(asked, parts, &whole, today);
        let mut answered: Vec<PartAnswer> = whole
            .declined
            .is_none()
            .then(|| whole.clone())
            .into_iter()
            .collect();
        answered.extend(separate);
        (whole, answered, missed)
    }

    /// Each part of a several-part question, asked in order: a part too short to name a topic
    /// ("and did they win?") is asked about the previous part's topic, a part that names no
    /// month keeps the whole question's, and a later part whose best fact was already given
    /// asks for something else.
    fn answer_each_part(
        &self,
        asked: &str,
        parts: &[String],
        whole: &PartAnswer,
        today: NaiveDate,
    ) -> (Vec<PartAnswer>, Vec<usize>) {
        // Later parts often say "it" or "they": they keep the whole question's time cues.
        let asked_analyzed = self.matcher.lexicon().analyze(asked);
        let whole_cues = self.read_cues(&asked_analyzed, today);
        let whole_words = asked_analyzed.words;
        // The month is a topic word, not a cue: a later part that names no month asks about
        // the whole question's ("the July 2025 strike ... how much care kept going?").
        let months: Vec<&str> = whole_words
            .iter()
            .filter(|w| month_number(w).is_some())
            .map(String::as_str)
            .collect();
        let short = self.kb.conversation.references.max_topic_words;
        let mut separate: Vec<PartAnswer> = Vec::new();
        let mut missed = Vec::new();
        let mut previous: Option<(&String, Option<usize>)> = None;
        for (i, p) in parts.iter().enumerate() {
            let part = self.matcher.lexicon().analyze(p);
            let topic_words = part.tokens.len();
            let mut question = match previous {
                Some((text, answer)) if topic_words <= short => {
                    let fact = answer
                        .and_then(|j| separate.get(j))
                        .and_then(|a: &PartAnswer| a.facts.first())
                        .map(|f| f.id.as_str());
                    let plural = self.kb.conversation.references.of(
                        &plain(p),
                        topic_words,
                        self.kb.screener.question_words(),
                    ) == Reference::Plural;
                    format!("{p} {}", self.topic_of(text, fact, plural))
                }
                _ => p.clone(),
            };
            if !part.words.iter().any(|w| month_number(w).is_some()) {
                question = format!("{question} {}", months.join(" "));
            }
            let mut a = self.answer_part(&question, today, Some(&whole_cues));
            if previous.is_some() {
                let given: Vec<&str> = separate
                    .iter()
                    .chain(whole.declined.is_none().then_some(whole))
                    .flat_map(|x| x.facts.iter().map(|f| f.id.as_str()))
                    .collect();
                if let Some(f) = self.fresh_fact(&a, &given, today) {
                    a.facts = vec![f];
                }
            }
            if a.declined.is_none() {
                separate.push(a);
                previous = Some((p, Some(separate.len() - 1)));
            } else {
                if topic_words > 1 {
                    missed.push(i + 1);
                }
                previous = Some((p, None));
            }
        }
        (separate, missed)
    }

    /// The answer made of the answered parts: their facts once each, staleness notices, and
    /// suggestions from what they nearly matched.
    fn compose(
        &self,
        question: String,
        answered: Vec<PartAnswer>,
        mut notices: Vec<String>,
        missed: &[usize],
    ) -> Answer {
        let mut facts: Vec<FactAnswer> = Vec::new();
        let mut confidence: f32 = 0.0;
        let mut near = Vec::new();
        for part in answered {
            confidence = confidence.max(part.confidence);
            for f in part.facts {
                if !facts.iter().any(|x| x.id == f.id) {
                    facts.push(f);
                }
            }
            near.extend(part.near);
        }
        for f in facts.iter().filter(|f| f.stale) {
            notices.push(format!(
                "The fact dated {} may be out of date: it is past its review date.",
                f.as_of
            ));
        }
        let used: Vec<&str> = facts.iter().map(|f| f.id.as_str()).collect();
        let suggestions = self.suggestions_from(&near, &used);
        let text = render(&facts, &notices, missed);
        Answer {
            question,
            answered: true,
            answer: Some(text.clone()),
            text,
            confidence,
            facts,
            suggestions,
            notices,
            declined: None,
            help: None,
            introduction: false,
        }
    }

    /// The reply to "hi" or "who are you?": what the bot knows and how to ask, with example
    /// questions that are current as of `today`.
    fn introduction(&self, question: String, today: NaiveDate) -> Answer {
        let intro = &self.kb.conversation.introduction;
        let disputes: Vec<String> = self
            .kb
            .disputes
            .iter()
            .rev()
            .map(|d| d.label.clone())
            .collect();
        let served = self.kb.served_facts().count();
        let mut text = intro.render(&disputes, served, self.kb.sources.len());
        let suggestions: Vec<String> = self
            .examples(today)
            .into_iter()
            .take(intro.examples)
            .collect();
        for s in &suggestions {
            text.push_str("\n• ");
            text.push_str(s);
        }
        Answer {
            introduction: true,
            ..Answer::without_facts(question, text, Vec::new(), suggestions)
        }
    }

    /// A part's cues; a later part of a message that names no dispute or year keeps the whole
    /// question's, and its "now".
    /// A question's cues, read with the fact base's words and disputes.
    fn read_cues(&self, analyzed: &Analyzed, today: NaiveDate) -> Cues {
        Cues::read(
            analyzed,
            &self.kb.now,
            &self.kb.intents,
            &self.kb.disputes,
            today,
        )
    }

    fn part_cues(&self, analyzed: &Analyzed, inherited: Option<&Cues>, today: NaiveDate) -> Cues {
        let mut cues = self.read_cues(analyzed, today);
        if let Some(outer) = inherited {
            if cues.disputes.is_empty() {
                cues.disputes = outer.disputes.clone();
                cues.years = outer.years.clone();
                cues.event_years = outer.event_years.clone();
            }
            cues.now |= outer.now;
        }
        cues
    }

    /// Answers one question or part: from the facts of a day it names, from the strike
    /// timeline, or from the facts that match it, under its time and dispute cues.
    fn answer_part(&self, text: &str, today: NaiveDate, inherited: Option<&Cues>) -> PartAnswer {
        let analyzed = self.matcher.lexicon().analyze(text);
        let declined = |reason, near| PartAnswer {
            facts: Vec::new(),
            confidence: 0.0,
            declined: Some(reason),
            near,
        };
        let cues = self.part_cues(&analyzed, inherited, today);
        if analyzed.tokens.is_empty() {
            // A question about now, or about "them" (the doctors), that names nothing else is
            // about the strikes. Asked again with the topic only if that names something: else
            // it would recurse.
            let topic = &self.kb.now.unnamed_topic;
            let about_them = self
                .kb
                .conversation
                .references
                .names_the_doctors(&plain(text));
            if (cues.now || about_them) && !self.matcher.lexicon().analyze(topic).tokens.is_empty()
            {
                return self.answer_part(&format!("{text} {topic}"), today, inherited);
            }
            return declined(Decline::Empty, Vec::new());
        }
        let year_tokens = year_tokens(&cues);
        // The unscoped matches: suggestions when the question is declined, and the evidence that
        // a named time, not the topic, is what has no fact.
        let unscoped = || {
            self.matcher
                .search(&analyzed, &year_tokens, &Scope::default())
        };
        if cues.uncovered_year {
            return declined(Decline::OutsideTime, unscoped());
        }
        // "Now" prefers the newest facts among close matches (below) rather than excluding older
        // disputes: "why are junior doctors now called resident doctors?" is about 2024.
        let scope = scope(&cues);
        let mut matches = self.matcher.search(&analyzed, &year_tokens, &scope);
        // As of today, a fact dated later does not exist yet: "now" is what was known by then.
        if cues.now {
            matches.retain(|m| self.kb.facts[m.fact].as_of.earliest() <= today);
        }
        let best = matches.first().map(|m| m.confidence).unwrap_or(0.0);
        if let Some(part) = self.day_or_timeline_part(&analyzed, &cues, &matches, best, today) {
            return part;
        }
        if best < self.threshold {
            // A topic matched outside the named time: it is the time that has no fact.
            let near = unscoped();
            let outside = !cues.disputes.is_empty()
                && near.first().is_some_and(|m| m.confidence >= self.threshold);
            let reason = if outside {
                Decline::OutsideTime
            } else {
                Decline::Unknown
            };
            return declined(reason, near);
        }
        self.facts_part(&cues, matches, best, today)
    }

    /// A question about what happened on a day it names, or one the strike timeline answers
    /// (whether, when, how many strikes): answered from those rather than from the matches.
    fn day_or_timeline_part(
        &self,
        analyzed: &Analyzed,
        cues: &Cues,
        matches: &[Match],
        best: f32,
        today: NaiveDate,
    ) -> Option<PartAnswer> {
        let tokens = self.matcher.corrected_tokens(analyzed);
        if let Some(day) = cues::named_day(&analyzed.words).filter(|d| {
            let words = &self.kb.timeline_words;
            words.asks_what_happened(&analyzed.words, &tokens, *d)
        }) {
            let facts = self.facts_of_day(day, &cues.disputes, matches, today);
            if !facts.is_empty() {
                return Some(PartAnswer {
                    facts,
                    confidence: timeline::FULLY_EXPLAINED,
                    declined: None,
                    near: matches.to_vec(),
                });
            }
        }
        let timeline_query = self
            .kb
            .now
            .may_ask_whether_on(&analyzed.plain)
            .then(|| {
                let known = &self.kb.timeline_words;
                timeline::detect(&analyzed.words, &tokens, &cues.years, cues.now, known)
            })
            .flatten();
        if let Some((query, conf)) = timeline_query {
            // A timeline question whose every word the timeline explains is answered from it;
            // otherwise it must beat the best fact.
            if conf >= self.threshold && (conf >= best || conf >= timeline::FULLY_EXPLAINED) {
                if let Some(part) = self.timeline_part(query, conf, cues, matches.to_vec(), today) {
                    return Some(part);
                }
            }
        }
        None
    }

    /// A question of topic words only ("what is the doctors' strike about?") gets the overview:
    /// of the dispute it names, else of all of them. None for any other question.
    fn overview_part(&self, question: &str, today: NaiveDate) -> Option<PartAnswer> {
        let overview = &self.kb.overview;
        let lexicon = self.matcher.lexicon();
        let analyzed = lexicon.analyze(question);
        // Only a question that asks for one: "is a resident doctor just a junior doctor?" has
        // topic words only, but its own fact. Checked first, as most questions ask for none.
        let tokens = overview.topic_tokens(&analyzed)?;
        let cues = self.part_cues(&analyzed, None, today);
        if analyzed.tokens.is_empty() || cues.now || cues.intent != Intent::Other {
            return None;
        }
        let year_tokens = year_tokens(&cues);
        let topic_only = tokens
            .iter()
            .filter(|t| !year_tokens.contains(t))
            .all(|t| !lexicon.is_person(t) && self.matcher.fact_share(t) >= overview.topic_share);
        if !topic_only || cues.uncovered_year {
            return None;
        }
        let ids: Vec<&String> = match cues.disputes.as_slice() {
            [] => vec![&overview.all],
            named => named
                .iter()
                .filter_map(|d| overview.disputes.get(d))
                .collect(),
        };
        let facts: Vec<FactAnswer> = ids
            .into_iter()
            .filter_map(|id| {
                self.kb
                    .facts
                    .iter()
                    .position(|f| &f.id == id && f.is_served())
            })
            .map(|pos| self.fact_answer_at(pos, timeline::FULLY_EXPLAINED, today))
            .collect();
        (!facts.is_empty()).then(|| PartAnswer {
            facts,
            confidence: timeline::FULLY_EXPLAINED,
            declined: None,
            near: Vec::new(),
        })
    }

    /// A timeline question's answer: the strike periods it asks about and, for "is there a
    /// strike now?" and "when's the next one?", the newest fact on the dispute's state. None when
    /// no period with a dispute, date and source answers it.
    fn timeline_part(
        &self,
        query: timeline::TimelineQuery,
        conf: f32,
        cues: &Cues,
        matches: Vec<Match>,
        today: NaiveDate,
    ) -> Option<PartAnswer> {
        let mut facts = timeline::answer(&self.kb, query, &cues.disputes, today);
        // A statement that cites no strike (nothing had happened by today) has no dispute, date
        // or source to show: it is no answer.
        facts.retain(|f| !f.dispute.is_empty() && !f.as_of.is_empty());
        if facts.is_empty() {
            return None;
        }
        for f in &mut facts {
            f.confidence = conf;
        }
        if matches!(
            query,
            timeline::TimelineQuery::Now { .. } | timeline::TimelineQuery::Next
        ) {
            facts.extend(self.state_now(cues, &matches, conf, today));
        }
        Some(PartAnswer {
            facts,
            confidence: conf,
            declined: None,
            near: matches,
        })
    }

    /// The state of the dispute now: a fact marked as its state, else the newest of the facts
    /// closest to the question in the newest dispute of the scope.
    fn state_now(
        &self,
        cues: &Cues,
        matches: &[Match],
        conf: f32,
        today: NaiveDate,
    ) -> Option<FactAnswer> {
        // The newest fact of the scope; among facts of that date, the one that fits the
        // question best.
        let in_scope = |f: &&crate::model::Fact| {
            f.is_served()
                && f.as_of.earliest() <= today
                && (cues.disputes.is_empty() || cues.disputes.contains(&f.dispute))
        };
        let newest_date = self
            .kb
            .facts
            .iter()
            .filter(in_scope)
            .map(|f| f.as_of.latest())
            .max();
        let score = |pos: usize| confidence_of(matches, pos);
        let newest = self
            .kb
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| in_scope(f) && Some(f.as_of.latest()) == newest_date)
            .map(|(i, _)| i)
            .max_by(|a, b| score(*a).total_cmp(&score(*b)));
        // The state is the newest dispute's: an old fact that fits the words better ("the next
        // strike after 9 March 2016") is not the state now. Of that dispute, the newest of the
        // facts closest to the question: the words still matter, or a note a moderator added
        // yesterday about something else would pass for the state of the dispute.
        let newest_dispute: Vec<Match> = match newest {
            Some(pos) => matches
                .iter()
                .filter(|m| self.kb.facts[m.fact].dispute == self.kb.facts[pos].dispute)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        // A fact marked as the dispute's state says it best.
        let chosen = self
            .newest_state(&cues.disputes, today)
            .or_else(|| self.newest_close(&newest_dispute).map(|m| m.fact))
            .or(newest);
        chosen.map(|pos| self.fact_answer_at(pos, conf, today))
    }

    /// A question answered from facts: the best match, one per dispute when it names none, the
    /// newest when it asks about now.
    fn facts_part(
        &self,
        cues: &Cues,
        matches: Vec<Match>,
        best: f32,
        today: NaiveDate,
    ) -> PartAnswer {
        let chosen: Vec<&Match> = if cues.now && cues.disputes.is_empty() {
            self.newest_answer(&matches).into_iter().collect()
        } else if cues.disputes.len() == 1 {
            matches.first().into_iter().collect()
        } else {
            self.one_per_dispute(&matches)
        };
        let chosen = self.with_companion(chosen, &matches);
        let mut facts: Vec<FactAnswer> =
            chosen.iter().map(|m| self.fact_answer(m, today)).collect();
        // "Is it still going on?" matched an older dispute's state ("a deal was agreed in May
        // 2016"): now is the newest state.
        if cues.now && cues.disputes.is_empty() {
            let states_old = chosen.first().is_some_and(|m| self.kb.facts[m.fact].state);
            if let Some(pos) = self.newest_state(&[], today).filter(|_| states_old) {
                if !chosen.iter().any(|m| m.fact == pos) {
                    facts = vec![self.fact_answer_at(pos, best, today)];
                }
            }
        }
        PartAnswer {
            facts,
            confidence: best,
            declined: None,
            near: matches,
        }
    }

    /// The id of [`Engine::newest_state`]'s fact: what "is it over?" is answered with by rule.
    pub(crate) fn newest_state_id(&self, disputes: &[String], today: NaiveDate) -> Option<&str> {
        self.newest_state(disputes, today)
            .map(|pos| self.kb.facts[pos].id.as_str())
    }

    /// The newest fact marked as a dispute's state by `today`, in the disputes given (all when
    /// empty).
    fn newest_state(&self, disputes: &[String], today: NaiveDate) -> Option<usize> {
        self.kb
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.is_served()
                    && f.state
                    && f.as_of.earliest() <= today
                    && (disputes.is_empty() || disputes.contains(&f.dispute))
            })
            .max_by_key(|(_, f)| f.as_of.latest())
            .map(|(i, _)| i)
    }

    /// "Now": of the matches above the threshold, those of the newest dispute, and of them the
    /// newest fact among the close ones.
    fn newest_answer<'a>(&self, matches: &'a [Match]) -> Option<&'a Match> {
        let start = |m: &Match| {
            let f = &self.kb.facts[m.fact];
            self.kb.dispute(&f.dispute).map(|d| d.start)
        };
        let best = matches.first()?.confidence;
        let newest = matches
            .iter()
            .filter(|m| {
                m.confidence
                    >= self
                        .threshold
                        .max(best - self.kb.settings.choosing.now_window)
            })
            .filter_map(start)
            .max()?;
        let in_newest: Vec<Match> = matches
            .iter()
            .filter(|m| start(m) == Some(newest))
            .cloned()
            .collect();
        let pick = self.pick_newest(&in_newest)?;
        matches.iter().find(|m| m.fact == pick.fact)
    }

    /// Of the matches close to the best, the newest fact, if the best clears the threshold.
    fn pick_newest<'a>(&self, matches: &'a [Match]) -> Option<&'a Match> {
        if matches.first()?.confidence < self.threshold {
            return None;
        }
        self.newest_close(matches)
    }

    /// Of the matches close to the best, the newest fact.
    fn newest_close<'a>(&self, matches: &'a [Match]) -> Option<&'a Match> {
        let best = matches.first()?.confidence;
        matches
            .iter()
            .take_while(|m| m.confidence >= best - self.kb.settings.choosing.recency_window)
            .max_by(|a, b| {
                let fa = &self.kb.facts[a.fact];
                let fb = &self.kb.facts[b.fact];
                fa.as_of
                    .latest()
                    .cmp(&fb.as_of.latest())
                    .then(a.confidence.total_cmp(&b.confidence))
            })
    }

    /// The best match of each dispute that is close to the overall best, newest dispute first.
    fn one_per_dispute<'a>(&self, matches: &'a [Match]) -> Vec<&'a Match> {
        let Some(top) = matches.first() else {
            return Vec::new();
        };
        let floor = self
            .threshold
            .max(top.confidence * self.kb.settings.dispute_margin);
        let mut chosen: Vec<&Match> = Vec::new();
        for m in matches {
            if m.confidence < floor {
                break;
            }
            let d = &self.kb.facts[m.fact].dispute;
            if !chosen.iter().any(|c| &self.kb.facts[c.fact].dispute == d) {
                chosen.push(m);
            }
        }
        chosen.sort_by_key(|m| {
            let d = &self.kb.facts[m.fact].dispute;
            std::cmp::Reverse(self.kb.dispute(d).map(|d| d.start))
        });
        chosen
    }

    /// A lone chosen fact gets its closest rival of the same dispute beside it when the two are
    /// within [`Choosing::companion_window`]; several disputes' lines are left as they are, to stay short.
    fn with_companion<'a>(&self, chosen: Vec<&'a Match>, matches: &'a [Match]) -> Vec<&'a Match> {
        let [only] = chosen.as_slice() else {
            return chosen;
        };
        let dispute = &self.kb.facts[only.fact].dispute;
        let window = self.kb.settings.choosing.companion_window;
        let floor = self.threshold.max(only.confidence - window);
        let companion = matches.iter().find(|m| {
            m.fact != only.fact
                && m.confidence >= floor
                && &self.kb.facts[m.fact].dispute == dispute
        });
        match companion {
            Some(c) => vec![*only, c],
            None => chosen,
        }
    }

    /// "What happened on 16 September 2024?": the facts dated that day (at most
    /// [`SUGGESTIONS`], those closest to the question first), in the disputes in scope.
    fn facts_of_day(
        &self,
        day: NaiveDate,
        disputes: &[String],
        matches: &[Match],
        today: NaiveDate,
    ) -> Vec<FactAnswer> {
        let score = |pos: usize| confidence_of(matches, pos);
        let mut of_day: Vec<usize> = self
            .kb
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.is_served()
                    && f.as_of.day.is_some()
                    && f.as_of.latest() == day
                    && (disputes.is_empty() || disputes.contains(&f.dispute))
            })
            .map(|(i, _)| i)
            .collect();
        of_day.sort_by(|a, b| score(*b).total_cmp(&score(*a)));
        of_day
            .into_iter()
            .take(SUGGESTIONS)
            .map(|pos| self.fact_answer_at(pos, timeline::FULLY_EXPLAINED, today))
            .collect()
    }

    /// A part of a several-part question whose facts were all given already asks for something
    /// else: its best match not yet given, if that clears the threshold.
    fn fresh_fact(
        &self,
        part: &PartAnswer,
        given: &[&str],
        today: NaiveDate,
    ) -> Option<FactAnswer> {
        if part.declined.is_some() || part.facts.iter().any(|f| !given.contains(&f.id.as_str())) {
            return None;
        }
        part.near
            .iter()
            .filter(|m| m.confidence >= self.threshold)
            .find(|m| !given.contains(&self.kb.facts[m.fact].id.as_str()))
            .map(|m| self.fact_answer(m, today))
    }

    /// "What roles do Jack Fletcher and Meghana Pandit hold?" asks the same of two people: one
    /// part per person, each with the other's name taken out.
    fn split_people(&self, part: &str) -> Vec<String> {
        let lexicon = self.matcher.lexicon();
        let words: Vec<&str> = part.split_whitespace().collect();
        let person = |w: &str| {
            let t = lexicon.analyze(w).tokens;
            !t.is_empty() && t.iter().all(|t| lexicon.is_person(t))
        };
        let Some(and) = (1..words.len().saturating_sub(1)).find(|&i| {
            words[i].eq_ignore_ascii_case("and") && person(words[i - 1]) && person(words[i + 1])
        }) else {
            return vec![part.to_string()];
        };
        let first = (0..and)
            .rev()
            .take_while(|&i| person(words[i]))
            .last()
            .unwrap_or(and);
        let last = (and + 1..words.len())
            .take_while(|&i| person(words[i]))
            .last()
            .unwrap_or(and);
        let keep = |from: usize, to: usize| {
            words[..first]
                .iter()
                .chain(&words[from..to])
                .chain(&words[last + 1..])
                .copied()
                .collect::<Vec<&str>>()
                .join(" ")
        };
        vec![keep(first, and), keep(and + 1, last + 1)]
    }

    fn fact_answer(&self, m: &Match, today: NaiveDate) -> FactAnswer {
        self.fact_answer_at(m.fact, m.confidence, today)
    }

    fn fact_answer_at(&self, pos: usize, confidence: f32, today: NaiveDate) -> FactAnswer {
        let f = &self.kb.facts[pos];
        FactAnswer {
            id: f.id.clone(),
            question: f.question.clone(),
            dispute: f.dispute.clone(),
            dispute_label: self
                .kb
                .dispute(&f.dispute)
                .map(|d| d.label.clone())
                .unwrap_or_else(|| f.dispute.clone()),
            answer: f.answer.clone(),
            as_of: f.as_of_text(),
            confidence,
            sources: f
                .sources
                .iter()
                .filter_map(|s| self.kb.source(s))
                .map(SourceRef::from)
                .collect(),
            stale: f.past_review(today).is_some(),
            contested: f.contested.clone(),
        }
    }

    /// Questions the bot can answer, from the nearest matches not already used.
    fn suggestions_from(&self, near: &[Match], used: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen: Vec<usize> = Vec::new();
        for m in near {
            let f = &self.kb.facts[m.fact];
            if used.contains(&f.id.as_str()) || seen.contains(&m.fact) {
                continue;
            }
            seen.push(m.fact);
            if let Some(p) = f.phrasings.get(m.phrasing) {
                out.push(shown_question(f, p));
            }
            if out.len() == SUGGESTIONS {
                break;
            }
        }
        out
    }

    /// Example questions that are current as of `today`: per dispute, newest first, its newest
    /// fact dated on or before today that says where the dispute stands (or its newest fact when
    /// none does), shown
    /// by its display question. Offered when nothing matched at all, and by the introduction.
    fn examples(&self, today: NaiveDate) -> Vec<String> {
        let today = PartialDate::of(today);
        let mut out = Vec::new();
        for d in self.kb.disputes.iter().rev() {
            let newest = self
                .kb
                .served_facts()
                .filter(|f| f.dispute == d.id && f.as_of <= today)
                .max_by_key(|f| (f.state, f.as_of));
            if let Some(p) = newest.and_then(|f| f.phrasings.first().map(|p| shown_question(f, p)))
            {
                out.push(p);
            }
        }
        out.truncate(SUGGESTIONS);
        out
    }

    fn decline(
        &self,
        question: String,
        reason: Decline,
        near: Vec<Match>,
        message: String,
        notices: Vec<String>,
        today: NaiveDate,
    ) -> Answer {
        let mut suggestions = self.suggestions_from(&near, &[]);
        if suggestions.is_empty() && reason != Decline::Instruction {
            suggestions = self.examples(today);
        }
        let mut text = String::new();
        for n in &notices {
            text.push_str(n);
            text.push_str("\n\n");
        }
        text.push_str(&message);
        if !suggestions.is_empty() {
            if reason != Decline::Empty {
                text.push_str(" I can answer:");
            }
            for s in &suggestions {
                text.push_str("\n• ");
                text.push_str(s);
            }
        }
        Answer {
            question,
            answered: false,
            answer: None,
            text,
            confidence: near.first().map(|m| m.confidence).unwrap_or(0.0),
            facts: Vec::new(),
            suggestions,
            notices,
            declined: Some(reason),
            help: None,
            introduction: false,
        }
    }

    /// A whole question's analysis, cues and matches under those cues (the calibration is fitted
    /// on these; `ask --explain` shows them).
    fn scoped_matches(&self, question: &str, today: NaiveDate) -> (Analyzed, Cues, Vec<Match>) {
        let analyzed = self
            .matcher
            .lexicon()
            .analyze(&cues::strip_mentions(question));
        let cues = self.read_cues(&analyzed, today);
        let matches = self
            .matcher
            .search(&analyzed, &year_tokens(&cues), &scope(&cues));
        (analyzed, cues, matches)
    }

    /// The best match for a whole question under its time and dispute cues.
    pub fn top_match(&self, question: &str, today: NaiveDate) -> Option<Match> {
        self.scoped_matches(question, today).2.into_iter().next()
    }

    /// How the matcher sees a question: its tokens, cues and best matches (for `ask --explain`).
    pub fn explain(&self, question: &str, today: NaiveDate) -> String {
        let (analyzed, cues, matches) = self.scoped_matches(question, today);
        let shares: Vec<String> = analyzed
            .tokens
            .iter()
            .map(|t| format!("{t} {:.2}", self.matcher.fact_share(t)))
            .collect();
        let mut out = format!(
            "tokens: {:?} (share of facts using each: {})\n\
             cues: disputes {:?}, years {:?}, now {}, intent {:?}\nthreshold {:.2}\n",
            analyzed.tokens,
            shares.join(", "),
            cues.disputes,
            cues.years,
            cues.now,
            cues.intent,
            self.threshold
        );
        for m in matches.iter().take(8) {
            let f = &self.kb.facts[m.fact];
            out.push_str(&format!(
                "{:.2} (raw {:.2}, coverage {:.2}, similarity {:.2}, margin {:.2}) {} — {:?}\n",
                m.confidence,
                m.features.raw,
                m.coverage(),
                m.similarity(),
                m.features.margin,
                f.id,
                f.phrasings
                    .get(m.phrasing)
                    .map(String::as_str)
                    .unwrap_or("")
            ));
        }
        out
    }

    /// The display questions of the facts whose phrasings complete a partly typed question,
    /// best first (for autocomplete; a phrasing where a fact has no display question).
    pub fn complete(&self, partial: &str, limit: usize, today: NaiveDate) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (fact, phrasing) in self.matcher.complete(partial, limit) {
            let f = &self.kb.facts[fact];
            if let Some(p) = f.phrasings.get(phrasing) {
                let s = shown_question(f, p);
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        if out.is_empty() && partial.trim().is_empty() {
            out = self.examples(today);
        }
        out
    }
}

/// Years the cues took from the question: left out of its topic words.
fn year_tokens(cues: &Cues) -> Vec<String> {
    cues.years.iter().map(|y| y.to_string()).collect()
}

/// What the cues allow: the named disputes, a preference for the named event years, and the kind
/// of answer asked for.
fn scope(cues: &Cues) -> Scope<'_> {
    Scope {
        disputes: &cues.disputes,
        years: &cues.event_years,
        intent: Some(cues.intent),
    }
}

/// A phrasing as a question a person would click: capitalised, with a question mark.
/// What is shown for a fact found by one of its phrasings: its display question, else the
/// phrasing as a sentence.
fn shown_question(f: &crate::model::Fact, phrasing: &str) -> String {
    f.question.clone().unwrap_or_else(|| sentence(phrasing))
}

fn sentence(p: &str) -> String {
    let p = p.trim();
    let mut chars = p.chars();
    let mut s: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !s.ends_with(['?', '.', '!']) {
        s.push('?');
    }
    s
}

/// A fact's confidence among the matches; 0 when it is not among them.
fn confidence_of(matches: &[Match], pos: usize) -> f32 {
    matches
        .iter()
        .find(|m| m.fact == pos)
        .map_or(0.0, |m| m.confidence)
}

/// Splits "who is X and what did they say?" into its questions: at "?" and ";", and at an "and"
/// followed by one of `question_words` (`screens.toml`).
pub fn split_parts(question: &str, question_words: &[String]) -> Vec<String> {
    let starts_question = |w: &str| {
        let w = plain(w);
        question_words.contains(&w)
    };
    let mut parts = Vec::new();
    for chunk in question.split(['?', ';']) {
        let words: Vec<&str> = chunk.split_whitespace().collect();
        let mut current: Vec<&str> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let is_and =
                w.trim_matches(',').eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("&");
            let next_is_question = words.get(i + 1).is_some_and(|n| starts_question(n));
            if is_and && next_is_question && current.len() >= 2 {
                parts.push(current.join(" "));
                current.clear();
            } else {
                current.push(w);
            }
        }
        if !current.is_empty() {
            parts.push(current.join(" "));
        }
    }
    parts.retain(|p| p.chars().any(|c| c.is_alphanumeric()));
    parts
}

/// The question after a statement that sets it up: "my mum is a nurse, why are they striking?"
/// asks "why are they striking?". None when the text starts with a question (of
/// `question_words`) or no later sentence or clause, after a comma or full stop, is one. A
/// colon or dash is left alone: "Midwives on strike: what does it mean for me?" names its topic
/// before it.
fn after_preamble<'a>(text: &'a str, question_words: &[String]) -> Option<&'a str> {
    let starts_question = |clause: &str| {
        clause
            .split_whitespace()
            .next()
            .is_some_and(|w| question_words.contains(&plain(w)))
    };
    if starts_question(text) {
        return None;
    }
    text.char_indices()
        .filter(|(_, c)| matches!(c, ',' | '.'))
        .map(|(i, c)| text[i + c.len_utf8()..].trim())
        .find(|rest| starts_question(rest))
}

/// The reply text: notices, then one block per fact with its dispute, date and sources, then
/// which parts of the question (counted from 1) went unanswered. Those are named by their place, not quoted: a
/// part the facts do not cover may carry a claim or a link that the bot must not repeat.
fn render(facts: &[FactAnswer], notices: &[String], missed: &[usize]) -> String {
    let mut out = String::new();
    for n in notices {
        out.push_str(n);
        out.push_str("\n\n");
    }
    let blocks: Vec<String> = facts
        .iter()
        .map(|f| {
            let mut b = format!("**{}** (as of {}): {}", f.dispute_label, f.as_of, f.answer);
            if let Some(c) = &f.contested {
                b.push_str(&format!("\n_Note: {c}_"));
            }
            let cites: Vec<String> = f.sources.iter().map(|s| s.cite()).collect();
            if !cites.is_empty() {
                b.push_str(&format!("\nSource: {}", cites.join("; ")));
            }
            b
        })
        .collect();
    out.push_str(&blocks.join("\n\n"));
    if !missed.is_empty() {
        let places: Vec<String> = missed.iter().map(usize::to_string).collect();
        let noun = if places.len() == 1 { "part" } else { "parts" };
        out.push_str(&format!(
            "\n\nI don't know the answer to {noun} {} of your question.",
            and_list(&places)
        ));
    }
    out
}

/// The decline a screen decides on its own: an instruction, or another nation.
fn screened_out(screen: Screen) -> Option<Decline> {
    if screen.injection {
        Some(Decline::Instruction)
    } else if screen.other_place {
        Some(Decline::OtherPlace)
    } else {
        None
    }
}

/// What a decline says for its reason (its suggestions follow).
fn reason_text(reason: Decline) -> String {
    match reason {
        Decline::Empty => "I couldn't find a question in that. Ask me about the doctors' strikes \
                           in England, for example:"
            .to_string(),
        Decline::Instruction => "I only answer questions about the doctors' strikes in England \
                                 from my sourced facts; I don't take instructions."
            .to_string(),
        Decline::OtherPlace => "My facts cover the doctors' strikes in England only, so I can't \
                                answer for elsewhere."
            .to_string(),
        Decline::OutsideTime => "My facts don't cover that for the time or dispute you named, so \
                                 I won't guess from another one."
            .to_string(),
        Decline::NeedsContext => "I can't tell who or what that refers to on its own. Ask again \
                                  with the name, dispute or strike you mean, or reply to one of \
                                  my answers to ask more about it."
            .to_string(),
        Decline::TooLong => format!(
            "That question is too long for me: please ask in under {MAX_QUESTION_CHARS} characters."
        ),
        Decline::Unknown => {
            "I don't know that from my sourced facts, so I won't guess.".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question_words() -> Vec<String> {
        ["who", "what", "how", "when", "why"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_statement_before_a_question_sets_it_up() {
        let q = question_words();
        assert_eq!(
            after_preamble("my mum is a nurse, why are they striking?", &q),
            Some("why are they striking?")
        );
        assert_eq!(after_preamble("who is he, and why?", &q), None);
        assert_eq!(after_preamble("strike dates 2016", &q), None);
    }

    #[test]
    fn splits_multi_part_questions() {
        assert_eq!(
            split_parts(
                "Who is Jack Fletcher and what did he say about jobs?",
                &question_words()
            ),
            vec!["Who is Jack Fletcher", "what did he say about jobs"]
        );
        assert_eq!(
            split_parts("pay and conditions dispute", &question_words()),
            vec!["pay and conditions dispute"]
        );
        assert_eq!(
            split_parts("When was it? How long did it last?", &question_words()),
            vec!["When was it", "How long did it last"]
        );
        assert!(split_parts("?!?!", &question_words()).is_empty());
    }

    #[test]
    fn sentences_look_like_questions() {
        assert_eq!(
            sentence("why are doctors striking"),
            "Why are doctors striking?"
        );
        assert_eq!(sentence("Is it over?"), "Is it over?");
    }
}

#[cfg(test)]
mod composition_tests {
    use super::*;

    fn engine() -> Engine {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Engine::load(&dir).expect("the bundled fact base loads")
    }

    /// The ids of the facts an answer gives, in order.
    fn fact_ids(a: &Answer) -> Vec<&str> {
        a.facts.iter().map(|f| f.id.as_str()).collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
    }

    #[test]
    fn a_question_with_no_time_cue_gets_a_line_per_dispute_newest_first() {
        let e = engine();
        let a = e.ask("who is the health secretary?", today());
        assert!(a.answered, "{}", a.text);
        let starts: Vec<NaiveDate> = a
            .facts
            .iter()
            .filter_map(|f| e.knowledge().dispute(&f.dispute).map(|d| d.start))
            .collect();
        assert!(starts.len() >= 2, "{}", a.text);
        assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{}", a.text);
        let mut disputes: Vec<&str> = a.facts.iter().map(|f| f.dispute.as_str()).collect();
        disputes.dedup();
        assert_eq!(
            disputes.len(),
            a.facts.len(),
            "one line per dispute: {}",
            a.text
        );
    }

    #[test]
    fn two_people_joined_by_and_are_asked_about_one_by_one() {
        let e = engine();
        assert_eq!(
            e.split_people("What roles do Jack Fletcher and Meghana Pandit hold"),
            vec![
                "What roles do Jack Fletcher hold",
                "What roles do Meghana Pandit hold"
            ]
        );
        assert_eq!(
            e.split_people("did pay and conditions matter"),
            vec!["did pay and conditions matter"]
        );
    }

    #[test]
    fn a_part_too_short_to_name_a_topic_asks_about_the_previous_answer() {
        let e = engine();
        // "They" are the answer to the first part (Justice for Health), and the second part asks
        // for a fact of its own: the ruling, not the challenge again.
        let a = e.ask(
            "Who challenged Jeremy Hunt in the High Court, and did they win?",
            today(),
        );
        let ids = fact_ids(&a);
        assert!(
            ids.contains(&"2016-justice-for-health-challenge"),
            "{ids:?}"
        );
        assert!(ids.contains(&"2016-judicial-review-dismissed"), "{ids:?}");
    }

    #[test]
    fn a_count_of_something_the_fact_has_no_figure_for_is_declined() {
        let e = engine();
        // The joint strike's fact counts days, not consultants.
        let days = e.ask(
            "How many days did the October 2023 joint walkout last?",
            today(),
        );
        assert!(days.answered, "{}", days.text);
        let people = e.ask(
            "How many consultants joined the October 2023 joint walkout?",
            today(),
        );
        assert!(!people.answered, "{}", people.text);
    }

    #[test]
    fn a_claim_to_check_is_matched_by_its_topic_not_its_figure() {
        let e = engine();
        // 5.4% was the 2025 award, not the demand: a fact about the demand (or the one saying
        // the 5.4% was the award) corrects the claim, never one that merely holds "5.4%".
        let a = e.ask("Was the BMA's 2025 demand 5.4%?", today());
        let ids = fact_ids(&a);
        let corrects = [
            "2025-bma-pay-demand-29-or-26-percent",
            "2025-five-point-four-was-award-not-demand",
        ];
        assert!(
            ids.first().is_some_and(|id| corrects.contains(id)),
            "{ids:?}"
        );
    }

    #[test]
    fn a_later_part_keeps_the_month_the_question_named() {
        let e = engine();
        let a = e.ask(
            "How many days did the July 2025 walkout last, and how much planned care went ahead?",
            today(),
        );
        let ids = fact_ids(&a);
        assert!(ids.contains(&"2025-july-strike-impact"), "{ids:?}");
        assert!(!ids.contains(&"2025-november-strike-impact"), "{ids:?}");
    }

    #[test]
    fn a_close_second_fact_of_the_same_dispute_is_shown_beside_the_first() {
        let e = engine();
        let facts = &e.knowledge().facts;
        let first = 0;
        let same = (1..facts.len())
            .find(|&i| facts[i].dispute == facts[first].dispute)
            .expect("two facts in one dispute");
        let other = (1..facts.len())
            .find(|&i| facts[i].dispute != facts[first].dispute)
            .expect("two disputes");
        let m = |fact, confidence| Match {
            fact,
            confidence,
            features: Default::default(),
            phrasing: 0,
        };
        let top = e.threshold() + 0.2;
        let close = [m(first, top), m(other, top - 0.01), m(same, top - 0.05)];
        let chosen: Vec<usize> = e
            .with_companion(vec![&close[0]], &close)
            .iter()
            .map(|m| m.fact)
            .collect();
        assert_eq!(chosen, vec![first, same]);
        let far = [
            m(first, top),
            m(same, top - Choosing::default().companion_window - 0.05),
        ];
        assert_eq!(e.with_companion(vec![&far[0]], &far).len(), 1);
    }

    #[test]
    fn every_answer_names_dispute_date_and_source() {
        let e = engine();
        let a = e.ask(
            "how many operations were cancelled for the march 2016 strike?",
            today(),
        );
        assert!(a.answered);
        for f in &a.facts {
            assert!(!f.as_of.is_empty() && !f.sources.is_empty());
            assert!(a.text.contains(&f.dispute_label));
            assert!(a.text.contains("Source:"));
        }
    }

    #[test]
    fn facts_past_their_review_date_carry_a_warning() {
        let e = engine();
        let later = NaiveDate::from_ymd_opt(2027, 6, 1).expect("date");
        let a = e.ask("who is the health secretary now?", later);
        assert!(a.answered, "{}", a.text);
        assert!(a.facts.iter().any(|f| f.stale), "{}", a.text);
        assert!(a.text.contains("out of date"), "{}", a.text);
        let fresh = e.ask("who is the health secretary now?", today());
        assert!(!fresh.text.contains("out of date"), "{}", fresh.text);
    }

    #[test]
    fn timeline_questions_are_computed_from_today() {
        let e = engine();
        let a = e.ask("when was the first strike?", today());
        assert!(a.text.contains("Tuesday 12 January 2016"), "{}", a.text);
        let a = e.ask(
            "is there a strike this week?",
            NaiveDate::from_ymd_opt(2025, 12, 18).expect("date"),
        );
        assert!(
            a.text.starts_with("**") && a.text.contains("Yes"),
            "{}",
            a.text
        );
        // "Next" is after today ...
        let a = e.ask("when's the next strike?", today());
        assert!(a.text.contains("No strike after 21 Nov 2026"), "{}", a.text);
        // ... unless the question names a month: then it is that month's "next" strikes.
        let a = e.ask(
            "in april, on which days were the next walkouts due?",
            today(),
        );
        assert!(!a.text.contains("No strike after"), "{}", a.text);
        // Counting strikes with no year: each dispute's count up to today, newest first.
        let a = e.ask("how many strikes have there been up to now?", today());
        let counts: Vec<usize> = ["2025–26", "2022–24", "2015–16"]
            .iter()
            .filter_map(|d| a.text.find(&format!("strike periods in the {d}")))
            .collect();
        assert!(counts.len() == 3 && counts.is_sorted(), "{}", a.text);
        // "How many doctors went on strike" wants a fact's figure, not a count of strikes.
        let a = e.ask("how many doctors went on strike in december 2025?", today());
        assert!(!a.text.contains("My records list"), "{}", a.text);
    }

    #[test]
    fn now_is_the_newest_state_of_the_disputes_by_today() {
        let e = engine();
        let ids = |q: &str, day: NaiveDate| -> Vec<String> {
            e.ask(q, day).facts.into_iter().map(|f| f.id).collect()
        };
        let later = today();
        let earlier = NaiveDate::from_ymd_opt(2026, 1, 10).expect("date");
        for q in [
            "when's the next strike?",
            "is the bma still in dispute with the government at the moment?",
        ] {
            assert!(
                ids(q, later).contains(&"2026-deal-accepted-strikes-end".to_string()),
                "{q}: {:?}",
                ids(q, later)
            );
            // Before the deal, "now" is what was known then.
            assert!(
                !ids(q, earlier).contains(&"2026-deal-accepted-strikes-end".to_string()),
                "{q}: {:?}",
                ids(q, earlier)
            );
        }
    }

    #[test]
    fn the_present_and_future_tense_ask_about_now() {
        let e = engine();
        for q in [
            "when are they striking?",
            "is the strike going ahead?",
            "will they strike again?",
        ] {
            let a = e.ask(q, today());
            let ids: Vec<&str> = a.facts.iter().map(|f| f.id.as_str()).collect();
            assert!(
                ids.contains(&"2026-deal-accepted-strikes-end"),
                "{q}: {ids:?}\n{}",
                a.text
            );
            assert!(a.text.contains("No strike is on today"), "{q}: {}", a.text);
        }
        // The past tense is not now; a reason is not a date.
        let a = e.ask("why are the doctors striking?", today());
        assert!(!a.text.contains("No strike is on today"), "{}", a.text);
        assert!(
            a.facts
                .iter()
                .map(|f| &f.dispute)
                .collect::<std::collections::HashSet<_>>()
                .len()
                > 1,
            "{}",
            a.text
        );
    }

    #[test]
    fn what_happened_on_a_day_gets_the_facts_of_that_day() {
        let e = engine();
        let a = e.ask("what happened on 18th May 2016?", today());
        assert!(
            !a.facts.is_empty()
                && a.facts.len() <= SUGGESTIONS
                && a.facts.iter().all(|f| f.as_of == "18 May 2016"),
            "{}",
            a.text
        );
        // A day with no fact is not answered from another day.
        let a = e.ask("what happened on 3 June 2019?", today());
        assert!(!a.answered, "{}", a.text);
        // A question with a topic of its own is matched as usual.
        let a = e.ask("what did the bma say on 18 may 2016 about pay?", today());
        assert!(a.facts.len() <= 2, "{}", a.text);
    }

    #[test]
    fn a_strike_named_by_its_length_is_found_in_the_timeline() {
        let e = engine();
        // Every five-day strike, newest dispute first and newest strike first within it.
        let a = e.ask("when did the five-day strike start?", today());
        let at = |s: &str| a.text.find(s);
        assert!(
            at("17 December 2025") < at("14 November 2025")
                && at("14 November 2025") < at("27 June 2024")
                && at("27 June 2024").is_some(),
            "{}",
            a.text
        );
        assert!(!a.text.contains("3 January 2024"), "{}", a.text);
        // Glued and misspelt, with a year; and in hours, described in hours.
        let a = e.ask("when was the sixday stirke in janary 2024", today());
        assert!(
            a.text.contains("3 January 2024") && !a.text.contains("2025"),
            "{}",
            a.text
        );
        let a = e.ask("when was the 96-hour walkout", today());
        assert!(
            a.text.contains("96-hour") && a.text.contains("11 April 2023"),
            "{}",
            a.text
        );
        // "How long" asks for a length, not for the strikes of one.
        let a = e.ask("how long was the 5 day strike in july 2025?", today());
        assert!(!a.text.contains("strikes of the"), "{}", a.text);
    }

    #[test]
    fn a_question_of_topic_words_only_gets_the_overview() {
        let e = engine();
        let overview = &e.knowledge().overview;
        for q in [
            "what is the doctors' strike about?",
            "the background to the doctors' strikes",
        ] {
            let a = e.ask(q, today());
            assert_eq!(fact_ids(&a), [overview.all.as_str()], "{q}");
        }
        // A named dispute gets its own.
        let a = e.ask("background to the 2016 strike", today());
        assert_eq!(fact_ids(&a), [overview.disputes["contract-2016"].as_str()]);
        // A word that names something of its own, a person or a kind of answer asks for a fact,
        // and so does a question that asks for no overview.
        for q in [
            "is a resident doctor just a junior doctor?",
            "when did the junior doctors strike?",
            "what did the bma say about the strike?",
            "how many junior doctors went on strike in 2016?",
        ] {
            let a = e.ask(q, today());
            assert!(
                !fact_ids(&a).contains(&overview.all.as_str()),
                "{q}: {}",
                a.text
            );
        }
    }

    #[test]
    fn a_question_about_now_that_names_nothing_is_about_the_strikes() {
        let e = engine();
        let named = e.ask("what is happening with the doctors strike now?", today());
        for q in ["what's going on at the moment?", "what is happening now?"] {
            let a = e.ask(q, today());
            assert!(a.answered, "{q}: {}", a.text);
            assert_eq!(fact_ids(&a), fact_ids(&named), "{q}");
        }
        // Without "now" it names nothing to answer.
        let a = e.ask("what happened then?", today());
        assert_eq!(a.declined, Some(Decline::Empty), "{}", a.text);
        // A topic of stop words only names nothing either: declined, not asked again forever.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let mut kb = KnowledgeBase::load(&dir).expect("the bundled fact base loads");
        kb.now.unnamed_topic = "the".to_string();
        let a = Engine::new(kb).ask("what is happening now?", today());
        assert_eq!(a.declined, Some(Decline::Empty), "{}", a.text);
    }

    #[test]
    fn a_topic_only_follow_up_is_about_the_answer_before_it() {
        let e = engine();
        let previous = ["what ended the 2022–24 pay dispute?".to_string()];
        let a = e.ask_conversation(&previous, "and the doctors strike?", today());
        assert!(
            !fact_ids(&a).contains(&e.knowledge().overview.all.as_str()),
            "{}",
            a.text
        );
    }
}
