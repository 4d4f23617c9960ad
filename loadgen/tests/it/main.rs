//! Integration tests of `quire-loadgen`, one binary (`cargo test -p quire-loadgen --test it`).
//!
//! - [`run`]: a full load run against an in-process sequencer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod run;
