//! The example configurations in `deploy/` stay valid: each parses with the service's own
//! loader (unknown keys are rejected there, naming the key) and passes its validation.

use quire_service_kit::config::LayeredConfig;
use std::path::Path;

fn deploy(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(file)
}

#[test]
fn sequencer_example_parses_and_validates() {
    let c = quire_sequencer::config::Config::from_file(&deploy("sequencer.example.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(c.l1.is_some(), "the example settles on L1");
    assert!(!c.api.dev_endpoints);
    c.validate().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn prover_example_parses_and_validates() {
    let c = quire_prover::ServiceConfig::from_file(&deploy("prover.example.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(c.l1.is_some(), "the example submits proofs");
    c.validate().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn devnet_genesis_is_the_deploy_example() {
    let g = quire_core::chain::devnet_genesis().unwrap_or_else(|e| panic!("{e}"));
    let text =
        std::fs::read_to_string(deploy("genesis.example.json")).unwrap_or_else(|e| panic!("{e}"));
    let file: quire_core::state::Genesis =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g, file);
}
