//! Log set-up.

use tracing_subscriber::EnvFilter;

/// Where logs go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogOutput {
    /// Standard output (the sequencer).
    Stdout,
    /// Standard error, for programs whose stdout carries their own event lines (the
    /// prover, `quire-devnet`); `ansi` colours the text format.
    Stderr {
        /// Colour the text format (only on a terminal).
        ansi: bool,
    },
}

/// Installs the global subscriber: `format` is `"json"` (one JSON object per line, for log
/// collectors) or anything else for human-readable text; the level comes from `RUST_LOG`,
/// `default_level` when unset. A second call keeps the first subscriber.
pub fn init_tracing(format: &str, output: LogOutput, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init`: tests and the devnet may start a service in a process that has one.
    let _ = match (format == "json", output) {
        (true, LogOutput::Stdout) => builder.json().try_init(),
        (true, LogOutput::Stderr { .. }) => builder.json().with_writer(std::io::stderr).try_init(),
        (false, LogOutput::Stdout) => builder.try_init(),
        (false, LogOutput::Stderr { ansi }) => builder
            .with_writer(std::io::stderr)
            .with_ansi(ansi)
            .try_init(),
    };
}
