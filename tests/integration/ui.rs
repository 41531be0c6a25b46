//! `tenor ui` in a real browser: headless Chromium, driven through chromedriver (the WebDriver HTTP protocol,
//! spoken by the small client below), loads the page of a `tenor ui` fed by a real broker (Tansu) that
//! `tenor serve` and `tenor claims` fill. A produced article's claim, its speaker and a tension with both
//! quotes appear on the page; hostile record content (script tags, a markup outlet, a 200 KB word, a 3 000
//! character claim, right-to-left text with a bidi override) shows as clipped, isolated text; a click on a
//! speaker narrows the lists. The test saves the screenshot README shows (docs/ui.png).
//!
//! Chromium and chromedriver come from Debian (`apt-get install chromium chromium-driver`; scripts/test.sh
//! installs them when missing). Without them the test fails and says so: it never skips itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::broker::{free_port, http_get, Message, Service, Tansu};
use crate::support::{repo, tenor};

const WIRE_ENVOYS: &str = "productive and constructive";
const WIRE_DOUBTS: &str = "no significant breakthrough";
const ENVOYS: &str = "U.S. and Ukrainian envoys";
const OFFICIALS: &str = "officials familiar with the discussions";

/// Hostile content: markup in the title, the outlet and a claim; a 200 KB word; a 3 000-character claim;
/// right-to-left text, one claim with a bidi override.
fn hostile() -> Value {
    json!({"id": "hostile-1", "source": "Evil <img src=x onerror=alert(2)>",
    "title": format!("<script>alert(1)</script> שלום {}", "T".repeat(1_900)),
    "published_at": "2026-12-01T15:00:00Z",
    "body": format!(
        "Officials said <script>alert(1)</script> the plan is a disaster. Officials said the plan {} is a disaster. \
         The mayor said {} is the word.\n\nOfficials said that \u{202e}שיחות טובות מאוד were a failure.\n\n\
         وقال المتحدث الرسمي إن المحادثات كانت مثمرة وبناءة.",
        "B".repeat(3_000),
        "A".repeat(200_000)
    )})
}

fn messages(articles: &[Value]) -> Vec<Message> {
    articles.iter().map(|a| (Some(a["id"].as_str().unwrap().to_owned()), a.to_string().into_bytes())).collect()
}

/// A minimal WebDriver client: JSON over HTTP/1.1 on a fresh connection per command.
struct Driver {
    process: Child,
    port: u16,
    session: String,
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
    })
}

fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open whatever the request says: read the head, then exactly the body.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).expect("a response from chromedriver");
        assert!(n > 0, "chromedriver closed the connection before answering {method} {path}");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().expect("a content length"));
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(length) => payload.len() >= length,
            None if chunked => payload.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).expect("the rest of chromedriver's answer");
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if chunked {
        payload = dechunk(&payload);
    }
    let value: Value = serde_json::from_slice(&payload)
        .unwrap_or_else(|e| panic!("chromedriver answered {method} {path} with non-JSON ({e}): {head}"));
    if value["value"].get("error").is_some() {
        panic!("chromedriver: {method} {path} failed: {}", value["value"]);
    }
    value["value"].clone()
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").expect("a chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

impl Driver {
    fn start() -> Driver {
        let missing = "the browser test needs Debian's chromium and chromium-driver: \
            `apt-get install -y --no-install-recommends chromium chromium-driver` (scripts/test.sh installs them)";
        let driver =
            which(&["chromedriver"]).unwrap_or_else(|| panic!("chromedriver not found on PATH; {missing}"));
        let browser = which(&["chromium", "chromium-browser"])
            .unwrap_or_else(|| panic!("chromium not found on PATH; {missing}"));
        let port = free_port();
        let process = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}); {missing}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut driver = Driver { process, port, session: String::new() };
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1400,1000", "--force-device-scale-factor=1"]}}}});
        let session = request(port, "POST", "/session", Some(&capabilities));
        driver.session = session["sessionId"].as_str().expect("a session id").to_owned();
        driver
    }

    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        request(self.port, method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page and returns its value.
    fn run(&self, script: &str, args: Value) -> Value {
        self.command("POST", "/execute/sync", Some(&json!({ "script": script, "args": args })))
    }

    /// Polls `script` until it returns true; returns how long that took.
    fn wait_for(&self, what: &str, timeout: Duration, script: &str, args: Value) -> Duration {
        let started = Instant::now();
        loop {
            if self.run(script, args.clone()) == json!(true) {
                return started.elapsed();
            }
            if started.elapsed() > timeout {
                let text = self.run("return document.body.innerText.slice(0, 3000);", json!([]));
                panic!(
                    "{what}: not on the page after {timeout:?}; the page shows:\n{}",
                    text.as_str().unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        let encoded = self.command("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD.decode(encoded.as_str().expect("base64")).expect("a PNG")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(|| {
                request(self.port, "DELETE", &format!("/session/{}", self.session), None)
            });
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `tenor ui` on a free port, killed on drop.
struct Ui {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Ui {
    fn start(brokers: &str) -> Ui {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("ui.log");
        let port = free_port();
        let file = std::fs::File::create(&log).unwrap();
        let child = tenor()
            .args(["ui", "--brokers", brokers, "--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start tenor ui");
        let mut ui = Ui { child, port, log, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while http_get(port, "/readyz").map(|(status, _)| status) != Some(200) {
            if let Some(status) = ui.child.try_wait().unwrap() {
                panic!("tenor ui exited with {status}: {}", ui.log_text());
            }
            assert!(Instant::now() < deadline, "tenor ui never became ready: {}", ui.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
        ui
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when the page holds `text` in some element's text.
const PAGE_HAS: &str = "return document.body.textContent.includes(arguments[0]);";

#[test]
fn the_live_page_shows_claims_speakers_and_tensions_from_the_broker_in_a_real_browser() {
    let started = Instant::now();
    let broker = Tansu::start();
    let _serve = Service::start(&broker, "serve", &[]);
    let _claims = Service::start(&broker, "claims", &[]);
    let ui = Ui::start(&broker.bootstrap());
    let driver = Driver::start();
    driver.goto(&format!("http://127.0.0.1:{}/", ui.port));
    assert_eq!(driver.run("return document.title;", json!([])), json!("Tenor — live"));

    let produced = Instant::now();
    broker.produce("articles", &messages(&crate::claims_run::story()));

    // The claim, its speaker, the tension with both quotes, and the claim spreading to a second outlet.
    // Observed: 1.5–1.8 s from producing to the page; the margin is for a loaded CI machine.
    let timeout = Duration::from_secs(30);
    driver.wait_for("the envoys' claim", timeout, PAGE_HAS, json!([WIRE_ENVOYS]));
    let claim_after = produced.elapsed();
    driver.wait_for(
        "the envoys as a speaker",
        timeout,
        "return Array.from(document.querySelectorAll('#speakers .speaker-name')).some(b => b.textContent === arguments[0]);",
        json!([ENVOYS]),
    );
    driver.wait_for(
        "a tension with both quotes",
        timeout,
        "return Array.from(document.querySelectorAll('#tensions .tension')).some(t => \
           t.querySelectorAll('blockquote').length === 2 && t.textContent.includes(arguments[0]) && \
           t.textContent.includes(arguments[1]));",
        json!([WIRE_ENVOYS, WIRE_DOUBTS]),
    );
    let tension_after = produced.elapsed();
    driver.wait_for(
        "the envoys' claim spreading to two outlets",
        timeout,
        "return Array.from(document.querySelectorAll('#clusters .cluster')).some(c => \
           c.textContent.includes(arguments[0]) && c.textContent.includes('2 outlets'));",
        json!([WIRE_ENVOYS]),
    );
    driver.wait_for("the unrelated story", timeout, PAGE_HAS, json!(["Bridge to reopen"]));
    eprintln!(
        "ui test: claim on the page {:.1} s after producing, tension {:.1} s",
        claim_after.as_secs_f64(),
        tension_after.as_secs_f64()
    );

    // The picture README shows: the story alone, in a window tall enough for the four panels. The page shows
    // no clock, so the same Chromium draws the same bytes and a test run leaves the tree clean.
    driver.command("POST", "/window/rect", Some(&json!({"width": 1400, "height": 1250})));
    std::thread::sleep(Duration::from_millis(500));
    let png = driver.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(repo().join("docs/ui.png"), &png).unwrap();

    broker.produce("articles", &messages(&[hostile()]));
    driver.wait_for("the hostile article", timeout, PAGE_HAS, json!(["were a failure"]));

    // A claim links to its sentence in its article.
    let clicked = driver.run(
        "const a = document.querySelector('#clusters a[href=\"#article-wire-1-s0\"]'); if (a) a.click(); return !!a;",
        json!([]),
    );
    assert_eq!(clicked, json!(true), "the cluster links to its first-seen sentence");
    driver.wait_for(
        "the linked sentence highlighted",
        Duration::from_secs(5),
        "const target = document.getElementById('article-wire-1-s0'); \
         return location.hash === '#article-wire-1-s0' && !!target && target.classList.contains('focus') && \
           target.textContent.includes(arguments[0]);",
        json!([WIRE_ENVOYS]),
    );

    // Hostile content is text: no injected element, the title unchanged, long strings clipped, text isolated.
    let hostile = driver.run(
        "const texts = Array.from(document.querySelectorAll('.t')); \
         const rtl = texts.find(t => t.textContent.includes('שיחות')); \
         return { scripts: document.querySelectorAll('script').length, \
           images: document.querySelectorAll('img').length, \
           title: document.title, \
           scriptAsText: document.body.textContent.includes('<script>alert(1)</script>'), \
           markupOutletAsText: document.body.textContent.includes('<img src=x onerror=alert(2)>'), \
           longest: Math.max(...texts.map(t => t.textContent.length)), \
           bWord: texts.filter(t => t.textContent.includes('BBBB')).map(t => t.textContent.length), \
           aWord: texts.some(t => t.textContent.includes('AAAAAAAAAA')), \
           rtlDir: rtl ? rtl.getAttribute('dir') : null, \
           rtlBidi: rtl ? getComputedStyle(rtl).unicodeBidi : null, \
           rtlOverride: document.body.textContent.includes('\\u202e'), \
           overflow: document.documentElement.scrollWidth <= window.innerWidth };",
        json!([]),
    );
    assert_eq!(hostile["scripts"], 1, "only the page's own script: {hostile}");
    assert_eq!(hostile["images"], 0, "{hostile}");
    assert_eq!(hostile["title"], "Tenor — live");
    assert_eq!(hostile["scriptAsText"], true, "{hostile}");
    assert_eq!(hostile["markupOutletAsText"], true, "{hostile}");
    assert!(hostile["longest"].as_u64().unwrap() <= 601, "record text is clipped to 600 characters: {hostile}");
    let clipped = hostile["bWord"].as_array().unwrap();
    assert!(
        !clipped.is_empty() && clipped.iter().all(|n| n == 601),
        "the 3 000-character claim is shown (article, cluster), clipped to 600 and an ellipsis: {hostile}"
    );
    assert_eq!(hostile["aWord"], false, "the 200 KB word's pieces are not claims and not shown: {hostile}");
    assert_eq!(hostile["rtlDir"], "auto", "{hostile}");
    assert_eq!(hostile["rtlBidi"], "isolate", "{hostile}");
    assert_eq!(hostile["rtlOverride"], false, "bidi overrides are dropped: {hostile}");
    assert_eq!(hostile["overflow"], true, "no text widens the page past the window: {hostile}");

    // A click on a speaker narrows the lists to that speaker's claims.
    let count = "return document.querySelectorAll('#articles .claim').length;";
    let before = driver.run(count, json!([])).as_u64().unwrap();
    let clicked = driver.run(
        "const b = Array.from(document.querySelectorAll('#speakers .speaker-name')).find(b => b.textContent === arguments[0]); \
         if (!b) return false; b.click(); return true;",
        json!([OFFICIALS]),
    );
    assert_eq!(clicked, json!(true), "the officials are listed as a speaker");
    driver.wait_for(
        "only the officials' claims",
        Duration::from_secs(15),
        "const speakers = Array.from(document.querySelectorAll('#articles .claim .speaker')).map(s => s.textContent); \
         const claims = document.querySelectorAll('#articles .claim').length; \
         return document.getElementById('filter-speaker').value === arguments[0] && claims > 0 && \
           speakers.length === claims && speakers.every(s => s === arguments[0]) && \
           document.querySelectorAll('#speakers .speaker-row').length === 1;",
        json!([OFFICIALS]),
    );
    let after = driver.run(count, json!([])).as_u64().unwrap();
    assert!(after < before, "the list narrows: {before} claims, then {after}");

    // A time range: from 14:00 UTC on, the wire's 10:00 report is gone and the Post's reprint stays.
    driver.run(
        "document.getElementById('filter-clear').click(); \
         const from = document.getElementById('filter-from'); from.value = '2026-12-01T14:00'; \
         from.dispatchEvent(new Event('change')); return true;",
        json!([]),
    );
    driver.wait_for(
        "only articles from 14:00 on",
        Duration::from_secs(15),
        "const ids = Array.from(document.querySelectorAll('#articles .article')).map(a => a.id); \
         return ids.includes('article-post-1') && !ids.includes('article-wire-1');",
        json!([]),
    );

    driver.run("document.getElementById('filter-clear').click(); return true;", json!([]));
    driver.wait_for(
        "every claim again",
        Duration::from_secs(15),
        "return document.querySelectorAll('#articles .claim').length === arguments[0];",
        json!([before]),
    );
    eprintln!(
        "ui test: {:.1} s in all (broker, three services, browser); docs/ui.png written",
        started.elapsed().as_secs_f64()
    );
    drop(driver);
    assert!(!ui.log_text().contains("panicked"), "{}", ui.log_text());
}

/// The same page over a records file: `tenor run`'s output read by `tenor ui --records`, asked of `/api/view`.
#[test]
fn a_records_file_feeds_the_page_too() {
    let input: String = crate::claims_run::story().iter().map(|a| format!("{a}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let (articles, records) = (dir.path().join("articles.jsonl"), dir.path().join("records.jsonl"));
    std::fs::write(&articles, input).unwrap();
    let run = tenor()
        .args(["run", "-i", articles.to_str().unwrap(), "-o", records.to_str().unwrap(), "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let port = free_port();
    let child = tenor()
        .args(["ui", "--records", records.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ui = Ui { child, port, log: dir.path().join("none.log"), _dir: tempfile::tempdir().unwrap() };
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        if let Some((200, body)) = http_get(port, "/api/view?speaker=officials+familiar+with+the+discussions") {
            let view: Value = serde_json::from_str(&body).unwrap_or_default();
            if view["tensions"].as_array().is_some_and(|t| !t.is_empty()) {
                break view;
            }
        }
        assert!(ui.child.try_wait().unwrap().is_none(), "tenor ui exited");
        assert!(Instant::now() < deadline, "no tension from the records file");
        std::thread::sleep(Duration::from_millis(100));
    };
    let claims: Vec<&Value> =
        view["articles"].as_array().unwrap().iter().flat_map(|a| a["claims"].as_array().unwrap()).collect();
    assert_eq!(claims.len(), 1, "only the officials' claim: {view}");
    assert!(claims[0]["text"].as_str().unwrap().contains(WIRE_DOUBTS));
    assert!(view["all_speakers"].as_array().unwrap().contains(&json!(ENVOYS)));
    let (status, _) = http_get(port, "/api/view?from=not-a-time").unwrap();
    assert_eq!(status, 400);
}
