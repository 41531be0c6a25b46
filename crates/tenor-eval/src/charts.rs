//! Pictures of a [`Report`]: a reliability diagram and a confusion matrix, as SVG text (plotters' SVG
//! backend only, so no font or bitmap libraries are needed).

use plotters::prelude::*;

use crate::metrics::Report;

/// A chart that could not be drawn (plotters' own error, as text).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {what}: {detail}")]
pub struct ChartError {
    what: &'static str,
    detail: String,
}

fn chart_error<E: std::fmt::Debug>(what: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError { what, detail: format!("{e:?}") }
}

/// Reliability diagram: per confidence bin, the accuracy (bars) against the diagonal of perfect calibration,
/// with each bin's mean confidence marked and its count written above it.
pub fn reliability_svg(report: &Report, title: &str) -> Result<String, ChartError> {
    let err = chart_error("reliability diagram");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let caption = format!("{title}: ECE {:.4}, n = {}", report.ece, report.n);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .x_desc("confidence of the predicted label")
            .y_desc("accuracy")
            .x_labels(6)
            .y_labels(6)
            .draw()
            .map_err(&err)?;
        let bars = report
            .reliability
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| Rectangle::new([(b.lower, 0.0), (b.upper, b.accuracy)], BLUE.mix(0.45).filled()));
        chart
            .draw_series(bars)
            .map_err(&err)?
            .label("accuracy per bin")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.mix(0.45).filled()));
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.stroke_width(1)))
            .map_err(&err)?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
        chart
            .draw_series(
                report
                    .reliability
                    .iter()
                    .filter(|b| b.count > 0)
                    .map(|b| Circle::new((b.mean_confidence, b.accuracy), 3, RED.filled())),
            )
            .map_err(&err)?
            .label("mean confidence of the bin")
            .legend(|(x, y)| Circle::new((x + 7, y), 3, RED.filled()));
        chart
            .draw_series(report.reliability.iter().filter(|b| b.count > 0).map(|b| {
                Text::new(
                    b.count.to_string(),
                    ((b.lower + b.upper) / 2.0 - 0.012, (b.accuracy + 0.05).min(0.98)),
                    ("sans-serif", 11),
                )
            }))
            .map_err(&err)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// Confusion matrix: rows gold, columns predicted, each cell shaded by its share of the row (recall) and
/// labelled with its count.
pub fn confusion_svg(report: &Report, title: &str) -> Result<String, ChartError> {
    let err = chart_error("confusion matrix");
    let k = report.labels.len();
    let cell = 110u32;
    let (width, height) = (170 + cell * k as u32, 110 + cell * k as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        root.draw(&Text::new(
            format!("{title}: accuracy {:.4}, macro-F1 {:.4}", report.accuracy, report.macro_f1),
            (10, 10),
            ("sans-serif", 18),
        ))
        .map_err(&err)?;
        root.draw(&Text::new("predicted →", (150, 40), ("sans-serif", 13))).map_err(&err)?;
        root.draw(&Text::new("gold ↓", (10, 58), ("sans-serif", 13))).map_err(&err)?;
        let (x0, y0) = (150i32, 80i32);
        for (j, label) in report.labels.iter().enumerate() {
            let x = x0 + (j as i32) * cell as i32 + 8;
            root.draw(&Text::new(label.clone(), (x, y0 - 18), ("sans-serif", 13))).map_err(&err)?;
        }
        for (i, row) in report.confusion.iter().enumerate() {
            let y = y0 + (i as i32) * cell as i32;
            root.draw(&Text::new(report.labels[i].clone(), (10, y + cell as i32 / 2 - 6), ("sans-serif", 13)))
                .map_err(&err)?;
            let total: usize = row.iter().sum();
            for (j, &count) in row.iter().enumerate() {
                let x = x0 + (j as i32) * cell as i32;
                let share = if total == 0 { 0.0 } else { count as f64 / total as f64 };
                let fill = RGBColor(255 - (share * 200.0) as u8, 255 - (share * 150.0) as u8, 255);
                root.draw(&Rectangle::new([(x, y), (x + cell as i32, y + cell as i32)], fill.filled()))
                    .map_err(&err)?;
                root.draw(&Rectangle::new([(x, y), (x + cell as i32, y + cell as i32)], BLACK.stroke_width(1)))
                    .map_err(&err)?;
                let text = format!("{count} ({:.0}%)", 100.0 * share);
                root.draw(&Text::new(text, (x + 14, y + cell as i32 / 2 - 7), ("sans-serif", 15)))
                    .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::evaluate;

    #[test]
    fn charts_are_svg_with_their_numbers() {
        let probs = vec![vec![0.9, 0.1], vec![0.4, 0.6], vec![0.2, 0.8], vec![0.3, 0.7]];
        let report = evaluate(&["neg", "pos"], &[0, 0, 1, 1], &probs);
        let reliability = reliability_svg(&report, "test").unwrap();
        assert!(reliability.starts_with("<svg") && reliability.contains("ECE 0.3000"), "{reliability}");
        assert!(reliability.contains("<rect"), "bars are drawn");
        let confusion = confusion_svg(&report, "test").unwrap();
        assert!(confusion.contains("1 (50%)") && confusion.contains("2 (100%)"), "{confusion}");
        assert!(confusion.contains("neg") && confusion.contains("pos"));
    }
}
