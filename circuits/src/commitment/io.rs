//! The public inputs every commitment segment and segment node exposes: one layout, so
//! nodes stack over segments as aggregation nodes stack over chunks.
//!
//! A segment proves a slice of the batch's records *and* a fixed window of the compacted
//! pubdata stream; the values below carry what one slice leaves for the next. Every chained
//! quantity comes as an `_in`/`_out` pair: a node connects the left child's `_out` to the
//! right child's `_in` and the [`super::root`] pins the first `_in`s to their start values
//! and checks the last `_out`s.

/// Elements of a 1600-bit keccak state as 32-bit words (lane `i` is words `2i` (low half)
/// and `2i + 1`).
pub const STATE_WORDS: usize = 50;

/// Number of public inputs of a segment or segment node.
pub const SEGMENT_PUBLIC_INPUTS: usize =
    4 + 2 + 1 + 3 * 2 + 3 * 2 + 2 + 1 + 2 * STATE_WORDS + 2 + 8 + 2 * 8;

/// A segment's public inputs, by name; `T` is a `Target` in circuits and a field element
/// natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentIo<T> {
    /// Poseidon digest of the slice's records, combined as the chunk aggregation tree does.
    pub digest: [T; 4],
    /// The compaction challenge γ (a quadratic-extension element), the same in every segment.
    pub gamma: [T; 2],
    /// The stream's length `T`, the same in every segment.
    pub total_len: T,
    /// Stream position of the window's first byte, and of the byte after its last.
    pub pos: [T; 2],
    /// `γ^{offset}` before the slice's first record and after its last (records side).
    pub shift_in: [T; 2],
    /// `shift_in` after the slice.
    pub shift_out: [T; 2],
    /// `Σ γ^{offset_i}·record_i(γ)` over the slice's records.
    pub rhs: [T; 2],
    /// `γ^{pos[0]}` (bytes side).
    pub pow_in: [T; 2],
    /// `γ^{pos[1]}`.
    pub pow_out: [T; 2],
    /// `Σ stream_g·γ^g` over the window.
    pub lhs: [T; 2],
    /// `Σ len_i` over the slice's records.
    pub len: T,
    /// The keccak sponge state before the window's first block.
    pub state_in: [T; STATE_WORDS],
    /// The state after its last block.
    pub state_out: [T; STATE_WORDS],
    /// `[T < pos[0]]`: the stream ended before this window.
    pub hits_in: T,
    /// `[T < pos[1]]`.
    pub hits_out: T,
    /// The keccak-256 digest of the stream as eight big-endian u32 words if it ends in this
    /// window, else zero (so the sum over the windows is the digest).
    pub pubdata: [T; 8],
    /// The priority fold before the slice's priority slots, eight big-endian u32 words.
    pub prio_in: [T; 8],
    /// The fold after them.
    pub prio_out: [T; 8],
}

impl<T: Copy> SegmentIo<T> {
    /// The public-input vector, in registration order.
    pub fn to_vec(&self) -> Vec<T> {
        let mut v = Vec::with_capacity(SEGMENT_PUBLIC_INPUTS);
        v.extend(self.digest);
        v.extend(self.gamma);
        v.push(self.total_len);
        v.extend(self.pos);
        v.extend(self.shift_in);
        v.extend(self.shift_out);
        v.extend(self.rhs);
        v.extend(self.pow_in);
        v.extend(self.pow_out);
        v.extend(self.lhs);
        v.push(self.len);
        v.extend(self.state_in);
        v.extend(self.state_out);
        v.push(self.hits_in);
        v.push(self.hits_out);
        v.extend(self.pubdata);
        v.extend(self.prio_in);
        v.extend(self.prio_out);
        debug_assert_eq!(v.len(), SEGMENT_PUBLIC_INPUTS);
        v
    }

    /// Reads the layout back from a public-input vector of [`SEGMENT_PUBLIC_INPUTS`].
    ///
    /// # Panics
    /// If `v` is shorter than [`SEGMENT_PUBLIC_INPUTS`] (a circuit of another kind).
    pub fn from_slice(v: &[T]) -> Self {
        let mut it = v.iter().copied();
        let mut next = || it.next().expect("a segment's public inputs");
        Self {
            digest: core::array::from_fn(|_| next()),
            gamma: core::array::from_fn(|_| next()),
            total_len: next(),
            pos: core::array::from_fn(|_| next()),
            shift_in: core::array::from_fn(|_| next()),
            shift_out: core::array::from_fn(|_| next()),
            rhs: core::array::from_fn(|_| next()),
            pow_in: core::array::from_fn(|_| next()),
            pow_out: core::array::from_fn(|_| next()),
            lhs: core::array::from_fn(|_| next()),
            len: next(),
            state_in: core::array::from_fn(|_| next()),
            state_out: core::array::from_fn(|_| next()),
            hits_in: next(),
            hits_out: next(),
            pubdata: core::array::from_fn(|_| next()),
            prio_in: core::array::from_fn(|_| next()),
            prio_out: core::array::from_fn(|_| next()),
        }
    }
}
