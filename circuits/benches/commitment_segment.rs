//! One commitment segment at production sizes (`cargo bench -p quire-prover --bench
//! commitment_segment -- 64 256`, or bare sizes after building it): builds the segment
//! circuit for R steps (chunks of 8, `max_priority` 4) and proves one segment of padding
//! steps. A segment's cost depends only on its shape (its window is absorbed in full
//! whatever the stream's length), so padding measures it. Prints `name=value` lines: rows,
//! degree, build and prove seconds, and seconds per step.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use quire_circuits::commitment::native::segment_witnesses;
use quire_circuits::commitment::segment::SegmentCircuit;
use quire_circuits::commitment::CommitmentWitness;
use quire_circuits::witness;
use quire_circuits::BatchShape;

fn bench(steps: usize) {
    let shape = BatchShape {
        chunk_steps: 8.min(steps),
        levels: (steps / 8.min(steps)).trailing_zeros(),
        max_priority: 4,
        segment_levels: 0,
    };
    let g = quire_core::test_utils::GenesisBuilder::default().build();
    let (_, mut shadow) = witness::genesis(&g).unwrap();
    let padding: Vec<_> = (0..shape.capacity())
        .map(|_| shadow.padding_step().unwrap())
        .collect();
    let w = CommitmentWitness::from_steps(&shape, &padding).unwrap();
    let segs = segment_witnesses(&shape, &w).unwrap();

    let t = Instant::now();
    let c = SegmentCircuit::build(quire_circuits::commitment::SegmentShape::of(&shape));
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let proof = c.prove(&segs[0]).unwrap();
    let prove_s = t.elapsed().as_secs_f64();
    c.data.verify(proof).unwrap();
    println!(
        "segment_steps={steps} window_blocks={} segment_rows={} segment_degree={} \
         segment_build_s={build_s:.2} segment_prove_s={prove_s:.2} segment_s_per_step={:.4}",
        quire_circuits::commitment::SegmentShape::of(&shape).window_blocks(),
        c.rows,
        c.data.common.degree(),
        prove_s / steps as f64
    );
}

fn main() {
    // `cargo bench` passes `--bench`; bare numbers select the segment sizes.
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![64, 256]
    } else {
        sizes
    };
    for n in sizes {
        bench(n);
    }
}
