//! People: every person the name tagger ([`super::tagger`]) finds in a report, one entry a
//! person.
//!
//! Within a report, a shorter mention joins a longer one when it ends with the same word
//! and all its words are in the longer one ("Putin" and "Vladimir Putin", "Mr Ushakov"'s
//! "Ushakov" and "Yuri Ushakov"); the entry is named by its longest form and counts every
//! mention. Words compare case-insensitively, so "PUTIN" in a headline is Putin. Matching a
//! leader's name or alias to the leader's canonical name is [`super::Extractor`]'s part.

/// A person of a report: the longest form it is written in, and its mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub name: String,
    pub count: u32,
    /// Index of the first mention, to keep report order among equals.
    pub first: usize,
}

/// Characters trimmed from the ends of a mention's words.
fn is_edge(c: char) -> bool {
    !c.is_alphanumeric() && c != '.'
}

/// The words of a mention, without edge punctuation or a possessive `'s`.
fn words(mention: &str) -> Vec<&str> {
    let mut words: Vec<&str> =
        mention.split_whitespace().map(|w| w.trim_matches(is_edge)).filter(|w| !w.is_empty()).collect();
    if let Some(last) = words.last_mut() {
        for suffix in ["'s", "’s", "'S", "’S"] {
            if let Some(stem) = last.strip_suffix(suffix) {
                *last = stem;
            }
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

fn same_word(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether a name has enough letters to be one (not "A." or a stray initial).
fn is_name(words: &[&str]) -> bool {
    words.iter().map(|w| w.chars().filter(|c| c.is_alphabetic()).count()).sum::<usize>() >= 2
}

/// One entry per person named by `mentions` (in text order), most mentioned first. With
/// `in_capitals_only_dropped`, a person written only in capitals is left out: in a report
/// whose text is in mixed case, such a "name" is a sign-off ("REUTER"), a slug or a
/// headline word, and a real person in a capitals headline is named again in the text.
pub(crate) fn people<'a>(mentions: impl IntoIterator<Item = &'a str>, in_capitals_only_dropped: bool) -> Vec<Person> {
    let mentions: Vec<Vec<&str>> = mentions.into_iter().map(words).filter(|w| is_name(w)).collect();
    // Longest first, so each shorter mention finds the fullest form it belongs to.
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(mentions[i].len()), i));
    // (words of the longest form, mentions, first mention, whether written in mixed case)
    let mut entries: Vec<(&[&str], u32, usize, bool)> = Vec::new();
    for i in order {
        let m = &mentions[i];
        let joins = |e: &[&str]| {
            m.last().zip(e.last()).is_some_and(|(a, b)| same_word(a, b))
                && m.iter().all(|w| e.iter().any(|x| same_word(w, x)))
        };
        match entries.iter_mut().find(|(e, _, _, _)| joins(e)) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 = entry.2.min(i);
                entry.3 |= !is_upper(m);
                // Of two forms of the same length, the one not in capitals names it.
                if entry.0.len() == m.len() && is_upper(entry.0) && !is_upper(m) {
                    entry.0 = m;
                }
            }
            None => entries.push((m, 1, i, !is_upper(m))),
        }
    }
    let mut people: Vec<Person> = entries
        .into_iter()
        .filter(|e| e.3 || !in_capitals_only_dropped)
        .map(|(words, count, first, _)| Person { name: words.join(" "), count, first })
        .collect();
    people.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    people
}

/// Whether a headline is in Title Case: three or more words of four letters or more (the
/// short ones are mostly function words, "and", "in", "of"), nearly all capitalised.
pub(crate) fn is_title_case(text: &str) -> bool {
    let (mut words, mut caps) = (0, 0);
    for word in text.split_whitespace().filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4) {
        words += 1;
        caps += usize::from(word.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_uppercase));
    }
    words >= 3 && caps * 5 >= words * 4
}

fn is_upper(words: &[&str]) -> bool {
    words.iter().all(|w| !w.chars().any(char::is_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(mentions: &[&str]) -> Vec<(String, u32)> {
        people(mentions.iter().copied(), false).into_iter().map(|p| (p.name, p.count)).collect()
    }

    #[test]
    fn surnames_join_the_full_name() {
        assert_eq!(
            names(&["Putin", "Vladimir Putin", "Trump", "Putin's", "Donald Trump", "Yuri Ushakov", "Ushakov"]),
            [("Vladimir Putin".to_string(), 3), ("Donald Trump".to_string(), 2), ("Yuri Ushakov".to_string(), 2)]
        );
    }

    #[test]
    fn different_people_stay_apart() {
        // Same first name, other surname; a first name alone is not a surname.
        assert_eq!(names(&["Anna Kovacs", "Anna Nowak", "Anna"]).len(), 3);
    }

    #[test]
    fn case_does_not_split_a_person_and_the_written_form_wins() {
        assert_eq!(names(&["PUTIN", "VLADIMIR PUTIN", "Vladimir Putin"]), [("Vladimir Putin".to_string(), 3)]);
    }

    #[test]
    fn in_mixed_case_text_a_name_only_in_capitals_is_dropped() {
        let mixed = people(["REUTER", "PUTIN", "Putin"], true);
        assert_eq!(mixed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Putin"]);
        assert_eq!(people(["REUTER"], false).len(), 1);
    }

    #[test]
    fn title_case_is_read_on_the_longer_words() {
        assert!(is_title_case("Putin and Trump Talk Iran and Ukraine in Hour-Long Call"));
        assert!(!is_title_case("NATO allies agree higher defence spending target"));
        assert!(!is_title_case("Putin calls Trump"));
    }

    #[test]
    fn stray_initials_and_punctuation_are_not_people() {
        assert_eq!(names(&["A.", "\"Putin\"", "-"]), [("Putin".to_string(), 1)]);
    }
}
