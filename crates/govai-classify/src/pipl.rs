//! PIPL Art. 28 sensitive categories by lexicon with context: a term (`确诊`, `宗教信仰`,
//! `指纹信息`...) is reported only when a personal anchor is near: an anchor word (`患者`,
//! `本人`, `他`...) or a finding that identifies a person (name, ID, phone...). Policy texts that
//! merely name the categories stay unflagged.

use super::Cand;
use super::lexicon::{Hit, Lexicon, Tag};
use super::types::EntityType;

const STRONG: f32 = 0.45;
const WEAK: f32 = 0.3;
const ANCHOR_BOOST: f32 = 0.3;

/// Types whose findings anchor a PIPL term to a person.
pub(crate) fn identifies_person(t: EntityType) -> bool {
    matches!(
        t,
        EntityType::Person
            | EntityType::CnResidentId
            | EntityType::CnMobile
            | EntityType::CnLandline
            | EntityType::CnPassport
            | EntityType::HkMacauPermit
            | EntityType::Hkid
            | EntityType::BankCard
            | EntityType::Email
            | EntityType::CnPlate
            | EntityType::Address
    )
}

/// Lexicon candidates (unscored for anchors yet). Terms in an enumeration (`生物识别、宗教信仰`)
/// name categories, not facts, and statistics (`确诊病例`, `患病人数`) are not about a person:
/// both are skipped.
pub(crate) fn scan(t: &str, hits: &[Hit], lx: &Lexicon, out: &mut Vec<Cand>) {
    let is_pipl = |h: &Hit| lx.tags(h.pattern).iter().any(|t| matches!(t, Tag::Pipl(..)));
    let skipped = |h: &Hit| {
        let before = t[..h.start].chars().next_back();
        let after = &t[h.end..];
        before == Some('、')
            || after.starts_with('、')
            || ["病例", "人数", "率", "数据", "统计"].iter().any(|w| after.starts_with(w))
    };
    // Skipped spans sorted by start, with the running maximum of their ends.
    let mut skip_starts = Vec::new();
    let mut skip_max_end = Vec::new();
    for h in hits.iter().filter(|h| is_pipl(h) && skipped(h)) {
        let prev = skip_max_end.last().copied().unwrap_or(0);
        skip_starts.push(h.start);
        skip_max_end.push(prev.max(h.end));
    }
    for h in hits {
        // Skipped terms take the terms inside them along (`行踪轨迹、` skips `轨迹`).
        let k = skip_starts.partition_point(|&s| s <= h.start);
        if k > 0 && skip_max_end[k - 1] >= h.end {
            continue;
        }
        for tag in lx.tags(h.pattern) {
            if let Tag::Pipl(ty, strong) = *tag {
                let mut c = Cand::new(ty, h.start, h.end, if strong { STRONG } else { WEAK });
                c.contextual = false;
                c.needs_anchor = true;
                out.push(c);
            }
        }
    }
}

/// Raise the score of anchored candidates. `anchors` are byte spans of anchor words and of
/// person-identifying findings, sorted by start. The anchor must be in the same sentence.
pub(crate) fn apply_anchors(t: &str, cands: &mut [Cand], anchors: &[(usize, usize)], window: usize) {
    for c in cands.iter_mut().filter(|c| c.needs_anchor) {
        let (lo, hi) = super::sentence_window(t, c.start, c.end, window);
        let first = anchors.partition_point(|a| a.0 < lo);
        let anchored = anchors[first..]
            .iter()
            .take_while(|a| a.0 < hi)
            .any(|a| a.1 <= hi && (a.1 <= c.start || a.0 >= c.end || (a.0 <= c.start && a.1 >= c.end)));
        if anchored {
            c.score += ANCHOR_BOOST;
        }
    }
}

/// Anchor words from the lexicon hits.
pub(crate) fn anchor_words(hits: &[Hit], lx: &Lexicon) -> Vec<(usize, usize)> {
    hits.iter().filter(|h| lx.tags(h.pattern).contains(&Tag::Anchor)).map(|h| (h.start, h.end)).collect()
}
