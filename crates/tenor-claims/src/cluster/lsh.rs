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
    /// The `bands * bits` rows of `dim` values, in groups of four rows stored dimension-major: row `4 * g + r`,
    /// dimension `d` is at `(g * dim + d) * 4 + r` (a last, partial group padded with zero rows). Four
    /// projections then advance together over the embedding, one vector register per eight dimensions' lane,
    /// without shuffling rows into registers.
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
        let rows: Vec<f32> = (0..bands * bits * dim)
            .map(|_| {
                // Box-Muller: a standard normal, so the hyperplanes' normals are uniform on the sphere.
                let (u, v) = (uniform(), uniform());
                ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
            })
            .collect();
        let groups = (bands * bits).div_ceil(4);
        let mut planes = vec![0.0f32; groups * dim * 4];
        for (row, values) in rows.chunks_exact(dim.max(1)).enumerate() {
            let (g, r) = (row / 4, row % 4);
            for (d, &v) in values.iter().enumerate() {
                planes[(g * dim + d) * 4 + r] = v;
            }
        }
        Hyperplanes { planes, dim, bands, bits }
    }

    /// Row `row` as `dim` values.
    #[cfg(test)]
    fn row(&self, row: usize) -> Vec<f32> {
        let (g, r) = (row / 4, row % 4);
        (0..self.dim).map(|d| self.planes[(g * self.dim + d) * 4 + r]).collect()
    }

    /// The band keys of `embedding` (into `out`), and its sign sketch: bit `j` of the sketch is the sign of
    /// projection `j` (band `j / bits`, bit `j % bits`), for the first [`SKETCH_BITS`] projections.
    ///
    /// Each projection is summed exactly as [`dot`] sums it (lane `i` of eight takes dimensions `i`, `i + 8`,
    /// ... in order; then the lanes in order; then the dimensions past the last multiple of eight), so the
    /// signs are those of `dot(row, embedding)` bit for bit.
    pub(crate) fn keys(&self, embedding: &[f32], out: &mut Vec<u32>) -> Sketch {
        out.clear();
        let total = self.bands * self.bits;
        let dim = self.dim;
        let whole = dim / 8 * 8;
        let mut signs = vec![false; total];
        if dim > 0 {
            for (g, group) in self.planes.chunks_exact(dim * 4).enumerate() {
                // lanes[i][r]: row r's lane i.
                let mut lanes = [[0.0f32; 4]; 8];
                for (y, block) in embedding[..whole].chunks_exact(8).zip(group[..whole * 4].chunks_exact(32)) {
                    for (i, lane) in lanes.iter_mut().enumerate() {
                        for r in 0..4 {
                            lane[r] += block[i * 4 + r] * y[i];
                        }
                    }
                }
                for r in 0..4 {
                    let Some(sign) = signs.get_mut(g * 4 + r) else { break };
                    let tail: f32 = (whole..dim).map(|d| group[d * 4 + r] * embedding[d]).sum();
                    let dot = lanes.iter().map(|lane| lane[r]).sum::<f32>() + tail;
                    *sign = dot >= 0.0;
                }
            }
        }
        let mut sketch = [0u64; SKETCH_WORDS];
        for (j, &positive) in signs.iter().enumerate().take(SKETCH_BITS) {
            sketch[j / 64] |= u64::from(positive) << (j % 64);
        }
        for (band, bits) in signs.chunks_exact(self.bits).enumerate() {
            let signs = bits.iter().fold(0u32, |s, &positive| s << 1 | u32::from(positive));
            out.push(mix64(0xe3b_ed00 ^ (band as u64) << 32 ^ u64::from(signs)) as u32);
        }
        sketch
    }

    /// Projections in the sketch.
    pub(crate) fn sketch_bits(&self) -> usize {
        (self.bands * self.bits).min(SKETCH_BITS)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.planes.capacity() * 4
    }
}

/// Projections kept per stored embedding as a pre-filter (a SimHash of the embedding: two vectors at angle θ
/// differ in each of these bits with probability θ / π).
pub(crate) const SKETCH_BITS: usize = 256;
const SKETCH_WORDS: usize = SKETCH_BITS / 64;

/// The signs of an embedding's first [`SKETCH_BITS`] hyperplane projections.
pub(crate) type Sketch = [u64; SKETCH_WORDS];

/// Bits in which two sketches differ.
pub(crate) fn hamming(a: &Sketch, b: &Sketch) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// The largest Hamming distance between two sketches of `bits` projections that is kept as a candidate, so
/// that a pair whose cosine is at least `lowest` is dropped by the sketch with probability below 10⁻⁹ (over the
/// draw of the hyperplanes: the number of differing bits is binomial, `bits` trials at θ / π). `bits` when the
/// sketch cannot tell (`lowest` ≤ 0).
pub(crate) fn sketch_max_distance(bits: usize, lowest: f64) -> u32 {
    if bits == 0 || lowest.is_nan() || lowest <= 0.0 {
        return bits as u32;
    }
    let p = lowest.min(1.0).acos() / std::f64::consts::PI;
    // P(X = k) for X ~ Binomial(bits, p), by recurrence from P(X = 0); p ≤ 1/2 here, so (1 - p)^bits ≥ 2^-256.
    let mut pmf = (0..bits).fold(1.0f64, |a, _| a * (1.0 - p));
    let mut below = 0.0;
    for k in 0..bits {
        below += pmf;
        if 1.0 - below <= 1e-9 {
            return k as u32;
        }
        pmf *= (bits - k) as f64 / (k + 1) as f64 * p / (1.0 - p);
    }
    bits as u32
}

/// A dot product in eight independent lanes (a plain float sum is a serial chain: floating-point addition is
/// not reassociated): the summation order [`Hyperplanes::keys`] keeps, so keys are what they were when each
/// projection was computed by this.
#[cfg(test)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
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

/// Band key → the entries that have it, as chains threaded through flat `next` and `prev` arrays: entry
/// `slot * width + band` is cluster `slot`'s band `band`. Memory: one map entry per distinct key, three `u32`
/// per entry (its key, its successor and its predecessor). The predecessor makes removing a cluster's entries
/// constant time: the cluster that expires is the oldest, at the far end of its chains, and a crowded chain
/// (a common word's band) would otherwise be walked to its end for each.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    heads: MixMap<u32, u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
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
            self.prev.resize(needed, NONE);
            self.keys.resize(needed, NONE);
        }
    }

    /// Files `slot`'s bands: `keys[i]` is band `offset + i`. The bands must not be filed already.
    pub(crate) fn insert(&mut self, slot: u32, offset: usize, keys: &[u32]) {
        self.ensure(slot as usize);
        for (i, &key) in keys.iter().enumerate() {
            let key = key.min(NONE - 1);
            let entry = slot as usize * self.width + offset + i;
            debug_assert_eq!(self.keys[entry], NONE, "band filed twice");
            let previous = self.heads.insert(key, entry as u32).unwrap_or(NONE);
            self.next[entry] = previous;
            self.prev[entry] = NONE;
            if previous != NONE {
                self.prev[previous as usize] = entry as u32;
            }
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
            let (before, after) = (self.prev[entry], self.next[entry]);
            if before == NONE {
                // The head of its chain.
                if after == NONE {
                    self.heads.remove(&key);
                } else {
                    self.heads.insert(key, after);
                }
            } else {
                self.next[before as usize] = after;
            }
            if after != NONE {
                self.prev[after as usize] = before;
            }
            self.next[entry] = NONE;
            self.prev[entry] = NONE;
            self.keys[entry] = NONE;
        }
    }

    /// The slots filed under each key of `keys`, at most `limit` per key (the most recently filed first), in
    /// no useful order (callers sort them; a slot filed under two keys comes twice). The chains are
    /// walked side by side, a step of each in turn, so that their cache misses overlap instead of following
    /// one another.
    pub(crate) fn candidates_of(&self, keys: &[u32], limit: usize, out: &mut Vec<u32>) {
        let mut at: Vec<u32> =
            keys.iter().map(|&key| self.heads.get(&key.min(NONE - 1)).copied().unwrap_or(NONE)).collect();
        let width = self.width as u32;
        for _ in 0..limit {
            let mut any = false;
            for entry in at.iter_mut().filter(|e| **e != NONE) {
                out.push(*entry / width);
                *entry = self.next[*entry as usize];
                any = true;
            }
            if !any {
                break;
            }
        }
    }

    /// Every chain, most recently filed first, as (slot, band) — for tests comparing two indexes.
    #[cfg(test)]
    pub(crate) fn chains(&self) -> std::collections::BTreeMap<u32, Vec<(u32, usize)>> {
        let width = self.width as u32;
        self.heads
            .iter()
            .map(|(&key, &head)| {
                let mut chain = Vec::new();
                let mut at = head;
                while at != NONE {
                    chain.push((at / width, (at % width) as usize));
                    at = self.next[at as usize];
                }
                (key, chain)
            })
            .collect()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        // hashbrown: key + value + one control byte per bucket.
        self.heads.capacity() * (4 + 4 + 1)
            + (self.next.capacity() + self.prev.capacity() + self.keys.capacity()) * 4
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
            b.candidates_of(&[key], 10, &mut out);
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
    fn buckets_match_a_plain_model_under_inserts_and_removes() {
        // Model: key -> slots, most recently filed first. Few keys, so chains are long and every position in
        // them is removed at some point.
        let width = 3;
        let mut b = Buckets::new(width);
        let mut model: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
        let mut filed: Vec<Option<Vec<u32>>> = vec![None; 64];
        let mut h = 7u64;
        for _ in 0..5000 {
            h = mix64(h);
            let slot = (h % 64) as u32;
            if let Some(keys) = filed[slot as usize].take() {
                b.remove(slot);
                for key in keys {
                    let chain = model.get_mut(&key).unwrap();
                    let at = chain.iter().position(|&s| s == slot).unwrap();
                    chain.remove(at);
                }
            } else {
                let keys: Vec<u32> =
                    (0..width as u64).map(|i| (mix64(h ^ i) % 5) as u32 + 10 * i as u32).collect();
                b.insert(slot, 0, &keys);
                for &key in &keys {
                    model.entry(key).or_default().insert(0, slot);
                }
                filed[slot as usize] = Some(keys);
            }
            for (&key, chain) in &model {
                let mut got = Vec::new();
                b.candidates_of(&[key], 1000, &mut got);
                assert_eq!(&got, chain);
            }
        }
        assert!(model.values().any(|c| c.len() > 5));
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

    fn vector(seed: u64, dim: usize) -> Vec<f32> {
        let mut h = seed;
        (0..dim)
            .map(|_| {
                h = mix64(h.wrapping_add(0x9e37_79b9_7f4a_7c15));
                (h >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn keys_and_sketch_are_the_signs_of_dot() {
        // Widths and row counts that are not multiples of 8 and 4 too.
        for (bands, bits, dim) in [(16, 16, 384), (3, 5, 37), (1, 1, 3), (20, 16, 384)] {
            let h = Hyperplanes::new(bands, bits, dim, 7);
            for seed in 0..20 {
                let v = vector(seed, dim);
                let signs: Vec<bool> = (0..bands * bits).map(|row| dot(&h.row(row), &v) >= 0.0).collect();
                let mut keys = Vec::new();
                let sketch = h.keys(&v, &mut keys);
                for (j, &positive) in signs.iter().enumerate() {
                    if j < SKETCH_BITS {
                        assert_eq!(sketch[j / 64] >> (j % 64) & 1 == 1, positive);
                    }
                }
                assert!(
                    signs.len() >= SKETCH_BITS
                        || sketch.iter().map(|w| w.count_ones()).sum::<u32>() as usize <= signs.len()
                );
                let expected: Vec<u32> = signs
                    .chunks_exact(bits)
                    .enumerate()
                    .map(|(band, b)| {
                        let s = b.iter().fold(0u32, |s, &p| s << 1 | u32::from(p));
                        mix64(0xe3b_ed00 ^ (band as u64) << 32 ^ u64::from(s)) as u32
                    })
                    .collect();
                assert_eq!(keys, expected);
            }
        }
    }

    #[test]
    fn the_sketch_distance_keeps_close_pairs() {
        assert_eq!(sketch_max_distance(256, 0.7), 109);
        assert_eq!(sketch_max_distance(256, 0.0), 256);
        assert_eq!(sketch_max_distance(256, -0.5), 256);
        assert_eq!(sketch_max_distance(0, 0.9), 0);
        assert!(sketch_max_distance(16, 0.7) <= 16);
        let by_cosine: Vec<u32> =
            [0.5, 0.6, 0.7, 0.8, 0.9, 0.99].iter().map(|&c| sketch_max_distance(256, c)).collect();
        assert!(by_cosine.windows(2).all(|w| w[0] > w[1]), "{by_cosine:?}");
        // Pairs at cosine 0.70 .. 0.75 are within the distance allowed at 0.70, and random pairs mostly not.
        let h = Hyperplanes::new(16, 16, 384, 0x7e_a0_c1_a1_5e_ed_00_01);
        let allowed = sketch_max_distance(256, 0.7);
        let unit = |v: Vec<f32>| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f32>>()
        };
        let (mut near_kept, mut far_kept) = (0, 0);
        for seed in 0..300u64 {
            let a = unit(vector(seed, 384));
            let noise = unit(vector(seed + 10_000, 384));
            // a + t * n with n the unit part of the noise orthogonal to a: cosine 1 / sqrt(1 + t²), 0.72 at t = 0.96.
            let along: f32 = a.iter().zip(&noise).map(|(x, n)| x * n).sum();
            let n = unit(noise.iter().zip(&a).map(|(n, x)| n - along * x).collect());
            let b = unit(a.iter().zip(&n).map(|(x, n)| x + 0.96 * n).collect());
            let cosine: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((0.715..0.73).contains(&cosine), "{cosine}");
            let mut keys = Vec::new();
            let (sa, sb, sn) = (h.keys(&a, &mut keys), h.keys(&b, &mut keys), h.keys(&noise, &mut keys));
            near_kept += usize::from(hamming(&sa, &sb) <= allowed);
            far_kept += usize::from(hamming(&sa, &sn) <= allowed);
        }
        assert_eq!(near_kept, 300);
        assert!(far_kept < 30, "{far_kept}");
    }
}
