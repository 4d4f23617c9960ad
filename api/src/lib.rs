//! # quire-api
//!
//! The sequencer's HTTP API as types, shared by the server (`quire-sequencer`) and its
//! clients (the `quire` wallet, `quire-loadgen`, tests), so both ends serialize one
//! definition:
//!
//! - [`error`]: [`ErrorCode`], the one list of machine-readable error codes, and
//!   [`ErrorBody`], the `{code, message, field?}` of every refusal;
//! - [`tx`]: submission ([`SubmitResponse`]) and where a transaction stands ([`TxStatus`],
//!   [`TxView`]);
//! - [`account`], [`chain`], [`dev`]: the read endpoints' views and the dev deposit;
//! - [`client`]: [`Client`], a typed async client (reqwest) with typed errors.
//!
//! The OpenAPI schemas (`utoipa`) are derived here too; the paths, the HTTP status of each
//! code and the handlers stay in the server. This crate depends on no server framework,
//! database or L1 library.

pub mod account;
pub mod chain;
pub mod client;
pub mod dev;
pub mod error;
pub mod tx;

pub use account::{AccountView, OwnerQuery, ProofView};
pub use chain::{BatchPage, BatchView, PoolView, StatusView};
pub use client::{Client, ClientError, Encoding, Wait};
pub use dev::{DevDeposit, DevDepositResponse};
pub use error::{ErrorBody, ErrorCode, UnknownCode};
pub use tx::{BatchStage, SubmitQuery, SubmitResponse, TxStatus, TxView};
