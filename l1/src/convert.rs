//! Conversions between quire-core's types and the ethers types the bindings use.

use ethers::types::{Address as EthAddress, H256};
use quire_core::account::Address;
use quire_core::hash::Digest;

/// A core address as an ethers address (same 20 bytes).
pub fn to_eth_address(a: &Address) -> EthAddress {
    EthAddress::from(a.0)
}

/// An ethers address as a core address (same 20 bytes).
pub fn from_eth_address(a: EthAddress) -> Address {
    Address(a.0)
}

/// A state root in its L1 form (decision D9: four big-endian limbs in a `bytes32`).
pub fn root_to_bytes32(root: &Digest) -> [u8; 32] {
    root.to_l1_bytes32()
}

/// A `bytes32` as an ethers hash.
pub fn to_h256(bytes: [u8; 32]) -> H256 {
    H256(bytes)
}
