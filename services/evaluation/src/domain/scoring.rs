//! The scoring maths, in integers only: whole points on each criterion's scale, weighted scores and
//! totals in hundredths of a point (a total of 100.00 is 10000).
//!
//! - Quality and social value: `round_half_up(moderated score x weight x 100 / max_score)`.
//! - Price: `round_half_up(lowest price x weight x 100 / this bid's price)`, prices in pence, the
//!   lowest among the lot's bids that did not fail a pass/fail criterion.
//! - Pass/fail: no weight, no points; a fail takes the bid out of the ranking.
//! - The total is the sum of the rounded criterion scores, so the per-criterion figures a bidder is
//!   shown add up to its total exactly.
//!
//! Numerators and denominators are formed in `i128`, so no price in pence can overflow them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use proto::commissioning::evaluation::v1::{CriterionResult, PassFailOutcome, RankedBid};
use proto::commissioning::tendering::v1::{BidContent, Criterion, CriterionKind};

/// The moderated outcome of one bid on one criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A quality or social value score, 0 to the criterion's `max_score`.
    Score(u32),
    /// A pass/fail criterion met.
    Pass,
    /// A pass/fail criterion not met, with the moderator's reason (shown to the bidder).
    Fail { reason: String },
}

/// One bid's inputs for a lot: its id, provider, price in pence for the lot (see [`price_for_lot`]),
/// receipt time, and the moderated outcome per criterion id.
///
/// `received` is the receipt's `receive_time` as UTC (`platform::time::from_timestamp` converts the
/// wire timestamp); it breaks ties and is shown in Europe/London time in tie-break notes.
/// `outcomes` needs an entry for every quality, social value and pass/fail criterion; entries for
/// price criteria or for ids that are not among the criteria are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidInput {
    pub bid_id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub price_pence: u64,
    pub received: DateTime<Utc>,
    pub outcomes: HashMap<String, Outcome>,
    pub evidence_all_met: bool,
}

/// The bid's price for a lot, in pence: its `LotPrice` for the lot or, for a single-lot tender
/// (`lot_count` 1) whose bid gives no lot prices, its `total_price`. `None` when the bid does not bid
/// for the lot. A price that is missing or below 0 reads as 0, which [`crate::domain::rank_lot`]
/// refuses when the tender scores price.
pub fn price_for_lot(content: &BidContent, lot_id: &str, lot_count: usize) -> Option<u64> {
    let pence = |money: Option<&proto::commissioning::common::v1::Money>| {
        money.map_or(0, |money| u64::try_from(money.amount_pence).unwrap_or(0))
    };
    if content.lot_prices.is_empty() {
        return (lot_count == 1).then(|| pence(content.total_price.as_ref()));
    }
    content
        .lot_prices
        .iter()
        .find(|lot_price| lot_price.lot_id == lot_id)
        .map(|lot_price| pence(lot_price.price.as_ref()))
}

/// "52.37" from 5237 hundredths, for feedback text: always two decimals, "-" before a negative.
pub fn points(hundredths: i32) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let magnitude = i64::from(hundredths).abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// `numerator / denominator` rounded to the nearest whole number, halves rounded up (away from zero:
/// both are at least 0), as `(2 x numerator + denominator) / (2 x denominator)` in integer division.
/// `None` when the denominator is not above 0 or the numerator is below 0.
pub fn round_half_up(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator <= 0 || numerator < 0 {
        return None;
    }
    numerator.checked_mul(2)?.checked_add(denominator)?.checked_div(denominator.checked_mul(2)?)
}

/// A quality or social value score weighted, in hundredths:
/// `round_half_up(score x weight x 100 / max_score)`. 3 out of 5 at weight 45 is 2700 (27.00).
/// `None` when `max_score` is 0 or the result does not fit (never, for a score within the scale).
pub fn scored_hundredths(score: u32, max_score: u32, weight: u32) -> Option<i32> {
    let numerator = i128::from(score) * i128::from(weight) * 100;
    round_half_up(numerator, i128::from(max_score)).and_then(|hundredths| i32::try_from(hundredths).ok())
}

/// A price weighted, in hundredths: `round_half_up(lowest x weight x 100 / price)`, both in pence.
/// GBP 7,200 lowest against GBP 7,500 at weight 40 is 3840 (38.40). `None` when `price_pence` is 0
/// or the result does not fit (never, for a price not below the lowest).
pub fn price_hundredths(lowest_pence: u64, price_pence: u64, weight: u32) -> Option<i32> {
    let numerator = i128::from(lowest_pence) * i128::from(weight) * 100;
    round_half_up(numerator, i128::from(price_pence)).and_then(|hundredths| i32::try_from(hundredths).ok())
}

/// What a criterion assesses, read from the proto enum once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Price,
    Quality,
    SocialValue,
    PassFail,
}

/// A tender criterion checked for scoring: known kind, weight and scale within their bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScoringCriterion {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub weight: u32,
    /// 0 for price and pass/fail.
    pub max_score: u32,
}

impl ScoringCriterion {
    /// `criterion "Reaching isolated people" (c2)`, or `criterion c2` when it has no name.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            format!("criterion {}", self.id)
        } else {
            format!("criterion \"{}\" ({})", self.name, self.id)
        }
    }
}

/// Checks the tender's criteria as scoring needs them: ids present and unique, a known kind, weights
/// 1 to 100 over price, quality and social value adding to exactly 100, weight 0 for pass/fail, at
/// most one price criterion, and a scale of 1 to 100 for quality and social value. Every problem is
/// reported, in plain English.
pub(crate) fn parse_criteria(criteria: &[Criterion]) -> Result<Vec<ScoringCriterion>, Vec<String>> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(criteria.len());
    let mut seen = std::collections::HashSet::new();
    for criterion in criteria {
        let shown = if criterion.name.is_empty() {
            format!("criterion {}", criterion.id)
        } else {
            format!("criterion \"{}\" ({})", criterion.name, criterion.id)
        };
        if criterion.id.is_empty() {
            problems.push(format!("a criterion (\"{}\") has no id", criterion.name));
        } else if !seen.insert(criterion.id.as_str()) {
            problems.push(format!("criterion id {} is used by more than one criterion", criterion.id));
        }
        let kind = match CriterionKind::try_from(criterion.kind) {
            Ok(CriterionKind::Price) => Kind::Price,
            Ok(CriterionKind::Quality) => Kind::Quality,
            Ok(CriterionKind::SocialValue) => Kind::SocialValue,
            Ok(CriterionKind::PassFail) => Kind::PassFail,
            Ok(CriterionKind::Unspecified) | Err(_) => {
                problems.push(format!("{shown} has no kind: give price, quality, social value or pass/fail"));
                continue;
            }
        };
        let weight = u32::try_from(criterion.weight).ok();
        let weight = match (kind, weight) {
            (Kind::PassFail, Some(0)) => 0,
            (Kind::PassFail, _) => {
                problems.push(format!(
                    "pass/fail {shown} has weight {}: pass/fail criteria have weight 0",
                    criterion.weight
                ));
                continue;
            }
            (_, Some(weight @ 1..=100)) => weight,
            _ => {
                problems.push(format!(
                    "{shown} has weight {}: price, quality and social value weights run from 1 to 100",
                    criterion.weight
                ));
                continue;
            }
        };
        let max_score = match (kind, u32::try_from(criterion.max_score).ok()) {
            (Kind::Quality | Kind::SocialValue, Some(max_score @ 1..=100)) => max_score,
            (Kind::Quality | Kind::SocialValue, _) => {
                problems.push(format!(
                    "{shown} has maximum score {}: quality and social value scales run from 1 to 100",
                    criterion.max_score
                ));
                continue;
            }
            (Kind::Price | Kind::PassFail, _) => 0,
        };
        parsed.push(ScoringCriterion {
            id: criterion.id.clone(),
            name: criterion.name.clone(),
            kind,
            weight,
            max_score,
        });
    }
    if problems.is_empty() {
        let prices = parsed.iter().filter(|criterion| criterion.kind == Kind::Price).count();
        if prices > 1 {
            problems.push(format!("the tender has {prices} price criteria: at most one is allowed"));
        }
        let total: u32 = parsed.iter().map(|criterion| criterion.weight).sum();
        if total != 100 {
            problems.push(format!("the price, quality and social value weights add up to {total}, not 100"));
        }
    }
    if problems.is_empty() { Ok(parsed) } else { Err(problems) }
}

/// `bid b1 (Knaphill Good Neighbours)`, or `bid b1` when the provider has no name.
pub(crate) fn bid_label(bid: &BidInput) -> String {
    if bid.provider_name.is_empty() {
        format!("bid {}", bid.bid_id)
    } else {
        format!("bid {} ({})", bid.bid_id, bid.provider_name)
    }
}

/// Every problem with one bid's outcomes against the criteria: a missing outcome, a score above the
/// scale, the wrong sort of outcome for the criterion, or (when price is scored) a price of 0.
pub(crate) fn check_bid(lot_id: &str, criteria: &[ScoringCriterion], bid: &BidInput) -> Vec<String> {
    let mut problems = Vec::new();
    let shown = bid_label(bid);
    for criterion in criteria {
        let label = criterion.label();
        match (criterion.kind, bid.outcomes.get(&criterion.id)) {
            (Kind::Price, _) => {
                if bid.price_pence == 0 {
                    problems.push(format!("{shown} has no price above 0 for lot {lot_id}, so price cannot be scored"));
                }
            }
            (Kind::Quality | Kind::SocialValue, None) => {
                problems.push(format!("{shown} has no moderated score for {label}"));
            }
            (Kind::PassFail, None) => {
                problems.push(format!("{shown} has no moderated pass or fail for pass/fail {label}"));
            }
            (Kind::Quality | Kind::SocialValue, Some(Outcome::Score(score))) => {
                if *score > criterion.max_score {
                    problems.push(format!(
                        "{shown} scores {score} on {label}, above its maximum of {}",
                        criterion.max_score
                    ));
                }
            }
            (Kind::Quality | Kind::SocialValue, Some(Outcome::Pass | Outcome::Fail { .. })) => {
                problems.push(format!(
                    "{shown} has a pass or fail for {label}, which is scored from 0 to {}",
                    criterion.max_score
                ));
            }
            (Kind::PassFail, Some(Outcome::Score(_))) => {
                problems.push(format!("{shown} has a score for pass/fail {label}: give pass or fail"));
            }
            (Kind::PassFail, Some(Outcome::Pass | Outcome::Fail { .. })) => {}
        }
    }
    problems
}

/// The reasons a bid failed, in criterion order, joined by "; "; `None` when it failed nothing.
pub(crate) fn fail_reason(criteria: &[ScoringCriterion], bid: &BidInput) -> Option<String> {
    let reasons: Vec<String> = criteria
        .iter()
        .filter(|criterion| criterion.kind == Kind::PassFail)
        .filter_map(|criterion| match bid.outcomes.get(&criterion.id) {
            Some(Outcome::Fail { reason }) if reason.trim().is_empty() => Some(format!("failed {}", criterion.label())),
            Some(Outcome::Fail { reason }) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// Scores one checked bid (see [`check_bid`]) against `lowest_pence`, the lowest price among the lot's
/// bids that did not fail (`None` when every bid failed). A failed bid is scored as it would have been
/// had it not failed: against the lower of that lowest price and its own, so its price score never
/// exceeds the weight. Rank and tie-break note are left for the ranking.
pub(crate) fn score_bid(criteria: &[ScoringCriterion], bid: &BidInput, lowest_pence: Option<u64>) -> RankedBid {
    let lowest = lowest_pence.map_or(bid.price_pence, |lowest| lowest.min(bid.price_pence));
    let mut price_score = 0;
    let mut quality_score = 0;
    let mut results = Vec::with_capacity(criteria.len());
    for criterion in criteria {
        let outcome = bid.outcomes.get(&criterion.id);
        let (score, pass_fail, weighted) = match (criterion.kind, outcome) {
            (Kind::Price, _) => {
                let weighted = price_hundredths(lowest, bid.price_pence, criterion.weight).unwrap_or(0);
                price_score += weighted;
                (0, PassFailOutcome::Unspecified, weighted)
            }
            (Kind::Quality | Kind::SocialValue, Some(Outcome::Score(score))) => {
                let weighted = scored_hundredths(*score, criterion.max_score, criterion.weight).unwrap_or(0);
                quality_score += weighted;
                (i32::try_from(*score).unwrap_or(i32::MAX), PassFailOutcome::Unspecified, weighted)
            }
            (Kind::PassFail, Some(Outcome::Pass)) => (0, PassFailOutcome::Pass, 0),
            (Kind::PassFail, Some(Outcome::Fail { .. })) => (0, PassFailOutcome::Fail, 0),
            // Not reached for a checked bid.
            _ => (0, PassFailOutcome::Unspecified, 0),
        };
        results.push(CriterionResult {
            criterion_id: criterion.id.clone(),
            score,
            pass_fail: pass_fail.into(),
            weighted_score_hundredths: weighted,
        });
    }
    let fail_reason = fail_reason(criteria, bid);
    RankedBid {
        bid_id: bid.bid_id.clone(),
        provider_id: bid.provider_id.clone(),
        provider_name: bid.provider_name.clone(),
        rank: 0,
        failed: fail_reason.is_some(),
        fail_reason: fail_reason.unwrap_or_default(),
        total_score_hundredths: price_score + quality_score,
        quality_score_hundredths: quality_score,
        price_score_hundredths: price_score,
        criterion_results: results,
        evidence_all_met: bid.evidence_all_met,
        tie_break_note: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::Money;
    use proto::commissioning::tendering::v1::LotPrice;

    use super::*;

    fn money(pence: i64) -> Option<Money> {
        Some(Money { amount_pence: pence, currency: "GBP".into(), vat_included: true })
    }

    fn lot_price(lot_id: &str, pence: i64) -> LotPrice {
        LotPrice { lot_id: lot_id.into(), price: money(pence) }
    }

    #[test]
    fn points_are_written_with_two_decimals() {
        let cases = [(0, "0.00"), (5, "0.05"), (50, "0.50"), (5237, "52.37"), (10_000, "100.00"), (-5, "-0.05")];
        for (hundredths, written) in cases {
            assert_eq!(points(hundredths), written, "{hundredths}");
        }
        assert_eq!(points(i32::MIN), "-21474836.48");
    }

    #[test]
    fn round_half_up_rounds_thirds_to_the_nearest_and_halves_up() {
        // 4000 / 3 = 1333.33... -> 1333; 8000 / 3 = 2666.66... -> 2667; 3125 / 2 = 1562.5 -> 1563.
        assert_eq!(round_half_up(4000, 3), Some(1333));
        assert_eq!(round_half_up(8000, 3), Some(2667));
        assert_eq!(round_half_up(3125, 2), Some(1563));
        // Just below a half goes down: 1562.4999... -> 1562.
        assert_eq!(round_half_up(15_624_999, 10_000), Some(1562));
        assert_eq!(round_half_up(0, 7), Some(0));
        assert_eq!(round_half_up(1, 0), None);
        assert_eq!(round_half_up(-1, 2), None);
    }

    #[test]
    fn a_third_of_the_price_weight_is_13_33() {
        // Lowest GBP 10,000 over GBP 30,000 x 40 = 13.333... points:
        // 1,000,000 x 40 x 100 / 3,000,000 = 1333.33... hundredths -> 1333, "13.33".
        assert_eq!(price_hundredths(1_000_000, 3_000_000, 40), Some(1333));
        // Two thirds: 2,000,000 x 4000 / 3,000,000 = 2666.67 -> 2667, "26.67".
        assert_eq!(price_hundredths(2_000_000, 3_000_000, 40), Some(2667));
    }

    #[test]
    fn an_exact_half_hundredth_rounds_up() {
        // Lowest GBP 10,000 over GBP 25,600 x 40: 1,000,000 x 4000 / 2,560,000 = 1562.5 -> 1563, "15.63"
        // (15.625 points rounded half up).
        assert_eq!(price_hundredths(1_000_000, 2_560_000, 40), Some(1563));
        // 1 out of 8 at weight 45: 1 x 45 x 100 / 8 = 562.5 -> 563, "5.63".
        assert_eq!(scored_hundredths(1, 8, 45), Some(563));
        // 3 out of 8 at weight 45: 13,500 / 8 = 1687.5 -> 1688.
        assert_eq!(scored_hundredths(3, 8, 45), Some(1688));
    }

    #[test]
    fn weighted_scores_are_exact_for_whole_fractions_and_refuse_a_zero_divisor() {
        // 3 / 5 x 45 = 27.00; 7,200 / 7,500 x 40 = 38.40.
        assert_eq!(scored_hundredths(3, 5, 45), Some(2700));
        assert_eq!(price_hundredths(720_000, 750_000, 40), Some(3840));
        assert_eq!(scored_hundredths(1, 0, 45), None);
        assert_eq!(price_hundredths(720_000, 0, 40), None);
        // The largest prices in pence do not overflow: lowest = price gives the full weight.
        assert_eq!(price_hundredths(u64::MAX, u64::MAX, 100), Some(10_000));
    }

    #[test]
    fn a_lot_price_is_the_bid_price_for_its_lot() {
        let content = BidContent {
            total_price: money(1_100_000),
            lot_prices: vec![lot_price("lot-1", 500_000), lot_price("lot-2", 600_000)],
            ..Default::default()
        };
        assert_eq!(price_for_lot(&content, "lot-1", 2), Some(500_000));
        assert_eq!(price_for_lot(&content, "lot-2", 2), Some(600_000));
        assert_eq!(price_for_lot(&content, "lot-3", 3), None);
    }

    #[test]
    fn a_bid_without_a_lot_price_for_a_lot_does_not_bid_for_it() {
        let content = BidContent {
            total_price: money(400_000),
            lot_prices: vec![lot_price("lot-2", 400_000)],
            ..Default::default()
        };
        assert_eq!(price_for_lot(&content, "lot-1", 2), None);
        assert_eq!(price_for_lot(&content, "lot-2", 2), Some(400_000));
    }

    #[test]
    fn a_single_lot_tender_without_lot_prices_uses_the_total_price() {
        let content = BidContent { total_price: money(720_000), ..Default::default() };
        assert_eq!(price_for_lot(&content, "only", 1), Some(720_000));
        // With several lots, lot prices are required: without them the bid bids for none.
        assert_eq!(price_for_lot(&content, "lot-1", 2), None);
        // A single-lot tender whose bid gives lot prices uses them.
        let priced = BidContent {
            total_price: money(720_000),
            lot_prices: vec![lot_price("only", 720_000)],
            ..Default::default()
        };
        assert_eq!(price_for_lot(&priced, "only", 1), Some(720_000));
        // A missing or negative price reads as 0, which ranking refuses.
        assert_eq!(price_for_lot(&BidContent::default(), "only", 1), Some(0));
        assert_eq!(price_for_lot(&BidContent { total_price: money(-1), ..Default::default() }, "only", 1), Some(0));
    }

    #[test]
    fn criteria_must_weigh_100_with_known_kinds_and_scales() {
        let criterion = |id: &str, kind: CriterionKind, weight: i32, max_score: i32| Criterion {
            id: id.into(),
            name: format!("C {id}"),
            kind: kind.into(),
            weight,
            max_score,
            ..Default::default()
        };
        let good = [
            criterion("p", CriterionKind::Price, 40, 0),
            criterion("q", CriterionKind::Quality, 45, 5),
            criterion("s", CriterionKind::SocialValue, 15, 5),
            criterion("f", CriterionKind::PassFail, 0, 0),
        ];
        assert_eq!(parse_criteria(&good).map(|criteria| criteria.len()), Ok(4));

        let light = [criterion("p", CriterionKind::Price, 40, 0), criterion("q", CriterionKind::Quality, 45, 5)];
        assert_eq!(
            parse_criteria(&light),
            Err(vec!["the price, quality and social value weights add up to 85, not 100".to_string()])
        );

        let bad = [
            criterion("p", CriterionKind::Price, 40, 0),
            criterion("p", CriterionKind::Price, 10, 0),
            criterion("q", CriterionKind::Quality, 50, 0),
            criterion("u", CriterionKind::Unspecified, 0, 0),
            criterion("f", CriterionKind::PassFail, 5, 0),
            criterion("s", CriterionKind::SocialValue, 0, 5),
        ];
        let problems = parse_criteria(&bad).expect_err("bad criteria");
        assert_eq!(
            problems,
            vec![
                "criterion id p is used by more than one criterion".to_string(),
                "criterion \"C q\" (q) has maximum score 0: quality and social value scales run from 1 to 100".into(),
                "criterion \"C u\" (u) has no kind: give price, quality, social value or pass/fail".into(),
                "pass/fail criterion \"C f\" (f) has weight 5: pass/fail criteria have weight 0".into(),
                "criterion \"C s\" (s) has weight 0: price, quality and social value weights run from 1 to 100".into(),
            ]
        );

        let two_prices = [criterion("p1", CriterionKind::Price, 40, 0), criterion("p2", CriterionKind::Price, 60, 0)];
        assert_eq!(
            parse_criteria(&two_prices),
            Err(vec!["the tender has 2 price criteria: at most one is allowed".to_string()])
        );
    }
}
