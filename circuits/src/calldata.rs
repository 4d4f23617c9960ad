//! The compact proof encoding the on-chain verifier parses (`bytes proof` of
//! `IBatchVerifier.verify`).
//!
//! Every length is fixed by the circuit ([`ProofShape`]), so the contract checks one total
//! length and then reads at constant offsets; there are no length prefixes to parse or to
//! tamper with. Encoding rules:
//!
//! - a field element is its canonical value as **8 bytes little-endian**: the bytes plonky2's
//!   Keccak sponge and leaf hashing consume, so the contract hashes calldata as-is and
//!   byte-swaps only the values it computes with; the contract rejects any element ≥ p;
//! - an extension element (degree 2) is its two coordinates c0, c1 (16 bytes);
//! - a hash (`KeccakHash<25>`) is its 25 raw bytes; a Merkle cap of height 0 is one hash.
//!
//! Sections, in order (`n·x` = n items of x):
//!
//! | section | content |
//! |---|---|
//! | caps | wires cap, Z/partial-products cap, quotient cap (3 hashes) |
//! | openings at ζ | constants, σ, wires, Z, partial products, quotient (ext elements, `OpeningSet` order = the order the transcript observes them) |
//! | openings at gζ | Z_next (ext elements) |
//! | FRI commit caps | one hash per reduction layer |
//! | final polynomial | `final_poly_len` ext coefficients, constant term first |
//! | PoW witness | one element |
//! | queries | `num_query_rounds` × query |
//!
//! A query is: for each initial oracle (constants+σ, wires, Z+partial products, quotient) its
//! leaf (the oracle's values, base elements) followed by its Merkle path (`lde_bits −
//! cap_height` sibling hashes, bottom first); then for each reduction layer i the coset
//! evaluations (`2^arity_i` ext elements) and the path (`lde_bits − Σ_{j≤i} arity_j −
//! cap_height` hashes).
//!
//! Public inputs are not in the proof: they are the `uint256[]` argument.

use anyhow::{ensure, Result};
use plonky2::field::extension::quadratic::QuadraticExtension;
use plonky2::field::extension::FieldExtension;
use plonky2::field::polynomial::PolynomialCoeffs;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::fri::proof::{FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep};
use plonky2::hash::hash_types::BytesHash;
use plonky2::hash::merkle_proofs::MerkleProof;
use plonky2::hash::merkle_tree::MerkleCap;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::proof::{OpeningSet, Proof, ProofWithPublicInputs};

use crate::config::WrapperConfig as OuterC;
use crate::gadgets::{D, F};

/// Bytes of one hash.
pub const HASH_BYTES: usize = 25;
/// Bytes of one base element.
pub const ELEM_BYTES: usize = 8;
/// Bytes of one extension element.
pub const EXT_BYTES: usize = 16;

/// The opening vectors in the order plonky2's transcript absorbs them after ζ, which is
/// also the order the calldata carries them in (so the EVM verifier absorbs as it reads)
/// and the order `quire-evm-verifier` replays.
pub fn openings_in_transcript_order(o: &OpeningSet<F, D>) -> [&[QuadraticExtension<F>]; 7] {
    [
        &o.constants,
        &o.plonk_sigmas,
        &o.wires,
        &o.plonk_zs,
        &o.partial_products,
        &o.quotient_polys,
        &o.plonk_zs_next,
    ]
}

/// Every length of a proof of one circuit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofShape {
    /// Number of constant polynomials (selectors + gate constants).
    pub num_constants: usize,
    /// σ polynomials = routed wires.
    pub num_routed_wires: usize,
    /// Wires.
    pub num_wires: usize,
    /// Independent permutation/quotient challenges.
    pub num_challenges: usize,
    /// Partial products per challenge.
    pub num_partial_products: usize,
    /// Quotient chunks per challenge.
    pub quotient_degree_factor: usize,
    /// log2 of the trace length.
    pub degree_bits: usize,
    /// log2 of the LDE blowup.
    pub rate_bits: usize,
    /// Merkle cap height.
    pub cap_height: usize,
    /// FRI reduction arities (log2), one per layer.
    pub reduction_arity_bits: Vec<usize>,
    /// Coefficients of the final polynomial.
    pub final_poly_len: usize,
    /// FRI query rounds.
    pub num_query_rounds: usize,
    /// Proof-of-work bits.
    pub pow_bits: u32,
    /// Public inputs.
    pub num_public_inputs: usize,
}

impl ProofShape {
    /// The shape of every proof of `common`'s circuit.
    pub fn from_common(common: &CommonCircuitData<F, D>) -> Result<Self> {
        let c = &common.config;
        ensure!(
            !c.zero_knowledge && !common.fri_params.hiding,
            "hiding (zero-knowledge) proofs are not supported"
        );
        ensure!(
            common.num_lookup_polys == 0,
            "lookup arguments are not supported"
        );
        Ok(Self {
            num_constants: common.num_constants,
            num_routed_wires: c.num_routed_wires,
            num_wires: c.num_wires,
            num_challenges: c.num_challenges,
            num_partial_products: common.num_partial_products,
            quotient_degree_factor: common.quotient_degree_factor,
            degree_bits: common.degree_bits(),
            rate_bits: c.fri_config.rate_bits,
            cap_height: c.fri_config.cap_height,
            reduction_arity_bits: common.fri_params.reduction_arity_bits.clone(),
            final_poly_len: common.fri_params.final_poly_len(),
            num_query_rounds: c.fri_config.num_query_rounds,
            pow_bits: c.fri_config.proof_of_work_bits,
            num_public_inputs: common.num_public_inputs,
        })
    }

    /// log2 of the LDE size.
    pub fn lde_bits(&self) -> usize {
        self.degree_bits + self.rate_bits
    }
    /// Ext elements opened at ζ.
    pub fn num_openings_zeta(&self) -> usize {
        self.num_constants
            + self.num_routed_wires
            + self.num_wires
            + self.num_challenges * (1 + self.num_partial_products + self.quotient_degree_factor)
    }
    /// Ext elements opened at gζ.
    pub fn num_openings_next(&self) -> usize {
        self.num_challenges
    }
    /// Leaf widths of the four initial oracles.
    pub fn leaf_widths(&self) -> [usize; 4] {
        [
            self.num_constants + self.num_routed_wires,
            self.num_wires,
            self.num_challenges * (1 + self.num_partial_products),
            self.num_challenges * self.quotient_degree_factor,
        ]
    }
    /// Merkle path length of layer `i` (0 = initial oracles, i ≥ 1 = after i reductions).
    pub fn path_len(&self, layer: usize) -> usize {
        self.lde_bits() - self.reduction_arity_bits[..layer].iter().sum::<usize>() - self.cap_height
    }
    /// Bytes of one query round.
    pub fn query_bytes(&self) -> usize {
        let initial: usize = self
            .leaf_widths()
            .iter()
            .map(|w| w * ELEM_BYTES + self.path_len(0) * HASH_BYTES)
            .sum();
        let steps: usize = (0..self.reduction_arity_bits.len())
            .map(|i| {
                (1 << self.reduction_arity_bits[i]) * EXT_BYTES + self.path_len(i + 1) * HASH_BYTES
            })
            .sum();
        initial + steps
    }
    /// Byte offsets of the sections (see the module docs).
    pub fn offsets(&self) -> Offsets {
        let caps = 0;
        let cap_bytes = (1 << self.cap_height) * HASH_BYTES;
        let openings = caps + 3 * cap_bytes;
        let openings_next = openings + self.num_openings_zeta() * EXT_BYTES;
        let fri_caps = openings_next + self.num_openings_next() * EXT_BYTES;
        let final_poly = fri_caps + self.reduction_arity_bits.len() * cap_bytes;
        let pow_witness = final_poly + self.final_poly_len * EXT_BYTES;
        let queries = pow_witness + ELEM_BYTES;
        let total = queries + self.num_query_rounds * self.query_bytes();
        Offsets {
            caps,
            openings,
            openings_next,
            fri_caps,
            final_poly,
            pow_witness,
            queries,
            total,
        }
    }
}

/// Section offsets in the encoded proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Offsets {
    pub caps: usize,
    pub openings: usize,
    pub openings_next: usize,
    pub fri_caps: usize,
    pub final_poly: usize,
    pub pow_witness: usize,
    pub queries: usize,
    pub total: usize,
}

type Ext = QuadraticExtension<F>;
type H = <OuterC as plonky2::plonk::config::GenericConfig<D>>::Hasher;

struct Writer(Vec<u8>);
impl Writer {
    fn elem(&mut self, x: F) {
        self.0
            .extend_from_slice(&x.to_canonical_u64().to_le_bytes());
    }
    fn ext(&mut self, x: Ext) {
        for c in FieldExtension::<D>::to_basefield_array(&x) {
            self.elem(c);
        }
    }
    fn hash(&mut self, h: &BytesHash<HASH_BYTES>) {
        self.0.extend_from_slice(&h.0);
    }
    fn cap(&mut self, c: &MerkleCap<F, H>) {
        for h in &c.0 {
            self.hash(h);
        }
    }
}

/// Encodes `proof` (public inputs excluded). Fails if it does not have `shape`.
pub fn encode(shape: &ProofShape, proof: &ProofWithPublicInputs<F, OuterC, D>) -> Result<Vec<u8>> {
    let p = &proof.proof;
    let o = &p.openings;
    let fri = &p.opening_proof;
    let s = shape;
    ensure!(
        proof.public_inputs.len() == s.num_public_inputs,
        "public inputs"
    );
    ensure!(
        o.constants.len() == s.num_constants && o.plonk_sigmas.len() == s.num_routed_wires,
        "openings"
    );
    ensure!(
        o.wires.len() == s.num_wires && o.plonk_zs.len() == s.num_challenges,
        "openings"
    );
    ensure!(
        o.partial_products.len() == s.num_challenges * s.num_partial_products,
        "openings"
    );
    ensure!(
        o.quotient_polys.len() == s.num_challenges * s.quotient_degree_factor,
        "openings"
    );
    ensure!(
        o.plonk_zs_next.len() == s.num_challenges && o.lookup_zs.is_empty(),
        "openings"
    );
    ensure!(
        fri.commit_phase_merkle_caps.len() == s.reduction_arity_bits.len(),
        "fri layers"
    );
    ensure!(
        fri.final_poly.coeffs.len() == s.final_poly_len,
        "final poly"
    );
    ensure!(
        fri.query_round_proofs.len() == s.num_query_rounds,
        "queries"
    );
    let mut w = Writer(Vec::with_capacity(s.offsets().total));
    for c in [
        &p.wires_cap,
        &p.plonk_zs_partial_products_cap,
        &p.quotient_polys_cap,
    ] {
        ensure!(c.0.len() == 1 << s.cap_height, "cap");
        w.cap(c);
    }
    for v in openings_in_transcript_order(o) {
        v.iter().for_each(|x| w.ext(*x));
    }
    for c in &fri.commit_phase_merkle_caps {
        ensure!(c.0.len() == 1 << s.cap_height, "cap");
        w.cap(c);
    }
    fri.final_poly.coeffs.iter().for_each(|x| w.ext(*x));
    w.elem(fri.pow_witness);
    for q in &fri.query_round_proofs {
        ensure!(q.initial_trees_proof.evals_proofs.len() == 4, "oracles");
        for (i, (leaf, path)) in q.initial_trees_proof.evals_proofs.iter().enumerate() {
            ensure!(
                leaf.len() == s.leaf_widths()[i] && path.siblings.len() == s.path_len(0),
                "initial tree {i}"
            );
            leaf.iter().for_each(|x| w.elem(*x));
            path.siblings.iter().for_each(|h| w.hash(h));
        }
        ensure!(q.steps.len() == s.reduction_arity_bits.len(), "steps");
        for (i, st) in q.steps.iter().enumerate() {
            ensure!(
                st.evals.len() == 1 << s.reduction_arity_bits[i]
                    && st.merkle_proof.siblings.len() == s.path_len(i + 1),
                "step {i}"
            );
            st.evals.iter().for_each(|x| w.ext(*x));
            st.merkle_proof.siblings.iter().for_each(|h| w.hash(h));
        }
    }
    ensure!(w.0.len() == s.offsets().total, "length");
    Ok(w.0)
}

struct Reader<'a>(&'a [u8]);
impl Reader<'_> {
    fn elem(&mut self) -> Result<F> {
        ensure!(self.0.len() >= ELEM_BYTES, "short");
        let (a, b) = self.0.split_at(ELEM_BYTES);
        self.0 = b;
        let v = u64::from_le_bytes(a.try_into()?);
        ensure!(v < F::ORDER, "non-canonical element");
        Ok(F::from_canonical_u64(v))
    }
    fn elems(&mut self, n: usize) -> Result<Vec<F>> {
        (0..n).map(|_| self.elem()).collect()
    }
    fn ext(&mut self) -> Result<Ext> {
        Ok(<Ext as FieldExtension<D>>::from_basefield_array([
            self.elem()?,
            self.elem()?,
        ]))
    }
    fn exts(&mut self, n: usize) -> Result<Vec<Ext>> {
        (0..n).map(|_| self.ext()).collect()
    }
    fn hash(&mut self) -> Result<BytesHash<HASH_BYTES>> {
        ensure!(self.0.len() >= HASH_BYTES, "short");
        let (a, b) = self.0.split_at(HASH_BYTES);
        self.0 = b;
        Ok(BytesHash(a.try_into()?))
    }
    fn hashes(&mut self, n: usize) -> Result<Vec<BytesHash<HASH_BYTES>>> {
        (0..n).map(|_| self.hash()).collect()
    }
    fn cap(&mut self, h: usize) -> Result<MerkleCap<F, H>> {
        Ok(MerkleCap(self.hashes(1 << h)?))
    }
}

/// Decodes an encoded proof with the given public inputs (the strict inverse of [`encode`]:
/// exact length, canonical elements). Used to ask plonky2's verifier about altered bytes.
pub fn decode(
    shape: &ProofShape,
    bytes: &[u8],
    public_inputs: &[u64],
) -> Result<ProofWithPublicInputs<F, OuterC, D>> {
    let s = shape;
    ensure!(bytes.len() == s.offsets().total, "proof length");
    ensure!(
        public_inputs.len() == s.num_public_inputs,
        "public inputs length"
    );
    ensure!(
        public_inputs.iter().all(|&v| v < F::ORDER),
        "non-canonical public input"
    );
    let mut r = Reader(bytes);
    let wires_cap = r.cap(s.cap_height)?;
    let plonk_zs_partial_products_cap = r.cap(s.cap_height)?;
    let quotient_polys_cap = r.cap(s.cap_height)?;
    let nc = s.num_challenges;
    let openings = OpeningSet {
        constants: r.exts(s.num_constants)?,
        plonk_sigmas: r.exts(s.num_routed_wires)?,
        wires: r.exts(s.num_wires)?,
        plonk_zs: r.exts(nc)?,
        partial_products: r.exts(nc * s.num_partial_products)?,
        quotient_polys: r.exts(nc * s.quotient_degree_factor)?,
        plonk_zs_next: r.exts(nc)?,
        lookup_zs: vec![],
        lookup_zs_next: vec![],
    };
    let commit_phase_merkle_caps = (0..s.reduction_arity_bits.len())
        .map(|_| r.cap(s.cap_height))
        .collect::<Result<_>>()?;
    let final_poly = PolynomialCoeffs::new(r.exts(s.final_poly_len)?);
    let pow_witness = r.elem()?;
    let mut query_round_proofs = Vec::with_capacity(s.num_query_rounds);
    for _ in 0..s.num_query_rounds {
        let mut evals_proofs = Vec::with_capacity(4);
        for w in s.leaf_widths() {
            let leaf = r.elems(w)?;
            evals_proofs.push((
                leaf,
                MerkleProof {
                    siblings: r.hashes(s.path_len(0))?,
                },
            ));
        }
        let mut steps = Vec::new();
        for (i, a) in s.reduction_arity_bits.iter().enumerate() {
            let evals = r.exts(1 << a)?;
            steps.push(FriQueryStep {
                evals,
                merkle_proof: MerkleProof {
                    siblings: r.hashes(s.path_len(i + 1))?,
                },
            });
        }
        query_round_proofs.push(FriQueryRound {
            initial_trees_proof: FriInitialTreeProof { evals_proofs },
            steps,
        });
    }
    ensure!(r.0.is_empty(), "trailing bytes");
    Ok(ProofWithPublicInputs {
        proof: Proof {
            wires_cap,
            plonk_zs_partial_products_cap,
            quotient_polys_cap,
            openings,
            opening_proof: FriProof {
                commit_phase_merkle_caps,
                query_round_proofs,
                final_poly,
                pow_witness,
            },
        },
        public_inputs: public_inputs
            .iter()
            .map(|&v| F::from_canonical_u64(v))
            .collect(),
    })
}
