//! One dense product at the encoder's shapes (960 token rows, as a batch of 32 sentences of ~30 tokens), timed
//! in each way considered for the int8 tier (docs/MODELS.md, "Int8 dense layers"): candle's f32 product,
//! candle's quantized products (Q8_0, Q4_0), and `tenor_encoder::quant::QuantDense`.
//!
//! Run on one thread: `RAYON_NUM_THREADS=1 cargo run --release -p tenor-encoder --example matmul_precisions`
use std::time::Instant;

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use tenor_encoder::quant::{Activation, QuantDense};

fn main() -> candle_core::Result<()> {
    let reps = 20;
    for (m, k, n) in [(960usize, 384usize, 1536usize), (960, 1536, 384), (960, 384, 1152)] {
        let flops = 2.0 * (m * k * n) as f64;
        let rate = |seconds: f64| format!("{:.2} ms, {:.1} G(FL)OP/s", seconds * 1e3, flops / seconds / 1e9);
        let x = Tensor::randn(0f32, 1., (m, k), &Device::Cpu)?;
        let w = Tensor::randn(0f32, 0.05, (n, k), &Device::Cpu)?;
        let time = |f: &dyn Fn() -> candle_core::Result<()>| -> candle_core::Result<f64> {
            f()?;
            let start = Instant::now();
            for _ in 0..reps {
                f()?;
            }
            Ok(start.elapsed().as_secs_f64() / reps as f64)
        };
        let wt = w.t()?;
        println!("{m} x {k} x {n}: candle f32 {}", rate(time(&|| x.matmul(&wt).map(drop))?));
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q4_0] {
            let q = QMatMul::from_qtensor(QTensor::quantize(&w, dtype)?)?;
            println!("  candle {dtype:?}: {}", rate(time(&|| q.forward(&x).map(drop))?));
        }
        let (xs, ws) = (x.flatten_all()?.to_vec1::<f32>()?, w.flatten_all()?.to_vec1::<f32>()?);
        let layer = QuantDense::new(&ws, &vec![0.0; n], k);
        let seconds = time(&|| {
            layer.forward(&xs, Activation::None, None);
            Ok(())
        })?;
        println!("  tenor int8 (quantize, product, scale back): {}", rate(seconds));
    }
    Ok(())
}
