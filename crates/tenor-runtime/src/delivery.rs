//! At-least-once bookkeeping: which input offsets may be committed.
//!
//! An input message is *pending* from the moment it is consumed until every record it produced (or its dead
//! letter) has been acknowledged by the broker. Messages complete out of order (acknowledgements race), but a
//! Kafka commit says "everything before this offset is done", so the committable offset of a partition is the
//! lowest pending offset, or one past the highest offset seen when nothing is pending. [`OffsetTracker`] keeps
//! exactly that, per partition, and knows which partitions changed since the last commit.

use std::collections::BTreeMap;

/// A topic partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> TopicPartition {
        TopicPartition { topic: topic.into(), partition }
    }
}

/// One consumed input message, as the tracker knows it. `epoch` tells assignments of the same partition
/// apart, so that an acknowledgement arriving after the partition was revoked and re-assigned is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputRef {
    pub tp: TopicPartition,
    pub offset: i64,
    pub epoch: u64,
}

#[derive(Debug, Default)]
struct PartitionState {
    epoch: u64,
    /// Pending offsets with the number of holds on each (a message, plus any window that includes it).
    pending: BTreeMap<i64, u32>,
    /// One past the highest offset consumed.
    next: Option<i64>,
    /// Last offset committed (or known committed).
    committed: Option<i64>,
}

impl PartitionState {
    fn committable(&self) -> Option<i64> {
        self.pending.keys().next().copied().or(self.next)
    }
}

/// Per-partition contiguous-offset tracking (see the module documentation).
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: BTreeMap<TopicPartition, PartitionState>,
    next_epoch: u64,
    /// Bumped on every assignment and revocation, so that holders of [`InputRef`]s (a stateful stage's
    /// windows) can tell cheaply whether any of them may have gone stale.
    generation: u64,
}

impl OffsetTracker {
    pub fn new() -> OffsetTracker {
        OffsetTracker::default()
    }

    /// Starts tracking a newly assigned partition (forgetting any earlier assignment of it).
    pub fn assign(&mut self, tp: TopicPartition) {
        self.next_epoch += 1;
        self.generation += 1;
        self.partitions.insert(tp, PartitionState { epoch: self.next_epoch, ..PartitionState::default() });
    }

    /// Stops tracking a revoked partition; late acknowledgements for it are then ignored.
    pub fn revoke(&mut self, tp: &TopicPartition) {
        self.partitions.remove(tp);
        self.generation += 1;
    }

    /// True while `input` belongs to the current assignment of its partition: false once the partition was
    /// revoked (and perhaps assigned again since), when completing or holding it does nothing.
    pub fn is_current(&self, input: &InputRef) -> bool {
        self.partitions.get(&input.tp).is_some_and(|s| s.epoch == input.epoch)
    }

    /// Changes whenever a partition is assigned or revoked; unchanged, every [`InputRef`] that was current
    /// still is.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Records that `offset` of `tp` was consumed and is now pending. Partitions not assigned through
    /// [`OffsetTracker::assign`] are assigned implicitly.
    pub fn begin(&mut self, tp: &TopicPartition, offset: i64) -> InputRef {
        if !self.partitions.contains_key(tp) {
            self.assign(tp.clone());
        }
        let state = self.partitions.get_mut(tp).expect("just assigned");
        *state.pending.entry(offset).or_insert(0) += 1;
        state.next = Some(state.next.map_or(offset + 1, |n| n.max(offset + 1)));
        InputRef { tp: tp.clone(), offset, epoch: state.epoch }
    }

    /// Records that every record produced for `input` was acknowledged. Returns false when the input belongs
    /// to an assignment that has since been revoked (nothing to do).
    pub fn complete(&mut self, input: &InputRef) -> bool {
        match self.partitions.get_mut(&input.tp) {
            Some(state) if state.epoch == input.epoch => match state.pending.get_mut(&input.offset) {
                Some(holds) if *holds > 1 => {
                    *holds -= 1;
                    true
                }
                Some(_) => state.pending.remove(&input.offset).is_some(),
                None => false,
            },
            _ => false,
        }
    }

    /// Takes one more hold on a pending input, so that its offset stays uncommitted until the returned
    /// reference is completed too. Used by stateful stages: a window holds its first input of each partition.
    pub fn hold(&mut self, input: &InputRef) -> InputRef {
        if let Some(state) = self.partitions.get_mut(&input.tp).filter(|s| s.epoch == input.epoch) {
            *state.pending.entry(input.offset).or_insert(0) += 1;
        }
        input.clone()
    }

    /// Number of pending offsets over every partition.
    pub fn pending(&self) -> usize {
        self.partitions.values().map(|s| s.pending.len()).sum()
    }

    /// The committable offset (the next offset to read) of every partition whose committable offset moved
    /// since the last [`OffsetTracker::mark_committed`].
    pub fn to_commit(&self) -> Vec<(TopicPartition, i64)> {
        self.partitions
            .iter()
            .filter_map(|(tp, state)| {
                let offset = state.committable()?;
                (state.committed != Some(offset)).then(|| (tp.clone(), offset))
            })
            .collect()
    }

    /// The committable offset of `tp`, if anything was consumed from it.
    pub fn committable(&self, tp: &TopicPartition) -> Option<i64> {
        self.partitions.get(tp).and_then(PartitionState::committable)
    }

    /// Records a successful commit.
    pub fn mark_committed(&mut self, commits: &[(TopicPartition, i64)]) {
        for (tp, offset) in commits {
            if let Some(state) = self.partitions.get_mut(tp) {
                state.committed = Some(*offset);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_stop_at_the_lowest_pending_offset() {
        let tp = TopicPartition::new("in", 0);
        let mut tracker = OffsetTracker::new();
        let refs: Vec<_> = (10..15).map(|o| tracker.begin(&tp, o)).collect();
        assert_eq!(tracker.to_commit(), vec![(tp.clone(), 10)]);
        // 11 and 13 finish first: nothing past 10 may be committed yet.
        assert!(tracker.complete(&refs[1]));
        assert!(tracker.complete(&refs[3]));
        assert_eq!(tracker.committable(&tp), Some(10));
        assert!(tracker.complete(&refs[0]));
        assert_eq!(tracker.committable(&tp), Some(12));
        tracker.mark_committed(&tracker.to_commit());
        assert!(tracker.to_commit().is_empty());
        assert!(tracker.complete(&refs[2]));
        assert!(tracker.complete(&refs[4]));
        assert_eq!(tracker.to_commit(), vec![(tp, 15)]);
        assert_eq!(tracker.pending(), 0);
    }

    #[test]
    fn partitions_are_independent_and_revocation_drops_late_acks() {
        let (a, b) = (TopicPartition::new("in", 0), TopicPartition::new("in", 1));
        let mut tracker = OffsetTracker::new();
        let a0 = tracker.begin(&a, 0);
        let b5 = tracker.begin(&b, 5);
        assert!(tracker.complete(&b5));
        assert_eq!(tracker.committable(&b), Some(6));
        assert_eq!(tracker.committable(&a), Some(0));
        tracker.revoke(&a);
        tracker.assign(a.clone());
        let a0_again = tracker.begin(&a, 0);
        assert!(!tracker.complete(&a0), "an ack from the old assignment must not complete the new one");
        assert_eq!(tracker.committable(&a), Some(0));
        assert!(tracker.complete(&a0_again));
        assert_eq!(tracker.committable(&a), Some(1));
    }

    #[test]
    fn a_revocation_makes_references_stale_and_changes_the_generation() {
        let (a, b) = (TopicPartition::new("in", 0), TopicPartition::new("in", 1));
        let mut tracker = OffsetTracker::new();
        let a0 = tracker.begin(&a, 0);
        let b0 = tracker.begin(&b, 0);
        let generation = tracker.generation();
        assert!(tracker.is_current(&a0) && tracker.is_current(&b0));
        tracker.revoke(&a);
        assert_ne!(tracker.generation(), generation);
        assert!(!tracker.is_current(&a0) && tracker.is_current(&b0));
        let generation = tracker.generation();
        tracker.assign(a.clone());
        assert_ne!(tracker.generation(), generation);
        assert!(!tracker.is_current(&a0), "a re-assignment is a new epoch: the old reference stays stale");
        let a0_now = tracker.begin(&a, 0);
        assert!(tracker.is_current(&a0_now));
    }

    #[test]
    fn holds_keep_an_offset_pending_until_released() {
        let tp = TopicPartition::new("in", 0);
        let mut tracker = OffsetTracker::new();
        let first = tracker.begin(&tp, 3);
        let window_hold = tracker.hold(&first);
        assert!(tracker.complete(&first));
        let second = tracker.begin(&tp, 4);
        assert!(tracker.complete(&second));
        assert_eq!(tracker.committable(&tp), Some(3), "the window still holds offset 3");
        assert!(tracker.complete(&window_hold));
        assert_eq!(tracker.committable(&tp), Some(5));
    }
}
