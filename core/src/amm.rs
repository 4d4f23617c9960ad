//! Constant-product AMM pools.
//!
//! A pool is a keyless account whose balances of its two tokens are the reserves. Its
//! liquidity shares are a token of their own (an id from the share-token half). At creation
//! the pool account is given [`MAX_AMOUNT`] shares: minting is a transfer of shares out of
//! the pool account and burning a transfer back, so shares are conserved like every other
//! token and the outstanding supply is `MAX_AMOUNT − pool's own share balance`.
//!
//! Every division rounds in the pool's favour: swap outputs and withdrawn amounts round
//! down, amounts taken on deposit round up. The first deposit locks
//! [`MINIMUM_LIQUIDITY`] shares forever (they are never transferred out), which makes the
//! share price impossible to inflate from an empty pool.

use serde::{Deserialize, Serialize};

use crate::account::{AccountId, MAX_AMOUNT};
use crate::token::TokenId;

/// Basis points in one whole.
pub const BPS: u64 = 10_000;
/// Highest allowed pool fee: 10%.
pub const MAX_FEE_BPS: u16 = 1_000;
/// Shares locked by the first liquidity deposit of a pool.
pub const MINIMUM_LIQUIDITY: u64 = 1_000;

/// A pool's static description; its reserves live in its account's balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// The keyless account holding the reserves (and the pool's id in transactions).
    pub account: AccountId,
    /// First reserve token.
    pub token_a: TokenId,
    /// Second reserve token.
    pub token_b: TokenId,
    /// The liquidity-share token.
    pub share_token: TokenId,
    /// Swap fee in basis points, kept by the pool (liquidity providers).
    pub fee_bps: u16,
}

impl Pool {
    /// The other reserve token of a swap from `token_in`, or `None` if it is not a reserve.
    pub fn counterpart(&self, token_in: TokenId) -> Option<TokenId> {
        if token_in == self.token_a {
            Some(self.token_b)
        } else if token_in == self.token_b {
            Some(self.token_a)
        } else {
            None
        }
    }
}

/// Why an AMM computation has no valid result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmmError {
    /// A reserve is empty: nothing to trade against.
    #[error("pool has no liquidity")]
    NoLiquidity,
    /// The result rounds to zero.
    #[error("amount too small: the result rounds to zero")]
    ZeroOutput,
    /// The result exceeds the caller's limit.
    #[error("slippage: result {got} is worse than the limit {limit}")]
    Slippage {
        /// What the pool would give or take.
        got: u64,
        /// The caller's bound.
        limit: u64,
    },
    /// A result does not fit the amount range.
    #[error("result does not fit the amount range")]
    Overflow,
}

/// Output of swapping `amount_in` against reserves `(reserve_in, reserve_out)` with a fee of
/// `fee_bps`: `floor(r_out · a' / (r_in · 10⁴ + a'))` where `a' = amount_in · (10⁴ − fee)`.
///
/// The floor keeps `(r_in + amount_in) · (r_out − out) ≥ r_in · r_out`: k never decreases.
/// The numerator reaches 2^140 for amounts near 2^63, so it is computed in 256 bits.
pub fn swap_output(
    reserve_in: u64,
    reserve_out: u64,
    amount_in: u64,
    fee_bps: u16,
) -> Result<u64, AmmError> {
    if reserve_in == 0 || reserve_out == 0 {
        return Err(AmmError::NoLiquidity);
    }
    use ruint::aliases::U256;
    let a = amount_in as u128 * (BPS - fee_bps as u64) as u128; // < 2^78
    let den = reserve_in as u128 * BPS as u128 + a; // < 2^79
    let num = U256::from(reserve_out) * U256::from(a);
    // out < reserve_out because a < den · 1, so it fits u64.
    let out = u64::try_from(num / U256::from(den)).map_err(|_| AmmError::Overflow)?;
    if out == 0 {
        return Err(AmmError::ZeroOutput);
    }
    Ok(out)
}

/// The result of adding liquidity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOutcome {
    /// Token A taken from the provider.
    pub amount_a: u64,
    /// Token B taken from the provider.
    pub amount_b: u64,
    /// Shares given to the provider.
    pub shares: u64,
}

/// Integer square root: the largest `s` with `s² ≤ n`.
pub fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    // Newton's method from an over-estimate converges downwards to floor(sqrt(n)).
    let mut x = 1u128 << (n.ilog2() / 2 + 1);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// Liquidity added with at most `max_a` and `max_b` to reserves `(ra, rb)` whose
/// outstanding share supply is `supply`.
///
/// Empty pool: shares = `isqrt(max_a · max_b) − MINIMUM_LIQUIDITY`, all of both taken.
/// Otherwise: shares = `min(⌊max_a·S/ra⌋, ⌊max_b·S/rb⌋)` and the amounts taken are the
/// ceiling of `shares·r/S` (never more than offered), so the value per share never drops.
pub fn add_liquidity(
    ra: u64,
    rb: u64,
    supply: u64,
    max_a: u64,
    max_b: u64,
) -> Result<AddOutcome, AmmError> {
    if supply == 0 {
        let root = isqrt(max_a as u128 * max_b as u128) as u64;
        let shares = root.checked_sub(MINIMUM_LIQUIDITY).filter(|&s| s > 0);
        let shares = shares.ok_or(AmmError::ZeroOutput)?;
        return Ok(AddOutcome {
            amount_a: max_a,
            amount_b: max_b,
            shares,
        });
    }
    if ra == 0 || rb == 0 {
        return Err(AmmError::NoLiquidity);
    }
    let s = supply as u128;
    let by_a = max_a as u128 * s / ra as u128;
    let by_b = max_b as u128 * s / rb as u128;
    let shares = by_a.min(by_b);
    if shares == 0 {
        return Err(AmmError::ZeroOutput);
    }
    let amount_a = (shares * ra as u128).div_ceil(s);
    let amount_b = (shares * rb as u128).div_ceil(s);
    if shares > MAX_AMOUNT as u128 {
        return Err(AmmError::Overflow);
    }
    // amount_x ≤ max_x follows from shares ≤ max_x·S/r_x; both fit u64.
    Ok(AddOutcome {
        amount_a: amount_a as u64,
        amount_b: amount_b as u64,
        shares: shares as u64,
    })
}

/// Amounts returned for burning `shares` out of `supply`: `⌊shares·r/S⌋` of each reserve.
pub fn remove_liquidity(
    ra: u64,
    rb: u64,
    supply: u64,
    shares: u64,
) -> Result<(u64, u64), AmmError> {
    if supply == 0 || shares > supply {
        return Err(AmmError::NoLiquidity);
    }
    let s = supply as u128;
    let a = (shares as u128 * ra as u128 / s) as u64;
    let b = (shares as u128 * rb as u128 / s) as u64;
    if a == 0 && b == 0 {
        return Err(AmmError::ZeroOutput);
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isqrt_exact_and_floor() {
        for n in 0u128..2000 {
            let s = isqrt(n);
            assert!(s * s <= n && (s + 1) * (s + 1) > n, "n = {n}");
        }
        let big = (MAX_AMOUNT as u128) * (MAX_AMOUNT as u128);
        assert_eq!(isqrt(big), MAX_AMOUNT as u128);
    }

    #[test]
    fn swap_known_values() {
        // 1000/1000 pool, 30 bps, 100 in: 1000*99700/(10_000_000+99_700) = 90.7 → 90.
        assert_eq!(swap_output(1000, 1000, 100, 30), Ok(90));
        assert_eq!(swap_output(0, 1000, 100, 30), Err(AmmError::NoLiquidity));
        assert_eq!(swap_output(1_000_000, 10, 1, 30), Err(AmmError::ZeroOutput));
    }

    proptest! {
        #[test]
        fn swap_never_decreases_k(
            rin in 1u64..=MAX_AMOUNT / 2, rout in 1u64..=MAX_AMOUNT,
            ain in 1u64..=MAX_AMOUNT / 2, fee in 0u16..=MAX_FEE_BPS,
        ) {
            if let Ok(out) = swap_output(rin, rout, ain, fee) {
                prop_assert!(out < rout);
                let k0 = rin as u128 * rout as u128;
                let k1 = (rin + ain) as u128 * (rout - out) as u128;
                prop_assert!(k1 >= k0);
            }
        }

        #[test]
        fn add_then_remove_never_creates_value(
            ra in 1u64..=1u64 << 40, rb in 1u64..=1u64 << 40, supply in 1u64..=1u64 << 40,
            max_a in 1u64..=1u64 << 40, max_b in 1u64..=1u64 << 40,
        ) {
            if let Ok(add) = add_liquidity(ra, rb, supply, max_a, max_b) {
                prop_assert!(add.amount_a <= max_a && add.amount_b <= max_b);
                let (ra2, rb2, s2) = (ra + add.amount_a, rb + add.amount_b, supply + add.shares);
                // Value per share never drops: r'/S' ≥ r/S for both reserves.
                prop_assert!(ra2 as u128 * supply as u128 >= ra as u128 * s2 as u128);
                prop_assert!(rb2 as u128 * supply as u128 >= rb as u128 * s2 as u128);
                if let Ok((a, b)) = remove_liquidity(ra2, rb2, s2, add.shares) {
                    prop_assert!(a <= add.amount_a && b <= add.amount_b);
                }
            }
        }
    }
}
