//! Exact decimal amounts: parsing what the user typed into L1 base units and L2 units, and
//! formatting balances back. No floating point anywhere: `0.1 ETH` must be exactly
//! 100_000_000 gwei, and a digit the L2 cannot represent is an error, never a rounding.

use quire_core::account::MAX_AMOUNT;

use super::error::{Result, WalletError};
use super::tokens::Token;

/// Parses a non-negative decimal (`12`, `0.5`, `1_000.25`) with at most `decimals`
/// fractional digits into integer base units (`value × 10^decimals`).
///
/// `field` names the flag in errors; `what` names the token.
pub fn parse_decimal(field: &str, input: &str, decimals: u32, what: &str) -> Result<u128> {
    let bad = |m: String| WalletError::invalid(field, m);
    let s: String = input.trim().chars().filter(|c| *c != '_').collect();
    if s.is_empty() {
        return Err(bad("empty amount".into()));
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(bad(format!("{input:?} is not a decimal number")));
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "{input:?} is not a non-negative decimal number"
        )));
    }
    // Trailing zeros carry no precision: `1.500000000000000000000` is fine for ETH.
    let frac = frac.trim_end_matches('0');
    if frac.len() > decimals as usize {
        return Err(bad(format!("more than {decimals} decimals for {what}")));
    }
    let too_large = || bad(format!("{input} is too large"));
    let pow = 10u128.checked_pow(decimals).ok_or_else(too_large)?;
    let int_part: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| too_large())?
    };
    let frac_part: u128 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<width$}", width = decimals as usize);
        padded.parse().map_err(|_| too_large())?
    };
    int_part
        .checked_mul(pow)
        .and_then(|v| v.checked_add(frac_part))
        .ok_or_else(too_large)
}

/// `Some(k)` if `scale == 10^k`.
pub fn log10_exact(scale: u128) -> Option<u32> {
    let mut k = 0;
    let mut v = scale;
    while v > 1 {
        if v % 10 != 0 {
            return None;
        }
        v /= 10;
        k += 1;
    }
    (v == 1).then_some(k)
}

/// Converts L1 base units to L2 units, refusing amounts that are not a multiple of the
/// token's scale (the contract would revert) or that do not fit an L2 balance.
pub fn l1_to_l2(field: &str, input: &str, base: u128, token: &Token) -> Result<u64> {
    if base % token.scale != 0 {
        let msg = match (token.decimals, log10_exact(token.scale)) {
            (Some(d), Some(k)) if k <= d => format!(
                "more than {} decimals for {} (scale 10^{k})",
                d - k,
                token.symbol
            ),
            _ => format!(
                "{input} is not a multiple of {}'s scale {}",
                token.symbol, token.scale
            ),
        };
        return Err(WalletError::invalid(field, msg));
    }
    let l2 = base / token.scale;
    if l2 > MAX_AMOUNT as u128 {
        return Err(WalletError::invalid(
            field,
            format!("{input} {} does not fit an L2 balance", token.symbol),
        ));
    }
    Ok(l2 as u64)
}

/// Parses an amount of `token` typed by the user into L2 units.
///
/// With `raw`, the input is an integer number of L2 units. Otherwise it is a decimal in
/// the token's own units (ETH, not gwei), which needs the token's decimals.
pub fn parse_l2_amount(field: &str, input: &str, token: &Token, raw: bool) -> Result<u64> {
    if raw {
        let base = parse_decimal(field, input, 0, &format!("{} in L2 units", token.symbol))?;
        return l1_to_l2(field, input, base.saturating_mul(token.scale), token);
    }
    let zero = !input.trim().is_empty()
        && input.trim().bytes().any(|b| b == b'0')
        && input
            .trim()
            .bytes()
            .all(|b| b == b'0' || b == b'.' || b == b'_')
        && input.trim().bytes().filter(|b| *b == b'.').count() <= 1;
    if token.decimals.is_none() && zero {
        // Zero is zero in any unit (`--min-out 0` needs no decimals).
        return Ok(0);
    }
    let decimals = token.decimals.ok_or_else(|| {
        WalletError::invalid(
            field,
            format!(
                "the decimals of {} are unknown: pass --l1-rpc (read from its ERC-20), or give \
                 the amount in L2 units with --raw-amounts",
                token.symbol
            ),
        )
    })?;
    let base = parse_decimal(field, input, decimals, &token.symbol)?;
    l1_to_l2(field, input, base, token)
}

/// Parses an amount of `token` typed by the user into L1 base units (wei for ETH), for
/// deposits. It must also be exactly representable on L2.
pub fn parse_l1_amount(field: &str, input: &str, token: &Token) -> Result<(u128, u64)> {
    let decimals = token.decimals.ok_or_else(|| {
        WalletError::invalid(
            field,
            format!("the decimals of {} are unknown", token.symbol),
        )
    })?;
    let base = parse_decimal(field, input, decimals, &token.symbol)?;
    let l2 = l1_to_l2(field, input, base, token)?;
    Ok((base, l2))
}

/// Formats integer base units with `decimals` fractional digits, trailing zeros trimmed.
pub fn format_decimal(base: u128, decimals: u32) -> String {
    let Some(pow) = 10u128.checked_pow(decimals) else {
        return base.to_string();
    };
    let (int, frac) = (base / pow, base % pow);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0>width$}", width = decimals as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// Formats an L2 amount of `token` in the token's units (or in L2 units when its decimals
/// are unknown, marked as such).
pub fn format_l2_amount(amount: u64, token: &Token) -> String {
    match token.decimals {
        Some(d) => match (amount as u128).checked_mul(token.scale) {
            Some(base) => format!("{} {}", format_decimal(base, d), token.symbol),
            None => format!("{amount} {} (L2 units)", token.symbol),
        },
        None => format!("{amount} {} (L2 units)", token.symbol),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use quire_core::account::Address;
    use quire_core::token::TokenId;

    fn eth() -> Token {
        Token {
            id: TokenId::ETH,
            symbol: "ETH".into(),
            l1_address: Address::ZERO,
            scale: 1_000_000_000,
            decimals: Some(18),
        }
    }

    #[test]
    fn parses_exactly() {
        let t = eth();
        assert_eq!(
            parse_l2_amount("--amount", "1.5", &t, false).unwrap(),
            1_500_000_000
        );
        assert_eq!(
            parse_l2_amount("--amount", "0.000000001", &t, false).unwrap(),
            1
        );
        assert_eq!(
            parse_l2_amount("--amount", ".25", &t, false).unwrap(),
            250_000_000
        );
        assert_eq!(
            parse_l2_amount("--amount", "3.", &t, false).unwrap(),
            3_000_000_000
        );
        assert_eq!(
            parse_l2_amount("--amount", "0.100000000000", &t, false).unwrap(),
            100_000_000
        );
        assert_eq!(parse_l2_amount("--amount", "42", &t, true).unwrap(), 42);
        assert_eq!(
            parse_l1_amount("--amount", "2", &t).unwrap(),
            (2_000_000_000_000_000_000, 2_000_000_000)
        );
    }

    #[test]
    fn refuses_naming_the_field() {
        let t = eth();
        let e = parse_l2_amount("--amount", "0.0000000001", &t, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--amount: more than 9 decimals for ETH (scale 10^9)"
        );
        let e = parse_l2_amount("--fee", "1e5", &t, false).unwrap_err();
        assert!(e.to_string().starts_with("--fee: "), "{e}");
        for bad in ["", "-1", "1.2.3", "0x10", ".", "1,5", "abc"] {
            let e = parse_l2_amount("--amount", bad, &t, false).unwrap_err();
            assert!(e.to_string().starts_with("--amount: "), "{bad}: {e}");
            assert_eq!(e.exit_code(), 1);
        }
        let e = parse_l2_amount("--amount", "1.5", &t, true).unwrap_err();
        assert!(e.to_string().starts_with("--amount: "), "{e}");
        let e = parse_l2_amount("--amount", "10000000000", &t, false).unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{e}");
        let e = parse_l2_amount("--amount", "1".repeat(60).as_str(), &t, false).unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
        let mut unknown = eth();
        unknown.decimals = None;
        assert_eq!(
            parse_l2_amount("--min-out", "0.0", &unknown, false).unwrap(),
            0
        );
        let e = parse_l2_amount("--amount-in", "1", &unknown, false).unwrap_err();
        assert!(
            e.to_string().starts_with("--amount-in: the decimals"),
            "{e}"
        );
    }

    #[test]
    fn formats() {
        let t = eth();
        assert_eq!(format_l2_amount(1_500_000_000, &t), "1.5 ETH");
        assert_eq!(format_l2_amount(1, &t), "0.000000001 ETH");
        assert_eq!(format_l2_amount(0, &t), "0 ETH");
        assert_eq!(format_decimal(1_000_000, 6), "1");
        assert_eq!(log10_exact(1_000_000_000), Some(9));
        assert_eq!(log10_exact(1), Some(0));
        assert_eq!(log10_exact(25), None);
    }
}
