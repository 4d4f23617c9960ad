//! The scheduler: DAG levels over access sets.
//!
//! We chose levels over per-slot FIFO queues: a level is a set of transactions that touch
//! no common exclusive slot and whose credits never meet a read, so a level can run as one
//! rayon `par_iter` against an unchanging state, and its effects merge afterwards. No
//! worker ever waits on another inside a level (nothing blocks in rayon), nothing is
//! speculative and nothing is re-executed. The cost is a barrier per level, which only
//! matters when levels are narrow — and then the executor runs them inline.
//!
//! A transaction's level is one more than the highest level it must follow:
//! - for an exclusive slot: the slot's last exclusive access and every credit to it since;
//! - for a credit: the slot's last exclusive access only (credits commute with credits).
//!
//! So in batch order, every read sees exactly the writes and credits of the transactions
//! before it, which is what makes the result equal to sequential execution.

use rustc_hash::FxHashMap;

use super::access::{AccessSet, Slot};

#[derive(Clone, Copy, Default)]
struct SlotTrack {
    last_exclusive: u32,
    last_credit: u32,
}

/// Transactions grouped by level, each level in batch order, stored flat: level `l` is
/// `order[offsets[l]..offsets[l + 1]]` (one allocation, however many levels).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    order: Vec<u32>,
    offsets: Vec<u32>,
}

impl Schedule {
    /// Number of levels: the critical path length.
    pub fn depth(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The positions (in the scheduled slice) of level `l`'s transactions.
    pub fn level(&self, l: usize) -> &[u32] {
        &self.order[self.offsets[l] as usize..self.offsets[l + 1] as usize]
    }

    /// All levels in order.
    pub fn levels(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.depth()).map(|l| self.level(l))
    }

    /// The widest level.
    pub fn max_width(&self) -> usize {
        self.levels().map(<[u32]>::len).max().unwrap_or(0)
    }
}

/// Builds the level schedule of a run of transactions from their access sets.
pub fn schedule(sets: &[AccessSet]) -> Schedule {
    let mut tracks: FxHashMap<Slot, SlotTrack> = FxHashMap::default();
    tracks.reserve(sets.len() * 3);
    let mut level_of: Vec<u32> = Vec::with_capacity(sets.len());
    let mut depth = 0u32;
    for set in sets {
        let mut after = 0u32;
        for s in &set.exclusive {
            if let Some(t) = tracks.get(s) {
                after = after.max(t.last_exclusive).max(t.last_credit);
            }
        }
        for s in &set.credits {
            if let Some(t) = tracks.get(s) {
                after = after.max(t.last_exclusive);
            }
        }
        let level = after + 1; // levels are 1-based in the tracks, 0 meaning "never"
        for s in &set.exclusive {
            tracks.entry(*s).or_default().last_exclusive = level;
        }
        for s in &set.credits {
            let t = tracks.entry(*s).or_default();
            t.last_credit = t.last_credit.max(level);
        }
        level_of.push(level - 1);
        depth = depth.max(level);
    }
    // Counting sort by level keeps batch order within each level.
    let mut offsets = vec![0u32; depth as usize + 1];
    for &l in &level_of {
        offsets[l as usize + 1] += 1;
    }
    for l in 0..depth as usize {
        offsets[l + 1] += offsets[l];
    }
    let mut next = offsets.clone();
    let mut order = vec![0u32; sets.len()];
    for (i, &l) in level_of.iter().enumerate() {
        order[next[l as usize] as usize] = i as u32;
        next[l as usize] += 1;
    }
    Schedule { order, offsets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_core::account::AccountId;
    use quire_core::token::TokenId;

    fn slot(a: u32) -> Slot {
        Slot::balance(
            AccountId::new(a).unwrap_or_else(|| unreachable!()),
            TokenId(0),
        )
    }

    fn set(exclusive: &[u32], credits: &[u32]) -> AccessSet {
        AccessSet {
            exclusive: exclusive.iter().map(|&a| slot(a)).collect(),
            credits: credits.iter().map(|&a| slot(a)).collect(),
        }
    }

    #[test]
    fn credits_to_one_slot_share_a_level_and_a_later_read_waits_for_them() {
        let sets = [
            set(&[1], &[100]),
            set(&[2], &[100]),
            set(&[3], &[100]),
            set(&[100], &[]),  // reads the hot slot: after all three credits
            set(&[4], &[100]), // credit after that read
        ];
        let s = schedule(&sets);
        let levels: Vec<&[u32]> = s.levels().collect();
        assert_eq!(levels, vec![&[0, 1, 2][..], &[3], &[4]]);
    }

    #[test]
    fn exclusive_chains_serialize_and_independent_work_stays_wide() {
        let sets = [
            set(&[1], &[2]),
            set(&[1], &[3]),
            set(&[5], &[6]),
            set(&[2], &[]),
        ];
        let s = schedule(&sets);
        // 0 → 1 (same sender); 3 reads slot 2 credited by 0; 2 is independent.
        let levels: Vec<&[u32]> = s.levels().collect();
        assert_eq!(levels, vec![&[0, 2][..], &[1, 3]]);
        assert_eq!((s.depth(), s.max_width()), (2, 2));
    }
}
