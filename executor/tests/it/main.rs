//! Integration tests of `quire-executor`, one binary (`cargo test -p quire-executor --test it`).
//!
//! - [`equivalence`]: the parallel executor equals the sequential reference on random
//!   batches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod equivalence;
