//! The native side of the commitment circuits: the batch-wide witness, the per-segment
//! witnesses with their chained values, and the native twin of the root's public inputs.

use anyhow::{ensure, Result};
use plonky2::field::extension::quadratic::QuadraticExtension;
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, PrimeField64};
use quire_core::hash::keccak256;
use quire_core::tx::{OpType, Operation, PriorityOp};

use super::io::{SegmentIo, STATE_WORDS};
use super::segment::{at, SegmentWitness};
use super::SegmentShape;
use crate::chunk::step_record;
use crate::gadgets::F;
use crate::keccak::RATE_BYTES;
use crate::step::MAX_PUBDATA;
use crate::witness::StepWitness;
use crate::BatchShape;

/// The quadratic extension γ lives in.
type E = QuadraticExtension<F>;

/// The witness of a batch's commitment proofs, natively: derived from the batch's steps by
/// [`CommitmentWitness::from_steps`]; public so soundness tests can tamper with it.
#[derive(Clone, Debug)]
pub struct CommitmentWitness {
    /// One record per step.
    pub records: Vec<Vec<F>>,
    /// The compacted pubdata stream, zero-padded to the windows' total size.
    pub stream: Vec<u8>,
    /// Its length.
    pub len: usize,
    /// The priority id of each priority slot, segment after segment (0 for other kinds).
    pub priority_ids: Vec<u64>,
}

impl CommitmentWitness {
    /// The honest witness of `steps` (exactly the shape's capacity, padded).
    pub fn from_steps(shape: &BatchShape, steps: &[StepWitness]) -> Result<Self> {
        ensure!(
            steps.len() == shape.capacity(),
            "commitment circuit needs {} steps, got {}",
            shape.capacity(),
            steps.len()
        );
        let seg = SegmentShape::of(shape);
        let mut stream = Vec::with_capacity(seg.window_bytes() * shape.segments());
        for s in steps {
            stream.extend_from_slice(s.pubdata());
        }
        let len = stream.len();
        stream.resize(seg.window_bytes() * shape.segments(), 0);
        let priority_ids = steps
            .chunks(seg.records)
            .flat_map(|slice| slice.iter().take(seg.priority_slots))
            .map(|s| match &s.op {
                Some(Operation::Priority(p)) => p.priority_id(),
                _ => 0,
            })
            .collect();
        Ok(Self {
            records: steps.iter().map(step_record).collect(),
            stream,
            len,
            priority_ids,
        })
    }
}

/// D9's eight big-endian u32 words of a 32-byte digest, as field elements.
pub fn digest_words(d: &[u8; 32]) -> [F; 8] {
    core::array::from_fn(|w| {
        let c = &d[4 * w..4 * w + 4];
        F::from_canonical_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    })
}

/// The Poseidon tree over `records` in chunks of `chunk_steps`, as the chunks and
/// aggregation nodes compute it.
fn digest_tree(records: &[Vec<F>], chunk_steps: usize) -> [F; 4] {
    let mut level: Vec<[F; 4]> = records
        .chunks(chunk_steps)
        .map(|c| quire_core::plonky2_interop::hash_plonky2(&c.concat()))
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| {
                let input: Vec<F> = p.concat();
                quire_core::plonky2_interop::hash_plonky2(&input)
            })
            .collect();
    }
    level.first().copied().unwrap_or([F::ZERO; 4])
}

/// The canonical encoding (`PriorityOps.sol`) of a record's priority operation with id
/// `id`, as the segment circuit assembles it; `None` for other kinds.
fn priority_message(r: &[F], id: u64) -> Option<Vec<u8>> {
    let byte = |x: F| x.to_canonical_u64() as u8;
    let op = r[0].to_canonical_u64();
    let mut m = vec![op as u8];
    m.extend(id.to_be_bytes());
    if op == OpType::Deposit as u64 {
        for l in &r[at::FROM..at::FROM + 5] {
            m.extend((l.to_canonical_u64() as u32).to_be_bytes());
        }
        for l in &r[at::KEY..at::KEY + 5] {
            m.extend(l.to_canonical_u64().to_le_bytes());
        }
        m.push(byte(r[at::TOKEN]));
        m.extend(r[at::AMOUNT..at::AMOUNT + 8].iter().map(|&x| byte(x)));
    } else if op == OpType::FullExit as u64 {
        m.push(0);
        m.extend(r[at::ACCOUNT..at::ACCOUNT + 3].iter().map(|&x| byte(x)));
        m.extend(r[at::OWNER..at::OWNER + 20].iter().map(|&x| byte(x)));
        m.push(byte(r[at::TOKEN]));
    } else {
        return None;
    }
    Some(m)
}

fn eval(xs: impl DoubleEndedIterator<Item = F>, g: E) -> E {
    xs.rev().fold(E::ZERO, |acc, x| {
        acc * g + <E as FieldExtension<2>>::from_basefield(x)
    })
}

fn state_words(state: &[u64; 25]) -> [F; STATE_WORDS] {
    core::array::from_fn(|w| {
        let lane = state[w / 2];
        F::from_canonical_u64(if w % 2 == 0 {
            lane & 0xffff_ffff
        } else {
            lane >> 32
        })
    })
}

/// Every segment's witness, with the chained values of an honest prover for `w` (whether
/// or not `w` itself is honest: the circuits decide).
pub fn segment_witnesses(shape: &BatchShape, w: &CommitmentWitness) -> Result<Vec<SegmentWitness>> {
    let seg = SegmentShape::of(shape);
    let (m, wb) = (shape.segments(), seg.window_bytes());
    ensure!(
        w.records.len() == m * seg.records
            && w.stream.len() == m * wb
            && w.priority_ids.len() == m * seg.priority_slots,
        "commitment witness of another shape"
    );
    let t = w.len;
    ensure!(
        t < m * wb,
        "a pubdata stream of {t} bytes does not fit {m} windows of {wb}"
    );
    let pubdata = digest_words(&keccak256(&w.stream[..t]));
    let total_len = F::from_canonical_usize(t);
    let gamma = super::root::gamma(
        &pubdata,
        &digest_tree(&w.records, seg.chunk_steps),
        total_len,
    );
    let g = E::from_basefield_array(gamma);

    // The padded message: pad10*1 at T and at the end of T's block.
    let mut padded = w.stream.clone();
    padded[t] ^= 0x01;
    padded[t / RATE_BYTES * RATE_BYTES + RATE_BYTES - 1] ^= 0x80;

    let mut state = [0u64; 25];
    let mut shift = E::ONE;
    let mut fold = [0u8; 32];
    let mut out = Vec::with_capacity(m);
    for j in 0..m {
        let records = &w.records[j * seg.records..(j + 1) * seg.records];
        let ids = &w.priority_ids[j * seg.priority_slots..(j + 1) * seg.priority_slots];
        let pos = j * wb;
        let window = &w.stream[pos..pos + wb];

        let state_in = state_words(&state);
        for block in padded[pos..pos + wb].chunks(RATE_BYTES) {
            for (lane, bytes) in state.iter_mut().zip(block.chunks(8)) {
                let mut le = [0u8; 8];
                le.copy_from_slice(bytes);
                *lane ^= u64::from_le_bytes(le);
            }
            ::keccak::f1600(&mut state);
        }

        let shift_in = shift;
        let mut rhs = E::ZERO;
        let mut len = F::ZERO;
        for r in records {
            rhs += shift * eval(r[..MAX_PUBDATA].iter().copied(), g);
            shift *= g.exp_u64(r[MAX_PUBDATA].to_canonical_u64());
            len += r[MAX_PUBDATA];
        }
        let pow_in = g.exp_u64(pos as u64);
        let lhs = pow_in * eval(window.iter().map(|&b| F::from_canonical_u8(b)), g);

        let prio_in = digest_words(&fold);
        for (r, &id) in records.iter().zip(ids) {
            if let Some(msg) = priority_message(r, id) {
                let mut buf = [0u8; 64];
                buf[..32].copy_from_slice(&fold);
                buf[32..].copy_from_slice(&keccak256(&msg));
                fold = keccak256(&buf);
            }
        }

        let io = SegmentIo {
            digest: digest_tree(records, seg.chunk_steps),
            gamma,
            total_len,
            pos: [
                F::from_canonical_usize(pos),
                F::from_canonical_usize(pos + wb),
            ],
            shift_in: shift_in.to_basefield_array(),
            shift_out: shift.to_basefield_array(),
            rhs: rhs.to_basefield_array(),
            pow_in: pow_in.to_basefield_array(),
            pow_out: g.exp_u64((pos + wb) as u64).to_basefield_array(),
            lhs: lhs.to_basefield_array(),
            len,
            state_in,
            state_out: state_words(&state),
            hits_in: F::from_bool(t < pos),
            hits_out: F::from_bool(t < pos + wb),
            pubdata: if (pos..pos + wb).contains(&t) {
                pubdata
            } else {
                [F::ZERO; 8]
            },
            prio_in,
            prio_out: digest_words(&fold),
        };
        out.push(SegmentWitness {
            records: records.to_vec(),
            window: window.to_vec(),
            priority_ids: ids.to_vec(),
            io,
        });
    }
    Ok(out)
}

/// The native twin of the commitment root's public inputs for `steps`: record digest,
/// pubdata commitment words, priority commitment words (computed from the steps' own
/// pubdata and priority operations, independently of the segment witnesses).
pub fn native_public_inputs(shape: &BatchShape, steps: &[StepWitness]) -> Vec<F> {
    let records: Vec<Vec<F>> = steps.iter().map(step_record).collect();
    let pubdata: Vec<u8> = steps.iter().flat_map(|s| s.pubdata().to_vec()).collect();
    let priority: Vec<PriorityOp> = steps
        .iter()
        .filter_map(|s| match &s.op {
            Some(Operation::Priority(p)) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let mut out = digest_tree(&records, shape.chunk_steps).to_vec();
    out.extend(digest_words(&keccak256(&pubdata)));
    out.extend(digest_words(&quire_core::tx::priority_commitment(
        &priority,
    )));
    out
}
