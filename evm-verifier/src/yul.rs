//! Yul building blocks shared by the generated contracts: Goldilocks and its quadratic
//! extension F_p(u), u² = 7 (plonky2's `QuadraticExtension`), and the extension algebra
//! F_p²(X), X² = 7 plonky2's gates use (`ExtensionAlgebra<F::Extension, 2>`).
//!
//! Representation: a base element is one word, canonical (< p); an extension element is two
//! words (c0, c1), on the stack or in memory at `p, p + 0x20`; an algebra element is two
//! extension elements in memory (`p .. p + 0x80`). Every helper returns canonical values
//! given canonical inputs.
//!
//! The Yul itself is the template `templates/yul/field.yul` (it has no parameters: the
//! same text goes into QuireGates and QuireFri).

use askama::Template;

#[derive(Template)]
#[template(path = "yul/field.yul", escape = "none")]
struct FieldHelpers;

/// Field and extension-field helpers (no memory layout assumptions), to paste into an
/// assembly block; no final newline.
pub fn field() -> anyhow::Result<String> {
    Ok(FieldHelpers.render()?)
}
