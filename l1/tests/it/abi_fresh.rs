//! The ABI copies under `l1/abi/` (what `abigen!` reads) must equal what a fresh
//! `forge build` of `contracts/` produces. With `QUIRE_L1_UPDATE_ABI=1` the test rewrites the
//! copies instead (that is what `l1/abi/update.sh` does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use quire_l1::artifacts::{extract, ARTIFACTS};

#[test]
fn committed_abi_copies_match_a_fresh_forge_build() {
    let l1 = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let contracts = l1.join("../contracts");
    let forge = contracts.join("node_modules/.bin/forge");
    assert!(
        forge.exists(),
        "{} is missing: run scripts/install-l1-toolchain.sh",
        forge.display()
    );
    // Incremental: forge recompiles only what changed since contracts/out was written. Only
    // the sources the copies come from are built, so an unrelated test file cannot fail this.
    let out = Command::new(&forge)
        .args(["build", "src", "test/mocks"])
        .current_dir(&contracts)
        .output()
        .expect("run forge build");
    assert!(
        out.status.success(),
        "forge build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let update = std::env::var("QUIRE_L1_UPDATE_ABI").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for a in ARTIFACTS {
        let forge_path = contracts.join("out").join(a.forge);
        let text = std::fs::read_to_string(&forge_path)
            .unwrap_or_else(|e| panic!("{}: {e}", forge_path.display()));
        let fresh = extract(&serde_json::from_str(&text).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", a.forge));
        let copy_path = l1.join("abi").join(a.copy);
        if update {
            let mut s = serde_json::to_string_pretty(&fresh).unwrap();
            s.push('\n');
            std::fs::write(&copy_path, s).unwrap();
            continue;
        }
        let committed: serde_json::Value = std::fs::read_to_string(&copy_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if committed != fresh {
            stale.push(a.copy);
        }
    }
    assert!(
        stale.is_empty(),
        "stale ABI copies in l1/abi/: {stale:?}; run l1/abi/update.sh and commit the result"
    );
}

#[test]
fn extract_keeps_abi_and_bytecode_only_and_refuses_unlinked_code() {
    let artifact = serde_json::json!({
        "abi": [{"type": "function", "name": "f", "inputs": [], "outputs": [], "stateMutability": "view"}],
        "bytecode": {"object": "0x6001", "linkReferences": {}},
        "deployedBytecode": {"object": "0x01"},
        "metadata": {"compiler": {"version": "x"}}
    });
    let got = extract(&artifact).unwrap();
    assert_eq!(
        got,
        serde_json::json!({"abi": artifact["abi"], "bytecode": "0x6001"})
    );

    let mut linked = artifact.clone();
    linked["bytecode"]["linkReferences"] =
        serde_json::json!({"src/L.sol": {"L": [{"start": 1, "length": 20}]}});
    assert!(extract(&linked).is_err());
    assert!(extract(&serde_json::json!({"bytecode": {"object": "0x"}})).is_err());
}
