//! `tenor ui`: the live page. One HTTP server (axum) serves the page, its script and style (compiled into
//! the binary, no CDN), `/api/view` (a [`tenor_view::Snapshot`] as JSON, filtered by the query string),
//! `/healthz` and `/readyz`. A feeder thread ([`feed`]) fills the shared [`View`] from a records file or from
//! the output topics; the page polls `/api/view` every 1.5 s.
//!
//! Why polling and not Server-Sent Events: a snapshot is small (lists are capped), the page's filters are
//! simply part of each request, a reconnect needs no code, and a proxy that buffers responses cannot stall
//! it. An editor does not need sub-second updates.

pub mod feed;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tenor_view::{Caps, Query, View};

use crate::config::KafkaConfig;
use crate::http::{HttpError, HttpServer};

const INDEX_HTML: &str = include_str!("ui/assets/index.html");
const APP_JS: &str = include_str!("ui/assets/app.js");
const APP_CSS: &str = include_str!("ui/assets/app.css");

/// Nothing but the page's own script, style and API: record text that slipped through as markup could
/// still not run a script, load anything or send anything anywhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The view shared by the feeder (writer) and the HTTP handlers (readers).
pub type SharedView = Arc<RwLock<View>>;

/// Whether the feeder is reading (the file is open, or the broker answered).
#[derive(Debug, Default)]
pub struct FeedHealth {
    started: AtomicBool,
}

impl FeedHealth {
    pub fn set_started(&self) {
        self.started.store(true, Ordering::SeqCst);
    }

    pub fn is_started(&self) -> bool {
        self.started.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
struct UiState {
    view: SharedView,
    health: Arc<FeedHealth>,
}

/// Where the page's records come from.
#[derive(Debug, Clone)]
pub enum FeedSource {
    /// A records file (`-`: standard input), read to its end, or followed as it grows.
    File { path: String, follow: bool },
    /// The output topics, from their beginning.
    Kafka { kafka: KafkaConfig, topics: Vec<String> },
}

/// Faults that stop `tenor ui`.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Feed(#[from] feed::FeedError),
    #[error("the feeder thread panicked")]
    FeederPanicked,
}

/// Serves the page on `listen`, fed from `source`, until `shutdown` turns true. A records file read to its
/// end keeps being served; a feeder that fails (the file cannot be opened, the Kafka client cannot be
/// created) stops the command.
pub async fn run(
    listen: &str,
    source: FeedSource,
    caps: Caps,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), UiError> {
    let view: SharedView = Arc::new(RwLock::new(View::new(caps)));
    let health = Arc::new(FeedHealth::default());
    let stop = Arc::new(AtomicBool::new(false));
    let app = router(UiState { view: view.clone(), health: health.clone() });
    let server = HttpServer::start(listen, app, "the live page").await?;
    let feeder = {
        let (view, health, stop) = (view.clone(), health.clone(), stop.clone());
        tokio::task::spawn_blocking(move || match &source {
            FeedSource::File { path, follow } => feed::feed_file(path, *follow, &view, &health, &stop),
            FeedSource::Kafka { kafka, topics } => feed::feed_kafka(kafka, topics, &view, &health, &stop),
        })
    };
    let mut feeder = Some(feeder);
    let outcome = loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break Ok(());
                }
            }
            done = async { feeder.as_mut().expect("polled only while present").await }, if feeder.is_some() => {
                feeder = None;
                match done {
                    Ok(Ok(())) => {
                        let totals = view.read().unwrap_or_else(|p| p.into_inner()).snapshot(&Query::default()).totals;
                        tracing::info!(records = totals.records, unreadable = totals.invalid,
                            "read the records to their end; still serving the page");
                    }
                    Ok(Err(error)) => break Err(UiError::Feed(error)),
                    Err(_) => break Err(UiError::FeederPanicked),
                }
            }
        }
    };
    stop.store(true, Ordering::SeqCst);
    server.stop();
    outcome
}

fn router(state: UiState) -> Router {
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/api/view", get(api_view))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

fn with_headers(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    with_headers(body.into_response(), content_type)
}

async fn api_view(State(state): State<UiState>, RawQuery(query): RawQuery) -> Response {
    let query = match parse_query(query.as_deref().unwrap_or("")) {
        Ok(query) => query,
        Err(message) => {
            let body = serde_json::json!({ "error": message }).to_string();
            return with_headers((StatusCode::BAD_REQUEST, body).into_response(), "application/json");
        }
    };
    let snapshot = {
        let view = state.view.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        view.snapshot(&query)
    };
    match serde_json::to_string(&snapshot) {
        Ok(body) => with_headers(body.into_response(), "application/json"),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

async fn readyz(State(state): State<UiState>) -> impl IntoResponse {
    if state.health.is_started() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}

/// `source=...&speaker=...&from=...&to=...` (URL-encoded) to a [`Query`].
pub fn parse_query(raw: &str) -> Result<Query, String> {
    let pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(key)?, percent_decode(value)?))
        })
        .collect::<Result<_, String>>()?;
    Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| e.to_string())
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; the result must be UTF-8.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let byte =
                    hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or("a bad %-escape in the query")?;
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "the query is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn query_strings_decode() {
        assert_eq!(percent_decode("a+b%20c%C3%A9").unwrap(), "a b cé");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%ff").is_err(), "not UTF-8");
        let q = parse_query("source=The+Post&speaker=%D7%A9%D7%9C%D7%95%D7%9D&from=2026-12-01T10%3A00%3A00Z&x")
            .unwrap();
        assert_eq!(q.source.as_deref(), Some("The Post"));
        assert_eq!(q.speaker.as_deref(), Some("שלום"));
        assert_eq!(q.from_ms, Some(1_796_119_200_000));
        assert!(parse_query("to=soon").is_err());
        assert_eq!(parse_query("").unwrap(), Query::default());
    }

    async fn get(addr: SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn serves_the_page_its_assets_and_filtered_snapshots() {
        let view: SharedView = Arc::new(RwLock::new(View::default()));
        let health = Arc::new(FeedHealth::default());
        let app = router(UiState { view: view.clone(), health: health.clone() });
        let server = HttpServer::start("127.0.0.1:0", app, "the live page").await.unwrap();
        let page = get(server.addr(), "/").await;
        assert!(page.starts_with("HTTP/1.1 200"));
        assert!(page.contains("content-security-policy: default-src 'none'; script-src 'self'"));
        assert!(page.contains(r#"<script src="/app.js""#));
        assert!(get(server.addr(), "/app.js").await.contains("textContent"));
        assert!(get(server.addr(), "/app.css").await.contains("unicode-bidi"));
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 503"));
        health.set_started();
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 200"));

        for (id, source) in [("a1", "Wire"), ("a2", "Post")] {
            let record = serde_json::json!({"schema": "tenor.article/1", "article_id": id, "article_source": source,
                "processed_at": "2026-12-01T10:00:00Z", "title": format!("<b>{id}</b>")});
            view.write().unwrap().ingest(&record);
        }
        let all = get(server.addr(), "/api/view").await;
        assert!(all.contains("\"a1\"") && all.contains("\"a2\""), "{all}");
        assert!(all.contains("content-type: application/json"));
        let post = get(server.addr(), "/api/view?source=Post").await;
        assert!(post.contains("\"a2\"") && !post.contains("\"id\":\"a1\""), "{post}");
        assert!(get(server.addr(), "/api/view?from=tomorrow").await.starts_with("HTTP/1.1 400"));
        server.stop();
    }
}
