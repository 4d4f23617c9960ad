//! Progress of the job being proven: an indicatif bar when stderr is a terminal, otherwise
//! `tracing` log lines (at most one every few seconds, and at the end), which is what a
//! service manager or a log collector wants. Both feed the same Prometheus gauge.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::prover::Progress;

/// Least time between two progress log lines.
const LOG_EVERY: Duration = Duration::from_secs(5);

struct Counts {
    done: u64,
    total: u64,
    last_log: Instant,
}

/// The progress of one job.
pub struct JobProgress {
    batch: u64,
    started: Instant,
    bar: Option<ProgressBar>,
    counts: Mutex<Counts>,
}

impl JobProgress {
    /// Progress of batch `batch`; a bar if `tty` (see [`stderr_is_terminal`]).
    pub fn new(batch: u64, tty: bool) -> Self {
        let bar = tty.then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "batch {prefix} [{elapsed_precise}] {bar:30} {pos}/{len} {msg} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(batch.to_string());
            bar
        });
        Self {
            batch,
            started: Instant::now(),
            bar,
            counts: Mutex::new(Counts {
                done: 0,
                total: 0,
                last_log: Instant::now(),
            }),
        }
    }

    /// Removes the bar (the job ended, one way or another).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// True when stderr is a terminal (then a bar, else log lines).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

impl Progress for JobProgress {
    fn start(&self, total: u64, stage: &str) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.total = total;
        c.done = 0;
        c.last_log = Instant::now();
        metrics::gauge!("quire_prover_job_progress_ratio").set(0.0);
        match &self.bar {
            Some(bar) => {
                bar.set_length(total);
                bar.set_message(stage.to_string());
            }
            None => tracing::info!(batch = self.batch, units = total, stage, "proving"),
        }
    }

    fn advance(&self, stage: &str) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.done += 1;
        let ratio = if c.total == 0 {
            1.0
        } else {
            c.done as f64 / c.total as f64
        };
        metrics::gauge!("quire_prover_job_progress_ratio").set(ratio);
        match &self.bar {
            Some(bar) => {
                bar.set_position(c.done);
                bar.set_message(stage.to_string());
            }
            None => {
                if c.done >= c.total || c.last_log.elapsed() >= LOG_EVERY {
                    c.last_log = Instant::now();
                    tracing::info!(
                        batch = self.batch,
                        done = c.done,
                        total = c.total,
                        next = stage,
                        elapsed_s = self.started.elapsed().as_secs_f64(),
                        "progress"
                    );
                }
            }
        }
    }
}
