//! Fee packing for pubdata: a fee is stored in 2 bytes as an 11-bit mantissa and a 5-bit
//! decimal exponent, `fee = mantissa × 10^exponent` (as in zkSync Lite). Fees need little
//! precision and this keeps a transfer at 18 bytes of pubdata; wallets round fees up to a
//! packable value, and the state transition rejects fees that are not.

/// Bits of mantissa.
pub const FEE_MANTISSA_BITS: u32 = 11;
/// Bits of decimal exponent.
pub const FEE_EXPONENT_BITS: u32 = 5;

/// Packs a fee into 16 bits with the smallest exponent that represents it exactly (so the
/// packing is canonical), or `None` if no exponent does.
pub fn pack_fee(fee: u64) -> Option<u16> {
    let max_mantissa = (1u64 << FEE_MANTISSA_BITS) - 1;
    let mut mantissa = fee;
    for exponent in 0..(1u64 << FEE_EXPONENT_BITS) {
        if mantissa <= max_mantissa {
            return Some(((mantissa << FEE_EXPONENT_BITS) | exponent) as u16);
        }
        if mantissa % 10 != 0 {
            return None;
        }
        mantissa /= 10;
    }
    None
}

/// Unpacks a packed fee; `None` if it overflows u64.
pub fn unpack_fee(packed: u16) -> Option<u64> {
    let exponent = (packed as u32) & ((1 << FEE_EXPONENT_BITS) - 1);
    let mantissa = (packed as u64) >> FEE_EXPONENT_BITS;
    10u64.checked_pow(exponent)?.checked_mul(mantissa)
}

/// The smallest packable fee that is `≥ fee`: what a wallet should offer.
pub fn round_fee_up(fee: u64) -> Option<u64> {
    let max_mantissa = (1u64 << FEE_MANTISSA_BITS) - 1;
    let mut scale = 1u64;
    while fee.div_ceil(scale) > max_mantissa {
        scale = scale.checked_mul(10)?;
    }
    fee.div_ceil(scale).checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(pack_fee(0), Some(0));
        assert_eq!(pack_fee(2047), Some(2047 << 5));
        assert_eq!(pack_fee(2048), None);
        assert_eq!(pack_fee(20_470), Some((2047 << 5) | 1));
        assert_eq!(
            pack_fee(20_480),
            None,
            "2048 needs 12 bits and 20480/100 is not integral"
        );
        assert_eq!(pack_fee(1_000_000_000), Some((1000 << 5) | 6));
        assert_eq!(round_fee_up(2049), Some(2050));
    }

    proptest! {
        #[test]
        fn pack_round_trip(fee in any::<u64>()) {
            if let Some(p) = pack_fee(fee) {
                prop_assert_eq!(unpack_fee(p), Some(fee));
            }
            if let Some(up) = round_fee_up(fee) {
                prop_assert!(up >= fee);
                prop_assert!(pack_fee(up).is_some());
            }
        }
    }
}
