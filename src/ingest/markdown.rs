//! Markdown reports: front matter and a `# Heading`.
//!
//! Front matter is either YAML-style between `---` lines (`key: value`, quotes stripped; only
//! flat keys are read) or TOML between `+++` lines. Known keys fill fields as in plain text
//! ([`super::text`]); others are ignored. Without a title, the first `# Heading` is the title
//! and leaves the body. Front matter that never closes is reported as a warning and the whole
//! file is indexed as body, so nothing is lost.

use super::text::Header;
use super::{Parsed, Warning};
use crate::Report;

/// Parses a Markdown report.
pub fn parse(rel: &str, text: &str) -> Parsed {
    let text = super::normalize_newlines(text);
    let mut report = Report::new(rel, "");
    let mut warnings = Vec::new();
    let mut body: &str = &text;

    let trimmed = text.trim_start();
    for (fence, toml_style) in [("---", false), ("+++", true)] {
        let Some(rest) = trimmed.strip_prefix(fence).and_then(|r| r.strip_prefix('\n')) else {
            continue;
        };
        match find_closing(rest, fence) {
            Some((matter, after)) => {
                if toml_style {
                    front_matter_toml(matter, &mut report, rel, &mut warnings);
                } else {
                    front_matter_yaml(matter, &mut report);
                }
                body = after;
            }
            None => warnings.push(Warning {
                path: rel.to_string(),
                message: format!("front matter opened with {fence} is never closed; indexed the whole file as body"),
            }),
        }
        break;
    }

    let mut lines: Vec<&str> = body.lines().collect();
    if report.title.is_none() {
        if let Some(i) = lines.iter().position(|l| !l.trim().is_empty())
            && let Some(heading) = lines[i].trim().strip_prefix("# ")
        {
            report.title = Some(heading.trim().to_string());
            lines.remove(i);
        }
    } else if let Some(i) = lines.iter().position(|l| !l.trim().is_empty()) {
        // A heading that repeats the front-matter title would be indexed twice.
        if lines[i].trim().strip_prefix("# ").is_some_and(|h| Some(h.trim()) == report.title.as_deref()) {
            lines.remove(i);
        }
    }
    report.body = lines.join("\n").trim().to_string();
    Parsed { reports: vec![report], warnings, ..Parsed::default() }
}

/// Splits `rest` at a line consisting of `fence`: (front matter, text after the fence line).
fn find_closing<'a>(rest: &'a str, fence: &str) -> Option<(&'a str, &'a str)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn front_matter_yaml(matter: &str, report: &mut Report) {
    let mut pending_list: Option<Header> = None;
    for line in matter.lines() {
        // `authors:` followed by `- Name` items.
        if let (Some(header), Some(item)) = (pending_list, line.trim_start().strip_prefix("- ")) {
            header.fill(report, unquote(item));
            continue;
        }
        pending_list = None;
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let Some(header) = Header::from_key(key) else { continue };
        let value = value.trim();
        if value.is_empty() {
            pending_list = Some(header);
        } else if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let names: Vec<&str> = list.split(',').map(unquote).filter(|s| !s.is_empty()).collect();
            header.fill(report, &names.join(", "));
        } else {
            header.fill(report, unquote(value));
        }
    }
}

fn front_matter_toml(matter: &str, report: &mut Report, rel: &str, warnings: &mut Vec<Warning>) {
    let table: toml::Table = match matter.parse() {
        Ok(table) => table,
        Err(e) => {
            warnings.push(Warning { path: rel.to_string(), message: format!("TOML front matter: {}", e.message()) });
            return;
        }
    };
    for (key, value) in &table {
        let Some(header) = Header::from_key(key) else { continue };
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        };
        header.fill(report, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Report {
        parse("a.md", text).reports.remove(0)
    }

    #[test]
    fn yaml_front_matter_fills_fields() {
        let r = one(
            "---\ntitle: \"Ceasefire holds\"\nauthor: Ana Ruiz\ndate: 2025-10-10\nsource: Desk\ntags: [x]\n---\n\n# Ceasefire holds\n\nThe truce held.\n",
        );
        assert_eq!(r.title.as_deref(), Some("Ceasefire holds"));
        assert_eq!(r.author.as_deref(), Some("Ana Ruiz"));
        assert_eq!(r.date.as_deref(), Some("2025-10-10"));
        assert_eq!(r.source.as_deref(), Some("Desk"));
        assert_eq!(r.body, "The truce held.");
    }

    #[test]
    fn toml_front_matter_fills_fields() {
        let r = one("+++\ntitle = \"Summit\"\ndate = 2025-08-15\nauthors = [\"A\", \"B\"]\n+++\nText.");
        assert_eq!(r.title.as_deref(), Some("Summit"));
        assert_eq!(r.date.as_deref(), Some("2025-08-15"));
        assert_eq!(r.author.as_deref(), Some("A, B"));
        assert_eq!(r.body, "Text.");
    }

    #[test]
    fn heading_is_the_title_without_front_matter() {
        let r = one("# Talks in Istanbul\n\nDelegations met.");
        assert_eq!(r.title.as_deref(), Some("Talks in Istanbul"));
        assert_eq!(r.body, "Delegations met.");
    }

    #[test]
    fn yaml_list_of_authors() {
        let r = one("---\nauthors:\n  - A One\n  - B Two\n---\nText.");
        assert_eq!(r.author.as_deref(), Some("A One"));
    }

    #[test]
    fn unclosed_front_matter_keeps_the_text_and_warns() {
        let parsed = parse("a.md", "---\ntitle: x\nThe body goes on.");
        assert_eq!(parsed.warnings.len(), 1);
        assert!(parsed.reports[0].body.contains("The body goes on."));
    }
}
