//! The real service on a random port against SQLite (and PostgreSQL when
//! `QUIRE_TEST_POSTGRES_URL` is set): the happy path, every bad input with its code and no
//! state change, and recovery after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use crate::common;

use crate::common::{key, start, transfer, Client};
use quire_api::{BatchPage, ClientError, ErrorCode, Wait};
use quire_core::token::TokenId;
use quire_core::tx::SignedTx;
use quire_sequencer::app::Running;
use quire_storage::BatchStage;
use serde_json::{json, Value};

/// The typed client of the same server.
fn typed(client: &Client) -> quire_api::Client {
    quire_api::Client::new(&client.base).unwrap()
}

/// A signed transfer as the typed client sends it.
fn signed(v: Value) -> SignedTx {
    serde_json::from_value(v).unwrap()
}

async fn happy_path(running: &Running, client: &Client) {
    let (alice, bob) = (key(1), key(2));
    let a = client.fund(&alice, 0, 1_000_000).await;
    let b = client.fund(&bob, 0, 5).await;
    let api = typed(client);

    // Submit and wait for soft confirmation.
    let reply = api
        .submit(&signed(transfer(&alice, a, b, 1000, 10, 0)), Wait::Soft)
        .await
        .unwrap();
    assert_eq!(reply.status.name(), "executed", "{reply:?}");
    let hash = reply.hash;
    let rec = api.transaction(&hash).await.unwrap().unwrap();
    assert_eq!(rec.status.name(), "executed");
    assert_eq!(rec.status, reply.status);
    let batch = rec.status.batch_number().unwrap();

    let acc = api.account(b).await.unwrap().unwrap();
    assert_eq!(acc.balance(TokenId::ETH).unwrap(), 1005);
    let acc = api.account(a).await.unwrap().unwrap();
    assert_eq!(acc.balance(TokenId::ETH).unwrap(), 1_000_000 - 1010);
    assert_eq!(acc.nonce, 1);

    // The proof verifies against the root the API reports.
    let p = api.proof(b, TokenId::ETH).await.unwrap().unwrap();
    assert_eq!(p.proof.balance, 1005);
    assert!(p.proof.verify(&p.root));

    // Settlement stages, as L1 events would drive them: forward one at a time, in order.
    let storage = &running.node.storage;
    assert!(
        storage
            .advance_batch(batch, BatchStage::Proven)
            .await
            .is_err(),
        "a stage cannot be skipped"
    );
    if batch > 1 {
        assert!(
            storage
                .advance_batch(batch, BatchStage::Committed)
                .await
                .is_err(),
            "batch {batch} cannot pass batch {}",
            batch - 1
        );
    }
    for stage in [
        BatchStage::Committed,
        BatchStage::Proven,
        BatchStage::Finalized,
    ] {
        for n in 1..=batch {
            storage.advance_batch(n, stage).await.unwrap();
        }
        storage.advance_batch(batch, stage).await.unwrap(); // replays are no-ops
        let rec = api.transaction(&hash).await.unwrap().unwrap();
        assert_eq!(rec.status.name(), stage.as_str(), "{rec:?}");
        assert_eq!(rec.status.batch_number(), Some(batch));
    }
    assert!(storage
        .advance_batch(batch, BatchStage::Proven)
        .await
        .is_err());
    assert!(storage
        .advance_batch(batch + 1_000, BatchStage::Committed)
        .await
        .is_err());

    let b1 = api.batch(batch).await.unwrap().unwrap();
    assert!(b1.pubdata_bytes >= 18);
    assert_eq!(b1.status, quire_api::BatchStage::Finalized);
    assert_eq!(api.batch(batch + 1_000).await.unwrap(), None);
    let page = BatchPage {
        before: None,
        limit: Some(2),
    };
    let list = api.batches(&page).await.unwrap();
    assert!(!list.is_empty() && list.len() <= 2);
    assert_eq!(list[0].number, batch, "newest first");
    let tokens = api.tokens().await.unwrap();
    assert_eq!(tokens[0].symbol, "ETH");
    let pools = api.pools().await.unwrap();
    assert_eq!(pools.len(), 1);
    let status = api.status().await.unwrap();
    assert_eq!(status.latest_batch, batch);
    let (_, doc) = client.get("/openapi.json").await;
    assert!(doc["paths"]["/v1/transactions"]["post"].is_object());
    let metrics = client
        .http
        .get(format!("{}/metrics", client.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("quire_batches_total"), "{metrics}");
    assert_eq!(client.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn happy_path_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    let (running, client) = start(&url).await;
    happy_path(&running, &client).await;
    running.shutdown().await;
}

#[tokio::test]
async fn happy_path_on_postgres() {
    let Some(url) = common::postgres_database("happy").await else {
        return;
    };
    let (running, client) = start(&url).await;
    happy_path(&running, &client).await;
    running.shutdown().await;
}

/// Everything observable about the state.
async fn snapshot(client: &Client, ids: &[u32]) -> Value {
    let mut accounts = Vec::new();
    for id in ids {
        accounts.push(client.get(&format!("/v1/accounts/{id}")).await.1);
    }
    let s = client.status().await;
    json!({"root": s["root"], "pending": s["pending"], "batch": s["latest_batch"], "accounts": accounts})
}

#[tokio::test]
async fn bad_inputs_get_their_code_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    let (running, client) = start(&url).await;
    let (alice, bob) = (key(1), key(2));
    let a = client.fund(&alice, 0, 1_000_000).await;
    let b = client.fund(&bob, 0, 5).await;
    let (s, v) = client
        .post_json(
            "/v1/transactions?wait=soft",
            &transfer(&alice, a, b, 1, 0, 0),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("executed")));
    let executed = transfer(&alice, a, b, 1, 0, 0);
    let executed_again = executed.clone();

    let good = transfer(&alice, a, b, 10, 0, 1);
    let mut bad_sig = good.clone();
    let sig = bad_sig["signature"].as_str().unwrap().to_string();
    // Flip a bit of e's first limb (bytes 40..48): still canonical, no longer valid.
    let mut bytes = hex::decode(&sig[2..]).unwrap();
    bytes[41] ^= 1;
    bad_sig["signature"] = json!(format!("0x{}", hex::encode(bytes)));
    let mut wrong_type = good.clone();
    wrong_type["tx"]["nonce"] = json!("one");
    let mut unknown_token = transfer(&alice, a, b, 10, 0, 1);
    unknown_token["tx"]["token"] = json!(250); // a share-token id no pool issues
    let unknown_token = {
        let tx: quire_core::tx::L2Tx = serde_json::from_value(unknown_token["tx"].clone()).unwrap();
        serde_json::to_value(tx.sign(&alice, quire_sequencer::node::DEVNET_CHAIN_ID)).unwrap()
    };

    let cases: Vec<(
        &str,
        Box<dyn Fn() -> (String, Vec<u8>)>,
        u16,
        &str,
        Option<&str>,
    )> = vec![
        (
            "malformed json",
            Box::new(|| ("application/json".into(), b"{\"tx\": ".to_vec())),
            400,
            "malformed",
            None,
        ),
        (
            "wrong type",
            Box::new(move || {
                (
                    "application/json".into(),
                    serde_json::to_vec(&wrong_type).unwrap(),
                )
            }),
            400,
            "malformed",
            Some("tx.nonce"),
        ),
        (
            "oversized",
            Box::new(|| ("application/json".into(), vec![b' '; 200_000])),
            413,
            "too_large",
            None,
        ),
        (
            "unsupported media",
            Box::new(|| ("text/plain".into(), b"hi".to_vec())),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "bad binary",
            Box::new(|| ("application/octet-stream".into(), vec![2, 0, 0])),
            400,
            "malformed",
            None,
        ),
        (
            "bad signature",
            Box::new(move || {
                (
                    "application/json".into(),
                    serde_json::to_vec(&bad_sig).unwrap(),
                )
            }),
            422,
            "bad_signature",
            Some("signature"),
        ),
        (
            "replayed tx",
            Box::new(move || {
                (
                    "application/json".into(),
                    serde_json::to_vec(&executed).unwrap(),
                )
            }),
            422,
            "bad_nonce",
            Some("nonce"),
        ),
        (
            "unknown token",
            Box::new(move || {
                (
                    "application/json".into(),
                    serde_json::to_vec(&unknown_token).unwrap(),
                )
            }),
            422,
            "unknown_token",
            Some("token"),
        ),
    ];
    let before = snapshot(&client, &[a.get(), b.get(), 1]).await;
    for (name, body, status, code, field) in &cases {
        let (ct, bytes) = body();
        let (s, v) = client.post_raw("/v1/transactions", &ct, bytes).await;
        assert_eq!(s, *status, "{name}: {v}");
        assert_eq!(v["code"], *code, "{name}: {v}");
        if let Some(f) = field {
            assert_eq!(v["field"], *f, "{name}: {v}");
        }
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}: {v}"
        );
    }
    // Amounts: zero, ≥ 2^63, overdraft, and an unknown receiver.
    let amount_cases = [
        (
            transfer(&alice, a, b, 0, 0, 1),
            "amount_out_of_range",
            Some("amount"),
        ),
        (
            transfer(&alice, a, b, 1 << 63, 0, 1),
            "amount_out_of_range",
            Some("amount"),
        ),
        (
            transfer(&alice, a, b, (1 << 62) + 1, 0, 1),
            "insufficient_balance",
            None,
        ),
        (
            transfer(&alice, a, b, 5, 2049, 1),
            "fee_not_packable",
            Some("fee"),
        ),
        (
            transfer(&bob, a, b, 5, 0, 1),
            "bad_signature",
            Some("signature"),
        ),
        (
            transfer(&alice, a, b, 5, 0, 100_000),
            "bad_nonce",
            Some("nonce"),
        ),
    ];
    for (body, code, field) in amount_cases {
        let (s, v) = client.post_json("/v1/transactions", &body).await;
        assert_eq!((s, v["code"].as_str()), (422, Some(code)), "{v}");
        if let Some(f) = field {
            assert_eq!(v["field"], f, "{v}");
        }
    }
    // A withdrawal to address zero would burn the funds: refused, naming the field.
    let burn = quire_core::tx::L2Tx::Withdraw(quire_core::tx::Withdraw {
        from: a,
        to: quire_core::account::Address::ZERO,
        token: quire_core::token::TokenId::ETH,
        amount: 5,
        fee: 0,
        nonce: 1,
    })
    .sign(&alice, quire_sequencer::node::DEVNET_CHAIN_ID);
    let (s, v) = client
        .post_json("/v1/transactions", &serde_json::to_value(burn).unwrap())
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("zero_recipient")),
        "{v}"
    );
    assert_eq!(v["field"], "to", "{v}");
    // An account is a key and its L1 owner: a lookup by key alone is refused, not answered
    // with one of the key's accounts; another owner's pair names no account.
    let pk = alice.public_key();
    let (s, v) = client.get(&format!("/v1/accounts/by-key/{pk}")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("owner_required")),
        "{v}"
    );
    assert_eq!(v["field"], "owner", "{v}");
    let (s, v) = client
        .get(&format!(
            "/v1/accounts/by-key/{pk}?owner=0x{}",
            "ab".repeat(20)
        ))
        .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    let (s, v) = client
        .get(&format!("/v1/accounts/by-key/{pk}?owner=0x12"))
        .await;
    assert_eq!((s, v["code"].as_str()), (400, Some("malformed")), "{v}");
    // The typed client: a refusal carries its code and field; an absent account is `None`.
    let api = typed(&client);
    match api
        .submit(&signed(executed_again.clone()), Wait::Durable)
        .await
    {
        Err(ClientError::Api { status, body }) => {
            assert_eq!((status, body.code), (422, ErrorCode::BadNonce), "{body}");
            assert_eq!(body.field.as_deref(), Some("nonce"));
        }
        other => panic!("a replay must be refused: {other:?}"),
    }
    let stranger = quire_core::account::Address([0xab; 20]);
    assert_eq!(api.account_by_key(&pk, &stranger).await.unwrap(), None);
    let unknown = quire_core::hash::Digest([5, 6, 7, 8]);
    assert_eq!(api.transaction(&unknown).await.unwrap(), None);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        snapshot(&client, &[a.get(), b.get(), 1]).await,
        before,
        "bad input changed state"
    );

    // Duplicates: the same transaction twice is 409, the first still executes.
    let (s, _) = client.post_json("/v1/transactions", &good).await;
    assert_eq!(s, 202);
    let (s, v) = client.post_json("/v1/transactions", &good).await;
    assert!(
        s == 409 || (s == 422 && v["code"] == "bad_nonce"),
        "{s} {v}"
    );
    running.shutdown().await;
}

/// Waits until the latest batch the state executed is durable: the in-memory state runs
/// ahead of storage while a batch is being stored.
async fn wait_until_stored(running: &quire_sequencer::app::Running) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while running.node.head.read().root != running.node.state.read().committed_root() {
        assert!(
            std::time::Instant::now() < deadline,
            "the latest batch was never stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A batch never carries more pubdata than `batch.max_pubdata_bytes`: seven transfers
/// (18 bytes each) submitted at once under a 54-byte budget are executed in batches of at
/// most three, in nonce order, none lost.
#[tokio::test]
async fn batches_respect_the_pubdata_budget() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    let mut c = common::config(&url);
    c.batch.max_pubdata_bytes = 3 * 18;
    c.batch.max_wait_ms = 400;
    let running = quire_sequencer::app::start(c).await.unwrap();
    let client = Client::new(running.addr);
    let (alice, bob) = (key(1), key(2));
    let a = client.fund(&alice, 0, 1_000_000).await;
    let b = client.fund(&bob, 0, 5).await;
    wait_until_stored(&running).await;
    let before = running
        .node
        .storage
        .latest_batch()
        .await
        .unwrap()
        .unwrap()
        .number;
    for nonce in 0..7 {
        let (s, v) = client
            .post_json("/v1/transactions", &transfer(&alice, a, b, 10, 1, nonce))
            .await;
        assert_eq!(s, 202, "{v}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, acc) = client.get(&format!("/v1/accounts/{}", a.get())).await;
        if acc["nonce"] == 7 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "transfers not executed: {acc}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    wait_until_stored(&running).await;
    let last = running
        .node
        .storage
        .latest_batch()
        .await
        .unwrap()
        .unwrap()
        .number;
    let mut transfers = 0;
    for n in before + 1..=last {
        let batch = running.node.storage.batch(n).await.unwrap().unwrap();
        assert!(
            batch.pubdata_bytes <= 54,
            "batch {n}: {} bytes",
            batch.pubdata_bytes
        );
        transfers += batch.op_count;
    }
    assert_eq!(transfers, 7);
    assert!(last - before >= 3, "{} batches", last - before);
    running.shutdown().await;
}

#[tokio::test]
async fn restart_rebuilds_the_same_state_and_keeps_pending_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    let (running, client) = start(&url).await;
    let (alice, bob) = (key(1), key(2));
    let a = client.fund(&alice, 0, 1_000_000).await;
    let b = client.fund(&bob, 0, 5).await;
    for n in 0..5 {
        let (s, _) = client
            .post_json(
                "/v1/transactions?wait=soft",
                &transfer(&alice, a, b, 1, 0, n),
            )
            .await;
        assert_eq!(s, 200);
    }
    // A transaction with a nonce gap stays pending across the restart.
    let (s, gap) = client
        .post_json("/v1/transactions", &transfer(&alice, a, b, 1, 0, 6))
        .await;
    assert_eq!(s, 202);
    let before = client.status().await;
    running.shutdown().await;

    let (running, client) = start(&url).await;
    let after = client.status().await;
    assert_eq!(after["root"], before["root"]);
    assert_eq!(after["latest_batch"], before["latest_batch"]);
    assert_eq!(after["pending"], 1);
    // Closing the gap executes both.
    let (s, v) = client
        .post_json(
            "/v1/transactions?wait=soft",
            &transfer(&alice, a, b, 1, 0, 5),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("executed")), "{v}");
    let hash = gap["hash"].as_str().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, rec) = client.get(&format!("/v1/transactions/{hash}")).await;
        if rec["status"] == "executed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gap transaction never executed: {rec}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    running.shutdown().await;
}

/// Issue 14, part 4: priority operations are never starved by L2 traffic. With a mempool
/// backlog of three full batches, deposits queued behind it take their slots in the very
/// next batch (ahead of the transfers, as the circuit requires), and the backlog follows.
/// The batches are closed by hand (no batcher task), so which batch takes what is exact.
#[tokio::test]
async fn priority_operations_go_into_the_next_batch_ahead_of_a_mempool_backlog() {
    use axum::extract::{Query, State};
    use axum::http::HeaderMap;
    use quire_api::{DevDeposit, SubmitQuery};
    use quire_sequencer::api::dev::deposit;
    use quire_sequencer::api::submit::submit;
    use quire_sequencer::batcher::close_batch;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    let mut c = common::config(&url);
    c.batch.max_txs = 8;
    c.batch.max_priority_ops = 4;
    let node = quire_sequencer::node::Node::start(c).await.unwrap();
    let owner = quire_core::account::Address([7; 20]);
    let fund = |who: u32| {
        let node = node.clone();
        async move {
            let (status, _) = deposit(
                State(node),
                axum::Json(DevDeposit {
                    to: key(who).public_key(),
                    from: owner,
                    token: quire_core::token::TokenId::ETH,
                    amount: 1_000_000,
                }),
            )
            .await
            .unwrap();
            assert_eq!(status.as_u16(), 202);
        }
    };
    fund(1).await;
    fund(2).await;
    close_batch(&node).await.unwrap().unwrap();
    let id = |who: u32| {
        node.state
            .read()
            .account_id(&key(who).public_key(), &owner)
            .unwrap()
    };
    let (a, b) = (id(1), id(2));
    for nonce in 0..24 {
        let body = serde_json::to_vec(&transfer(&key(1), a, b, 10, 1, nonce)).unwrap();
        let (status, _) = submit(
            State(node.clone()),
            Query(SubmitQuery { wait: None }),
            HeaderMap::new(),
            Ok(body.into()),
        )
        .await
        .unwrap();
        assert_eq!(status.as_u16(), 202);
    }
    // Four deposits queued on "L1" behind the whole backlog.
    for who in 3..7 {
        fund(who).await;
    }
    let next = close_batch(&node).await.unwrap().unwrap();
    let batch = node.storage.batch(next).await.unwrap().unwrap();
    assert_eq!(batch.priority_count, 4, "every queued deposit, at once");
    assert_eq!(batch.op_count, 8, "the other four slots: transfers");
    for who in 3..7 {
        assert_eq!(
            node.state
                .read()
                .balance(id(who), quire_core::token::TokenId::ETH),
            1_000_000
        );
    }
    // The backlog's 20 other transfers fill the following batches.
    let mut transfers = 4;
    while let Some(n) = close_batch(&node).await.unwrap() {
        let batch = node.storage.batch(n).await.unwrap().unwrap();
        assert_eq!(batch.priority_count, 0);
        transfers += batch.op_count;
    }
    assert_eq!(transfers, 24);
}
