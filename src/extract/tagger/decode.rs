//! Greedy left-to-right decoding: each token gets the best-scoring tag given the tags
//! already chosen before it, among the tags that may follow them (`I-X` only after `B-X` or
//! `I-X`).
//!
//! Only tokens that can matter are scored ([`can_matter`]): a capitalised word, or a word
//! inside a name under way that a capitalised word follows closely ("Bank *of* England",
//! "Nikolaus *van der* Pas"). The rest are `O` without a look at the model: in running text
//! that is most tokens, and the bulk of the time saved.

use super::features::{Features, NUM_FEATURES, TokenInfo};
use super::{NUM_TAGS, O, START};

/// Something that scores feature keys per tag: the shipped [`super::model::Model`], or the
/// weights while training.
pub(crate) trait Scorer {
    /// Writes each tag's score of `features` into `scores`.
    fn score(&self, features: &[u32], scores: &mut [i32; NUM_TAGS]);
}

impl Scorer for super::model::Model {
    fn score(&self, features: &[u32], scores: &mut [i32; NUM_TAGS]) {
        super::model::Model::score(self, features, scores);
    }
}

/// Whether `tag` may follow `prev`: an inside tag continues a name of its own type.
#[inline]
pub(crate) fn may_follow(prev: u8, tag: u8) -> bool {
    tag == O || tag % 2 == 1 || (prev != O && prev != START && prev.div_ceil(2) == tag.div_ceil(2))
}

/// Whether token `i` of `sentence` (padded: token `i` is `sentence[i + 2]`) is worth
/// scoring, `prev` being the tag chosen for the token before.
#[inline]
pub(crate) fn can_matter(sentence: &[TokenInfo], i: usize, prev: u8) -> bool {
    let t = &sentence[i + 2];
    t.is_capitalised
        || (prev != O && prev != START && (sentence[i + 3].is_capitalised || sentence[i + 4].is_capitalised))
}

/// Whether a sentence is written in capitals (a headline, a wire slug): most of its words
/// with letters have no lower-case one.
pub(crate) fn is_upper_sentence(sentence: &[TokenInfo]) -> bool {
    let (mut letters, mut upper) = (0, 0);
    for t in sentence.iter().filter(|t| t.has_letter) {
        letters += 1;
        upper += usize::from(t.is_upper);
    }
    letters >= 2 && upper * 5 >= letters * 4
}

/// Tags a padded sentence of `n` tokens into `tags` (cleared first), and returns how many
/// tokens were scored. `step` sees each scored token's features and chosen tag (training
/// learns there).
pub(crate) fn decode(
    scorer: &impl Scorer,
    sentence: &[TokenInfo],
    tags: &mut Vec<u8>,
    mut step: impl FnMut(usize, &[u32; NUM_FEATURES], u8),
) -> usize {
    tags.clear();
    let n = sentence.len().saturating_sub(4);
    let upper = is_upper_sentence(&sentence[2..2 + n]);
    let mut features = [0u32; NUM_FEATURES];
    let mut scores = [0i32; NUM_TAGS];
    let mut scored = 0;
    let (mut p1, mut p2) = (START, START);
    for i in 0..n {
        let tag = if can_matter(sentence, i, p1) {
            scored += 1;
            Features::of(sentence, i, [p1, p2], upper, &mut features);
            scorer.score(&features, &mut scores);
            let mut best = O;
            for t in 1..NUM_TAGS as u8 {
                if may_follow(p1, t) && scores[usize::from(t)] > scores[usize::from(best)] {
                    best = t;
                }
            }
            step(i, &features, best);
            best
        } else {
            O
        };
        tags.push(tag);
        (p2, p1) = (p1, tag);
    }
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_tags_only_continue_their_own_type() {
        // 1 B-PER, 2 I-PER, 3 B-ORG, 4 I-ORG.
        assert!(may_follow(1, 2) && may_follow(2, 2));
        assert!(!may_follow(O, 2) && !may_follow(START, 2) && !may_follow(3, 2) && !may_follow(2, 4));
        assert!(may_follow(2, 3) && may_follow(O, 1) && may_follow(4, O));
    }

    #[test]
    fn lower_case_words_are_scored_only_inside_a_name() {
        let none = |_| 0;
        let pad = TokenInfo::padding(0);
        let words = ["Bank", "of", "England", "said", "so"];
        let mut s = vec![pad, pad];
        s.extend(words.iter().map(|w| TokenInfo::new(w, none)));
        s.extend([pad, pad]);
        assert!(can_matter(&s, 0, START));
        assert!(can_matter(&s, 1, 3), "\"of\" after an organisation's first word");
        assert!(!can_matter(&s, 1, O));
        assert!(!can_matter(&s, 3, 4), "no capital follows \"said\"");
    }

    #[test]
    fn headlines_are_upper_sentences() {
        let none = |_| 0;
        let info = |text: &str| text.split(' ').map(|w| TokenInfo::new(w, none)).collect::<Vec<_>>();
        assert!(is_upper_sentence(&info("SOCCER - JAPAN GET LUCKY WIN")));
        assert!(!is_upper_sentence(&info("NATO and the EU met in Brussels")));
    }
}
