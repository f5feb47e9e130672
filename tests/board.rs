//! The board example (`examples/board/`), served on 127.0.0.1 over a file
//! store: its pages over HTTP, its event stream, and what a person sees in
//! a real browser (Chromium through chromedriver, over WebDriver).
//!
//! The browser test needs Debian's `chromium` and `chromium-driver`
//! (`/usr/bin/chromedriver`). Without them it says loudly that it was
//! skipped; with `RELEASE_WORKFLOW_REQUIRE_BROWSER` set (as CI sets it), a
//! skip is a failure. Its screenshots go to `target/board-screenshots/`.

#![cfg(feature = "store")]

mod common;
#[path = "../examples/board/pages.rs"]
#[allow(dead_code)]
mod pages;
#[path = "../examples/board/web.rs"]
#[allow(dead_code)]
mod web;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TempDir, ada, grace, monitor, planned_as, t, walked_to};
use release_workflow::{
    Stage,
    store::{FileStore, ReleaseKey, ReleaseStore, StoreError},
};

/// What a waiver's reason says: text a person typed, which must render as
/// text.
const HOSTILE: &str = r#"<script>document.title="pwned"</script><b>not bold</b>"#;

/// A store with a release blocked before deploying, one rolled back on
/// tripped criteria, one planned with a hostile waiver reason, and one
/// released.
fn populated(dir: &TempDir) -> FileStore {
    let store = FileStore::open(dir.path()).unwrap();
    store.create(&walked_to(planned_as("search", "1.4.0"), Stage::Frozen)).unwrap();
    let mut billing = walked_to(planned_as("billing", "3.1.0"), Stage::Deploying);
    billing.observe("critical_flow_failures", 2.0, "synthetics", &monitor(), t(20)).unwrap();
    billing.roll_back_on_criteria(&grace(), t(21)).unwrap();
    store.create(&billing).unwrap();
    let mut checkout = planned_as("checkout", "2.4.0");
    checkout.waive("planning.stakeholders-notified", HOSTILE, &ada(), t(1)).unwrap();
    store.create(&checkout).unwrap();
    store.create(&walked_to(planned_as("mail", "0.9.0"), Stage::Released)).unwrap();
    store
}

/// The board, served while this lives.
struct Served {
    runtime: Option<tokio::runtime::Runtime>,
    address: SocketAddr,
}

impl Served {
    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.as_ref().expect("the runtime lives as long as the board").block_on(future)
    }
}

impl Drop for Served {
    /// Stops without waiting for the event stream's waits to end.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The board served on 127.0.0.1 (a free port) from its own handle on the
/// store.
fn serve(dir: &TempDir) -> Served {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store: web::Shared = Arc::new(FileStore::open(dir.path()).unwrap());
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(web::serve(listener, store));
    Served { runtime: Some(runtime), address }
}

/// An HTTP/1.1 request; the status code and the body.
fn request(address: SocketAddr, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

#[test]
fn the_pages_show_what_blocks_each_release_and_escape_what_people_wrote() {
    let dir = TempDir::new("board-pages");
    populated(&dir);
    let served = serve(&dir);
    let address = served.address;

    let (status, board) = request(address, "GET", "/");
    assert_eq!(status, 200, "{board}");
    // The blocked release, its gate and reasons.
    assert!(board.contains("blocked before deploying (deploy gate)"), "{board}");
    assert!(
        board.contains("open: <code>build.pipelines-passing</code> All CI/CD pipelines passing"),
        "{board}"
    );
    assert!(board.contains("1 more approval from change-approver (has 0 of 1); linus may"), "{board}");
    assert!(board.contains("… and 20 more open items"), "a card lists five: {board}");
    // The rolled-back one, and a column per stage.
    assert!(
        board.contains("rolled back from deploying: criteria tripped: critical-flow-failures"),
        "{board}"
    );
    for stage in ["planned", "frozen", "deploying", "verifying", "released", "rolled-back"] {
        assert!(board.contains(&format!("data-stage=\"{stage}\"")), "{stage}");
    }
    // No route writes.
    assert_eq!(request(address, "POST", "/").0, 405);
    assert_eq!(request(address, "DELETE", "/release/search@1.4.0").0, 405);

    // One release: the tripped criteria, the workflow with its stage.
    let (status, billing) = request(address, "GET", "/release/billing@3.1.0");
    assert_eq!(status, 200);
    assert!(billing.contains("<h2>Rolled back</h2>"), "{billing}");
    assert!(billing.contains("critical-flow-failures"), "{billing}");
    assert!(billing.contains(r#"<li class="current" aria-current="step">rolled-back</li>"#), "{billing}");
    assert!(billing.contains("Audit trail"), "{billing}");

    // What a person wrote renders as text, on the release's page.
    let (_, checkout) = request(address, "GET", "/release/checkout@2.4.0");
    assert!(checkout.contains("&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;"), "{checkout}");
    assert!(
        !checkout.contains("<script>document.title") && !checkout.contains("<b>not bold</b>"),
        "{checkout}"
    );

    // A key that names nothing, or nothing stored: the store's words.
    let (status, missing) = request(address, "GET", "/release/search@9.9.9");
    assert_eq!(status, 404);
    assert!(missing.contains("the store has no release search@9.9.9"), "{missing}");
    assert_eq!(request(address, "GET", "/release/Not%20A%20Key").0, 404);

    let (status, dora) = request(address, "GET", "/dora");
    assert_eq!(status, 200);
    assert!(dora.contains("deployment frequency"), "{dora}");
    assert!(dora.contains("change failure rate"), "{dora}");
    // The trend picture, with the `svg` feature; without it, the page says
    // how to get it and the picture is not there.
    let (status, picture) = request(address, "GET", "/dora/trend.svg");
    if cfg!(feature = "svg") {
        assert_eq!(status, 200, "{picture}");
        assert!(picture.contains("<svg"), "{picture}");
        assert!(dora.contains(r#"<img src="/dora/trend.svg""#), "{dora}");
    } else {
        assert_eq!(status, 404, "{picture}");
        assert!(dora.contains("--features svg"), "{dora}");
    }
}

#[test]
fn the_event_stream_says_when_another_handle_changes_the_store() {
    let dir = TempDir::new("board-events");
    let store = populated(&dir);
    let served = serve(&dir);
    let address = served.address;
    let head = store.feed_head().unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET /events?after={head} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut lines = BufReader::new(stream);
    let mut line = String::new();
    lines.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    // Another handle appends while the stream waits.
    let key: ReleaseKey = "search@1.4.0".parse().unwrap();
    let writer = FileStore::open(dir.path()).unwrap();
    let appended = Instant::now();
    writer
        .update(&key, |release| {
            release.complete("build.pipelines-passing", &ada(), t(30)).map(drop).map_err(StoreError::from)
        })
        .unwrap();
    let mut seen = Vec::new();
    while seen.iter().all(|line: &String| !line.starts_with("data: search@1.4.0")) {
        line.clear();
        assert!(lines.read_line(&mut line).unwrap() > 0, "the stream ended: {seen:?}");
        seen.push(line.trim_end().to_owned());
    }
    assert!(seen.iter().any(|line| line == "event: change"), "{seen:?}");
    assert!(seen.iter().any(|line| *line == format!("id: {}", head.number() + 1)), "{seen:?}");
    assert!(appended.elapsed() < Duration::from_secs(5), "{:?}", appended.elapsed());
    // A cursor that is not one is refused.
    assert_eq!(request(address, "GET", "/events?after=soon").0, 400);
}

/// Says `message` on the terminal even while the test harness captures
/// output: a skipped test must not pass silently.
fn say_loudly(message: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {message} ***\n");
}

mod browser {
    use super::*;
    use fantoccini::{Client, ClientBuilder, Locator};

    /// chromedriver, stopped when dropped.
    struct Driver(std::process::Child);

    impl Drop for Driver {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Starts chromedriver on a free port of 127.0.0.1, or says why not.
    fn chromedriver() -> Result<(Driver, u16), String> {
        let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        if !std::path::Path::new(&path).exists() {
            return Err(format!("no chromedriver at {path}: install Debian's chromium and chromium-driver"));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(&path)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".to_owned()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start {path}: {error}"))?;
        let driver = Driver(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not listen within 20 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok((driver, port))
    }

    async fn browser(port: u16, profile: &std::path::Path) -> Client {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let options = serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap()
    }

    /// Saves what the browser shows, for people to look at.
    async fn screenshot(client: &Client, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("board-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await.unwrap()).unwrap();
    }

    /// The text of the first element `css` finds, once it exists.
    async fn text_of(client: &Client, css: &str) -> String {
        let found = client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await;
        found.unwrap_or_else(|error| panic!("{css}: {error}")).text().await.unwrap()
    }

    #[test]
    fn a_person_sees_blockers_and_tripped_criteria_and_the_page_follows_the_store() {
        let (_driver, port) = match chromedriver() {
            Ok(started) => started,
            Err(problem) => {
                say_loudly(&format!("the board's browser test: {problem}"));
                assert!(
                    std::env::var_os("RELEASE_WORKFLOW_REQUIRE_BROWSER").is_none(),
                    "RELEASE_WORKFLOW_REQUIRE_BROWSER is set, but {problem}"
                );
                return;
            }
        };
        let dir = TempDir::new("board-browser");
        populated(&dir);
        let served = serve(&dir);
        let address = served.address;
        let profile = TempDir::new("board-browser-profile");
        served.block_on(async {
            let client = browser(port, profile.path()).await;
            let base = format!("http://{address}");
            client.goto(&base).await.unwrap();

            // The blocked release: its gate, an open item, the approval.
            let search = text_of(&client, r#"article[data-key="search@1.4.0"]"#).await;
            assert!(search.contains("blocked before deploying (deploy gate)"), "{search}");
            assert!(search.contains("open: build.pipelines-passing All CI/CD pipelines passing"), "{search}");
            assert!(search.contains("1 more approval from change-approver (has 0 of 1)"), "{search}");
            let rolled_back = text_of(&client, r#"section[data-stage="rolled-back"]"#).await;
            assert!(rolled_back.contains("billing 3.1.0"), "{rolled_back}");
            screenshot(&client, "board").await;

            // Open the rolled-back release: its tripped criteria.
            client.find(Locator::LinkText("billing 3.1.0")).await.unwrap().click().await.unwrap();
            let tripped = text_of(&client, "ul.tripped").await;
            assert!(tripped.contains("critical-flow-failures"), "{tripped}");
            let current = text_of(&client, "ol.workflow li.current").await;
            assert_eq!(current, "rolled-back");
            screenshot(&client, "rolled-back-release").await;

            // What a person wrote is shown as text and runs nothing.
            client.goto(&format!("{base}/release/checkout@2.4.0")).await.unwrap();
            let waived = text_of(&client, r#"tr[data-item="planning.stakeholders-notified"]"#).await;
            assert!(waived.contains(HOSTILE), "{waived}");
            let title = client.title().await.unwrap();
            assert_ne!(title, "pwned");
            let bold = client.find_all(Locator::Css("main b")).await.unwrap();
            assert!(bold.is_empty(), "no element came from the reason");

            // Live: the board follows the feed. Wait until it listens, then
            // append through another handle and time the page's update.
            client.goto(&base).await.unwrap();
            client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("#live.on"))
                .await
                .unwrap();
            let key: ReleaseKey = "search@1.4.0".parse().unwrap();
            let writer = FileStore::open(dir.path()).unwrap();
            writer
                .update(&key, |release| {
                    release
                        .complete("build.pipelines-passing", &ada(), t(30))
                        .map(drop)
                        .map_err(StoreError::from)
                })
                .unwrap();
            let appended = Instant::now();
            loop {
                let card = client.find(Locator::Css(r#"article[data-key="search@1.4.0"]"#)).await;
                let text = match card {
                    Ok(card) => card.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                if !text.is_empty() && !text.contains("build.pipelines-passing") {
                    break;
                }
                assert!(
                    appended.elapsed() < Duration::from_secs(10),
                    "the page never showed the append: {text}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let shown = appended.elapsed();
            screenshot(&client, "board-after-append").await;
            eprintln!("the board showed an append made by another handle after {shown:?}");
            assert!(shown < Duration::from_secs(1), "shown after {shown:?}");
            client.close().await.unwrap();
        });
    }
}
