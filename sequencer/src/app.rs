//! Runs the service: API server, batcher and, with an `[l1]` section, the L1 watcher and
//! settlement tasks, with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::node::{Node, StartError};

/// A started sequencer.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The shared node.
    pub node: Arc<Node>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    batcher: tokio::task::JoinHandle<()>,
    l1_tasks: Vec<tokio::task::JoinHandle<()>>,
    stop: watch::Sender<bool>,
}

/// The process-wide Prometheus recorder (one per process, shared with the other services:
/// see `quire_service_kit::metrics_handle`).
pub fn metrics_handle() -> PrometheusHandle {
    quire_service_kit::metrics_handle()
}

/// Starts the node, the API on `config.listen`, the batcher and, if configured, the L1
/// tasks (after checking the deployment against the node's genesis and chain).
pub async fn start(config: Config) -> Result<Running, StartError> {
    config
        .validate()
        .map_err(|e| StartError::State(e.to_string()))?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError::State(format!("binding {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::State(e.to_string()))?;
    let l1_config = config.l1.clone();
    let node = Node::start(config).await?;
    let l1 = match &l1_config {
        Some(c) => Some(Arc::new(crate::l1::connect(&node, c).await?)),
        None => None,
    };
    let (stop, stop_rx) = watch::channel(false);
    let app = crate::api::router(Arc::clone(&node), metrics_handle());
    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = server_stop.changed().await;
            })
            .await
    });
    let l1_tasks = match l1 {
        Some(ctx) => crate::l1::spawn(Arc::clone(&node), ctx, stop_rx.clone()),
        None => Vec::new(),
    };
    let batcher = tokio::spawn(crate::batcher::run(Arc::clone(&node), stop_rx));
    tracing::info!(%addr, "sequencer listening");
    Ok(Running {
        addr,
        node,
        server,
        batcher,
        l1_tasks,
        stop,
    })
}

impl Running {
    /// Stops accepting requests, lets in-flight ones finish, closes a last batch of what is
    /// pending, then closes the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.server.await {
            tracing::warn!(error = %e, "server task ended abnormally");
        }
        if let Err(e) = self.batcher.await {
            tracing::warn!(error = %e, "batcher task ended abnormally");
        }
        for task in self.l1_tasks {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "L1 task ended abnormally");
            }
        }
        self.node.storage.close().await;
        tracing::info!("sequencer stopped");
    }

    /// Runs until `signal` completes, then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        tracing::info!("shutdown requested");
        self.shutdown().await;
    }
}
