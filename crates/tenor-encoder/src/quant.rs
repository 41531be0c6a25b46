//! Int8 inference for the encoder's dense layers ([`crate::Precision::Int8`]).
//!
//! Each dense layer's weights are quantized once, at load: per output column, symmetric, to **7 bits**
//! (−63..63). Each input row (one token's vector) is quantized as it arrives: asymmetric, to 8 bits (0..255)
//! with its own scale and zero point. rten-gemm multiplies the two exactly in 32-bit integers; the result is
//! scaled back to f32 with the row's and the column's scales, and the bias (and, for the feed-forward block,
//! the GELU) is applied in the same pass.
//!
//! Why 7-bit weights: on x86 without VNNI the int8 kernel multiplies with `vpmaddubsw`, which adds two
//! u8 × i8 products into an i16 and saturates past 32,767. With |w| ≤ 63, 2 · 255 · 63 = 32,130 never does,
//! so the integer result is exact on every machine and kernel, and the output is identical run to run and
//! batch to batch (rows are quantized one by one, so a text's numbers do not depend on its neighbours).
//!
//! Pure arithmetic: no I/O, no threads of its own (rten-gemm splits a product over rayon's current pool,
//! which [`crate::Encoder`] sets with its thread count).

use rten_gemm::{GemmExecutor, GemmInputA, GemmInputB, GemmUninitOptions, PackedBMatrix};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, NdTensorView};

/// Largest weight magnitude after quantization (7 bits; see the module doc).
const WEIGHT_MAX: f32 = 63.0;

/// How the encoder's dense layers compute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f32 throughout (candle's matrix products): the reference.
    #[default]
    F32,
    /// The dense layers in int8 (this module); attention scores, softmax and layer norms stay f32.
    Int8,
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        })
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            other => Err(format!("unknown encoder precision {other:?} (f32 or int8)")),
        }
    }
}

/// What to apply to each output after the bias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    None,
    /// Exact GELU, `x · Φ(x)`, with [`erf`] below.
    Gelu,
}

/// A dense layer `y = x Wᵀ + b` with int8 weights.
pub struct QuantDense {
    packed: PackedBMatrix<i8>,
    /// Per output column: the weight scale (w ≈ q · scale).
    scales: Vec<f32>,
    bias: Vec<f32>,
    /// Per output column: the sum of its quantized weights, for the rows' zero points (see `forward`).
    column_sums: Vec<i32>,
    inputs: usize,
}

impl std::fmt::Debug for QuantDense {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuantDense").field("inputs", &self.inputs).field("outputs", &self.scales.len()).finish()
    }
}

thread_local! {
    /// The int8 product with the best kernel this CPU has (an executor is not `Send`: one per thread, all
    /// choosing the same kernel, so a matrix packed on one thread is read right on another).
    static GEMM: GemmExecutor<u8, i8, i32> = GemmExecutor::default();
}

impl QuantDense {
    /// From a weight matrix in the layout of `torch.nn.Linear` (`outputs` rows of `inputs` values) and its
    /// bias (`outputs` values).
    pub fn new(weight: &[f32], bias: &[f32], inputs: usize) -> QuantDense {
        assert!(inputs > 0 && weight.len().is_multiple_of(inputs), "weight is not a matrix of {inputs} columns");
        let outputs = weight.len() / inputs;
        assert_eq!(bias.len(), outputs, "one bias per output");
        let mut scales = Vec::with_capacity(outputs);
        let mut column_sums = Vec::with_capacity(outputs);
        // B is inputs × outputs (k × n): column j holds output j's weights.
        let mut b = vec![0i8; inputs * outputs];
        for (j, row) in weight.chunks_exact(inputs).enumerate() {
            let max = row.iter().fold(0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / WEIGHT_MAX } else { 1.0 };
            let mut sum = 0i32;
            for (i, w) in row.iter().enumerate() {
                let q = (w / scale).round().clamp(-WEIGHT_MAX, WEIGHT_MAX) as i8;
                b[i * outputs + j] = q;
                sum += i32::from(q);
            }
            scales.push(scale);
            column_sums.push(sum);
        }
        let b = NdTensor::from_data([inputs, outputs], b);
        let packed = GEMM.with(|g| g.prepack_b(b.view()));
        QuantDense { packed, scales, bias: bias.to_vec(), column_sums, inputs }
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn outputs(&self) -> usize {
        self.scales.len()
    }

    /// `x` of `rows × inputs` (row-major) through the layer, then `activation`; `rows × outputs` out.
    /// With `residual` (`rows × outputs`), it is added after the activation.
    pub fn forward(&self, x: &[f32], activation: Activation, residual: Option<&[f32]>) -> Vec<f32> {
        let (k, n) = (self.inputs, self.outputs());
        assert_eq!(x.len() % k, 0, "input rows are {k} wide");
        let rows = x.len() / k;
        if let Some(residual) = residual {
            assert_eq!(residual.len(), rows * n, "one residual per output");
        }
        let mut out = vec![0f32; rows * n];
        // The quantized rows and the integer products live in per-thread buffers kept between calls: fresh
        // ones of this size would be mapped and zeroed by the kernel on every call.
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch { quantized, row_scales, zero_points, products } = scratch;
            // pulp compiles the element-wise loops for the best vector unit this CPU has (AVX2 + FMA here)
            // and picks it at run time, without `unsafe` in this crate.
            let arch = pulp::Arch::new();
            arch.dispatch(|| quantize_rows(x, k, quantized, row_scales, zero_points));
            let a = NdTensorView::from_data([rows, k], &quantized[..]);
            products.clear();
            products.reserve(rows * n);
            // The product of the raw u8 rows; each row's zero point is taken off afterwards, exactly, as
            // zero · (column's weight sum). rten-gemm 0.25–0.27 also takes per-row zero points, but reads only
            // the first 6 of each packed block of rows (its `pack_a` indexes them by row within the panel),
            // so rows past the sixth came out wrong: the test below compares 64 rows with the integer sums.
            let products = GEMM
                .with(|g| {
                    g.gemm_uninit(
                        &mut products.spare_capacity_mut()[..rows * n],
                        GemmInputA::Unpacked(a),
                        GemmInputB::Packed(&self.packed),
                        GemmUninitOptions::default(),
                    )
                })
                .expect("shapes are checked above");
            arch.dispatch(|| {
                for (r, (acc, out)) in products.chunks_exact(n).zip(out.chunks_exact_mut(n)).enumerate() {
                    let residual = residual.map(|res| &res[r * n..(r + 1) * n]);
                    let row = Row { scale: row_scales[r], zero: i32::from(zero_points[r]) };
                    dequantize(acc, row, self, activation, residual, out);
                }
            });
        });
        out
    }
}

#[derive(Default)]
struct Scratch {
    quantized: Vec<u8>,
    row_scales: Vec<f32>,
    zero_points: Vec<u8>,
    products: Vec<i32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Per row of `x`: its u8 values, its scale and its zero point (x ≈ (q − zero) · scale). The range always
/// holds 0, so padding and exact zeros stay exact. Rounds half up (`+ 0.5`, then truncation of a value
/// already clamped to 0..255), which vectorizes where `f32::round` would be a call per value.
#[inline(always)]
fn quantize_rows(x: &[f32], k: usize, q: &mut Vec<u8>, scales: &mut Vec<f32>, zeros: &mut Vec<u8>) {
    q.resize(x.len(), 0);
    scales.clear();
    zeros.clear();
    for (row, out) in x.chunks_exact(k).zip(q.chunks_exact_mut(k)) {
        let (mut lo, mut hi) = (0f32, 0f32);
        for &v in row {
            lo = if v < lo { v } else { lo };
            hi = if v > hi { v } else { hi };
        }
        let scale = if hi > lo { (hi - lo) / 255.0 } else { 1.0 };
        let zero = ((-lo / scale).clamp(0.0, 255.0) + 0.5) as u8;
        let (inverse, offset) = (1.0 / scale, zero as f32 + 0.5);
        for (o, &v) in out.iter_mut().zip(row) {
            let t = v * inverse + offset;
            *o = t.clamp(0.0, 255.5) as u8;
        }
        scales.push(scale);
        zeros.push(zero);
    }
}

/// A quantized input row's scale and zero point.
#[derive(Clone, Copy)]
struct Row {
    scale: f32,
    zero: i32,
}

/// One output row back to f32: `acc · row_scale · column scale + bias`, then the activation, then the
/// residual. Plain loops over zipped slices, all inlined, so they vectorize inside the dispatch.
#[inline(always)]
fn dequantize(
    acc: &[i32],
    row: Row,
    layer: &QuantDense,
    activation: Activation,
    residual: Option<&[f32]>,
    out: &mut [f32],
) {
    let columns = acc.iter().zip(&layer.column_sums).zip(&layer.scales).zip(&layer.bias);
    for (o, (((&a, &sum), &s), &b)) in out.iter_mut().zip(columns) {
        *o = (a - row.zero * sum) as f32 * (row.scale * s) + b;
    }
    if activation == Activation::Gelu {
        for o in out.iter_mut() {
            *o = gelu(*o);
        }
    }
    if let Some(residual) = residual {
        for (o, &r) in out.iter_mut().zip(residual) {
            *o += r;
        }
    }
}

/// Scaled dot-product attention over `qkv`, the query-key-value product's rows as they come out of it (one per
/// token of `(texts, tokens)`, each `[q | k | v]` of `3 · heads · d` values, a head's `d` values together in
/// each part), each text over its first `lengths[text]` tokens only (the rest is padding, neither attended to
/// nor pooled; its own rows are computed over the real tokens and ignored later). The result is
/// `(texts, tokens, heads · d)`, the layout of the next dense layer's input. Sums run in one fixed order
/// whatever the padding, so a text's output does not depend on the batch it is in.
pub fn attention(qkv: &[f32], lengths: &[usize], heads: usize, t: usize, d: usize) -> Vec<f32> {
    let h = heads * d;
    let mut out = vec![0f32; lengths.len() * t * h];
    let mut scores = vec![0f32; t];
    let scale = 1.0 / (d as f32).sqrt();
    // Part `part` (0 query, 1 key, 2 value) of `head` for token `token` of the text starting at row `first`.
    let at = |first: usize, token: usize, part: usize, head: usize| {
        let start = (first + token) * 3 * h + part * h + head * d;
        &qkv[start..start + d]
    };
    pulp::Arch::new().dispatch(|| {
        for (text, &len) in lengths.iter().enumerate() {
            let first = text * t;
            for head in 0..heads {
                for i in 0..t {
                    let query = at(first, i, 0, head);
                    let mut max = f32::NEG_INFINITY;
                    for (j, s) in scores[..len].iter_mut().enumerate() {
                        *s = dot(query, at(first, j, 1, head)) * scale;
                        max = if *s > max { *s } else { max };
                    }
                    let mut sum = 0f32;
                    for s in &mut scores[..len] {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    let row = (first + i) * h + head * d;
                    let o = &mut out[row..row + d];
                    for (j, &s) in scores[..len].iter().enumerate() {
                        let p = s / sum;
                        for (o, &x) in o.iter_mut().zip(at(first, j, 2, head)) {
                            *o += p * x;
                        }
                    }
                }
            }
        }
    });
    out
}

/// A dot product with eight running sums (so it vectorizes), added up in a fixed order.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7])) + tail
}

/// Exact (erf) GELU.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf for f32 as a rational function of x (the approximation Eigen and XNNPACK use for float erf): no
/// exponential and no branch, so a loop over it vectorizes. Within 4.5e-7 of the true value everywhere (the
/// unit test checks a fine grid against a double-precision series).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10_f32;
    p = p * x2 + 2.770_681_4e-8;
    p = p * x2 + -2.101_024e-6;
    p = p * x2 + -5.692_506_4e-5;
    p = p * x2 + -7.349_906_3e-4;
    p = p * x2 + -2.954_600_1e-3;
    p = p * x2 + -1.609_603_3e-2;
    p *= x;
    let mut q = -1.456_607_2e-5_f32;
    q = q * x2 + -2.133_740_6e-4;
    q = q * x2 + -1.682_827e-3;
    q = q * x2 + -7.373_329_2e-3;
    q = q * x2 + -1.426_473_9e-2;
    p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Maclaurin series (small |x|) or its continued fraction for erfc (large |x|), in f64.
    fn erf64(x: f64) -> f64 {
        if x.abs() < 2.5 {
            let (mut term, mut sum, mut n) = (x, x, 0.0);
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                sum += term / (2.0 * n + 1.0);
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            let z = x.abs();
            let mut f = 0.0;
            for k in (1..60).rev() {
                f = (k as f64 / 2.0) / (z + f);
            }
            let erfc = (-z * z).exp() / std::f64::consts::PI.sqrt() / (z + f);
            x.signum() * (1.0 - erfc)
        }
    }

    #[test]
    fn erf_is_within_5e_7_of_the_true_value() {
        let mut worst = 0f64;
        for i in -80_000..=80_000 {
            let x = i as f64 / 10_000.0;
            worst = worst.max((erf(x as f32) as f64 - erf64(x)).abs());
        }
        assert!(worst < 5e-7, "worst error {worst}");
    }

    /// Weights (`n` × `k`, within ±0.1), biases (within ±1) and `rows` inputs (within ±3), from a fixed seed.
    fn random_layer(k: usize, n: usize, rows: usize, seed: u64) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let mut seed = seed;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
        };
        let weight: Vec<f32> = (0..n * k).map(|_| next() * 0.1).collect();
        let bias: Vec<f32> = (0..n).map(|_| next()).collect();
        let x: Vec<f32> = (0..rows * k).map(|_| next() * 3.0).collect();
        (weight, bias, x)
    }

    #[test]
    fn a_layer_matches_the_float_product_within_its_quantization_error() {
        let (k, n, rows) = (96, 40, 7);
        let (weight, bias, x) = random_layer(k, n, rows, 7);
        let layer = QuantDense::new(&weight, &bias, k);
        let y = layer.forward(&x, Activation::None, None);
        let g = layer.forward(&x, Activation::Gelu, Some(&y));
        for r in 0..rows {
            for j in 0..n {
                let exact: f32 = (0..k).map(|i| x[r * k + i] * weight[j * k + i]).sum::<f32>() + bias[j];
                // Bound: k products, each off by at most half a step of either factor.
                let x_step = 6.0 / 255.0;
                let w_step = 0.1 / WEIGHT_MAX;
                let bound = k as f32 * (x_step / 2.0 * 0.1 + w_step / 2.0 * 3.0);
                assert!((y[r * n + j] - exact).abs() < bound, "row {r} col {j}: {} vs {exact}", y[r * n + j]);
                let with_gelu = gelu(y[r * n + j]) + y[r * n + j];
                assert!((g[r * n + j] - with_gelu).abs() < 1e-5);
            }
        }
        // Rows are quantized one by one: a row alone gives the same numbers as in the batch.
        let alone = layer.forward(&x[2 * k..3 * k], Activation::None, None);
        assert_eq!(alone, y[2 * n..3 * n].to_vec());
    }

    /// At the encoder's shapes, every row of a many-row product equals the exact integer sum of its quantized
    /// values (the row's zero point taken off), scaled back, and any run of rows alone gives the same numbers.
    #[test]
    fn every_row_of_a_large_product_is_the_exact_integer_sum() {
        let (k, n, rows) = (384, 1152, 64);
        let (weight, bias, x) = random_layer(k, n, rows, 9);
        // Rows skewed differently, so their zero points differ.
        let x: Vec<f32> = x.iter().enumerate().map(|(i, v)| v + (i / k) as f32 * 0.05).collect();
        let layer = QuantDense::new(&weight, &bias, k);
        let (mut q, mut row_scales, mut zeros) = (vec![], vec![], vec![]);
        quantize_rows(&x, k, &mut q, &mut row_scales, &mut zeros);
        assert!(zeros.iter().any(|&z| z != zeros[0]), "the rows' zero points differ");
        let weights: Vec<i32> = weight
            .chunks_exact(k)
            .zip(&layer.scales)
            .flat_map(|(row, &s)| row.iter().map(move |w| (w / s).round() as i32))
            .collect();
        let exact = |r: usize, j: usize| {
            let sum: i32 =
                (0..k).map(|i| (i32::from(q[r * k + i]) - i32::from(zeros[r])) * weights[j * k + i]).sum();
            sum as f32 * row_scales[r] * layer.scales[j] + bias[j]
        };
        let all = layer.forward(&x, Activation::None, None);
        for r in 0..rows {
            for j in 0..n {
                let e = exact(r, j);
                assert!(
                    (all[r * n + j] - e).abs() <= 1e-4 * (1.0 + e.abs()),
                    "row {r} col {j}: {} vs {e}",
                    all[r * n + j]
                );
            }
        }
        for (lo, hi) in [(13, 40), (40, 64), (5, 6)] {
            assert_eq!(layer.forward(&x[lo * k..hi * k], Activation::None, None), all[lo * n..hi * n].to_vec());
        }
    }
}
