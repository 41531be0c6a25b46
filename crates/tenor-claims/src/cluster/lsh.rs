//! Candidate search without a scan: MinHash bands over lexical fingerprints, random-hyperplane bands over
//! embeddings, and [`Buckets`], the one multimap from a band's key to the clusters that have it.
//!
//! Everything is seeded from `ClusterConfig::seed`: the same configuration gives the same keys on every run
//! and machine. Keys are 32 bits: two bands that collide by accident only add a candidate, which the exact
//! similarity check then rejects.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::normalize::mix64;

/// Entry index meaning "none".
pub(crate) const NONE: u32 = u32::MAX;

/// A hasher for keys that are already hashes: one [`mix64`], no per-process seed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)) ^ (self.0 >> 56);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 ^= u64::from(v);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 ^= v;
    }
}

pub(crate) type MixMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

/// The band keys of a lexical fingerprint: `bands` keys, each of `rows` min-hashes.
#[derive(Debug, Clone)]
pub(crate) struct MinHasher {
    /// Per hash function, the odd multiplier and the offset of `a * x + b`.
    functions: Vec<(u64, u64)>,
    bands: usize,
    rows: usize,
}

impl MinHasher {
    pub(crate) fn new(bands: usize, rows: usize, seed: u64) -> MinHasher {
        let functions = (0..bands * rows)
            .map(|i| {
                let a = mix64(seed ^ (2 * i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
                let b = mix64(a ^ seed.rotate_left(17));
                (a, b)
            })
            .collect();
        MinHasher { functions, bands, rows }
    }

    /// One key per band (band index folded in); empty for an empty fingerprint.
    pub(crate) fn keys(&self, features: &[u32], out: &mut Vec<u32>) {
        out.clear();
        if features.is_empty() {
            return;
        }
        let mut mins = vec![u64::MAX; self.functions.len()];
        for &f in features {
            let x = mix64(u64::from(f));
            for (m, &(a, b)) in mins.iter_mut().zip(&self.functions) {
                let h = a.wrapping_mul(x).wrapping_add(b) >> 32;
                if h < *m {
                    *m = h;
                }
            }
        }
        for band in 0..self.bands {
            let mut h = mix64(0x1e71_ca15 ^ band as u64);
            for &m in &mins[band * self.rows..(band + 1) * self.rows] {
                h = mix64(h ^ m);
            }
            out.push(h as u32);
        }
    }
}

/// The band keys of an embedding: `bands` keys, each the signs of `bits` projections on random hyperplanes
/// (Gaussian, from a fixed seed).
#[derive(Debug, Clone)]
pub(crate) struct Hyperplanes {
    /// `bands * bits` rows of `dim` values.
    planes: Vec<f32>,
    dim: usize,
    bands: usize,
    bits: usize,
}

impl Hyperplanes {
    pub(crate) fn new(bands: usize, bits: usize, dim: usize, seed: u64) -> Hyperplanes {
        let mut state = mix64(seed ^ 0x4879_7065_7270_6c61);
        let mut uniform = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            ((mix64(state) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let planes = (0..bands * bits * dim)
            .map(|_| {
                // Box-Muller: a standard normal, so the hyperplanes' normals are uniform on the sphere.
                let (u, v) = (uniform(), uniform());
                ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
            })
            .collect();
        Hyperplanes { planes, dim, bands, bits }
    }

    pub(crate) fn keys(&self, embedding: &[f32], out: &mut Vec<u32>) {
        out.clear();
        for band in 0..self.bands {
            let mut signs = 0u32;
            for bit in 0..self.bits {
                let row = (band * self.bits + bit) * self.dim;
                let dot = dot(&self.planes[row..row + self.dim], embedding);
                signs = signs << 1 | u32::from(dot >= 0.0);
            }
            out.push(mix64(0xe3b_ed00 ^ (band as u64) << 32 ^ u64::from(signs)) as u32);
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.planes.capacity() * 4
    }
}

/// A dot product in eight independent lanes, so that the compiler can vectorise it (a plain float sum is a
/// serial chain: floating-point addition is not reassociated).
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Band key → the entries that have it, as chains threaded through one flat `next` array: entry
/// `slot * width + band` is cluster `slot`'s band `band`. Memory: one map entry per distinct key, two `u32` per
/// entry (its key and its successor).
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    heads: MixMap<u32, u32>,
    next: Vec<u32>,
    keys: Vec<u32>,
    width: usize,
}

impl Buckets {
    pub(crate) fn new(width: usize) -> Buckets {
        Buckets { width, ..Buckets::default() }
    }

    fn ensure(&mut self, slot: usize) {
        let needed = (slot + 1) * self.width;
        if self.next.len() < needed {
            self.next.resize(needed, NONE);
            self.keys.resize(needed, NONE);
        }
    }

    /// Files `slot`'s bands: `keys[i]` is band `offset + i`.
    pub(crate) fn insert(&mut self, slot: u32, offset: usize, keys: &[u32]) {
        self.ensure(slot as usize);
        for (i, &key) in keys.iter().enumerate() {
            let key = key.min(NONE - 1);
            let entry = slot as usize * self.width + offset + i;
            let previous = self.heads.insert(key, entry as u32).unwrap_or(NONE);
            self.next[entry] = previous;
            self.keys[entry] = key;
        }
    }

    /// Removes every band of `slot`.
    pub(crate) fn remove(&mut self, slot: u32) {
        let start = slot as usize * self.width;
        if start >= self.next.len() {
            return;
        }
        for entry in start..start + self.width {
            let key = self.keys[entry];
            if key == NONE {
                continue;
            }
            let entry = entry as u32;
            match self.heads.get(&key).copied() {
                Some(head) if head == entry => {
                    let after = self.next[entry as usize];
                    if after == NONE {
                        self.heads.remove(&key);
                    } else {
                        self.heads.insert(key, after);
                    }
                }
                Some(mut at) => {
                    while at != NONE {
                        let after = self.next[at as usize];
                        if after == entry {
                            self.next[at as usize] = self.next[entry as usize];
                            break;
                        }
                        at = after;
                    }
                }
                None => {}
            }
            self.next[entry as usize] = NONE;
            self.keys[entry as usize] = NONE;
        }
    }

    /// Pushes the slots filed under `key`, at most `limit` (the most recently filed first).
    pub(crate) fn candidates(&self, key: u32, limit: usize, out: &mut Vec<u32>) {
        let mut at = self.heads.get(&key.min(NONE - 1)).copied().unwrap_or(NONE);
        let mut taken = 0;
        while at != NONE && taken < limit {
            out.push(at / self.width as u32);
            taken += 1;
            at = self.next[at as usize];
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        // hashbrown: key + value + one control byte per bucket.
        self.heads.capacity() * (4 + 4 + 1) + (self.next.capacity() + self.keys.capacity()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_chain_and_unlink() {
        let mut b = Buckets::new(2);
        b.insert(0, 0, &[7, 8]);
        b.insert(1, 0, &[7, 9]);
        b.insert(2, 1, &[7]);
        let got = |b: &Buckets, key| {
            let mut out = Vec::new();
            b.candidates(key, 10, &mut out);
            out
        };
        assert_eq!(got(&b, 7), vec![2, 1, 0]);
        assert_eq!(got(&b, 9), vec![1]);
        b.remove(1);
        assert_eq!(got(&b, 7), vec![2, 0]);
        assert!(got(&b, 9).is_empty());
        b.remove(2);
        b.remove(0);
        assert!(got(&b, 7).is_empty() && got(&b, 8).is_empty());
        assert!(b.heads.is_empty());
        b.remove(40);
    }

    #[test]
    fn similar_sets_share_bands_and_keys_are_stable() {
        let m = MinHasher::new(16, 3, 1);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let set: Vec<u32> = (0..40).collect();
        m.keys(&set, &mut a);
        m.keys(&set, &mut b);
        assert_eq!(a, b);
        let other: Vec<u32> = (1000..1040).collect();
        m.keys(&other, &mut b);
        assert!(a.iter().zip(&b).all(|(x, y)| x != y));
        let h = Hyperplanes::new(4, 8, 3, 1);
        h.keys(&[1.0, 0.0, 0.0], &mut a);
        h.keys(&[0.999, 0.01, 0.0], &mut b);
        assert_eq!(a.len(), 4);
        assert!(a.iter().zip(&b).filter(|(x, y)| x == y).count() >= 2);
    }
}
