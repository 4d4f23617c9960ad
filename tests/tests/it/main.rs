//! The end-to-end tests, one binary: the devnet lifecycle, the whole system on anvil with the
//! real verifier, and the deploy examples.

mod deploy_examples;
mod devnet;
mod devnet_lifecycle;
mod exodus_l1_only;
