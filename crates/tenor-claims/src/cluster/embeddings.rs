//! The clusters' canonical embeddings side by side: one arena indexed by the cluster's slot, so that the
//! embedding step reads a candidate's sketch and vector without following a pointer per cluster.
//!
//! Per slot: the `i8` vector (`dim` bytes), its scale (4 bytes; 0 when the slot holds no embedding) and its
//! [`Sketch`] (32 bytes), the signs of its first 256 hyperplane projections. The sketch is the pre-filter:
//! a candidate whose sketch differs from the sentence's in more than the allowed number of bits is not
//! compared further (see [`super::lsh::sketch_max_distance`]); the others get the exact `i8` cosine.

use super::lsh::{hamming, Sketch};
use super::state::{cosine_i8, Quantized};

#[derive(Debug)]
pub(crate) struct Embeddings {
    dim: usize,
    /// Slot `s`'s vector is `values[s * dim..(s + 1) * dim]`.
    values: Vec<i8>,
    /// 0 for a slot without an embedding (a stored scale is positive).
    scales: Vec<f32>,
    /// Read first, for every candidate: one cache line each (aligned), the scale only after it passes.
    sketches: Vec<Aligned>,
}

/// A sketch on its own 32-byte boundary, so that it never straddles two cache lines.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Aligned(Sketch);

impl Embeddings {
    pub(crate) fn new(dim: usize) -> Embeddings {
        Embeddings { dim, values: Vec::new(), scales: Vec::new(), sketches: Vec::new() }
    }

    /// Stores slot `slot`'s embedding and sketch.
    pub(crate) fn set(&mut self, slot: u32, stored: &Quantized, sketch: Sketch) {
        let slot = slot as usize;
        if self.scales.len() <= slot {
            self.scales.resize(slot + 1, 0.0);
            self.sketches.resize(slot + 1, Aligned::default());
            self.values.resize((slot + 1) * self.dim, 0);
        }
        self.values[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(stored.values());
        self.scales[slot] = stored.scale();
        self.sketches[slot] = Aligned(sketch);
    }

    /// Forgets slot `slot`'s embedding (its cluster was closed).
    pub(crate) fn clear(&mut self, slot: u32) {
        if let Some(scale) = self.scales.get_mut(slot as usize) {
            *scale = 0.0;
        }
    }

    pub(crate) fn has(&self, slot: u32) -> bool {
        self.scales.get(slot as usize).is_some_and(|&s| s > 0.0)
    }

    /// Slot `slot`'s embedding as stored.
    pub(crate) fn get(&self, slot: u32) -> Option<Quantized> {
        let slot = slot as usize;
        self.has(slot as u32).then(|| {
            Quantized::from_parts(&self.values[slot * self.dim..(slot + 1) * self.dim], self.scales[slot])
        })
    }

    /// Whether slot `slot`'s sketch differs from `sketch` in at most `max_distance` bits (a slot without an
    /// embedding has a stale or zero sketch: [`Embeddings::cosine`] then finds no embedding).
    pub(crate) fn sketch_near(&self, slot: u32, sketch: &Sketch, max_distance: u32) -> bool {
        self.sketches.get(slot as usize).is_some_and(|stored| hamming(&stored.0, sketch) <= max_distance)
    }

    /// The cosine of slot `slot`'s embedding with `unit` ([`cosine_i8`] of the stored vector), when the slot
    /// has an embedding.
    pub(crate) fn cosine(&self, slot: u32, unit: &[f32]) -> Option<f64> {
        let slot = slot as usize;
        let scale = *self.scales.get(slot)?;
        (scale > 0.0).then(|| cosine_i8(&self.values[slot * self.dim..(slot + 1) * self.dim], scale, unit))
    }

    /// [`Embeddings::cosine`] of each slot in `slots`, eight at a time. Before a group's cosines, the next
    /// group's vectors are touched (a byte of each of their cache lines), so that their cache misses overlap
    /// one another and this group's work instead of coming one vector after another.
    pub(crate) fn cosines(&self, slots: &[u32], unit: &[f32], out: &mut Vec<Option<f64>>) {
        const GROUP: usize = 8;
        out.clear();
        let touch = |group: &[u32]| {
            for &slot in group {
                let start = slot as usize * self.dim;
                if let Some(vector) = self.values.get(start..start + self.dim) {
                    for line in vector.iter().step_by(64) {
                        std::hint::black_box(*line);
                    }
                }
            }
        };
        let mut groups = slots.chunks(GROUP).peekable();
        if let Some(first) = groups.peek() {
            touch(first);
        }
        while let Some(group) = groups.next() {
            if let Some(next) = groups.peek() {
                touch(next);
            }
            out.extend(group.iter().map(|&slot| self.cosine(slot, unit)));
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.values.capacity()
            + self.scales.capacity() * 4
            + self.sketches.capacity() * std::mem::size_of::<Aligned>()
    }
}
