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

    /// The cosine of slot `slot`'s embedding with `unit` (exactly [`Quantized::cosine`]), when the slot has an
    /// embedding whose sketch differs from `sketch` in at most `max_distance` bits.
    pub(crate) fn cosine_if_near(
        &self,
        slot: u32,
        sketch: &Sketch,
        max_distance: u32,
        unit: &[f32],
    ) -> Option<f64> {
        let slot = slot as usize;
        // The sketch first: a slot without an embedding has a stale or zero sketch, which the scale then rejects.
        if hamming(&self.sketches.get(slot)?.0, sketch) > max_distance {
            return None;
        }
        let scale = self.scales[slot];
        (scale > 0.0).then(|| cosine_i8(&self.values[slot * self.dim..(slot + 1) * self.dim], scale, unit))
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.values.capacity()
            + self.scales.capacity() * 4
            + self.sketches.capacity() * std::mem::size_of::<Aligned>()
    }
}
