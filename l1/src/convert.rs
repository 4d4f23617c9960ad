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

/// A core account proof in the contract's `StateProof.AccountProof` layout (digests in their
/// L1 form, decision D9): what `Rollup.exit` and `Rollup.settlePool` take. The one place
/// the CLI, the services and the tests convert it. Refuses a proof whose paths do not have
/// the trees' depths (8 for a balance, 24 for the account): the contract's fixed arrays
/// cannot carry it.
pub fn to_sol_account_proof(
    p: &quire_core::state::AccountProof,
) -> Result<crate::bindings::rollup::AccountProof, crate::L1Error> {
    use crate::bindings::rollup::{AccountProof, BalanceOpening};
    fn path<const N: usize>(
        siblings: &[Digest],
        what: &str,
    ) -> Result<[[u8; 32]; N], crate::L1Error> {
        let words: Vec<[u8; 32]> = siblings.iter().map(Digest::to_l1_bytes32).collect();
        let n = words.len();
        words.try_into().map_err(|_| {
            crate::L1Error::Config(format!("{what} path has {n} siblings, expected {N}"))
        })
    }
    let balances = p
        .openings
        .iter()
        .map(|o| {
            Ok(BalanceOpening {
                token: o.token.0,
                balance: o.balance,
                path: path(&o.path.siblings, &format!("token {} balance", o.token))?,
            })
        })
        .collect::<Result<Vec<_>, crate::L1Error>>()?;
    Ok(AccountProof {
        account_id: p.account.get(),
        pubkey_hash: p.pubkey_hash.to_l1_bytes32(),
        owner: to_eth_address(&p.l1_owner),
        nonce: p.nonce,
        account_path: path(&p.account_path.siblings, "account")?,
        balances,
    })
}

/// A genesis' pools as the `Rollup` constructor takes them, in the genesis' order (pool `i`
/// is L2 account `2 + i`, share token `128 + i`). Refuses what the contract would: more than
/// 128 pools, a reserve token that is not an L1 asset id, the same token twice.
pub fn to_sol_genesis_pools(
    genesis: &quire_core::state::Genesis,
) -> Result<Vec<crate::bindings::rollup::GenesisPool>, crate::L1Error> {
    if genesis.pools.len() > 128 {
        return Err(crate::L1Error::Config(format!(
            "{} genesis pools: the contract takes at most 128 (share tokens 128..=255)",
            genesis.pools.len()
        )));
    }
    genesis
        .pools
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if !p.token_a.is_l1_asset() || !p.token_b.is_l1_asset() || p.token_a == p.token_b {
                return Err(crate::L1Error::Config(format!(
                    "genesis pool {i} ({}/{}): its tokens must be two distinct L1 asset ids",
                    p.token_a, p.token_b
                )));
            }
            Ok(crate::bindings::rollup::GenesisPool {
                token_a: p.token_a.0,
                token_b: p.token_b.0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_proof_converts_field_by_field_and_a_misshapen_one_is_refused() {
        let genesis = quire_core::chain::devnet_genesis().unwrap_or_else(|e| panic!("{e}"));
        let mut state =
            quire_core::state::State::genesis(&genesis).unwrap_or_else(|e| panic!("{e}"));
        let pool = *state
            .pools()
            .keys()
            .next()
            .unwrap_or_else(|| panic!("a pool"));
        let p = state
            .pool_settlement_proof(pool)
            .unwrap_or_else(|| panic!("the pool's proof"));
        let sol = to_sol_account_proof(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sol.account_id, pool.get());
        assert_eq!(sol.owner, EthAddress::zero());
        assert_eq!(sol.pubkey_hash, p.pubkey_hash.to_l1_bytes32());
        assert_eq!(
            sol.account_path[23],
            p.account_path.siblings[23].to_l1_bytes32()
        );
        assert_eq!(sol.balances.len(), 3);
        for (s, o) in sol.balances.iter().zip(&p.openings) {
            assert_eq!((s.token, s.balance), (o.token.0, o.balance));
            assert_eq!(s.path[0], o.path.siblings[0].to_l1_bytes32());
        }
        let mut short = p;
        short.openings[1].path.siblings.pop();
        let e = to_sol_account_proof(&short)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("has 7 siblings, expected 8"), "{e}");
    }
}
