//! The integration tests of `quire-sequencer`, one binary: the HTTP API, crash recovery of a
//! killed sequencer process, and settlement on anvil.

mod api;
mod common;
mod crash;
mod l1_settlement;
