//! Respondent-driven sampling in definitions: `coupons = N` and the network-size question.

use super::tests::{assert_error_at, errors, one_page, parses};
use super::{Band, QuestionKind};

const KNOWN: &str = r#"
  [[pages.questions]]
  id = "known"
  type = "network_size"
  role = "plain"
  text = "How many people who inject drugs do you know by name, who also know you, and whom you have seen in the last 6 months?"
"#;

fn with_coupons(coupons: &str, questions: &str) -> String {
    one_page(questions).replacen("title = \"T\"\n", &format!("title = \"T\"\n{coupons}\n"), 1)
}

#[test]
fn a_survey_with_coupons_and_a_network_size_question_parses() {
    let s = parses(&with_coupons("coupons = 3", KNOWN));
    assert_eq!(s.coupons(), Some(3));
    let q = s.network_size_question().expect("network size");
    match &q.kind {
        QuestionKind::Number {
            min, max, bands, ..
        } => {
            assert_eq!((*min, *max), (0, 999));
            assert_eq!(bands[0], Band { lo: 0, hi: 4 });
            assert_eq!(bands.last(), Some(&Band { lo: 50, hi: 999 }));
        }
        other => panic!("a network size is a whole number, not {other:?}"),
    }
}

#[test]
fn coupons_must_be_between_1_and_10() {
    for n in ["0", "11"] {
        let src = with_coupons(&format!("coupons = {n}"), KNOWN);
        assert_error_at(&src, "coupons =", "between 1 and 10");
    }
}

#[test]
fn coupons_are_refused_for_an_open_survey() {
    let src = with_coupons("coupons = 3\nmode = \"open\"", KNOWN);
    assert_error_at(&src, "coupons =", "mode = \"invite\"");
}

#[test]
fn coupons_need_a_network_size_question() {
    let src = with_coupons(
        "coupons = 2",
        "  [[pages.questions]]\n  id = \"q\"\n  type = \"number\"\n  role = \"plain\"\n  min = 0\n  max = 9\n  text = \"Q?\"\n",
    );
    assert_error_at(&src, "coupons =", "network_size");
}

#[test]
fn a_survey_has_at_most_one_network_size_question() {
    let second = KNOWN.replace("\"known\"", "\"known_too\"");
    let errs = errors(&with_coupons("coupons = 2", &format!("{KNOWN}{second}")));
    assert!(
        errs.iter().any(|e| e.message.contains("at most one")),
        "{errs:?}"
    );
}

#[test]
fn a_coupon_reward_is_read_and_needs_coupons() {
    let s = parses(&with_coupons(
        "coupons = 2\ncoupon_reward = \"A £5 voucher\"",
        KNOWN,
    ));
    assert_eq!(
        s.coupon_reward().map(|t| t.default_text()),
        Some("A £5 voucher")
    );
    let src = with_coupons("coupon_reward = \"A £5 voucher\"", KNOWN);
    assert_error_at(&src, "coupon_reward", "needs 'coupons'");
}

#[test]
fn a_network_size_starts_at_zero() {
    let src = with_coupons("", &KNOWN.replace("role =", "min = 1\n  role ="));
    assert_error_at(&src, "min = 1", "starts at 0");
}
