//! The packed fee: 16 bits, `mantissa ≪ 5 | exponent`, as `quire_core::tx::packing`.
//!
//! A fee is `mantissa·10^exponent` with the canonical (smallest) exponent, at most 16,
//! and a mantissa below 1024 at exponent 16, so the product never wraps (that it is below
//! 2^63 is checked where the fee is added to a balance).

use plonky2::field::types::Field;
use plonky2::iop::target::Target;
use plonky2::plonk::circuit_builder::CircuitBuilder;

use super::const_u64;
use crate::gadgets::{D, F};

/// Decoding a packed fee.
pub(super) trait CircuitBuilderFee {
    /// The fee `packed` encodes, asserting the encoding canonical.
    fn unpack_fee(&mut self, packed: Target) -> Target;
}

impl CircuitBuilderFee for CircuitBuilder<F, D> {
    fn unpack_fee(&mut self, packed: Target) -> Target {
        let b = self;
        let zero = b.zero();
        let fee_bits = b.split_le(packed, 16);
        let exponent = b.le_sum(fee_bits[..5].iter());
        let mantissa = b.le_sum(fee_bits[5..].iter());
        let powers: Vec<Target> = (0..32u32)
            .map(|e| b.constant(F::from_canonical_u64(10).exp_u64(e as u64)))
            .collect();
        let pow = b.random_access(exponent, powers);
        let fee = b.mul(mantissa, pow);
        let c16 = const_u64(b, 16);
        let e_room = b.sub(c16, exponent);
        b.range_check(e_room, 5);
        // A non-zero exponent needs a mantissa of at least 205 (else a smaller exponent
        // encodes the fee).
        let is_e0 = b.is_equal(exponent, zero);
        let not_e0 = b.not(is_e0);
        let c205 = const_u64(b, 205);
        let m_room = b.sub(mantissa, c205);
        let m_room = b.mul(not_e0.target, m_room);
        b.range_check(m_room, 11);
        let is_e16 = b.is_equal(exponent, c16);
        let m16 = b.mul(is_e16.target, mantissa);
        b.range_check(m16, 10);
        fee
    }
}
