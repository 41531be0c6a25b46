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

use rten_gemm::{GemmExecutor, GemmInputA, GemmInputB, GemmUninitOptions, PackedBMatrix, QuantParams};
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
    zero_b: Vec<i8>,
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
        assert!(inputs > 0 && weight.len() % inputs == 0, "weight is not a matrix of {inputs} columns");
        let outputs = weight.len() / inputs;
        assert_eq!(bias.len(), outputs, "one bias per output");
        let mut scales = Vec::with_capacity(outputs);
        // B is inputs × outputs (k × n): column j holds output j's weights.
        let mut b = vec![0i8; inputs * outputs];
        for (j, row) in weight.chunks_exact(inputs).enumerate() {
            let max = row.iter().fold(0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / WEIGHT_MAX } else { 1.0 };
            for (i, w) in row.iter().enumerate() {
                b[i * outputs + j] = (w / scale).round().clamp(-WEIGHT_MAX, WEIGHT_MAX) as i8;
            }
            scales.push(scale);
        }
        let b = NdTensor::from_data([inputs, outputs], b);
        let packed = GEMM.with(|g| g.prepack_b(b.view()));
        QuantDense { packed, scales, bias: bias.to_vec(), zero_b: vec![0; outputs], inputs }
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
            let products = GEMM
                .with(|g| {
                    g.gemm_uninit(
                        &mut products.spare_capacity_mut()[..rows * n],
                        GemmInputA::Unpacked(a),
                        GemmInputB::Packed(&self.packed),
                        GemmUninitOptions {
                            a_quant: Some(QuantParams { zero_point: zero_points }),
                            b_quant: Some(QuantParams { zero_point: &self.zero_b }),
                            ..Default::default()
                        },
                    )
                })
                .expect("shapes are checked above");
            arch.dispatch(|| {
                for (r, (acc, out)) in products.chunks_exact(n).zip(out.chunks_exact_mut(n)).enumerate() {
                    let residual = residual.map(|res| &res[r * n..(r + 1) * n]);
                    dequantize(acc, row_scales[r], &self.scales, &self.bias, activation, residual, out);
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
            *o = (if t < 0.0 {
                0.0
            } else if t > 255.5 {
                255.5
            } else {
                t
            }) as u8;
        }
        scales.push(scale);
        zeros.push(zero);
    }
}

/// One output row back to f32: `acc · row_scale · column scale + bias`, then the activation, then the
/// residual. Plain loops over zipped slices, all inlined, so they vectorize inside the dispatch.
#[inline(always)]
fn dequantize(
    acc: &[i32],
    row_scale: f32,
    scales: &[f32],
    bias: &[f32],
    activation: Activation,
    residual: Option<&[f32]>,
    out: &mut [f32],
) {
    for (((o, &a), &s), &b) in out.iter_mut().zip(acc).zip(scales).zip(bias) {
        *o = a as f32 * (row_scale * s) + b;
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
    let x = if x > 4.0 {
        4.0
    } else if x < -4.0 {
        -4.0
    } else {
        x
    };
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

    #[test]
    fn a_layer_matches_the_float_product_within_its_quantization_error() {
        let (k, n, rows) = (96, 40, 7);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
        };
        let weight: Vec<f32> = (0..n * k).map(|_| next() * 0.1).collect();
        let bias: Vec<f32> = (0..n).map(|_| next()).collect();
        let x: Vec<f32> = (0..rows * k).map(|_| next() * 3.0).collect();
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
}
