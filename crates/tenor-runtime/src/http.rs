//! The HTTP side of a service: `/metrics` (Prometheus text format), `/healthz` (the process is up) and
//! `/readyz` (the pipeline is loaded, partitions are assigned, and producing is not failing).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::metrics::Metrics;

/// What `/readyz` reports; set by the service as it starts.
#[derive(Debug, Default)]
pub struct Health {
    pipeline_loaded: AtomicBool,
    partitions_assigned: AtomicBool,
    /// Set while records fail to be delivered (broker down, ...); cleared by the next acknowledged emission.
    produce_failing: AtomicBool,
}

impl Health {
    pub fn set_pipeline_loaded(&self, loaded: bool) {
        self.pipeline_loaded.store(loaded, Ordering::SeqCst);
    }

    pub fn set_partitions_assigned(&self, assigned: bool) {
        self.partitions_assigned.store(assigned, Ordering::SeqCst);
    }

    pub fn set_produce_failing(&self, failing: bool) {
        self.produce_failing.store(failing, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.pipeline_loaded.load(Ordering::SeqCst)
            && self.partitions_assigned.load(Ordering::SeqCst)
            && !self.produce_failing.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
struct AppState {
    metrics: Arc<Metrics>,
    health: Arc<Health>,
}

/// Errors of the HTTP endpoint (world faults: the service does not start).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot listen for metrics on {addr}")]
    Bind { addr: String, source: std::io::Error },
}

/// A running HTTP server (the services' metrics and probes, the live page); [`HttpServer::addr`] is the bound
/// address (useful with port 0).
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl HttpServer {
    /// Binds `addr` and serves `app` until [`HttpServer::stop`] (or the runtime ends); `what` names it in logs.
    pub async fn start(addr: &str, app: Router, what: &'static str) -> Result<HttpServer, HttpError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| HttpError::Bind { addr: addr.to_owned(), source })?;
        let bound = listener.local_addr().map_err(|source| HttpError::Bind { addr: addr.to_owned(), source })?;
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, what, "HTTP server stopped");
            }
        });
        tracing::info!(addr = %bound, "serving {what} at http://{bound}/");
        Ok(HttpServer { addr: bound, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// The services' `/metrics`, `/healthz` and `/readyz`.
pub fn metrics_router(metrics: Arc<Metrics>, health: Arc<Health>) -> Router {
    router(AppState { metrics, health })
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.health.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    async fn endpoints_report_metrics_health_and_readiness() {
        let metrics = Arc::new(Metrics::new("test"));
        let health = Arc::new(Health::default());
        let app = metrics_router(metrics.clone(), health.clone());
        let server = HttpServer::start("127.0.0.1:0", app, "metrics").await.unwrap();
        assert!(get(server.addr(), "/healthz").await.starts_with("HTTP/1.1 200"));
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 503"));
        health.set_pipeline_loaded(true);
        health.set_partitions_assigned(true);
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 200"));
        health.set_produce_failing(true);
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 503"));
        health.set_produce_failing(false);
        assert!(get(server.addr(), "/readyz").await.starts_with("HTTP/1.1 200"));
        metrics.in_flight.set(5);
        assert!(get(server.addr(), "/metrics").await.contains("tenor_in_flight_messages 5"));
        server.stop();
    }
}
