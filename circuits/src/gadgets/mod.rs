//! In-circuit EcGFp5 Schnorr verification: plonky2 gadgets mirroring
//! `quire_core::ecgfp5` and `quire_core::schnorr` bit for bit.
//!
//! One builder-extension trait per concern, in plonky2's style:
//!
//! | trait | module | what |
//! |---|---|---|
//! | [`CircuitBuilderGfp5`] | [`gfp5`] | GF(p^5) = GF(p)\[z\]/(z^5 − 3) arithmetic on [`Gfp5Target`]s |
//! | [`CircuitBuilderCurve`] | [`curve`] | EcGFp5 points in affine (x, u): add, double, negate, select, decode (with its checks), encode |
//! | [`CircuitBuilderScalar`] | [`scalar`] | scalars as range-checked bits: s < n, and the challenge's canonical 4 × 64 bits |
//! | [`CircuitBuilderCurveMul`] | [`mul`] | s·G (fixed base, baked tables), k·P (variable base), s·G + e·P (one shared doubling chain) |
//! | [`CircuitBuilderSchnorr`] | [`schnorr`] | keys, signatures, the Poseidon challenge and `verify_schnorr` |
//!
//! and the matching witness traits ([`WitnessGfp5`], [`WitnessCurve`], [`WitnessScalar`],
//! [`WitnessSchnorr`]).
//!
//! # Gates
//!
//! One custom gate ([`gates::EcMulStepGate`]) carries the scalar multiplication: steps of
//! the Straus–Shamir chain acc ← 2·acc + (a·G + h·2^256·G) + e·P (a doubling and two
//! complete additions, the generator table baked into the constraints), two steps per
//! row. Everything else uses plonky2's standard gates (base arithmetic, `BaseSumGate`
//! decompositions, Poseidon).
//!
//! The gadgets can also be built without the custom gate: the traits are implemented for
//! `CircuitBuilder` (with the gate, the production choice) and for [`WithGates`], a
//! builder wrapper with an explicit [`GateSet`]. That is how `quire-prover circuit-stats`
//! measures what the gate saves (one verification: 167 rows with it, 8,455 without), and
//! the tests check that both constructions compute the same values and accept the same
//! signatures. (A GF(p^5) multiply-add gate was measured too and dropped: see
//! [`gfp5`].)
//!
//! Everything is specific to Goldilocks (the curve is defined over it) and to plonky2's
//! quadratic extension (D = 2), the configuration of every Quire circuit.

pub mod curve;
pub mod gates;
pub mod gfp5;
pub mod mul;
pub mod native;
pub mod scalar;
pub mod schnorr;

#[cfg(test)]
pub(crate) mod test_util;

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::plonk::circuit_builder::CircuitBuilder;

pub use curve::{CircuitBuilderCurve, PointTarget, WitnessCurve};
pub use gfp5::{CircuitBuilderGfp5, Gfp5Target, WitnessGfp5};
pub use mul::CircuitBuilderCurveMul;
pub use scalar::{CircuitBuilderScalar, ScalarTarget, WitnessScalar};
pub use schnorr::{CircuitBuilderSchnorr, PublicKeyTarget, SignatureTarget, WitnessSchnorr};

/// The base field of every Quire circuit.
pub type F = GoldilocksField;
/// The extension degree of every Quire circuit.
pub const D: usize = 2;

/// Which of this module's custom gates the gadgets may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GateSet {
    /// Scalar-multiplication chains through [`gates::EcMulStepGate`] (otherwise a
    /// doubling, a table selection and two additions of GF(p^5) gadgets per bit).
    pub ec_mul_step: bool,
}

impl GateSet {
    /// Every custom gate: what `CircuitBuilder` itself uses.
    pub const ALL: Self = Self { ec_mul_step: true };
    /// plonky2's standard gates only.
    pub const NONE: Self = Self { ec_mul_step: false };
}

/// What the gadget traits are implemented on: a plonky2 builder and a [`GateSet`].
///
/// All gadget traits are blanket-implemented for every `GadgetBuilder`, so
/// `builder.verify_schnorr(..)` works on a `CircuitBuilder` (all gates) and on a
/// [`WithGates`] alike.
pub trait GadgetBuilder {
    /// The underlying plonky2 builder.
    fn plonky2(&mut self) -> &mut CircuitBuilder<F, D>;
    /// The custom gates the gadgets may use.
    fn gate_set(&self) -> GateSet;
}

impl GadgetBuilder for CircuitBuilder<F, D> {
    fn plonky2(&mut self) -> &mut CircuitBuilder<F, D> {
        self
    }
    fn gate_set(&self) -> GateSet {
        GateSet::ALL
    }
}

/// A builder restricted to a [`GateSet`], e.g. `WithGates::new(&mut builder, GateSet::NONE)`
/// to build the gadgets from plonky2's standard gates only.
pub struct WithGates<'a> {
    builder: &'a mut CircuitBuilder<F, D>,
    gates: GateSet,
}

impl<'a> WithGates<'a> {
    /// Wraps `builder`.
    pub fn new(builder: &'a mut CircuitBuilder<F, D>, gates: GateSet) -> Self {
        Self { builder, gates }
    }
}

impl GadgetBuilder for WithGates<'_> {
    fn plonky2(&mut self) -> &mut CircuitBuilder<F, D> {
        self.builder
    }
    fn gate_set(&self) -> GateSet {
        self.gates
    }
}
