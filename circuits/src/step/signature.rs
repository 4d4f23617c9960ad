//! The signature of L2 kinds: the signing message, as `quire_core`'s signing hash
//! (`H(TX_DOMAIN_TAG, chain_id, op code, fields…)`), and the Schnorr check; and binding
//! the decoded key to slot 0's account.
//!
//! The message has three shapes: a transfer's `(from, to, token, amount, fee, nonce)`, a
//! withdrawal's `(from, address, token, amount, fee, nonce)`, and the AMM kinds'
//! `(account, pool, x0, x1, x2, fee, nonce)`, where a swap's `x` are (token in, amount in,
//! min out) and the liquidity kinds' (amount, param1, param2). The three AMM kinds share
//! one sponge, their `x` selected, and the op code is the selector-weighted code of the
//! kind, so a signature for one kind never verifies for another.

use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use quire_core::tx::TX_DOMAIN_TAG;

use super::operands::{Decoded, OperandTargets};
use super::select::{CircuitBuilderSelect, Selectors};
use super::{const_u64, SlotTargets, StepKind, StepParams};
use crate::gadgets::{CircuitBuilderSchnorr, PublicKeyTarget, SignatureTarget, D, F};

/// The decoded key and the signature, checked for L2 kinds.
pub(super) struct SignatureCheck {
    /// The key: the signer's (L2 kinds) or the deposit's credited key.
    pub pubkey: PublicKeyTarget,
    /// The signature.
    pub signature: SignatureTarget,
    /// Poseidon hash of the key's encoding (as an account record's key hash).
    pub pubkey_hash: HashOutTarget,
}

impl SignatureCheck {
    /// Adds the key and signature and verifies the signature, for L2 kinds, over the
    /// selected kind's message.
    pub fn build(
        b: &mut CircuitBuilder<F, D>,
        params: &StepParams,
        sel: &Selectors,
        ops: &OperandTargets,
        dec: &Decoded,
    ) -> Self {
        let (amount, fee) = (dec.amount, dec.fee);
        let pubkey = b.add_virtual_public_key_target();
        let signature = b.add_virtual_signature_target();
        let tag = const_u64(b, TX_DOMAIN_TAG);
        let chain = const_u64(b, params.chain_id as u64);
        let code_terms: Vec<(BoolTarget, Target)> = StepKind::ALL
            .iter()
            .filter(|k| k.is_l2())
            .filter_map(|&k| k.op_type().map(|t| (sel.of(k), const_u64(b, t as u64))))
            .collect();
        let code = b.weighted(&code_terms);
        let msg_transfer = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![
            tag,
            chain,
            code,
            ops.account_a,
            ops.account_b,
            ops.token,
            amount,
            fee,
            ops.nonce,
        ]);
        let mut wd_in = vec![tag, chain, code, ops.account_a];
        wd_in.extend(ops.address);
        wd_in.extend([ops.token, amount, fee, ops.nonce]);
        let msg_withdraw = b.hash_n_to_hash_no_pad::<PoseidonHash>(wd_in);
        let is_swap = sel.of(StepKind::Swap);
        let x0 = b.select(is_swap, ops.token, amount);
        let x1 = b.select(is_swap, amount, ops.param1);
        let x2 = b.select(is_swap, ops.param1, ops.param2);
        let msg_amm = b.hash_n_to_hash_no_pad::<PoseidonHash>(vec![
            tag,
            chain,
            code,
            ops.account_a,
            ops.account_b,
            x0,
            x1,
            x2,
            fee,
            ops.nonce,
        ]);
        let is_wd = sel.of(StepKind::Withdraw);
        let msg_elems: Vec<Target> = (0..4)
            .map(|i| {
                let t = b.select(is_wd, msg_withdraw.elements[i], msg_transfer.elements[i]);
                b.select(sel.is_amm, msg_amm.elements[i], t)
            })
            .collect();
        let msg = HashOutTarget::from_vec(msg_elems);
        b.verify_schnorr_conditional(sel.is_l2, &pubkey, msg, &signature);
        let pubkey_hash = b.hash_n_to_hash_no_pad::<PoseidonHash>(pubkey.w.0.to_vec());
        Self {
            pubkey,
            signature,
            pubkey_hash,
        }
    }

    /// Binds the key to slot 0's account (its account is the signer's by the tables): its
    /// key hash is the key's for L2 kinds and credited deposits, and an L2 kind's signed
    /// nonce is the account's.
    pub fn bind_signer(
        &self,
        b: &mut CircuitBuilder<F, D>,
        sel: &Selectors,
        dep_credited: BoolTarget,
        slot0: &SlotTargets,
        nonce: Target,
    ) {
        for i in 0..4 {
            let (hash, key) = (slot0.pubkey_hash[i], self.pubkey_hash.elements[i]);
            b.conditional_assert_eq(sel.is_l2.target, hash, key);
            b.conditional_assert_eq(dep_credited.target, hash, key);
        }
        b.conditional_assert_eq(sel.is_l2.target, slot0.nonce_old, nonce);
    }
}
