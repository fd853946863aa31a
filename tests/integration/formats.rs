//! The files people keep: legacy encodings, web pages, feeds, PDFs, duplicates — each read
//! with its fields and its body searchable; what is not read is counted by kind.

use attache::{Index, SearchRequest, SkipReason};

use crate::util::{TempCorpus, ids};

fn hits(index: &Index, query: &str) -> Vec<String> {
    let results = index.searcher().search(&SearchRequest::new(query)).expect("search");
    ids(&results).into_iter().map(String::from).collect()
}

fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let mut out = match (bom, little) {
        (false, _) => vec![],
        (true, true) => vec![0xff, 0xfe],
        (true, false) => vec![0xfe, 0xff],
    };
    out.extend(text.encode_utf16().flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }));
    out
}

#[test]
fn every_encoding_is_read_named_and_searchable() {
    let c = TempCorpus::new();
    let french =
        "TITLE: Visite à l'Élysée\n\nLe président a reçu le ministre des affaires étrangères à l'Élysée mardi.";
    let russian = "Президент провёл переговоры с премьер-министром в Москве, сообщил Кремль. ";
    c.write_bytes("fr/latin1.txt", &encoding_rs::WINDOWS_1252.encode(french).0);
    c.write_bytes("ru/koi8.txt", &encoding_rs::KOI8_R.encode(&format!("{russian}Переговоры шли три часа.")).0);
    c.write_bytes(
        "ru/cp1251.txt",
        &encoding_rs::WINDOWS_1251.encode(&format!("{russian}Стороны подписали меморандум.")).0,
    );
    c.write_bytes("win/le.txt", &utf16("Ministers met in Geneva on the sanctions dossier.", true, true));
    c.write_bytes("win/be.txt", &utf16("Envoys met in Vienna on the nuclear dossier.", false, true));
    c.write_bytes("win/nobom.txt", &utf16("Delegates met in Oslo on the fisheries dossier.", true, false));
    c.write_bytes("win/nobom_ru.txt", &utf16(&format!("{russian}Встреча прошла в Сочи."), false, false));
    c.write("plain.txt", "Plain UTF-8 stays as it is: Zürich.");
    let (index, summary) = c.sync();
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    let mut read_as: Vec<(String, String)> =
        summary.encodings.iter().map(|e| (e.path.clone(), e.encoding.clone())).collect();
    read_as.sort();
    assert_eq!(
        read_as,
        [
            ("fr/latin1.txt", "windows-1252"),
            ("ru/cp1251.txt", "windows-1251"),
            ("ru/koi8.txt", "KOI8-U"),
            ("win/be.txt", "UTF-16BE"),
            ("win/le.txt", "UTF-16LE"),
            ("win/nobom.txt", "UTF-16LE"),
            ("win/nobom_ru.txt", "UTF-16BE"),
        ]
        .map(|(p, e)| (p.to_string(), e.to_string()))
    );
    let article = index.searcher().article("fr/latin1.txt").expect("article");
    assert_eq!(article.report.title.as_deref(), Some("Visite à l'Élysée"));
    assert!(article.report.body.contains("Le président a reçu"));
    assert_eq!(hits(&index, "président"), ["fr/latin1.txt"]);
    assert_eq!(hits(&index, "меморандум"), ["ru/cp1251.txt"]);
    assert_eq!(hits(&index, "часа"), ["ru/koi8.txt"]);
    assert_eq!(hits(&index, "сочи"), ["win/nobom_ru.txt"]);
    assert_eq!(hits(&index, "Geneva"), ["win/le.txt"]);
    assert_eq!(hits(&index, "Vienna"), ["win/be.txt"]);
    assert_eq!(hits(&index, "fisheries"), ["win/nobom.txt"]);
}

#[test]
fn binary_files_are_skipped_by_content_and_other_kinds_counted() {
    let c = TempCorpus::new();
    c.write_bytes("nul.txt", b"text\0with a NUL");
    c.write_bytes("png.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    c.write_bytes("a.docx", b"PK\x03\x04");
    c.write_bytes("b.docx", b"PK\x03\x04");
    c.write_bytes("c.png", b"\x89PNG");
    c.write("catalog.xml", "<?xml version=\"1.0\"?><catalog><book/></catalog>");
    c.write("ok.txt", "One readable report about the summit.");
    let (index, summary) = c.sync();
    assert_eq!(index.num_reports(), 1);
    let kinds = summary.not_read_by_kind();
    assert_eq!(
        kinds,
        [(".docx".to_string(), 2), ("binary".into(), 2), (".png".into(), 1), ("XML, not a feed".into(), 1)]
    );
    assert_eq!(summary.ignored.len(), 3);
    let json = serde_json::to_value(&summary).expect("json");
    assert_eq!(json["ignored"][0]["kind"], ".docx");
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Sommet à Bruxelles – Le Quotidien</title>
<meta property="og:title" content="Sommet à Bruxelles">
<meta property="og:site_name" content="Le Quotidien">
<meta property="og:url" content="https://example.org/sommet">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Sommet à Bruxelles","datePublished":"2025-06-26T09:00:00+02:00",
"author":{"@type":"Person","name":"Claire Martin"},"publisher":{"@type":"Organization","name":"Le Quotidien"}}</script>
<script>window.trackingPixel = "zebrafish";</script><style>.x { color: red }</style></head>
<body><header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li><li><a href="/sport">Flamingo</a></li></ul></nav></header>
<div class="layout"><main><article class="story">
<h1>Sommet à Bruxelles</h1><p class="byline">Par Claire Martin</p>
<p>Les dirigeants européens se sont retrouvés jeudi à Bruxelles pour un sommet consacré à l'Ukraine, à la défense et au budget.</p>
<figure><img src="a.jpg"><figcaption>Les dirigeants posent pour la photo, lobsterclaw.</figcaption></figure>
<p>Après une longue nuit de négociations, ils ont adopté une déclaration commune, selon plusieurs diplomates présents.</p>
<div class="related"><h3>À lire aussi</h3><ul><li><a href="/a">Un autre article, pelican</a></li><li><a href="/b">Encore un autre</a></li></ul></div>
</article></main><aside>Les plus lus: walrus</aside></div>
<footer><p>© Le Quotidien. Tous droits réservés. Mentions légales, contact, narwhal.</p></footer></body></html>"#;

#[test]
fn a_web_page_gives_its_article_and_metadata() {
    let c = TempCorpus::new();
    c.write("web/sommet.html", PAGE);
    let (index, summary) = c.sync();
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    let r = index.searcher().article("web/sommet.html").expect("article").report;
    assert_eq!(r.title.as_deref(), Some("Sommet à Bruxelles"));
    assert_eq!(r.author.as_deref(), Some("Claire Martin"));
    assert_eq!(r.source.as_deref(), Some("Le Quotidien"));
    assert_eq!(r.date.as_deref(), Some("2025-06-26"));
    assert_eq!(r.url.as_deref(), Some("https://example.org/sommet"));
    assert_eq!(r.language.as_deref(), Some("fr"));
    assert!(r.body.starts_with("Les dirigeants européens"), "{}", r.body);
    assert!(r.body.contains("déclaration commune"));
    assert_eq!(hits(&index, "négociations"), ["web/sommet.html"]);
    for boilerplate in ["zebrafish", "Flamingo", "lobsterclaw", "pelican", "walrus", "narwhal", "Par Claire"] {
        assert!(!r.body.contains(boilerplate), "{boilerplate} in {}", r.body);
        assert!(hits(&index, &format!("body:{}", boilerplate.to_lowercase())).is_empty(), "{boilerplate} indexed");
    }
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>World Desk</title>
<item><title>Envoy lands in Doha</title><link>https://example.org/doha</link><guid>doha-1</guid>
<dc:creator>Sam Lee</dc:creator><pubDate>Thu, 03 Jul 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The envoy arrived in &lt;b&gt;Doha&lt;/b&gt; for ceasefire talks.&lt;/p&gt;</description></item>
ITEMS</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Diplomatic Notes</title><id>urn:notes</id><updated>2025-07-04T00:00:00Z</updated>
<entry><title>Talks resume</title><id>urn:notes:1</id><link href="https://example.org/talks"/>
<author><name>Ana Ruiz</name></author><published>2025-07-04T08:00:00Z</published><updated>2025-07-04T09:00:00Z</updated>
<content type="html">&lt;p&gt;Negotiators resumed talks in Vienna on the uranium file.&lt;/p&gt;</content></entry></feed>"#;

#[test]
fn feed_items_become_reports_and_reindexing_duplicates_none() {
    let c = TempCorpus::new();
    c.write("feeds/world.rss", &RSS.replace("ITEMS", ""));
    c.write("feeds/notes.atom", ATOM);
    let (index, _) = c.sync();
    assert_eq!(index.num_reports(), 2);
    let r = index.searcher().article("feeds/world.rss#doha-1").expect("rss item").report;
    assert_eq!(r.title.as_deref(), Some("Envoy lands in Doha"));
    assert_eq!(r.author.as_deref(), Some("Sam Lee"));
    assert_eq!(r.source.as_deref(), Some("World Desk"));
    assert_eq!(r.url.as_deref(), Some("https://example.org/doha"));
    assert_eq!(r.date.as_deref(), Some("2025-07-03"));
    assert_eq!(r.body, "The envoy arrived in Doha for ceasefire talks.");
    let a = index.searcher().article("feeds/notes.atom#urn:notes:1").expect("atom entry").report;
    assert_eq!(
        (a.title.as_deref(), a.author.as_deref(), a.date.as_deref()),
        (Some("Talks resume"), Some("Ana Ruiz"), Some("2025-07-04"))
    );
    assert_eq!(hits(&index, "uranium"), ["feeds/notes.atom#urn:notes:1"]);
    assert_eq!(hits(&index, "ceasefire"), ["feeds/world.rss#doha-1"]);

    // The feed gains an item: one more report, none twice.
    let newer = "<item><title>Summit ends</title><guid>summit-2</guid><description>Leaders left Brussels without a deal.</description></item>";
    std::thread::sleep(std::time::Duration::from_millis(20));
    c.write("feeds/world.rss", &RSS.replace("ITEMS", newer));
    let (index, summary) = c.sync();
    assert_eq!(summary.num_updated, 1);
    assert_eq!(index.num_reports(), 3);
    assert_eq!(hits(&index, "ceasefire"), ["feeds/world.rss#doha-1"]);
    assert_eq!(hits(&index, "brussels"), ["feeds/world.rss#summit-2"]);
}

/// A minimal PDF of one page with `lines` of text in Helvetica (none: a page with only a
/// filled rectangle, as a scan without its image), and an Info dictionary.
#[cfg(feature = "pdf")]
fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content: String = lines.iter().map(|l| format!("({l}) Tj T*\n")).collect();
    content = if lines.is_empty() {
        "0 0 1 rg 10 10 200 200 re f\n".into()
    } else {
        format!("BT /F1 11 Tf 60 700 Td 13 TL\n{content}ET\n")
    };
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
        "<< /Title (Briefing note) /Author (Policy Unit) /CreationDate (D:20250612090000) >>".into(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .bytes(),
    );
    out
}

#[cfg(feature = "pdf")]
#[test]
fn text_pdfs_are_read_and_scans_counted() {
    let c = TempCorpus::new();
    c.write_bytes("pdf/note.pdf", &pdf(&["The delegation will travel to Jakarta", "for maritime talks in June."]));
    c.write_bytes("pdf/scan.pdf", &pdf(&[]));
    c.write_bytes("pdf/broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage");
    let (index, summary) = c.sync();
    assert_eq!(index.num_reports(), 1);
    let r = index.searcher().article("pdf/note.pdf").expect("pdf").report;
    assert_eq!(r.title.as_deref(), Some("Briefing note"));
    assert_eq!(r.author.as_deref(), Some("Policy Unit"));
    assert_eq!(r.date.as_deref(), Some("2025-06-12"));
    assert!(r.body.contains("delegation will travel to Jakarta"), "{:?}", r.body);
    assert_eq!(hits(&index, "maritime"), ["pdf/note.pdf"]);
    let mut reasons: Vec<(String, SkipReason)> =
        summary.skipped.iter().map(|s| (s.path.clone(), s.reason.clone())).collect();
    reasons.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(reasons[1], ("pdf/scan.pdf".to_string(), SkipReason::NoTextLayer));
    assert_eq!(reasons[0].0, "pdf/broken.pdf");
}

#[test]
fn a_report_saved_twice_is_indexed_once_and_listed() {
    let c = TempCorpus::new();
    let text = "Putin and Trump spoke by phone about a ceasefire in Ukraine, the Kremlin said.";
    c.write("a/original.txt", text);
    c.write("b/copy.md", &format!("{}\n", text.to_uppercase().replace(' ', "  ")));
    c.write("c/other.txt", "Xi met Lula in Beijing.");
    let (index, summary) = c.sync();
    assert_eq!(summary.num_duplicates, 1);
    assert_eq!(index.num_reports(), 2);
    assert_eq!(index.num_duplicates(), 1);
    let found = hits(&index, "ceasefire");
    assert_eq!(found.len(), 1, "{found:?}");
    let (kept, other) =
        if found[0] == "a/original.txt" { ("a/original.txt", "b/copy.md") } else { ("b/copy.md", "a/original.txt") };
    let article = index.searcher().article(kept).expect("article");
    assert_eq!(article.duplicates, [other]);
    let stats = index.stats().expect("stats");
    assert_eq!((stats.num_articles, stats.num_duplicates), (2, 1));
    let exported: Vec<attache::Article> =
        index.searcher().export().expect("export").map(|a| a.expect("article")).collect();
    assert_eq!(exported.len(), 2);

    // Re-indexing changes nothing.
    let (index, summary) = c.sync();
    assert_eq!((summary.num_unchanged, summary.num_duplicates), (3, 0));
    assert_eq!(hits(&index, "ceasefire"), [kept]);

    // The copy that was indexed goes: the other one takes over, listed nowhere.
    c.remove(kept);
    let (index, _) = c.sync();
    assert_eq!(hits(&index, "ceasefire"), [other]);
    assert!(index.searcher().article(other).expect("article").duplicates.is_empty());
    assert_eq!((index.num_reports(), index.num_duplicates()), (2, 0));
}
