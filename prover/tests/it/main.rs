//! The integration tests of `quire-prover`, one binary: the job worker on SQLite and
//! PostgreSQL, and proof submission to L1 on anvil.

mod l1_submit;
mod worker;
