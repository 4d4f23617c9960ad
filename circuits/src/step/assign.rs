//! Setting a step's witness: the selectors, the operands ([`Operands`], computed as the
//! witness builder computes them), the key and signature, the slots and the predecessor.

use plonky2::field::types::Field;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use quire_core::tx::packing::pack_fee;

use super::{Operands, StepKind, StepTargets};
use crate::gadgets::{SignatureTarget, WitnessSchnorr, F};
use crate::witness::StepWitness;

impl StepTargets {
    /// Sets the witness of one step.
    pub fn set(&self, pw: &mut PartialWitness<F>, w: &StepWitness) -> anyhow::Result<()> {
        let kind = StepKind::kind(w);
        for (i, s) in self.sel.iter().enumerate() {
            pw.set_bool_target(*s, i == kind as usize)?;
        }
        let outcome = w.receipt.as_ref().map(|r| &r.outcome);
        let mut o = Operands::of(w.op.as_ref(), outcome, &self.pools[..])?;
        o.hint(w.op.as_ref(), &w.slots);
        let fe = F::from_noncanonical_u64;
        pw.set_target(
            self.operands.account_a,
            F::from_canonical_u32(o.account_a.get()),
        )?;
        pw.set_target(
            self.operands.account_b,
            F::from_canonical_u32(o.account_b.get()),
        )?;
        pw.set_target(self.operands.token, F::from_canonical_u8(o.token.0))?;
        pw.set_target(self.operands.amount_hi, fe(o.amount >> 32))?;
        pw.set_target(self.operands.amount_lo, fe(o.amount & 0xffff_ffff))?;
        pw.set_target(self.operands.param1, fe(o.param1))?;
        pw.set_target(self.operands.param2, fe(o.param2))?;
        pw.set_target(self.operands.result1, fe(o.result1))?;
        pw.set_target(self.operands.result2, fe(o.result2))?;
        pw.set_target(self.operands.result3, fe(o.result3))?;
        let packed = pack_fee(o.fee).ok_or_else(|| anyhow::anyhow!("fee not packable"))?;
        pw.set_target(self.operands.fee_packed, fe(packed as u64))?;
        pw.set_target(self.operands.nonce, F::from_canonical_u32(o.nonce))?;
        pw.set_target_arr(
            &self.operands.address,
            &quire_core::plonky2_interop::to_plonky2(&o.address.elements()),
        )?;
        pw.set_bool_target(self.operands.credited, o.credited)?;
        pw.set_bool_target(self.operands.opens, o.opens)?;
        pw.set_bool_target(self.operands.short, o.short)?;
        pw.set_bool_target(self.operands.from_b, o.from_b)?;
        pw.set_bool_target(self.operands.by_b, o.by_b)?;
        pw.set_bool_target(
            self.slots[0].absent,
            w.slots.first().is_some_and(|s| s.absent),
        )?;
        pw.set_public_key_target(&self.pubkey, &w.pubkey)?;
        match &w.signature {
            Some(sig) => pw.set_signature_target(&self.signature, sig)?,
            None => {
                pw.set_scalar_limbs_zero(&self.signature)?;
            }
        }
        for (t, sw) in self.slots.iter().zip(&w.slots) {
            t.set(pw, sw)?;
        }
        self.predecessor
            .set(pw, w.slots.first().and_then(|s| s.predecessor.as_ref()))?;
        Ok(())
    }
}

/// Setting an all-zero signature (for steps without one).
trait ZeroSignature {
    fn set_scalar_limbs_zero(&mut self, t: &SignatureTarget) -> anyhow::Result<()>;
}

impl ZeroSignature for PartialWitness<F> {
    fn set_scalar_limbs_zero(&mut self, t: &SignatureTarget) -> anyhow::Result<()> {
        use crate::gadgets::WitnessScalar;
        self.set_scalar_limbs(&t.s, [0; 5])?;
        for e in t.e {
            self.set_target(e, F::ZERO)?;
        }
        Ok(())
    }
}
