//! The reply model: an [`Answer`] turned into what Discord shows (an embed, up to three question
//! buttons and, under a single-source answer, a link button to the source), kept within
//! Discord's limits.
//!
//! It exists so that everything the bot says can be built and checked without a network: the
//! command, button and message handlers only convert a [`Reply`] into serenity builders. Every
//! string is cut at a character boundary (never inside a markdown link) and marked with "…".

use poise::serenity_prelude as serenity;

use crate::answer::{Answer, FactAnswer, Help, SourceRef};

/// Discord's limits that this model enforces.
pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4096;
    pub const EMBED_FOOTER: usize = 2048;
    pub const EMBED_TOTAL: usize = 6000;
    pub const BUTTON_LABEL: usize = 80;
    pub const CUSTOM_ID: usize = 100;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const AUTOCOMPLETE_CHOICES: usize = 25;
    pub const AUTOCOMPLETE_TEXT: usize = 100;
    /// A link button's URL.
    pub const URL: usize = 512;
}

/// Prefix of the custom id of a related-question button whose question fits in the id.
pub const BUTTON_PREFIX: &str = "sf:ask:";
/// Prefix of the custom id of a button whose question was too long: a hash of the whole
/// question, then its first characters.
pub const HASHED_PREFIX: &str = "sf:ask#";

/// Embed colours: answered (NHS blue), declined (grey), NHS signposting (NHS emergency red),
/// crisis lines (NHS purple), so help never looks like an ordinary answer.
pub const ANSWERED_COLOUR: u32 = 0x00_5E_B8;
pub const DECLINED_COLOUR: u32 = 0x76_86_92;
pub const EMERGENCY_COLOUR: u32 = 0xDA_29_1C;
pub const CRISIS_COLOUR: u32 = 0x33_00_72;
/// The title of a reply whose facts have no display question but which carries help.
pub const HELP_TITLE: &str = "If you need help now";
/// The title of a declined question.
pub const DECLINED_TITLE: &str = "I can't answer that from my sourced facts";

const FOOTER: &str = "strikefacts · sourced facts, not advice · /help";

/// What the bot sends for one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Plain message content; the answer itself lives in the embed.
    pub content: Option<String>,
    pub embed: Embed,
    /// At most three related (or, for a decline, suggested) questions.
    pub buttons: Vec<Button>,
    /// A link button to the one source of the answer (easier to tap on a phone than a link in
    /// the text); none when the answer cites several sources or none with a URL.
    pub source: Option<SourceButton>,
}

/// A link button (Discord's style 5): it opens `url`, the bot hears nothing of the click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceButton {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub title: String,
    pub description: String,
    pub footer: String,
    pub colour: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub custom_id: String,
}

impl Embed {
    /// Characters counted against Discord's 6000 per embed.
    pub fn total_chars(&self) -> usize {
        self.title.chars().count() + self.description.chars().count() + self.footer.chars().count()
    }
}

impl Reply {
    /// The reply for an answer (answered or declined).
    pub fn from_answer(a: &Answer) -> Reply {
        // Never the question as typed: that would republish it under the bot's name.
        let title = match (a.answered, a.help, display_question(a)) {
            (true, _, Some(q)) => truncate(q, limits::EMBED_TITLE),
            (true, Some(_), None) => HELP_TITLE.to_string(),
            (true, None, None) => String::new(),
            (false, _, _) => DECLINED_TITLE.to_string(),
        };
        let description = if a.answered && !a.facts.is_empty() {
            describe_facts(&a.facts, &a.notices, limits::EMBED_DESCRIPTION)
        } else {
            truncate(a.text.trim(), limits::EMBED_DESCRIPTION)
        };
        let embed = Embed {
            title,
            description,
            footer: FOOTER.to_string(),
            colour: match (a.help, a.answered) {
                (Some(Help::Crisis), _) => CRISIS_COLOUR,
                (Some(Help::Emergency), _) => EMERGENCY_COLOUR,
                (None, true) => ANSWERED_COLOUR,
                (None, false) => DECLINED_COLOUR,
            },
        };
        // Someone who may need help now is not offered other questions to click.
        let suggestions = if a.help.is_some() {
            &[][..]
        } else {
            &a.suggestions[..]
        };
        let buttons = suggestions
            .iter()
            .filter(|s| !s.trim().is_empty())
            .take(3)
            .map(|s| Button {
                label: truncate(one_line(s).trim(), limits::BUTTON_LABEL),
                custom_id: button_id(s),
            })
            .collect();
        Reply {
            content: None,
            embed,
            buttons,
            source: single_source(a),
        }
    }

    /// A short plain-text reply (rate-limit notices, errors, help fallbacks).
    pub fn notice(text: &str) -> Reply {
        Reply {
            content: Some(truncate(text, limits::CONTENT)),
            embed: Embed {
                title: String::new(),
                description: String::new(),
                footer: String::new(),
                colour: DECLINED_COLOUR,
            },
            buttons: Vec::new(),
            source: None,
        }
    }

    /// An informational embed (help), no buttons.
    pub fn info(title: &str, description: &str) -> Reply {
        Reply {
            content: None,
            embed: Embed {
                title: truncate(title, limits::EMBED_TITLE),
                description: truncate(description, limits::EMBED_DESCRIPTION),
                footer: FOOTER.to_string(),
                colour: ANSWERED_COLOUR,
            },
            buttons: Vec::new(),
            source: None,
        }
    }

    fn has_embed(&self) -> bool {
        !self.embed.title.is_empty() || !self.embed.description.is_empty()
    }

    pub fn create_embed(&self) -> Option<serenity::CreateEmbed> {
        if !self.has_embed() {
            return None;
        }
        let mut e = serenity::CreateEmbed::new()
            .description(self.embed.description.clone())
            .colour(self.embed.colour);
        if !self.embed.title.is_empty() {
            e = e.title(self.embed.title.clone());
        }
        if !self.embed.footer.is_empty() {
            e = e.footer(serenity::CreateEmbedFooter::new(self.embed.footer.clone()));
        }
        Some(e)
    }

    pub fn components(&self) -> Vec<serenity::CreateActionRow> {
        let link = self
            .source
            .iter()
            .map(|s| serenity::CreateButton::new_link(s.url.clone()).label(s.label.clone()));
        let row: Vec<serenity::CreateButton> = self
            .buttons
            .iter()
            .map(|b| {
                serenity::CreateButton::new(b.custom_id.clone())
                    .label(b.label.clone())
                    .style(serenity::ButtonStyle::Secondary)
            })
            .take(limits::BUTTONS_PER_ROW - usize::from(self.source.is_some()))
            .chain(link)
            .collect();
        if row.is_empty() {
            return Vec::new();
        }
        vec![serenity::CreateActionRow::Buttons(row)]
    }

    /// As a poise reply (slash commands).
    pub fn to_poise(&self, ephemeral: bool) -> poise::CreateReply {
        let mut r = poise::CreateReply::default()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings())
            .components(self.components());
        if let Some(c) = &self.content {
            r = r.content(c.clone());
        }
        if let Some(e) = self.create_embed() {
            r = r.embed(e);
        }
        r
    }

    /// As the first response to a component interaction (a button click).
    pub fn to_interaction_message(
        &self,
        ephemeral: bool,
    ) -> serenity::CreateInteractionResponseMessage {
        let mut r = serenity::CreateInteractionResponseMessage::new()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings())
            .components(self.components());
        if let Some(c) = &self.content {
            r = r.content(c.clone());
        }
        if let Some(e) = self.create_embed() {
            r = r.embed(e);
        }
        r
    }

    /// As a channel message replying to `to` (mentions and DMs).
    pub fn to_message(&self, to: &serenity::Message) -> serenity::CreateMessage {
        // Still answer if the question was deleted meanwhile.
        let mut reference = serenity::MessageReference::from(to);
        reference.fail_if_not_exists = Some(false);
        let mut m = serenity::CreateMessage::new()
            .reference_message(reference)
            .allowed_mentions(no_pings())
            .components(self.components());
        if let Some(c) = &self.content {
            m = m.content(c.clone());
        }
        if let Some(e) = self.create_embed() {
            m = m.embed(e);
        }
        m
    }
}

/// The link button of an answer whose facts all cite one and the same source with a web
/// address.
fn single_source(a: &Answer) -> Option<SourceButton> {
    let mut sources = a.facts.iter().flat_map(|f| &f.sources);
    let first = sources.next()?;
    let url = first.url.as_deref().map(str::trim)?;
    let same = |s: &SourceRef| s.url.as_deref().map(str::trim) == Some(url);
    if !url.starts_with("https://") || !sources.all(same) || url.chars().count() > limits::URL {
        return None;
    }
    Some(SourceButton {
        label: truncate(
            &format!("Source: {}", first.publisher),
            limits::BUTTON_LABEL,
        ),
        url: url.to_string(),
    })
}

/// The display question of the first fact answered that has one.
fn display_question(a: &Answer) -> Option<&str> {
    a.facts
        .iter()
        .find_map(|f| f.question.as_deref())
        .map(str::trim)
        .filter(|q| !q.is_empty())
}

/// Allowed mentions that ping nobody, not even the author of the message replied to: a
/// question's `@everyone` or role mention is shown, never fired.
pub fn no_pings() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new().replied_user(false)
}

/// One block per fact: the dispute and as-of date, the answer, a contested note, the sources as
/// links. Blocks that do not fit are left out and counted, so no link is ever cut.
fn describe_facts(facts: &[FactAnswer], notices: &[String], budget: usize) -> String {
    let mut out = String::new();
    for n in notices {
        out.push_str("> ");
        out.push_str(&one_line(n));
        out.push_str("\n\n");
    }
    out = truncate(&out, budget / 2);
    let blocks: Vec<String> = facts.iter().map(fact_block).collect();
    let mut used = 0;
    for (i, block) in blocks.iter().enumerate() {
        let sep = if used == 0 { "" } else { "\n\n" };
        let left = blocks.len() - i - 1;
        // Room for the "N more" line should later blocks not fit.
        let reserve = if left > 0 { 80 } else { 0 };
        let len = out.chars().count() + sep.len() + block.chars().count();
        if len + reserve <= budget {
            out.push_str(sep);
            out.push_str(block);
            used += 1;
        } else if used == 0 {
            // Even the first fact is too long: keep its header and a cut answer.
            let room = budget.saturating_sub(out.chars().count() + reserve);
            out.push_str(&fact_block_within(&facts[i], room));
            used += 1;
        } else {
            let more = blocks.len() - i;
            out.push_str(&format!(
                "\n\n_…and {more} more; ask about one dispute or date for the rest._"
            ));
            break;
        }
    }
    truncate(&out, budget)
}

/// A fact as text: `(header, answer and notes, sources line)`.
fn fact_parts(f: &FactAnswer) -> (String, String, String) {
    let head = format!(
        "**{}** · as of {}\n",
        escape_markdown_label(&f.dispute_label),
        f.as_of
    );
    let mut body = f.answer.trim().to_string();
    if let Some(c) = &f.contested {
        body.push_str(&format!("\n_Note: {}_", c.trim().trim_matches('_')));
    }
    if f.stale {
        body.push_str("\n_This fact is past its review date and may be out of date._");
    }
    let mut tail = String::new();
    if !f.sources.is_empty() {
        let cites: Vec<String> = f.sources.iter().map(source_link).collect();
        tail = format!(
            "\n{}: {}",
            if cites.len() == 1 {
                "Source"
            } else {
                "Sources"
            },
            cites.join(" · ")
        );
    }
    (head, body, tail)
}

fn fact_block(f: &FactAnswer) -> String {
    let (head, body, tail) = fact_parts(f);
    format!("{head}{body}{tail}")
}

/// A fact cut to `room` characters: the answer is shortened, the header and whole source links
/// are kept (links that do not fit are dropped whole, never cut).
fn fact_block_within(f: &FactAnswer, room: usize) -> String {
    let (head, body, _) = fact_parts(f);
    let head = truncate(&head, room / 4);
    let mut tail = String::new();
    let tail_room = room / 3;
    for (i, s) in f.sources.iter().enumerate() {
        let cite = source_link(s);
        let piece = if i == 0 {
            format!("\nSource: {cite}")
        } else {
            format!(" · {cite}")
        };
        if tail.chars().count() + piece.chars().count() > tail_room {
            break;
        }
        tail.push_str(&piece);
    }
    let body_room = room.saturating_sub(head.chars().count() + tail.chars().count());
    format!("{head}{}{tail}", truncate(&body, body_room))
}

/// "[Reuters, 17 Dec 2025](https://...)", or the plain citation when there is no usable URL.
pub fn source_link(s: &SourceRef) -> String {
    let label = format!("{}, {}", escape_markdown_label(&s.publisher), s.date);
    match s.url.as_deref().map(str::trim) {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            // A ')' or space would end the markdown link early.
            let url = url
                .replace(')', "%29")
                .replace('(', "%28")
                .replace(' ', "%20");
            format!("[{label}]({url})")
        }
        _ => label,
    }
}

/// Brackets would break a markdown link label.
fn escape_markdown_label(s: &str) -> String {
    s.replace('[', "(").replace(']', ")")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `s` to at most `max` characters, ending with "…" when it was cut. Prefers a word
/// boundary near the end so words stay whole.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = s.chars().take(max - 1).collect();
    let cut = match keep.rfind(char::is_whitespace) {
        // Only back off to a space if that loses little.
        Some(i) if keep[..i].chars().count() + 20 >= max => &keep[..i],
        _ => keep.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Cuts `s` to at most `max` bytes at a character boundary (custom ids are limited in
/// characters, bytes is the safer count).
fn cut_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The custom id of a related-question button: the question itself when it fits in 100, else
/// a hash of the whole question and as much of it as fits. [`question_from_id`] maps it back.
pub fn button_id(question: &str) -> String {
    let q = one_line(question);
    if BUTTON_PREFIX.len() + q.len() <= limits::CUSTOM_ID {
        return format!("{BUTTON_PREFIX}{q}");
    }
    let head = format!("{HASHED_PREFIX}{:08x}:", fnv1a(&q));
    let room = limits::CUSTOM_ID - head.len();
    format!("{head}{}", cut_bytes(&q, room))
}

/// What a button's custom id says: `None` if it is not one of ours; otherwise the question, or
/// for a long one its hash and first characters (see [`resolve_hashed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonQuestion {
    Whole(String),
    Hashed { hash: u32, head: String },
}

pub fn question_from_id(custom_id: &str) -> Option<ButtonQuestion> {
    if let Some(q) = custom_id.strip_prefix(BUTTON_PREFIX) {
        return Some(ButtonQuestion::Whole(q.to_string()));
    }
    let rest = custom_id.strip_prefix(HASHED_PREFIX)?;
    let (hash, head) = rest.split_once(':')?;
    let hash = u32::from_str_radix(hash, 16).ok()?;
    Some(ButtonQuestion::Hashed {
        hash,
        head: head.to_string(),
    })
}

/// The whole question behind a hashed id: the candidate whose hash matches, else the head (a
/// cut question still finds the same fact nearly always).
pub fn resolve_hashed(hash: u32, head: &str, candidates: &[String]) -> String {
    candidates
        .iter()
        .map(|c| one_line(c))
        .find(|c| fnv1a(c) == hash)
        .unwrap_or_else(|| head.to_string())
}

/// FNV-1a: stable across builds and restarts, unlike std's hasher.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Autocomplete choices: at most 25, each name and value within 100 characters, no empties.
pub fn autocomplete_choices(suggestions: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in suggestions {
        let s = truncate(one_line(&s).trim(), limits::AUTOCOMPLETE_TEXT);
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
        if out.len() == limits::AUTOCOMPLETE_CHOICES {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Decline;

    fn fact(answer: &str, sources: usize) -> FactAnswer {
        FactAnswer {
            id: "f".into(),
            question: Some("Why are doctors striking?".into()),
            dispute: "resident-2025".into(),
            dispute_label: "2025–26 resident doctors' dispute".into(),
            answer: answer.into(),
            as_of: "17 Dec 2025".into(),
            confidence: 0.9,
            sources: (0..sources)
                .map(|i| SourceRef {
                    publisher: format!("Reuters {i}"),
                    headline: None,
                    date: "17 Dec 2025".into(),
                    url: Some(format!("https://example.org/a_(b)/{i}")),
                })
                .collect(),
            stale: false,
            contested: None,
        }
    }

    fn answer(facts: Vec<FactAnswer>, suggestions: Vec<String>) -> Answer {
        Answer {
            question: "why are doctors striking?".into(),
            answered: !facts.is_empty(),
            answer: Some("x".into()),
            text: "x".into(),
            confidence: 0.9,
            facts,
            suggestions,
            notices: Vec::new(),
            declined: None,
            help: None,
            introduction: false,
        }
    }

    #[test]
    fn answered_embed_has_links_and_as_of() {
        let r = Reply::from_answer(&answer(vec![fact("Pay.", 1)], vec!["Q1?".into()]));
        assert!(r.embed.description.contains("as of 17 Dec 2025"));
        assert!(r
            .embed
            .description
            .contains("[Reuters 0, 17 Dec 2025](https://example.org/a_%28b%29/0)"));
        assert_eq!(r.buttons.len(), 1);
        assert_eq!(r.buttons[0].custom_id, "sf:ask:Q1?");
    }

    #[test]
    fn a_single_source_gets_a_link_button_and_several_do_not() {
        let one = Reply::from_answer(&answer(vec![fact("Pay.", 1)], vec![]));
        let link = one.source.clone().expect("a link button");
        assert_eq!(link.url, "https://example.org/a_(b)/0");
        assert!(link.label.starts_with("Source"));
        assert_eq!(one.components().len(), 1);
        let two = Reply::from_answer(&answer(vec![fact("Pay.", 2)], vec![]));
        assert!(two.source.is_none());
        let mut helped = answer(vec![fact("Pay.", 1)], vec!["Q?".into()]);
        helped.help = Some(Help::Emergency);
        let r = Reply::from_answer(&helped);
        assert!(r.buttons.is_empty());
        assert_eq!(r.embed.colour, EMERGENCY_COLOUR);
    }

    #[test]
    fn the_title_is_the_display_question_never_the_question_as_typed() {
        let mut a = answer(vec![fact("Pay.", 1)], vec![]);
        a.question = "@everyone ||why|| [x](https://evil.example)".into();
        let r = Reply::from_answer(&a);
        assert_eq!(r.embed.title, "Why are doctors striking?");
        a.facts[0].question = None;
        assert_eq!(Reply::from_answer(&a).embed.title, "");
    }

    #[test]
    fn huge_answers_stay_within_limits_and_keep_links_whole() {
        let facts: Vec<_> = (0..40).map(|_| fact(&"word ".repeat(300), 5)).collect();
        let long_q = "why ".repeat(200);
        let mut a = answer(facts, vec![long_q.clone(); 5]);
        a.question = long_q;
        a.notices = vec!["notice ".repeat(2000)];
        let r = Reply::from_answer(&a);
        assert!(r.embed.description.chars().count() <= limits::EMBED_DESCRIPTION);
        assert!(r.embed.title.chars().count() <= limits::EMBED_TITLE);
        assert!(r.embed.total_chars() <= limits::EMBED_TOTAL);
        assert!(r.embed.description.contains("more; ask about one dispute"));
        // Every opened link is closed.
        assert_eq!(
            r.embed.description.matches("](").count(),
            r.embed.description.matches("](https://").count()
        );
        assert_eq!(r.buttons.len(), 3);
        for b in &r.buttons {
            assert!(b.label.chars().count() <= limits::BUTTON_LABEL);
            assert!(b.custom_id.len() <= limits::CUSTOM_ID);
        }
    }

    #[test]
    fn single_huge_fact_is_cut_cleanly() {
        let r = Reply::from_answer(&answer(vec![fact(&"é".repeat(9000), 1)], vec![]));
        let d = &r.embed.description;
        assert!(d.chars().count() <= limits::EMBED_DESCRIPTION);
        // The answer is cut, the header and the source link are kept whole.
        assert!(d.starts_with("**2025–26 resident doctors' dispute** · as of 17 Dec 2025"));
        assert!(d.contains("é…"));
        assert!(d.ends_with("(https://example.org/a_%28b%29/0)"));
    }

    #[test]
    fn declined_uses_the_text() {
        let mut a = answer(vec![], vec!["When is the next strike?".into()]);
        a.answered = false;
        a.declined = Some(Decline::Unknown);
        a.text = "I don't know that.".into();
        let r = Reply::from_answer(&a);
        assert_eq!(r.embed.description, "I don't know that.");
        assert_eq!(r.buttons[0].label, "When is the next strike?");
    }

    #[test]
    fn button_ids_round_trip() {
        let short = "When is the next strike?";
        assert_eq!(
            question_from_id(&button_id(short)),
            Some(ButtonQuestion::Whole(short.into()))
        );
        let long = format!("What did {}say?", "the health secretary ".repeat(8));
        let id = button_id(&long);
        assert!(id.len() <= limits::CUSTOM_ID);
        match question_from_id(&id) {
            Some(ButtonQuestion::Hashed { hash, head }) => {
                assert!(long.starts_with(&head));
                let found = resolve_hashed(hash, &head, &["other".into(), long.clone()]);
                assert_eq!(found, long);
                assert_eq!(resolve_hashed(hash, &head, &[]), head);
            }
            other => panic!("expected a hashed id, got {other:?}"),
        }
        assert_eq!(question_from_id("something:else"), None);
        // Multi-byte text is cut at a character boundary.
        let id = button_id(&"ü".repeat(100));
        assert!(id.len() <= limits::CUSTOM_ID);
    }

    #[test]
    fn truncate_marks_cuts() {
        assert_eq!(truncate("short", 10), "short");
        let t = truncate("one two three four five six", 12);
        assert!(t.chars().count() <= 12 && t.ends_with('…'));
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn autocomplete_is_capped() {
        let many: Vec<String> = (0..60)
            .map(|i| format!("{i} {}", "q".repeat(150)))
            .collect();
        let c = autocomplete_choices(many);
        assert_eq!(c.len(), 25);
        assert!(c.iter().all(|s| s.chars().count() <= 100));
    }

    #[test]
    fn notice_has_no_embed() {
        let r = Reply::notice("slow down");
        assert!(r.create_embed().is_none());
        assert_eq!(r.content.as_deref(), Some("slow down"));
    }
}
