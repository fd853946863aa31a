//! Fixture reports, written for these tests. Two outlets covering one phone call, as the
//! seeds users start from do: one syndicated with a WordPress footer, one with an `AUTHOR:`
//! header line directly followed by the body.

/// A syndicated report: no headers, a WordPress footer giving title and source.
pub const CALL_WIRE: &str = "\
Russian President Vladimir Putin and U.S. President Donald Trump spoke by phone for almost an hour, the Kremlin said, covering Iran, the wider Middle East and the war in Ukraine.
On Iran, Putin argued that every dispute should be settled by political and diplomatic means, and both leaders asked their aides to stay in contact.
Trump pressed again for a quick ceasefire. Putin replied that Moscow would keep negotiating with Kyiv but would not drop its aims, including Ukraine staying out of NATO.
The call followed a Pentagon decision to pause some weapons deliveries to Kyiv, including air defence missiles and artillery shells, while U.S. stocks are reviewed.
Ukrainian President Volodymyr Zelenskyy said he expected to discuss the paused arms shipments with Trump within days.
The post Putin and Trump Talk Iran and Ukraine in Hour-Long Call appeared first on Harbour Ledger.";

/// A report with an `AUTHOR:` header line and no blank line after it.
pub const CALL_AUTHOR: &str = "\
AUTHOR: R.T. OKAFOR
Vladimir Putin told Donald Trump that Russia would pursue a negotiated end to the war in Ukraine but would not give up its goals, Kremlin aide Yuri Ushakov said.
Ushakov said Putin would keep addressing the root causes of the conflict, a phrase the Kremlin uses for NATO's expansion toward Russia's borders.
Putin also described the exchange of prisoners of war agreed in Istanbul, in which both sides returned wounded soldiers and the bodies of the fallen.
The two leaders discussed Iran, where American bombers had struck Iranian nuclear sites in June, and agreed their teams would stay in touch.
Ushakov said the halt in U.S. weapons shipments to Ukraine did not come up.";

/// A Markdown report with YAML front matter.
pub const SUMMIT_MD: &str = "\
---
title: \"NATO allies agree higher defence spending target\"
author: Ines Moreau
date: 2025-06-25
source: The Continental Desk
---

# NATO allies agree higher defence spending target

Leaders meeting in The Hague agreed that allies should spend five percent of GDP on defence by 2035.

Secretary-General Mark Rutte called the pledge a quantum leap. Spain said it would not meet the full target.
";

/// A JSON Lines feed with two records.
pub const FEED_JSONL: &str = concat!(
    r#"{"id":"tariffs-1","title":"Geneva talks ease tariff standoff","author":"Mei Lin","source":"Pacific Rim Observer","date":"2025-05-12","body":"American and Chinese negotiators agreed in Geneva to cut tariffs for ninety days while trade talks continue."}"#,
    "\n",
    r#"{"id":"gaza-1","title":"Hostages freed as Gaza ceasefire holds","byline":"Omar Haddad","publisher":"Levant Courier","published":"2025-10-13","text":"Hamas freed the last living hostages and Israel released Palestinian prisoners under the ceasefire brokered by Egypt and Qatar."}"#,
    "\n"
);
