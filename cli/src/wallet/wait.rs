//! Following a transaction from acknowledgement to L1 finality, with progress.
//!
//! A transaction moves `pending → executed (soft confirmation) → committed → proven →
//! finalized`, or ends `rejected`. Waiting polls `GET /v1/transactions/{hash}`: the stages
//! take from milliseconds (soft) to many minutes (a proof), and polling survives sequencer
//! restarts where a held-open request would not. Progress goes to stderr so stdout stays
//! machine-readable: a spinner naming the stage on a terminal, one line per stage otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use quire_api::{Client, TxStatus, TxView};
use quire_core::hash::Digest;

use super::error::{Result, WalletError};

/// How far `--wait` follows a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum WaitFor {
    /// Return as soon as the service has acknowledged it.
    None,
    /// Executed in a stored batch (soft confirmation).
    Soft,
    /// Its batch is committed on L1.
    Committed,
    /// Its batch's proof is verified on L1.
    Proven,
    /// Its batch is executed on L1 (withdrawals become claimable).
    Finalized,
}

impl WaitFor {
    /// The status name reached when this target is met.
    pub fn status(self) -> &'static str {
        match self {
            WaitFor::None => "pending",
            WaitFor::Soft => "executed",
            WaitFor::Committed => "committed",
            WaitFor::Proven => "proven",
            WaitFor::Finalized => "finalized",
        }
    }
}

/// Rank of a status along the pipeline (`None` for `rejected` and unknown names).
pub fn stage_rank(status: &str) -> Option<u8> {
    Some(match status {
        "pending" => 0,
        "executed" => 1,
        "committed" => 2,
        "proven" => 3,
        "finalized" => 4,
        _ => return None,
    })
}

/// Where progress is shown.
pub enum Progress {
    /// A spinner on stderr (a terminal).
    Spinner(ProgressBar),
    /// One line on stderr per change.
    Lines,
    /// Nothing (tests, `--quiet`).
    Quiet,
}

impl Progress {
    /// A spinner if stderr is a terminal, plain lines otherwise.
    pub fn auto() -> Progress {
        if std::io::stderr().is_terminal() {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.enable_steady_tick(Duration::from_millis(120));
            Progress::Spinner(pb)
        } else {
            Progress::Lines
        }
    }

    /// Shows a new stage.
    pub fn update(&self, msg: &str) {
        match self {
            Progress::Spinner(pb) => pb.set_message(msg.to_string()),
            Progress::Lines => eprintln!("{msg}"),
            Progress::Quiet => {}
        }
    }

    /// Ends the display.
    pub fn finish(&self) {
        if let Progress::Spinner(pb) = self {
            pb.finish_and_clear();
        }
    }
}

fn describe(status: &TxStatus) -> String {
    match (status.name(), status.batch_number()) {
        ("pending", _) => "pending: waiting for a batch".into(),
        ("executed", Some(b)) => {
            format!("executed in batch {b} (soft confirmation); next: commit on L1")
        }
        ("committed", Some(b)) => format!("batch {b} committed on L1; next: proof"),
        ("proven", Some(b)) => format!("batch {b} proven on L1; next: execution"),
        ("finalized", Some(b)) => format!("batch {b} finalized on L1"),
        (s, _) => s.to_string(),
    }
}

/// Polls the transaction until it reaches `target`, is rejected, or `timeout` passes.
///
/// Returns the last state seen. A rejection is [`WalletError::Refused`] with the batch's
/// machine-readable reason; running out of time is [`WalletError::Timeout`].
pub async fn wait_for_tx(
    seq: &Client,
    hash: &Digest,
    target: WaitFor,
    timeout: Duration,
    progress: &Progress,
) -> Result<Option<TxView>> {
    if target == WaitFor::None {
        return Ok(None);
    }
    let want = stage_rank(target.status()).unwrap_or(1);
    let started = Instant::now();
    let mut last = String::from("unknown");
    let mut interval = Duration::from_millis(50);
    let result = loop {
        match seq.transaction(hash).await? {
            None => {}
            Some(view) => {
                let status = view.status.name();
                if status != last {
                    last = status.to_string();
                    progress.update(&describe(&view.status));
                }
                if let TxStatus::Rejected {
                    batch_number,
                    code,
                    message,
                } = &view.status
                {
                    break Err(WalletError::Refused {
                        code: code.as_str().into(),
                        message: format!("rejected in batch {batch_number}: {message}"),
                        field: None,
                    });
                }
                if stage_rank(status).is_some_and(|r| r >= want) {
                    break Ok(Some(view));
                }
            }
        }
        if started.elapsed() >= timeout {
            break Err(WalletError::Timeout {
                target: target.status().into(),
                last: last.clone(),
                after: timeout,
            });
        }
        tokio::time::sleep(interval.min(timeout.saturating_sub(started.elapsed()))).await;
        // Soft confirmation takes a batch interval; the L1 stages take blocks and proofs.
        interval = (interval * 2).min(Duration::from_secs(2));
    };
    progress.finish();
    result
}

/// Polls until the L2 has executed priority operation `priority_id` (the deposit is then
/// credited), or `timeout` passes.
pub async fn wait_for_priority_op(
    seq: &Client,
    priority_id: u64,
    timeout: Duration,
    progress: &Progress,
) -> Result<()> {
    let started = Instant::now();
    progress.update(&format!(
        "waiting for the L2 to execute priority operation {priority_id} (needs the L1 watcher)"
    ));
    let result = loop {
        let status = seq.status().await?;
        if status.next_priority_id > priority_id {
            progress.update(&format!("priority operation {priority_id} executed on L2"));
            break Ok(());
        }
        if started.elapsed() >= timeout {
            break Err(WalletError::Timeout {
                target: format!("priority operation {priority_id} on L2"),
                last: format!("L2 at priority id {}", status.next_priority_id),
                after: timeout,
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    progress.finish();
    result
}
