//! `attache serve` driven in headless Chromium, as a person uses it: keys, clicks, the back
//! button. Checked here:
//! - `/` focuses the search box; a query typed and submitted returns highlighted results;
//! - `j`/`k` move between results; a facet click narrows them and the URL changes; back
//!   restores them; a histogram bar and a drag across bars narrow the dates;
//! - the report view opens with every match lit, and `n` jumps between matches;
//! - a report with `<script>` in its text runs nothing (it shows as text);
//! - a malformed query shows the message;
//! - the page fits a phone's width; screenshots at desktop and phone widths are saved under
//!   `target/tmp/serve-screenshots/`.
//!
//! The browser is Debian's `chromium` (or `$CHROMIUM`), driven through a few calls of its
//! DevTools protocol over a WebSocket. Without a browser the test says so and passes, unless
//! `ATTACHE_REQUIRE_BROWSER` is set (as `.ci/run` does once it has installed Chromium), when
//! a missing browser fails it.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::HOSTILE;
use crate::util::{Server, TempCorpus};

/// Longest wait for any one thing the browser does.
const PATIENCE: Duration = Duration::from_secs(20);

/// The Chromium to drive, if there is one.
fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A headless Chromium with one page attached; killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    socket: tungstenite::WebSocket<TcpStream>,
    session: String,
    next_id: u64,
}

impl Browser {
    fn launch(binary: &Path) -> Browser {
        let profile = tempfile::Builder::new().prefix("attache-chromium-").tempdir().unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        // Chromium writes its port and the browser's WebSocket path once it listens.
        let port_file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some((port, path)) = text.split_once('\n')
                && !path.trim().is_empty()
            {
                break (port.trim().to_string(), path.trim().to_string());
            }
            assert!(started.elapsed() < PATIENCE, "Chromium did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let (socket, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream)
            .unwrap_or_else(|e| panic!("DevTools handshake: {e}"));
        let mut browser = Browser { child, _profile: profile, socket, session: String::new(), next_id: 0 };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = browser.call("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true }));
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser.call("Page.enable", json!({}));
        browser
    }

    /// Sends a command (to the page once attached) and waits for its result; events that
    /// arrive meanwhile are ignored (the test polls the page's state instead).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.try_call(method, params).unwrap_or_else(|error| panic!("{method}: {error}"))
    }

    /// [`Browser::call`], with the protocol's error as an `Err`.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket.send(tungstenite::Message::text(message.to_string())).unwrap();
        loop {
            let reply = self.socket.read().unwrap_or_else(|e| panic!("{method}: {e}"));
            let Ok(text) = reply.to_text() else { continue };
            let reply: Value = serde_json::from_str(text).unwrap();
            if reply["id"] == id {
                return match reply.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(reply["result"].clone()),
                };
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }));
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {result}");
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true in a loaded page.
    fn wait_for(&mut self, expression: &str) {
        let started = Instant::now();
        let check = format!("document.readyState === 'complete' && !!({expression})");
        // While a page is replaced, evaluating may fail ("Inspected target navigated"): retry.
        let params = json!({ "expression": check, "returnByValue": true });
        while self.try_call("Runtime.evaluate", params.clone()).ok().map(|r| r["result"]["value"].clone())
            != Some(json!(true))
        {
            assert!(started.elapsed() < PATIENCE, "waited in vain for {expression} at {}", self.url());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&mut self) -> String {
        self.eval("location.href").as_str().unwrap_or_default().to_string()
    }

    fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        let expected = serde_json::to_string(url).unwrap();
        self.wait_for(&format!("location.href === {expected}"));
    }

    /// The centre of the first element matching `selector`, scrolled into view.
    fn centre(&mut self, selector: &str) -> (f64, f64) {
        let sel = serde_json::to_string(selector).unwrap();
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return null; e.scrollIntoView({{block: 'center'}}); \
             const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        assert!(at.is_array(), "no element {selector} at {}", self.url());
        (at[0].as_f64().unwrap(), at[1].as_f64().unwrap())
    }

    fn mouse(&mut self, kind: &str, (x, y): (f64, f64)) {
        let buttons = if kind == "mouseReleased" { 0 } else { 1 };
        self.call(
            "Input.dispatchMouseEvent",
            json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1 }),
        );
    }

    /// A real click (mouse down and up) on the first element matching `selector`.
    fn click(&mut self, selector: &str) {
        let at = self.centre(selector);
        self.call("Input.dispatchMouseEvent", json!({ "type": "mouseMoved", "x": at.0, "y": at.1 }));
        self.mouse("mousePressed", at);
        self.mouse("mouseReleased", at);
    }

    /// Presses a key (`/`, `j`, `Enter`).
    fn key(&mut self, key: &str) {
        let (code, text, vk) = match key {
            "Enter" => ("Enter".to_string(), "\r".to_string(), 13),
            "/" => ("Slash".to_string(), "/".to_string(), 191),
            k => (format!("Key{}", k.to_uppercase()), k.to_string(), k.to_uppercase().chars().next().unwrap() as u32),
        };
        let down = json!({ "type": "keyDown", "key": key, "code": code, "text": text, "windowsVirtualKeyCode": vk });
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk }),
        );
    }

    fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({ "text": text }));
    }

    /// Lays the page out at `width`×`height` CSS pixels (`mobile`: as a phone does).
    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    fn screenshot(&mut self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).unwrap();
    }

    fn number(&mut self, expression: &str) -> i64 {
        let value = self.eval(expression);
        value.as_i64().unwrap_or_else(|| panic!("{expression} is {value}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/').collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | (value(c) as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// The repository's `sample_corpus/`, copied, plus a report that tries to inject a script.
fn corpus() -> TempCorpus {
    let c = TempCorpus::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    for entry in walkdir::WalkDir::new(&sample).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let name = entry.path().strip_prefix(&sample).unwrap().to_string_lossy().into_owned();
        c.write_bytes(&name, &std::fs::read(entry.path()).unwrap());
    }
    c.write("hostile.txt", HOSTILE);
    c.sync();
    c
}

#[test]
fn the_search_page_works_in_headless_chromium() {
    let Some(binary) = find_chromium() else {
        assert!(
            std::env::var_os("ATTACHE_REQUIRE_BROWSER").is_none(),
            "ATTACHE_REQUIRE_BROWSER is set but no chromium was found (set CHROMIUM=/path/to/chromium)"
        );
        eprintln!(
            "browser tests skipped: no chromium found; install Debian's `chromium` package or set CHROMIUM=/path/to/chrome"
        );
        return;
    };
    let c = corpus();
    let server = Server::on_index(&c);
    let mut b = Browser::launch(&binary);
    b.viewport(1280, 900, false);
    let home = server.url("/");
    b.goto(&home);
    assert!(
        b.eval("document.querySelector('#summary').textContent").as_str().unwrap().contains("articles in the index")
    );

    // `/` focuses the search box; a typed query is submitted with Enter.
    b.key("/");
    assert_eq!(b.eval("document.activeElement.id"), "q");
    b.type_text("leader:putin iran");
    b.key("Enter");
    b.wait_for("location.search.includes('q=leader%3Aputin+iran') && document.querySelector('li.hit')");
    let total = b.number("+document.querySelector('#summary').dataset.totalHits");
    assert!(total >= 3, "{total} hits");
    let marks: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('li.hit mark')].map(m => m.textContent.toLowerCase())"),
    )
    .unwrap();
    assert!(!marks.is_empty() && marks.iter().all(|m| m.starts_with("iran")), "{marks:?}");

    // Screenshots of the results page, desktop and phone.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    b.screenshot(&shots.join("results-desktop.png"));
    b.viewport(390, 844, true);
    b.wait_for("window.innerWidth === 390");
    assert!(b.number("document.documentElement.scrollWidth") <= 390, "nothing wider than a phone's screen");
    assert!(
        b.eval("document.querySelector('aside.facets').getBoundingClientRect().top > document.querySelector('li.hit').getBoundingClientRect().top") == json!(true),
        "on a phone the facets come after the results"
    );
    b.screenshot(&shots.join("results-phone.png"));
    b.viewport(1280, 900, false);
    eprintln!("screenshots in {}", shots.display());

    // j / k move between results.
    b.key("j");
    b.key("j");
    assert_eq!(b.number("[...document.querySelectorAll('li.hit')].findIndex(h => h.classList.contains('current'))"), 1);
    b.key("k");
    assert_eq!(b.number("[...document.querySelectorAll('li.hit')].findIndex(h => h.classList.contains('current'))"), 0);
    assert_eq!(b.eval("document.activeElement.classList.contains('title')"), json!(true));

    // A facet click narrows the results and puts the filter in the URL; back restores them.
    let results_url = b.url();
    let facet = "section.facet[data-key=topics] li:last-child a.facet";
    let count = b.number(&format!("+document.querySelector('{facet} .count').textContent"));
    let name = b.eval(&format!("document.querySelector('{facet} .name').textContent"));
    assert!(count < total, "the facet narrows: {count} of {total}");
    b.click(facet);
    b.wait_for("location.search.includes('topic=')");
    b.wait_for("document.querySelector('#summary')");
    assert_eq!(b.number("+document.querySelector('#summary').dataset.totalHits"), count);
    assert_eq!(b.eval("document.querySelector('.active a.chip.on').textContent.includes('topic: ')"), json!(true));
    assert_eq!(b.eval("document.querySelector('section.facet[data-key=topics] a.on .name').textContent"), name);
    b.eval("history.back()");
    let back = serde_json::to_string(&results_url).unwrap();
    b.wait_for(&format!("location.href === {back} && document.querySelector('#summary')"));
    assert_eq!(b.number("+document.querySelector('#summary').dataset.totalHits"), total);

    // The histogram: a bar narrows to its month; a drag across bars to their span.
    b.click("figure.histogram a.bucket:last-of-type");
    b.wait_for("location.search.includes('from=') && location.search.includes('to=')");
    let month = b.eval("new URL(location.href).searchParams.get('from')");
    assert_eq!(b.eval("new URL(location.href).searchParams.get('to')"), month);
    b.goto(&results_url);
    let first = b.centre("figure.histogram a.bucket:first-of-type rect.area");
    let last = b.centre("figure.histogram a.bucket:last-of-type rect.area");
    b.mouse("mousePressed", first);
    b.call(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseMoved", "x": (first.0 + last.0) / 2.0, "y": first.1, "buttons": 1 }),
    );
    b.call("Input.dispatchMouseEvent", json!({ "type": "mouseMoved", "x": last.0, "y": last.1, "buttons": 1 }));
    b.mouse("mouseReleased", last);
    b.wait_for("location.search.includes('from=') && document.querySelector('#summary')");
    let from = b.eval("new URL(location.href).searchParams.get('from')");
    let to = b.eval("new URL(location.href).searchParams.get('to')");
    assert!(from.as_str() < to.as_str(), "a span: {from} to {to}");
    assert_eq!(b.number("+document.querySelector('#summary').dataset.totalHits"), total, "the span covers every bar");

    // The report view: the whole text, every match lit, `n` jumps between matches.
    b.goto(&results_url);
    b.click("li.hit a.title");
    b.wait_for("location.pathname === '/report' && document.querySelector('.body')");
    let num_marks = b.number("document.querySelectorAll('.body mark').length");
    assert!(num_marks >= 2, "{num_marks} matches");
    assert_eq!(b.number("+document.querySelector('#match-count').dataset.matches"), num_marks);
    b.key("n");
    b.key("n");
    assert_eq!(b.eval("document.querySelector('.body mark.current').id"), "m2");
    assert_eq!(b.eval("location.hash"), "#m2");
    assert_eq!(b.eval("document.querySelector('#match-position').textContent"), format!("match 2 of {num_marks}"));
    b.click("a.back");
    b.wait_for("location.pathname === '/' && new URL(location.href).searchParams.get('q') === 'leader:putin iran'");
    b.wait_for("document.querySelector('li.hit')");

    // A report with `<script>` in its text runs nothing: the text shows as text.
    let hostile = server.url("/report?id=hostile.txt&q=iran");
    b.goto(&hostile);
    assert_ne!(b.eval("document.title"), "owned");
    assert_eq!(b.number("document.scripts.length"), 1, "only the page's own script");
    assert_eq!(b.number("document.querySelectorAll('.body img, .body script, h1 script').length"), 0);
    assert_eq!(
        b.eval("document.querySelector('.body').textContent.includes(\"<script>document.title='owned'</script>\")"),
        json!(true)
    );
    assert_eq!(b.eval("document.querySelector('h1').textContent.startsWith('<script>')"), json!(true));
    b.goto(&server.url("/?q=owned"));
    b.wait_for("document.querySelector('li.hit')");
    assert_ne!(b.eval("document.title"), "owned");

    // A malformed query shows the message, the query kept to correct.
    b.goto(&home);
    b.click("#q");
    b.type_text("iran \"unclosed");
    b.key("Enter");
    b.wait_for("document.querySelector('.error')");
    let message = b.eval("document.querySelector('.error').textContent");
    assert!(message.as_str().unwrap().contains("column 6: unclosed quote"), "{message}");
    assert_eq!(b.eval("document.querySelector('#q').value"), "iran \"unclosed");
}
