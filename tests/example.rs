//! The custom-recommender example runs end to end through the library, deterministically.

#[allow(dead_code)]
#[path = "../examples/custom_recommender.rs"]
mod custom_recommender;

#[test]
fn custom_recommender_example_runs_and_is_deterministic() {
    let a = custom_recommender::run_example().unwrap();
    let b = custom_recommender::run_example().unwrap();
    assert_eq!(a.daily.len(), 30);
    assert!(a.summary.totals.impressions > 0 && a.summary.totals.orders > 0);
    assert_eq!(a.daily, b.daily);
    assert_eq!(a.summary, b.summary);
    assert_eq!(a.creators, b.creators);
}
