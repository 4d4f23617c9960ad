//! One description of a gate's constraints, three evaluators.
//!
//! plonky2 evaluates a gate's constraints three ways: over the extension field
//! (`eval_unfiltered`), over packed base-field values (the prover's hot loop) and as
//! circuit targets (recursive verification). The constraint code of the gates in this
//! module is written once, generic over [`Alg`], and instantiated for each evaluator, so the
//! three can never drift apart (`test_eval_fns` checks it too).
//!
//! [`Q5`] is GF(p^5) = GF(p)\[z\]/(z^5 − 3) arithmetic on top of any [`Alg`]: the limbs of
//! a GF(p^5) element live in five wires and every GF(p^5) identity becomes five
//! constraints over the evaluator's values.

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::packed::PackedField;
use plonky2::field::types::Field;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;

use crate::gadgets::{D, F};

/// The quintic non-residue: z^5 = W.
pub(crate) const W: u64 = 3;

/// A commutative ring in which constraints are evaluated.
pub(crate) trait Alg {
    /// A value (an extension element, a packed base element, or a target).
    type V: Copy;
    fn add(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(&mut self, a: Self::V, b: Self::V) -> Self::V;
    /// The constant `c`.
    fn konst(&mut self, c: F) -> Self::V;
    /// `c·a`.
    fn scale(&mut self, c: F, a: Self::V) -> Self::V;
    /// `c0·a·b + c1·d`.
    fn arith(&mut self, c0: F, a: Self::V, b: Self::V, c1: F, d: Self::V) -> Self::V {
        let ab = self.mul(a, b);
        let ab = self.scale(c0, ab);
        let d = self.scale(c1, d);
        self.add(ab, d)
    }
    /// `a·b − c`.
    fn mul_sub(&mut self, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        self.arith(F::ONE, a, b, F::NEG_ONE, c)
    }
}

/// Evaluation in the extension field (`eval_unfiltered`).
pub(crate) struct ExtAlg;

type Ext = <F as Extendable<D>>::Extension;

impl Alg for ExtAlg {
    type V = Ext;
    fn add(&mut self, a: Ext, b: Ext) -> Ext {
        a + b
    }
    fn sub(&mut self, a: Ext, b: Ext) -> Ext {
        a - b
    }
    fn mul(&mut self, a: Ext, b: Ext) -> Ext {
        a * b
    }
    fn konst(&mut self, c: F) -> Ext {
        <Ext as FieldExtension<D>>::from_basefield(c)
    }
    fn scale(&mut self, c: F, a: Ext) -> Ext {
        <Ext as FieldExtension<D>>::scalar_mul(&a, c)
    }
}

/// Evaluation on packed base-field values (the prover).
pub(crate) struct PackedAlg<P>(core::marker::PhantomData<P>);

impl<P> PackedAlg<P> {
    pub(crate) fn new() -> Self {
        Self(core::marker::PhantomData)
    }
}

impl<P: PackedField<Scalar = F>> Alg for PackedAlg<P> {
    type V = P;
    fn add(&mut self, a: P, b: P) -> P {
        a + b
    }
    fn sub(&mut self, a: P, b: P) -> P {
        a - b
    }
    fn mul(&mut self, a: P, b: P) -> P {
        a * b
    }
    fn konst(&mut self, c: F) -> P {
        P::from(c)
    }
    fn scale(&mut self, c: F, a: P) -> P {
        a * c
    }
    fn arith(&mut self, c0: F, a: P, b: P, c1: F, d: P) -> P {
        a * b * c0 + d * c1
    }
}

/// Evaluation as targets of a (recursive) circuit.
pub(crate) struct CircuitAlg<'a> {
    pub(crate) builder: &'a mut CircuitBuilder<F, D>,
}

impl Alg for CircuitAlg<'_> {
    type V = ExtensionTarget<D>;
    fn add(&mut self, a: Self::V, b: Self::V) -> Self::V {
        self.builder.add_extension(a, b)
    }
    fn sub(&mut self, a: Self::V, b: Self::V) -> Self::V {
        self.builder.sub_extension(a, b)
    }
    fn mul(&mut self, a: Self::V, b: Self::V) -> Self::V {
        self.builder.mul_extension(a, b)
    }
    fn konst(&mut self, c: F) -> Self::V {
        self.builder
            .constant_extension(<Ext as FieldExtension<D>>::from_basefield(c))
    }
    fn scale(&mut self, c: F, a: Self::V) -> Self::V {
        self.builder.mul_const_extension(c, a)
    }
    fn arith(&mut self, c0: F, a: Self::V, b: Self::V, c1: F, d: Self::V) -> Self::V {
        self.builder.arithmetic_extension(c0, c1, a, b, d)
    }
}

/// A GF(p^5) element as five values of an [`Alg`], constant term first.
pub(crate) type Q5<V> = [V; 5];

/// GF(p^5) arithmetic over an [`Alg`].
pub(crate) trait Q5Ops: Alg {
    fn q_const(&mut self, c: [F; 5]) -> Q5<Self::V> {
        c.map(|c| self.konst(c))
    }
    fn q_add(&mut self, a: Q5<Self::V>, b: Q5<Self::V>) -> Q5<Self::V> {
        core::array::from_fn(|i| self.add(a[i], b[i]))
    }
    fn q_sub(&mut self, a: Q5<Self::V>, b: Q5<Self::V>) -> Q5<Self::V> {
        core::array::from_fn(|i| self.sub(a[i], b[i]))
    }
    fn q_scale(&mut self, c: F, a: Q5<Self::V>) -> Q5<Self::V> {
        a.map(|x| self.scale(c, x))
    }
    /// `s·a` for a value `s` of the base ring (e.g. a bit).
    fn q_mul_base(&mut self, s: Self::V, a: Q5<Self::V>) -> Q5<Self::V> {
        a.map(|x| self.mul(s, x))
    }
    /// a·b, schoolbook with the reduction z^5 = 3 folded into the coefficients.
    fn q_mul(&mut self, a: Q5<Self::V>, b: Q5<Self::V>) -> Q5<Self::V> {
        core::array::from_fn(|k| {
            let mut acc: Option<Self::V> = None;
            for (i, &ai) in a.iter().enumerate() {
                let j = (k + 5 - i) % 5;
                let w = if i + j >= 5 {
                    F::from_canonical_u64(W)
                } else {
                    F::ONE
                };
                acc = Some(match acc {
                    None => {
                        let p = self.mul(ai, b[j]);
                        self.scale(w, p)
                    }
                    Some(acc) => self.arith(w, ai, b[j], F::ONE, acc),
                });
            }
            acc.expect("five terms")
        })
    }
    /// b·a for the curve constant b = 263·z: (a0..a4) ↦ (3·263·a4, 263·a0, …, 263·a3).
    fn q_mul_b(&mut self, a: Q5<Self::V>) -> Q5<Self::V> {
        let k = F::from_canonical_u64(crate::gadgets::curve::B1);
        let kw = F::from_canonical_u64(crate::gadgets::curve::B1 * W);
        [
            self.scale(kw, a[4]),
            self.scale(k, a[0]),
            self.scale(k, a[1]),
            self.scale(k, a[2]),
            self.scale(k, a[3]),
        ]
    }
}

impl<A: Alg + ?Sized> Q5Ops for A {}
