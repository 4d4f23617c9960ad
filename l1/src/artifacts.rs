//! The committed contract artifacts in `l1/abi/` and how they are extracted from forge's
//! output, shared by the staleness test and `l1/abi/update.sh`.

use serde_json::{json, Value};

/// One committed artifact: forge's output file (under `contracts/out/`) and our copy (under
/// `l1/abi/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// Path under `contracts/out/`.
    pub forge: &'static str,
    /// Path under `l1/abi/`.
    pub copy: &'static str,
}

/// Every artifact the bindings are generated from.
pub const ARTIFACTS: &[Artifact] = &[
    Artifact {
        forge: "Rollup.sol/Rollup.json",
        copy: "Rollup.json",
    },
    Artifact {
        forge: "QuireVerifier.sol/QuireVerifier.json",
        copy: "QuireVerifier.json",
    },
    Artifact {
        forge: "TestBatchVerifier.sol/TestBatchVerifier.json",
        copy: "test-doubles/TestBatchVerifier.json",
    },
    Artifact {
        forge: "Tokens.sol/MockERC20.json",
        copy: "test-doubles/MockERC20.json",
    },
];

/// The part of a forge artifact we commit: the ABI and the creation bytecode (what
/// `abigen!` needs to generate calls, events, errors and `deploy`). Metadata and source maps
/// are left out: they change with nothing the bindings depend on.
pub fn extract(forge_artifact: &Value) -> Result<Value, String> {
    let abi = forge_artifact
        .get("abi")
        .filter(|a| a.is_array())
        .ok_or("artifact has no abi array")?;
    let bytecode = forge_artifact
        .pointer("/bytecode/object")
        .and_then(Value::as_str)
        .ok_or("artifact has no bytecode.object")?;
    if forge_artifact
        .pointer("/bytecode/linkReferences")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
    {
        // Unlinked library placeholders would make the committed bytecode undeployable.
        return Err("bytecode needs library linking, which quire-l1 does not do".into());
    }
    Ok(json!({ "abi": abi, "bytecode": bytecode }))
}
