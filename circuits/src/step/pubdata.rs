//! Pubdata: the bytes of an operation the L1 contract reads, as `quire_core::tx::pubdata`
//! encodes them. Each kind's layout is a `PUBDATA` constant in its module, a list of
//! [`PubdataField`]s; the circuit decomposes every field into bytes once and selects the
//! kind's concatenation byte by byte, zero-padded to [`MAX_PUBDATA`].
//!
//! The layouts are checked at compile time against `quire_core`'s sizes; their bytes
//! against its encoder by every proof (the chunk digest binds the pubdata the commitment
//! circuit hashes).

use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::tx::pubdata::{size, MAX_SIZE};

use super::operands::OperandTargets;
use super::select::{CircuitBuilderSelect, Selectors};
use super::{const_u64, CircuitBuilderU63, StepKind, MAX_PUBDATA, NUM_KINDS};
use crate::gadgets::{D, F};

/// One field of a pubdata layout, big-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PubdataField {
    /// The op type byte.
    Op,
    /// The first account (3 bytes).
    AccountA,
    /// The second account (3 bytes).
    AccountB,
    /// The token (1 byte).
    Token,
    /// The amount (8 bytes).
    Amount,
    /// The first result (8 bytes).
    Result1,
    /// The second result (8 bytes).
    Result2,
    /// The third result (8 bytes).
    Result3,
    /// The packed fee (2 bytes).
    Fee,
    /// The L1 address (20 bytes).
    Address,
    /// A deposit's account, zero when refunded (3 bytes).
    CreditedAccount,
    /// A deposit's credited flag (1 byte).
    Credited,
}

impl PubdataField {
    /// The field's length in bytes.
    pub const fn byte_len(self) -> usize {
        match self {
            PubdataField::Op | PubdataField::Token | PubdataField::Credited => 1,
            PubdataField::Fee => 2,
            PubdataField::AccountA | PubdataField::AccountB | PubdataField::CreditedAccount => 3,
            PubdataField::Amount
            | PubdataField::Result1
            | PubdataField::Result2
            | PubdataField::Result3 => 8,
            PubdataField::Address => 20,
        }
    }
}

/// A layout's length in bytes.
pub const fn layout_len(layout: &[PubdataField]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < layout.len() {
        n += layout[i].byte_len();
        i += 1;
    }
    n
}

// Each kind's layout has its operation's size, and the longest is MAX_PUBDATA.
const _: () = {
    let mut k = 0;
    while k < NUM_KINDS {
        let kind = StepKind::ALL[k];
        match kind.op_type() {
            Some(t) => assert!(layout_len(kind.pubdata()) == size(t)),
            None => assert!(kind.pubdata().is_empty()),
        }
        k += 1;
    }
    assert!(MAX_PUBDATA == MAX_SIZE);
};

/// Every field's bytes.
struct FieldBytes {
    account_a: Vec<Target>,
    account_b: Vec<Target>,
    token: Vec<Target>,
    amount: Vec<Target>,
    result1: Vec<Target>,
    result2: Vec<Target>,
    result3: Vec<Target>,
    fee: Vec<Target>,
    address: Vec<Target>,
    credited_account: Vec<Target>,
    credited: Target,
}

impl FieldBytes {
    fn build(b: &mut CircuitBuilder<F, D>, ops: &OperandTargets) -> Self {
        let account_a = b.bytes_be(ops.account_a, 3);
        let account_b = b.bytes_be(ops.account_b, 3);
        let token = b.bytes_be(ops.token, 1);
        let amount: Vec<Target> = [ops.amount_hi, ops.amount_lo]
            .iter()
            .flat_map(|&h| b.bytes_be(h, 4))
            .collect();
        let result1 = b.bytes_u63(ops.result1);
        let result2 = b.bytes_u63(ops.result2);
        let result3 = b.bytes_u63(ops.result3);
        let fee = b.bytes_be(ops.fee_packed, 2);
        let address: Vec<Target> = ops.address.iter().flat_map(|&l| b.bytes_be(l, 4)).collect();
        let credited_account: Vec<Target> = account_a
            .iter()
            .map(|&x| b.mul(ops.credited.target, x))
            .collect();
        Self {
            account_a,
            account_b,
            token,
            amount,
            result1,
            result2,
            result3,
            fee,
            address,
            credited_account,
            credited: ops.credited.target,
        }
    }

    /// `kind`'s pubdata bytes.
    fn layout(&self, b: &mut CircuitBuilder<F, D>, kind: StepKind) -> Vec<Target> {
        let mut out = Vec::with_capacity(layout_len(kind.pubdata()));
        for field in kind.pubdata() {
            match field {
                PubdataField::Op => {
                    let code = kind.op_type().map_or(0, |t| t as u64);
                    out.push(const_u64(b, code));
                }
                PubdataField::AccountA => out.extend(&self.account_a),
                PubdataField::AccountB => out.extend(&self.account_b),
                PubdataField::Token => out.extend(&self.token),
                PubdataField::Amount => out.extend(&self.amount),
                PubdataField::Result1 => out.extend(&self.result1),
                PubdataField::Result2 => out.extend(&self.result2),
                PubdataField::Result3 => out.extend(&self.result3),
                PubdataField::Fee => out.extend(&self.fee),
                PubdataField::Address => out.extend(&self.address),
                PubdataField::CreditedAccount => out.extend(&self.credited_account),
                PubdataField::Credited => out.push(self.credited),
            }
        }
        out
    }
}

/// The step's pubdata bytes (zero-padded to [`MAX_PUBDATA`]) and length: the selected
/// kind's layout.
pub(super) fn pack(
    b: &mut CircuitBuilder<F, D>,
    sel: &Selectors,
    ops: &OperandTargets,
) -> (Vec<Target>, Target) {
    let bytes = FieldBytes::build(b, ops);
    let kinds: Vec<(BoolTarget, Vec<Target>)> = StepKind::ALL
        .iter()
        .filter(|k| k.op_type().is_some())
        .map(|&k| (sel.of(k), bytes.layout(b, k)))
        .collect();
    let pubdata: Vec<Target> = (0..MAX_PUBDATA)
        .map(|j| {
            let terms: Vec<(BoolTarget, Target)> = kinds
                .iter()
                .filter(|(_, pd)| j < pd.len())
                .map(|(sel, pd)| (*sel, pd[j]))
                .collect();
            b.weighted(&terms)
        })
        .collect();
    let len_terms: Vec<(BoolTarget, Target)> = kinds
        .iter()
        .map(|(sel, pd)| (*sel, const_u64(b, pd.len() as u64)))
        .collect();
    let pubdata_len = b.weighted(&len_terms);
    (pubdata, pubdata_len)
}
