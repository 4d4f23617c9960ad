//! plonky2's Fiat–Shamir transcript for a `KeccakGoldilocksConfig` proof, replayed step by
//! step with plonky2's own `Challenger`, so every intermediate value can be exported as a
//! fixture and the Solidity transcript checked against it stage by stage. The result is
//! checked against `ProofWithPublicInputs::get_challenges` (see the tests).

use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::challenger::Challenger;
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use plonky2::plonk::config::{GenericConfig, GenericHashOut, Hasher};
use plonky2::plonk::proof::ProofWithPublicInputs;

use super::test_wrapper::{OuterC, D, F};

type KH = <OuterC as GenericConfig<D>>::Hasher;

/// Every challenge of one proof, as canonical u64s (extension elements as [c0, c1]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Trace {
    /// The elements observed before the public-inputs hash (FRI parameters, circuit digest):
    /// constants of the circuit.
    pub preamble: Vec<u64>,
    /// Poseidon `hash_no_pad` of the public inputs.
    pub public_inputs_hash: [u64; 4],
    /// β per challenge round.
    pub betas: Vec<u64>,
    /// γ per challenge round.
    pub gammas: Vec<u64>,
    /// α per challenge round.
    pub alphas: Vec<u64>,
    /// ζ.
    pub zeta: [u64; 2],
    /// FRI batching challenge.
    pub fri_alpha: [u64; 2],
    /// One folding challenge per commit layer.
    pub fri_betas: Vec<[u64; 2]>,
    /// The PoW response (leading zeros ≥ pow bits).
    pub fri_pow_response: u64,
    /// Query positions in the LDE domain.
    pub fri_query_indices: Vec<u64>,
}

impl Trace {
    /// The challenges in the order of the generated contract's `challenges()` vector
    /// (`CH_*` constants): PI hash, β, γ, α, ζ, FRI α, FRI βs, PoW response, query indices.
    pub fn flatten(&self) -> Vec<u64> {
        let mut v = self.public_inputs_hash.to_vec();
        v.extend(&self.betas);
        v.extend(&self.gammas);
        v.extend(&self.alphas);
        v.extend(self.zeta);
        v.extend(self.fri_alpha);
        self.fri_betas.iter().for_each(|b| v.extend(b));
        v.push(self.fri_pow_response);
        v.extend(&self.fri_query_indices);
        v
    }
}

fn u(x: F) -> u64 {
    x.to_canonical_u64()
}
fn e(x: <F as plonky2::field::extension::Extendable<D>>::Extension) -> [u64; 2] {
    let a: [F; D] = FieldExtension::<D>::to_basefield_array(&x);
    [u(a[0]), u(a[1])]
}

/// The elements the challenger observes before the public-inputs hash (all fixed by the
/// circuit): the FRI parameters and the circuit digest (`KeccakHash<25>` as four 7-byte
/// little-endian chunks).
pub fn preamble(
    common: &CommonCircuitData<F, D>,
    vd: &VerifierOnlyCircuitData<OuterC, D>,
) -> Vec<u64> {
    // Mirrors `FriParams::observe` (checked against it in the tests).
    let mut ch = Recorder::default();
    let fp = &common.fri_params;
    let cfg = &fp.config;
    ch.0.extend([
        cfg.rate_bits as u64,
        cfg.cap_height as u64,
        cfg.proof_of_work_bits as u64,
    ]);
    ch.0.extend(cfg.reduction_strategy.serialize().iter().map(|x| u(*x)));
    ch.0.push(cfg.num_query_rounds as u64);
    ch.0.push(fp.hiding as u64);
    ch.0.push(fp.degree_bits as u64);
    ch.0.extend(fp.reduction_arity_bits.iter().map(|&a| a as u64));
    ch.0.extend(
        GenericHashOut::<F>::to_vec(&vd.circuit_digest)
            .into_iter()
            .map(u),
    );
    ch.0
}

#[derive(Default)]
struct Recorder(Vec<u64>);

/// Replays the transcript of `proof`.
pub fn trace(
    proof: &ProofWithPublicInputs<F, OuterC, D>,
    common: &CommonCircuitData<F, D>,
    vd: &VerifierOnlyCircuitData<OuterC, D>,
) -> Trace {
    let p = &proof.proof;
    let nc = common.config.num_challenges;
    let pre = preamble(common, vd);
    let mut c = Challenger::<F, KH>::new();
    c.observe_elements(
        &pre.iter()
            .map(|&v| F::from_canonical_u64(v))
            .collect::<Vec<_>>(),
    );
    let pih = PoseidonHash::hash_no_pad(&proof.public_inputs);
    c.observe_hash::<PoseidonHash>(pih);
    c.observe_cap::<KH>(&p.wires_cap);
    let betas = c.get_n_challenges(nc);
    let gammas = c.get_n_challenges(nc);
    c.observe_cap::<KH>(&p.plonk_zs_partial_products_cap);
    let alphas = c.get_n_challenges(nc);
    c.observe_cap::<KH>(&p.quotient_polys_cap);
    let zeta = c.get_extension_challenge::<D>();
    let o = &p.openings;
    for v in quire_circuits::calldata::openings_in_transcript_order(o) {
        c.observe_extension_elements::<D>(v);
    }
    let fri = &p.opening_proof;
    let fri_alpha = c.get_extension_challenge::<D>();
    let fri_betas = fri
        .commit_phase_merkle_caps
        .iter()
        .map(|cap| {
            c.observe_cap::<KH>(cap);
            e(c.get_extension_challenge::<D>())
        })
        .collect();
    c.observe_extension_elements::<D>(&fri.final_poly.coeffs);
    c.observe_element(fri.pow_witness);
    let fri_pow_response = u(c.get_challenge());
    let lde = 1u64 << common.fri_params.lde_bits();
    let fri_query_indices = (0..common.config.fri_config.num_query_rounds)
        .map(|_| u(c.get_challenge()) % lde)
        .collect();
    Trace {
        preamble: pre,
        public_inputs_hash: pih.elements.map(u),
        betas: betas.into_iter().map(u).collect(),
        gammas: gammas.into_iter().map(u).collect(),
        alphas: alphas.into_iter().map(u).collect(),
        zeta: e(zeta),
        fri_alpha: e(fri_alpha),
        fri_betas,
        fri_pow_response,
        fri_query_indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::sample_public_inputs;
    use crate::test_wrapper::TestWrapper;
    use quire_circuits::calldata::{decode, encode, ProofShape};

    #[test]
    fn trace_matches_plonky2_and_layout_roundtrips() {
        let tw = TestWrapper::build();
        let c = &tw.wrapper.common;
        eprintln!(
            "gates: {:?}",
            c.gates.iter().map(|g| g.0.id()).collect::<Vec<_>>()
        );
        let shape = ProofShape::from_common(c).unwrap();
        eprintln!("shape: {shape:?} offsets {:?}", shape.offsets());
        let t0 = std::time::Instant::now();
        let proof = tw.prove(&sample_public_inputs(1)).unwrap();
        eprintln!("prove: {:?}", t0.elapsed());
        let t = trace(&proof, c, &tw.wrapper.verifier_only);
        let ch = proof
            .get_challenges(
                proof.get_public_inputs_hash(),
                &tw.wrapper.verifier_only.circuit_digest,
                c,
            )
            .unwrap();
        assert_eq!(
            t.betas,
            ch.plonk_betas.iter().map(|x| u(*x)).collect::<Vec<_>>()
        );
        assert_eq!(
            t.gammas,
            ch.plonk_gammas.iter().map(|x| u(*x)).collect::<Vec<_>>()
        );
        assert_eq!(
            t.alphas,
            ch.plonk_alphas.iter().map(|x| u(*x)).collect::<Vec<_>>()
        );
        assert_eq!(t.zeta, e(ch.plonk_zeta));
        let f = &ch.fri_challenges;
        assert_eq!(t.fri_alpha, e(f.fri_alpha));
        assert_eq!(
            t.fri_betas,
            f.fri_betas.iter().map(|x| e(*x)).collect::<Vec<_>>()
        );
        assert_eq!(t.fri_pow_response, u(f.fri_pow_response));
        assert_eq!(
            t.fri_query_indices,
            f.fri_query_indices
                .iter()
                .map(|&i| i as u64)
                .collect::<Vec<_>>()
        );
        let bytes = encode(&shape, &proof).unwrap();
        let pis: Vec<u64> = proof.public_inputs.iter().map(|x| u(*x)).collect();
        assert_eq!(decode(&shape, &bytes, &pis).unwrap(), proof);
    }
}
