//! The claim clusterer on Perspectrum's dev split, lexical only, from the committed data: its B-cubed F1 must
//! beat every perspective alone (a floor that fails if clustering joins the wrong things or nothing at all).

use tenor_claims::cluster::ClusterConfig;
use tenor_eval::claims_eval::evaluate_perspectrum;
use tenor_eval::perspectrum::Perspectrum;

fn read(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/data/perspectrum").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn lexical_clustering_beats_singletons_on_perspectrum_dev() {
    let data = Perspectrum::parse(
        &read("perspectrum_with_answers_v1.0.json"),
        &read("perspective_pool_v1.0.json"),
        &read("dataset_split_v1.0.json"),
    )
    .unwrap();
    let task = data.cluster_task("dev").unwrap();
    assert_eq!(task.ids.len(), task.gold.len());
    assert!(task.ids.len() > 1500, "{} perspectives", task.ids.len());
    let report = evaluate_perspectrum("dev", &task, None, &ClusterConfig::default());
    eprintln!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert!(
        report.lexical.bcubed.f1 > report.singletons.bcubed.f1 + 0.005,
        "lexical B-cubed F1 {:.4} vs singletons {:.4}",
        report.lexical.bcubed.f1,
        report.singletons.bcubed.f1
    );
    assert!(report.lexical.bcubed.f1 >= report.exact.bcubed.f1);
}
