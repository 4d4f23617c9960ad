//! The integration and property tests of `quire-core`, one binary.

mod codec_props;
mod common;
mod ecgfp5_kat;
mod merkle_props;
mod plonky2_twins;
mod replay_props;
mod schnorr_props;
mod state_props;
mod state_rules;
