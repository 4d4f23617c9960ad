//! Prometheus metrics on an HTTP endpoint (`/metrics`, `/healthz`), with the same
//! `metrics` + `metrics-exporter-prometheus` stack as the sequencer.
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `quire_prover_jobs_total{result}` | counter | attempts ended: `proven`, `retrying`, `failed`, `released`, `lease_lost` |
//! | `quire_prover_reclaimed_total{outcome}` | counter | jobs taken back from dead workers: `requeued`, `failed` |
//! | `quire_prover_job_seconds` | histogram | wall time of successful attempts |
//! | `quire_prover_proof_bytes` | histogram | size of stored proofs |
//! | `quire_prover_last_proven_batch` | gauge | highest batch this worker proved |
//! | `quire_prover_busy` | gauge | 1 while a job is being proven |
//! | `quire_prover_job_progress_ratio` | gauge | progress of the current job, 0..1 |
//! | `quire_prover_queue_jobs{status}` | gauge | jobs per status, as last seen |

use std::net::SocketAddr;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The process-wide Prometheus recorder (one per process, shared with the other services:
/// see `quire_service_kit::metrics_handle`).
pub fn metrics_handle() -> PrometheusHandle {
    quire_service_kit::metrics_handle()
}

/// A running metrics endpoint.
pub struct MetricsServer {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl MetricsServer {
    /// Serves `/metrics` and `/healthz` on `listen` until `stop` turns true.
    pub async fn start(
        listen: SocketAddr,
        mut stop: watch::Receiver<bool>,
    ) -> std::io::Result<Self> {
        let handle = metrics_handle();
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/metrics",
                get(move || {
                    let m = handle.clone();
                    async move {
                        (
                            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                            m.render(),
                        )
                    }
                }),
            );
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    while !*stop.borrow() {
                        if stop.changed().await.is_err() {
                            break;
                        }
                    }
                })
                .await
        });
        Ok(Self { addr, task })
    }

    /// Waits for the server to stop (after `stop`).
    pub async fn join(self) {
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("metrics server: {e}"),
            Err(e) => tracing::warn!("metrics server task: {e}"),
        }
    }
}
