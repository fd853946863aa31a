//! Datelines: the place a report was filed from.
//!
//! Wire records carry it as a field (`"dateline": "SALVADOR, Feb 26"`, read by [`place`]);
//! plain-text and Markdown stories often open with it (`MOSCOW, July 3 (Reuters) - …`,
//! `KYIV (AP) — …`, `WASHINGTON — …`), read by [`from_body`]. The body keeps its dateline:
//! this module only names the place, and [`crate::Extractor`] decides whether it is a known one.
//!
//! Reading a body is deliberately conservative, because a wrong dateline makes a wrong place:
//! the body must open with 1 to [`MAX_PLACE_WORDS`] words written in capitals (`NEW YORK`) or
//! Title-Case (`Kyiv`), followed by a comma and a date, or by an agency in parentheses, and
//! then by a dash. A place alone before a dash must be written in capitals (`WASHINGTON —`),
//! since a Title-Case word and a dash is as often a sentence (`Officials - …`).

/// Most words a dateline place may have ("DAR ES SALAAM", "RIO DE JANEIRO").
pub const MAX_PLACE_WORDS: usize = 4;

/// Longest agency name in parentheses (`(Reuters)`, `(AP)`, `(Agence France-Presse)`).
const MAX_AGENCY_CHARS: usize = 40;

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

/// Lower-case words allowed inside a Title-Case place ("Dar es Salaam", "Rio de Janeiro").
const PARTICLES: &[&str] = &["de", "es", "al", "el", "la", "of", "du", "do", "da"];

/// The place of a dateline field: its parts up to the date or an agency (`"MOSCOW, July 3"` →
/// `MOSCOW`, `"SAN MATEO, Calif., March 2"` → `SAN MATEO, Calif.`), or `None` when empty.
pub fn place(dateline: &str) -> Option<String> {
    let head = dateline.split('(').next().unwrap_or_default();
    let parts: Vec<&str> = head
        .split(',')
        .map(|p| p.trim().trim_end_matches(['-', '—', '–']).trim())
        .take_while(|p| !is_date(p))
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Whether a dateline part is a date ("March 2", "2 March", "1987").
fn is_date(part: &str) -> bool {
    let is_number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let is_month = |w: &str| MONTHS.contains(&w.trim_end_matches('.').to_lowercase().as_str());
    let words: Vec<&str> = part.split_whitespace().collect();
    !words.is_empty()
        && (words.iter().all(|w| is_number(w))
            || words.len() <= 3 && words.iter().any(|w| is_month(w)) && words.iter().any(|w| is_number(w)))
}

/// The place of a dateline that opens `body`, if the body opens with one (see the module docs).
pub fn from_body(body: &str) -> Option<String> {
    let text = body.trim_start();
    let (place, rest, all_caps) = read_place(text)?;
    let mut rest = rest;
    let mut qualified = false;
    // ", July 3" / ", 3 July" / ", March 3, 2025"
    if let Some(after) = rest.strip_prefix(',') {
        rest = read_date(after)?;
        qualified = true;
    }
    // " (Reuters)"
    if let Some(after) = rest.trim_start().strip_prefix('(') {
        let close = after.find(')')?;
        let agency = &after[..close];
        if agency.is_empty() || agency.len() > MAX_AGENCY_CHARS || !agency.starts_with(char::is_uppercase) {
            return None;
        }
        rest = &after[close + 1..];
        qualified = true;
    }
    if !(qualified || all_caps) {
        return None;
    }
    // The dash: "-", "--", "—" or "–", with a space or the text after it.
    let rest = rest.trim_start_matches([' ', '\t']);
    let after = rest.strip_prefix("--").or_else(|| rest.strip_prefix(['-', '—', '–']))?;
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some(place.to_string())
}

/// Reads the place words at the start of `text`: (place, the rest, whether ALL-CAPS).
fn read_place(text: &str) -> Option<(&str, &str, bool)> {
    let mut end = 0usize;
    let mut words = 0usize;
    let mut all_caps = true;
    let mut last_was_particle = false;
    loop {
        let rest = &text[end..];
        let word_len = rest
            .find(|c: char| !(c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-' | '/')))
            .unwrap_or(rest.len());
        let word = &rest[..word_len];
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        let is_caps = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
        let is_title = letters.first().is_some_and(|c| c.is_uppercase())
            && letters.iter().skip(1).all(|c| c.is_lowercase())
            && letters.len() >= 2;
        let is_particle = words > 0 && PARTICLES.contains(&word.to_lowercase().as_str());
        if word.is_empty() || !(is_caps || is_title || is_particle) {
            break;
        }
        if !is_particle || is_caps {
            words += 1;
        }
        all_caps &= is_caps || is_particle;
        last_was_particle = is_particle && !is_caps;
        end += word_len;
        if words > MAX_PLACE_WORDS {
            return None;
        }
        // Words are separated by one space; anything else ends the place.
        match text[end..].strip_prefix(' ') {
            Some(next) if next.starts_with(char::is_alphabetic) => end += 1,
            _ => break,
        }
    }
    // A trailing space may have been taken before a word that was not part of the place.
    let place = text[..end].trim_end();
    if words == 0 || last_was_particle {
        return None;
    }
    let place = place.trim_end_matches(['-', '/']);
    // The rest must start right after the place's last word, not after a lower-case word.
    let rest = &text[place.len()..];
    let next = rest.trim_start_matches(' ');
    if !(next.starts_with([',', '(', '-', '—', '–'])) {
        return None;
    }
    Some((place, rest.trim_start_matches(' '), all_caps))
}

/// Reads " July 3", " 3 July", " Feb. 26, 1987" after the comma; returns the text after it.
fn read_date(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let word_end = |s: &str| s.find(|c: char| !(c.is_alphanumeric() || c == '.')).unwrap_or(s.len());
    let first_end = word_end(text);
    let first = &text[..first_end];
    let rest = text[first_end..].trim_start_matches(' ');
    let second_end = word_end(rest);
    let second = &rest[..second_end];
    let is_month = |w: &str| MONTHS.contains(&w.trim_end_matches('.').to_lowercase().as_str());
    let is_day = |w: &str| !w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit());
    if !(is_month(first) && is_day(second) || is_day(first) && is_month(second)) {
        return None;
    }
    let mut rest = &rest[second_end..];
    // An optional year: ", 2025" or " 2025".
    let after_sep = rest.strip_prefix(',').unwrap_or(rest).trim_start_matches(' ');
    let year_end = after_sep.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_sep.len());
    if year_end == 4 {
        rest = &after_sep[4..];
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    //! Each dateline shape, the field form, and openings that are not datelines.
    use super::*;

    #[test]
    fn a_dateline_field_keeps_the_place() {
        assert_eq!(place("SALVADOR, Feb 26").as_deref(), Some("SALVADOR"));
        assert_eq!(place("WASHINGTON, March 3").as_deref(), Some("WASHINGTON"));
        assert_eq!(place("Kyiv").as_deref(), Some("Kyiv"));
        assert_eq!(place(" , March 3"), None);
        assert_eq!(place("SAN MATEO, Calif., March 2").as_deref(), Some("SAN MATEO, Calif."));
        assert_eq!(place("TAUPO, New Zealand, March 23 (Reuters)").as_deref(), Some("TAUPO, New Zealand"));
    }

    #[test]
    fn a_place_a_date_an_agency_and_a_dash() {
        assert_eq!(from_body("MOSCOW, July 3 (Reuters) - Russia said…").as_deref(), Some("MOSCOW"));
        assert_eq!(from_body("NEW YORK, Feb. 26, 1987 (Reuters) -- Stocks fell.").as_deref(), Some("NEW YORK"));
        assert_eq!(from_body("Moscow, 3 July (Reuters) — Talks ended.").as_deref(), Some("Moscow"));
    }

    #[test]
    fn a_place_and_a_date_then_a_dash() {
        assert_eq!(from_body("WASHINGTON, March 3 - The talks went on.").as_deref(), Some("WASHINGTON"));
        assert_eq!(from_body("Dar es Salaam, March 3 – Talks.").as_deref(), Some("Dar es Salaam"));
    }

    #[test]
    fn a_place_and_an_agency_then_a_dash() {
        assert_eq!(from_body("KYIV (AP) — Ukraine's president said").as_deref(), Some("KYIV"));
        assert_eq!(from_body("Kyiv (AP) — Ukraine's president said").as_deref(), Some("Kyiv"));
        assert_eq!(from_body("  UNITED NATIONS (Reuters) - The council met.").as_deref(), Some("UNITED NATIONS"));
    }

    #[test]
    fn a_capitalised_place_alone_before_a_dash() {
        assert_eq!(from_body("WASHINGTON — President Trump said").as_deref(), Some("WASHINGTON"));
        assert_eq!(from_body("RIO DE JANEIRO -- Brazil said").as_deref(), Some("RIO DE JANEIRO"));
    }

    #[test]
    fn ordinary_openings_are_not_datelines() {
        assert_eq!(from_body("US officials said on Monday that talks would resume."), None);
        assert_eq!(from_body("Officials - who asked not to be named - said"), None);
        assert_eq!(from_body("Russian President Vladimir Putin said, July 3 - no."), None);
        assert_eq!(from_body("THE WHITE HOUSE SAID ON MONDAY - THAT"), None);
        assert_eq!(from_body("Putin, Trump and Xi met - again."), None);
        assert_eq!(from_body("Moscow - the city - was calm."), None);
        assert_eq!(from_body("WASHINGTON-based officials said"), None);
        assert_eq!(from_body(""), None);
    }
}
