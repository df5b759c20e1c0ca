//! The index as bytes, to keep on disk and read back instead of building it again (see
//! [`crate::index_cache`]). Building analyses every text of every fact, about 1.5 s at 10,000
//! facts; reading the stored index back takes a small part of that.
//!
//! The bytes carry a SHA-256 digest of themselves, so a truncated or damaged file is refused
//! rather than read into an index that could point outside itself.

use sha2::{Digest, Sha256};

use super::Matcher;
use crate::knowledge::KnowledgeBase;

/// What the bytes start with: the format's name and version. A change to the index's layout
/// changes the program, and so the key it is stored under (see `index_cache`); this catches a
/// file that is not a stored index at all.
const MAGIC: &[u8] = b"strikefacts index 1\n";

impl Matcher {
    /// The index as bytes (without the lexicon and calibration: they are the fact base's).
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, postcard::Error> {
        let body = postcard::to_stdvec(self)?;
        let mut out = Vec::with_capacity(MAGIC.len() + 32 + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&Sha256::digest(&body));
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// The index stored by [`Matcher::to_bytes`] for fact base `kb`, or None when the bytes are
    /// not an intact stored index of as many facts as `kb` serves.
    pub(crate) fn from_bytes(bytes: &[u8], kb: &KnowledgeBase) -> Option<Matcher> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let (digest, body) = rest.split_at_checked(32)?;
        if Sha256::digest(body).as_slice() != digest {
            return None;
        }
        let mut m: Matcher = postcard::from_bytes(body).ok()?;
        if m.facts.len() != kb.served_facts().count() {
            return None;
        }
        m.lexicon = kb.lexicon.clone();
        m.calibration = kb.settings.calibration;
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> KnowledgeBase {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        KnowledgeBase::load(&dir).expect("the bundled fact base loads")
    }

    #[test]
    fn a_stored_index_reads_back_as_the_same_index() {
        let kb = kb();
        let built = crate::Engine::new(kb.clone());
        let bytes = built.matcher().to_bytes().expect("stores");
        let matcher = Matcher::from_bytes(&bytes, &kb).expect("reads back");
        let read = crate::Engine::with_index(kb.clone(), matcher);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        // Every phrasing, and each with a typo, gets the same answer with the same confidence.
        let questions = kb.served_facts().flat_map(|f| &f.phrasings).flat_map(|p| {
            let typo: String = p.chars().filter(|c| *c != 'e').collect();
            [p.clone(), typo]
        });
        for q in questions {
            let (a, b) = (built.ask(&q, today), read.ask(&q, today));
            assert_eq!((&a.text, a.confidence), (&b.text, b.confidence), "{q}");
        }
    }

    #[test]
    fn damaged_or_foreign_bytes_are_refused() {
        let kb = kb();
        let bytes = Matcher::build(&kb).to_bytes().expect("stores");
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(Matcher::from_bytes(&flipped, &kb).is_none());
        assert!(Matcher::from_bytes(&bytes[..bytes.len() / 2], &kb).is_none());
        assert!(Matcher::from_bytes(b"not an index", &kb).is_none());
    }
}
