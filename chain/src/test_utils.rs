//! A JSON-RPC proxy that flips one bit of the pubdata in the commit calldata it serves:
//! what an untrusted RPC provider could do, for tests that the mirror refuses it (feature
//! `test-utils`; never in production paths).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use ethers::abi::{AbiDecode, AbiEncode};
use ethers::types::Bytes;
use quire_l1::bindings::rollup::RollupCalls;
use serde_json::Value;

/// A running proxy; stops when dropped.
pub struct TamperingProxy {
    /// The proxy's URL, to give the code under test instead of the node's.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TamperingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Upstream {
    url: String,
    http: reqwest::Client,
}

/// Flips bit 0 of the first pubdata byte of a `commitBatch` / `commitAndProveBatch` input.
fn tamper(input: &str) -> Option<String> {
    let bytes = hex::decode(input.trim_start_matches("0x")).ok()?;
    let call = RollupCalls::decode(&bytes).ok()?;
    let flip = |p: &Bytes| {
        let mut v = p.to_vec();
        if let Some(b) = v.first_mut() {
            *b ^= 1;
        }
        Bytes::from(v)
    };
    let encoded = match call {
        RollupCalls::CommitBatch(mut c) => {
            c.pubdata = flip(&c.pubdata);
            RollupCalls::CommitBatch(c).encode()
        }
        RollupCalls::CommitAndProveBatch(mut c) => {
            c.pubdata = flip(&c.pubdata);
            RollupCalls::CommitAndProveBatch(c).encode()
        }
        _ => return None,
    };
    Some(format!("0x{}", hex::encode(encoded)))
}

fn alter(response: &mut Value) {
    if let Some(input) = response.pointer("/result/input").and_then(Value::as_str) {
        if let Some(t) = tamper(input) {
            response["result"]["input"] = Value::String(t);
        }
    }
}

async fn forward(State(up): State<Arc<Upstream>>, Json(req): Json<Value>) -> Json<Value> {
    let is_tx_query = |r: &Value| r["method"] == "eth_getTransactionByHash";
    let tampered = match &req {
        Value::Array(reqs) => reqs.iter().any(is_tx_query),
        r => is_tx_query(r),
    };
    let answer = up.http.post(&up.url).json(&req).send().await;
    let mut body = match answer {
        Ok(r) => r.json::<Value>().await.unwrap_or(Value::Null),
        Err(e) => {
            serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32000, "message": e.to_string()}})
        }
    };
    if tampered {
        match &mut body {
            Value::Array(rs) => rs.iter_mut().for_each(alter),
            r => alter(r),
        }
    }
    Json(body)
}

impl TamperingProxy {
    /// Starts a proxy in front of `upstream` on a free local port.
    pub async fn start(upstream: &str) -> std::io::Result<TamperingProxy> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Upstream {
            url: upstream.to_string(),
            http: reqwest::Client::new(),
        });
        let app = Router::new().route("/", post(forward)).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(TamperingProxy { url, task })
    }
}
