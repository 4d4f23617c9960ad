//! What both parts share: running the `quire` binary the way a user would, so that its
//! flags, output and exit codes are what is tested, not only the library under it.

use std::ffi::OsStr;

/// Runs the `quire` binary with `--quiet` and `args`, without the environment variables
/// in `unset` (so that a developer's `QUIRE_*` settings cannot leak in); returns (exit
/// code, stdout, stderr), the exit code -1 when a signal ended it.
pub async fn quire<S: AsRef<OsStr>>(
    args: impl IntoIterator<Item = S>,
    unset: &[&str],
) -> (i32, String, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_quire"));
    cmd.arg("--quiet").args(args);
    for var in unset {
        cmd.env_remove(var);
    }
    let out = cmd.output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
