//! What forcing exodus by flooding the priority queue costs an attacker (issue 14, part 4).
//!
//! Anyone may queue priority operations (deposits, full-exit requests) and the operator must
//! execute each within the rollup's priority deadline, or anyone may start exodus, which is
//! irreversible. Batches consume them in queue order, at most the circuit shape's priority
//! slots per batch. An attacker who queues `N` operations at once makes the last one wait
//! `N / r` (r: the operator's priority throughput); exodus follows once `N / r` passes the
//! deadline `D`, so the attack needs `N > r · D` requests. L1 does not stop it: one block
//! (~36–60 M gas) queues ~400–800 requests of 72–88 k gas, so the whole flood fits in a
//! few hundred blocks. What does stop it is the flat priority fee every request pays to the
//! operator (`Rollup.priorityFee`), `N · fee` in all; the calculation below leaves gas out
//! (its price can be near zero).
//!
//! The throughput is the pessimistic one: a single prover worker of the shipped shape on the
//! reference 2-core machine. More workers (or a shape with more priority slots) raise `r`
//! and so the cost. docs/decisions.md D15 carries the figures.

/// The priority deadline of production deployments: 14 days, zkSync Lite's (Loopring: 15).
/// `quire-l1-deploy` uses it unless told otherwise.
pub const PRODUCTION_PRIORITY_DEADLINE_SECS: u64 = 14 * 24 * 3600;

/// The priority fee of production deployments, in wei: 0.002 ETH per request, about one
/// L1 transfer's gas at busy times. `quire-l1-deploy` uses it unless told otherwise.
pub const PRODUCTION_PRIORITY_FEE_WEI: u128 = 2_000_000_000_000_000;

/// Priority slots per batch of the shipped circuit shape (`BatchShape::DEVNET.max_priority`,
/// checked by the prover's tests).
pub const REFERENCE_PRIORITY_SLOTS_PER_BATCH: u64 = 4;

/// Seconds one prover worker takes per batch of the shipped shape on the reference 2-core
/// machine, release build (issue 16's measurement: 62 s; rounded up to 70 s for noise,
/// which lowers the throughput and so the cost).
pub const REFERENCE_BATCH_PROOF_SECS: u64 = 70;

/// Priority operations the operator consumes per hour at the reference throughput.
pub const fn reference_priority_ops_per_hour() -> u64 {
    REFERENCE_PRIORITY_SLOTS_PER_BATCH * 3600 / REFERENCE_BATCH_PROOF_SECS
}

/// Requests an attacker must queue at once so that the last one outlives the deadline:
/// `⌊r · D⌋ + 1`.
pub const fn requests_to_force_exodus(priority_ops_per_hour: u64, deadline_secs: u64) -> u64 {
    priority_ops_per_hour * deadline_secs / 3600 + 1
}

/// Wei the attacker pays in priority fees alone (gas excluded) to force exodus.
pub const fn flood_cost_wei(fee_wei: u128, priority_ops_per_hour: u64, deadline_secs: u64) -> u128 {
    fee_wei * requests_to_force_exodus(priority_ops_per_hour, deadline_secs) as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETH: u128 = 1_000_000_000_000_000_000;

    #[test]
    fn forcing_exodus_with_the_production_defaults_costs_more_than_100_eth() {
        let r = reference_priority_ops_per_hour();
        assert_eq!(r, 205);
        let n = requests_to_force_exodus(r, PRODUCTION_PRIORITY_DEADLINE_SECS);
        assert_eq!(n, 68_881);
        let cost = flood_cost_wei(
            PRODUCTION_PRIORITY_FEE_WEI,
            r,
            PRODUCTION_PRIORITY_DEADLINE_SECS,
        );
        assert!(cost > 100 * ETH, "flooding costs {} ETH", cost / ETH);
        // The bound the contract enforces on the deadline's other end: even at 7 days the
        // fee keeps the attack above 100 ETH with two workers.
        let seven_days = 7 * 24 * 3600;
        assert!(flood_cost_wei(PRODUCTION_PRIORITY_FEE_WEI, 2 * r, seven_days) > 100 * ETH);
    }

    #[test]
    fn without_a_fee_flooding_costs_only_gas() {
        // The old contract: no fee, so the calculation's floor is zero (what the attack of
        // issue 14 exploited: ~200 requests, ~0.02 ETH of gas, on the devnet's 1-hour deadline).
        assert_eq!(
            flood_cost_wei(0, reference_priority_ops_per_hour(), 3600),
            0
        );
        assert_eq!(requests_to_force_exodus(240, 3600), 241);
    }
}
