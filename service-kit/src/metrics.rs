//! The process's one Prometheus recorder.
//!
//! `metrics` has one global recorder per process, and the devnet runs the sequencer and a
//! prover in one process (tests start several of each): a recorder per service would leave
//! all but the first installed one rendering nothing. So every service takes its handle
//! from here.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide Prometheus recorder, installed on first call.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (embedding); ours then only renders.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
