//! Ranking one lot: score every bid (see [`super::scoring`]), order the bids that did not fail by total
//! descending, and break equal totals by the tender's rule, saying in each tied bid's
//! `tie_break_note` which step decided its place.
//!
//! The one rule, `TIE_BREAK_RULE_HIGHER_QUALITY_THEN_EARLIER_SUBMISSION` (UNSPECIFIED reads as it):
//! the higher quality total (quality and social value weighted hundredths together) ranks higher;
//! if still equal, the bid received earlier; if received at the same instant too, the bids keep a
//! stable order by bid id and the note says so. Failed bids follow the ranked ones with rank 0, in
//! the same order, without notes.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;
use platform::dates::long_date;
use proto::commissioning::evaluation::v1::{LotResult, RankedBid};
use proto::commissioning::tendering::v1::{Criterion, TieBreakRule};

use super::scoring::{BidInput, check_bid, fail_reason, parse_criteria, points, score_bid};

/// A scored bid with its receive time, which the ranking needs and the message does not carry.
struct Scored {
    bid: RankedBid,
    received: DateTime<Utc>,
}

/// Ranks the bids on one lot. Criteria as on the tender; `bids` are those that bid for the lot, each
/// priced for it (see [`super::price_for_lot`]). Bids that failed a pass/fail criterion get rank 0,
/// come last and do not set the lowest price. `recommended_bid_id` is rank 1's bid, empty when none.
///
/// Errors, as plain-English problems, all of them at once: criteria that cannot be scored (weights
/// not adding to 100, an unknown kind, a scale outside 1 to 100, more than one price criterion), a
/// bid listed twice, a quality, social value or pass/fail criterion with no moderated outcome for a
/// bid (naming the bid and the criterion), a score above the criterion's maximum, a score given for
/// pass/fail or a pass/fail for a scored criterion, and a price of 0 when price is scored.
pub fn rank_lot(
    lot_id: &str,
    criteria: &[Criterion],
    tie_break: TieBreakRule,
    bids: &[BidInput],
) -> Result<LotResult, Vec<String>> {
    let criteria = parse_criteria(criteria)?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for bid in bids {
        if !seen.insert(bid.bid_id.as_str()) {
            problems.push(format!("bid {} is listed more than once for lot {lot_id}", bid.bid_id));
        }
        problems.extend(check_bid(lot_id, &criteria, bid));
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let failed: Vec<bool> = bids.iter().map(|bid| fail_reason(&criteria, bid).is_some()).collect();
    let lowest = bids.iter().zip(&failed).filter(|(_, failed)| !**failed).map(|(bid, _)| bid.price_pence).min();
    let (mut ranked, mut unranked): (Vec<Scored>, Vec<Scored>) = bids
        .iter()
        .map(|bid| Scored { bid: score_bid(&criteria, bid, lowest), received: bid.received })
        .partition(|scored| !scored.bid.failed);

    let order = match tie_break {
        TieBreakRule::Unspecified | TieBreakRule::HigherQualityThenEarlierSubmission => {
            higher_quality_then_earlier_submission
        }
    };
    ranked.sort_by(order);
    unranked.sort_by(order);
    note_ties(&mut ranked);
    for (place, scored) in ranked.iter_mut().enumerate() {
        scored.bid.rank = i32::try_from(place + 1).unwrap_or(i32::MAX);
    }

    let recommended_bid_id = ranked.first().map(|scored| scored.bid.bid_id.clone()).unwrap_or_default();
    Ok(LotResult {
        lot_id: lot_id.to_string(),
        ranking: ranked.into_iter().chain(unranked).map(|scored| scored.bid).collect(),
        recommended_bid_id,
    })
}

/// Best first: higher total, then higher quality total, then received earlier, then bid id.
fn higher_quality_then_earlier_submission(a: &Scored, b: &Scored) -> Ordering {
    b.bid
        .total_score_hundredths
        .cmp(&a.bid.total_score_hundredths)
        .then_with(|| b.bid.quality_score_hundredths.cmp(&a.bid.quality_score_hundredths))
        .then_with(|| a.received.cmp(&b.received))
        .then_with(|| a.bid.bid_id.cmp(&b.bid.bid_id))
}

/// Writes the tie-break note on every bid whose total equals a neighbour's, for example
/// "equal total 64.00; ahead of rank 2 on quality: 39.00 against 24.00". Each note compares the bid
/// with the tied bid just above it (if any) and the one just below it (if any). `ranked` is sorted.
fn note_ties(ranked: &mut [Scored]) {
    let mut start = 0;
    while start < ranked.len() {
        let total = ranked[start].bid.total_score_hundredths;
        let end =
            start + ranked[start..].iter().take_while(|scored| scored.bid.total_score_hundredths == total).count();
        if end - start > 1 {
            for place in start..end {
                let mut clauses = vec![format!("equal total {}", points(total))];
                if place > start {
                    clauses.push(compare(&ranked[place], &ranked[place - 1], place, false));
                }
                if place + 1 < end {
                    clauses.push(compare(&ranked[place], &ranked[place + 1], place + 2, true));
                }
                ranked[place].bid.tie_break_note = clauses.join("; ");
            }
        }
        start = end;
    }
}

/// Why `this` is placed ahead of (or behind) `other`, whose rank is `other_rank`, their totals equal.
fn compare(this: &Scored, other: &Scored, other_rank: usize, ahead: bool) -> String {
    let (mine, theirs) = (this.bid.quality_score_hundredths, other.bid.quality_score_hundredths);
    if mine != theirs {
        let (mine, theirs) = (points(mine), points(theirs));
        return if ahead {
            format!("ahead of rank {other_rank} on quality: {mine} against {theirs}")
        } else {
            format!("behind rank {other_rank} on quality: {mine} against {theirs}")
        };
    }
    let quality = points(mine);
    if this.received != other.received {
        let (mine, theirs) = distinct_times(this.received, other.received);
        return if ahead {
            format!("equal quality {quality}, received earlier than rank {other_rank}: {mine} against {theirs}")
        } else {
            format!("equal quality {quality}, received later than rank {other_rank}: {mine} against {theirs}")
        };
    }
    let time = this.received.with_timezone(&London).format("%H:%M");
    let placed = if ahead { "ahead of" } else { "behind" };
    format!(
        "equal quality {quality} and received at the same time as rank {other_rank} ({time}): placed {placed} it by \
         bid id"
    )
}

/// Two receive times in UK time, as briefly as tells them apart: "10:02" and "10:15", with seconds or
/// fractions only when the minutes are the same, and the date when the days differ.
fn distinct_times(a: DateTime<Utc>, b: DateTime<Utc>) -> (String, String) {
    let (a, b) = (a.with_timezone(&London), b.with_timezone(&London));
    if a.date_naive() != b.date_naive() {
        let show =
            |time: &DateTime<chrono_tz::Tz>| format!("{} on {}", time.format("%H:%M"), long_date(time.date_naive()));
        return (show(&a), show(&b));
    }
    for format in ["%H:%M", "%H:%M:%S", "%H:%M:%S%.3f", "%H:%M:%S%.9f", "%H:%M:%S%.9f %Z"] {
        let (a, b) = (a.format(format).to_string(), b.format(format).to_string());
        if a != b {
            return (a, b);
        }
    }
    (a.format("%H:%M").to_string(), b.format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::Money;
    use proto::commissioning::evaluation::v1::{CriterionResult, PassFailOutcome};
    use proto::commissioning::tendering::v1::{BidContent, CriterionKind, LotPrice};

    use super::*;
    use crate::domain::{Outcome, price_for_lot};

    const POUND: u64 = 100;

    fn criterion(id: &str, name: &str, kind: CriterionKind, weight: i32, max_score: i32) -> Criterion {
        Criterion { id: id.into(), name: name.into(), kind: kind.into(), weight, max_score, ..Default::default() }
    }

    /// Price 40, quality 45 (out of 5), social value 15 (out of 5).
    fn criteria() -> Vec<Criterion> {
        vec![
            criterion("price", "Price", CriterionKind::Price, 40, 0),
            criterion("quality", "Reaching isolated people", CriterionKind::Quality, 45, 5),
            criterion("social", "Local volunteering", CriterionKind::SocialValue, 15, 5),
        ]
    }

    /// The same with a pass/fail safeguarding criterion.
    fn criteria_with_safeguarding() -> Vec<Criterion> {
        let mut criteria = criteria();
        criteria.push(criterion("safeguarding", "Safeguarding policy", CriterionKind::PassFail, 0, 0));
        criteria
    }

    /// A UTC time on 15 June 2026, when the UK is on BST (UTC+1): `at(9, 2)` is 10:02 in London.
    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-06-15T{hour:02}:{minute:02}:00Z"))
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn bid(id: &str, pounds: u64, received: DateTime<Utc>, outcomes: &[(&str, Outcome)]) -> BidInput {
        BidInput {
            bid_id: id.into(),
            provider_id: format!("provider-{id}"),
            provider_name: format!("Provider {id}"),
            price_pence: pounds * POUND,
            received,
            outcomes: outcomes.iter().map(|(criterion, outcome)| (criterion.to_string(), outcome.clone())).collect(),
            evidence_all_met: true,
        }
    }

    /// A bid scored `quality` and `social` out of 5.
    fn scored(id: &str, pounds: u64, received: DateTime<Utc>, quality: u32, social: u32) -> BidInput {
        bid(id, pounds, received, &[("quality", Outcome::Score(quality)), ("social", Outcome::Score(social))])
    }

    fn rank(criteria: &[Criterion], bids: &[BidInput]) -> LotResult {
        rank_lot("lot-1", criteria, TieBreakRule::Unspecified, bids).unwrap_or_else(|problems| panic!("{problems:?}"))
    }

    fn order(result: &LotResult) -> Vec<(&str, i32)> {
        result.ranking.iter().map(|bid| (bid.bid_id.as_str(), bid.rank)).collect()
    }

    fn find<'a>(result: &'a LotResult, bid_id: &str) -> &'a RankedBid {
        result.ranking.iter().find(|bid| bid.bid_id == bid_id).unwrap_or_else(|| panic!("{bid_id} not ranked"))
    }

    fn totals(result: &LotResult) -> Vec<(&str, i32, i32, i32)> {
        result
            .ranking
            .iter()
            .map(|bid| {
                (
                    bid.bid_id.as_str(),
                    bid.price_score_hundredths,
                    bid.quality_score_hundredths,
                    bid.total_score_hundredths,
                )
            })
            .collect()
    }

    #[test]
    fn three_bids_are_scored_exactly_and_ranked_by_total() {
        // Price 40, quality 45 (out of 5), social value 15 (out of 5).
        //   A: GBP 7,200, quality 4, social 3.  B: GBP 7,500, quality 3, social 4.  C: GBP 9,000, quality 5, social 2.
        // Lowest price GBP 7,200 (720,000 pence).
        //   A price   720,000 / 720,000 x 40 = 40.00    quality 4/5 x 45 = 36.00  social 3/5 x 15 =  9.00  total 85.00
        //   B price   720,000 / 750,000 x 40 = 38.40    quality 3/5 x 45 = 27.00  social 4/5 x 15 = 12.00  total 77.40
        //   C price   720,000 / 900,000 x 40 = 32.00    quality 5/5 x 45 = 45.00  social 2/5 x 15 =  6.00  total 83.00
        // Ranking: A 85.00, C 83.00, B 77.40.
        let bids = [
            scored("a", 7_200, at(9, 0), 4, 3),
            scored("b", 7_500, at(9, 5), 3, 4),
            scored("c", 9_000, at(9, 10), 5, 2),
        ];
        let result = rank(&criteria(), &bids);
        assert_eq!(order(&result), [("a", 1), ("c", 2), ("b", 3)]);
        assert_eq!(totals(&result), [("a", 4000, 4500, 8500), ("c", 3200, 5100, 8300), ("b", 3840, 3900, 7740)]);
        assert_eq!(result.recommended_bid_id, "a");
        assert_eq!(result.lot_id, "lot-1");
        let b = find(&result, "b");
        assert_eq!(
            b.criterion_results,
            [
                CriterionResult {
                    criterion_id: "price".into(),
                    score: 0,
                    pass_fail: PassFailOutcome::Unspecified.into(),
                    weighted_score_hundredths: 3840
                },
                CriterionResult {
                    criterion_id: "quality".into(),
                    score: 3,
                    pass_fail: PassFailOutcome::Unspecified.into(),
                    weighted_score_hundredths: 2700
                },
                CriterionResult {
                    criterion_id: "social".into(),
                    score: 4,
                    pass_fail: PassFailOutcome::Unspecified.into(),
                    weighted_score_hundredths: 1200
                },
            ]
        );
        assert_eq!(points(b.total_score_hundredths), "77.40");
        assert_eq!((b.provider_id.as_str(), b.provider_name.as_str()), ("provider-b", "Provider b"));
        assert!(b.evidence_all_met && !b.failed && b.fail_reason.is_empty());
        assert!(result.ranking.iter().all(|bid| bid.tie_break_note.is_empty()), "no ties, no notes");
    }

    #[test]
    fn a_tie_on_total_is_broken_by_higher_quality() {
        // X: GBP 10,000 (lowest), quality 2, social 2:  price 40.00 + quality 18.00 + social 6.00 = 64.00, quality 24.00
        // Y: GBP 16,000, quality 3, social 4:  price 1,000,000 / 1,600,000 x 40 = 25.00
        //                                      + quality 27.00 + social 12.00 = 64.00, quality 39.00
        // Z: GBP 20,000, quality 1, social 1:  price 20.00 + 9.00 + 3.00 = 32.00
        // X and Y tie on 64.00; Y is ahead on quality 39.00 against 24.00, although X was received earlier.
        let bids = [
            scored("x", 10_000, at(9, 0), 2, 2),
            scored("y", 16_000, at(9, 30), 3, 4),
            scored("z", 20_000, at(8, 0), 1, 1),
        ];
        let result = rank(&criteria(), &bids);
        assert_eq!(totals(&result), [("y", 2500, 3900, 6400), ("x", 4000, 2400, 6400), ("z", 2000, 1200, 3200)]);
        assert_eq!(order(&result), [("y", 1), ("x", 2), ("z", 3)]);
        assert_eq!(
            find(&result, "y").tie_break_note,
            "equal total 64.00; ahead of rank 2 on quality: 39.00 against 24.00"
        );
        assert_eq!(
            find(&result, "x").tie_break_note,
            "equal total 64.00; behind rank 1 on quality: 24.00 against 39.00"
        );
        assert_eq!(find(&result, "z").tie_break_note, "");
        assert_eq!(result.recommended_bid_id, "y");
    }

    #[test]
    fn a_tie_on_total_and_quality_is_broken_by_earlier_submission() {
        // P and Q both GBP 8,000, quality 4, social 3: 40.00 + 36.00 + 9.00 = 85.00, quality 45.00.
        // Q was received at 10:02 UK time (09:02 UTC, BST), P at 10:15: Q ranks first although "p" < "q".
        let bids = [scored("p", 8_000, at(9, 15), 4, 3), scored("q", 8_000, at(9, 2), 4, 3)];
        let result = rank(&criteria(), &bids);
        assert_eq!(order(&result), [("q", 1), ("p", 2)]);
        assert_eq!(
            find(&result, "q").tie_break_note,
            "equal total 85.00; equal quality 45.00, received earlier than rank 2: 10:02 against 10:15"
        );
        assert_eq!(
            find(&result, "p").tie_break_note,
            "equal total 85.00; equal quality 45.00, received later than rank 1: 10:15 against 10:02"
        );
    }

    #[test]
    fn receive_times_in_the_same_minute_are_told_apart_by_seconds_and_days_by_date() {
        let early = at(9, 2);
        let later = early + chrono::Duration::seconds(40);
        assert_eq!(distinct_times(early, later), ("10:02:00".to_string(), "10:02:40".to_string()));
        let next_day = early + chrono::Duration::days(1);
        assert_eq!(
            distinct_times(early, next_day),
            ("10:02 on 15 June 2026".to_string(), "10:02 on 16 June 2026".to_string())
        );
        let millis = early + chrono::Duration::milliseconds(5);
        assert_eq!(distinct_times(early, millis), ("10:02:00.000".to_string(), "10:02:00.005".to_string()));
    }

    #[test]
    fn bids_equal_on_everything_keep_a_stable_order_by_bid_id() {
        // Same price, scores and receive time, listed in either order: "m" before "n", and the note says so.
        let time = at(9, 2);
        for bids in [
            [scored("n", 8_000, time, 4, 3), scored("m", 8_000, time, 4, 3)],
            [scored("m", 8_000, time, 4, 3), scored("n", 8_000, time, 4, 3)],
        ] {
            let result = rank(&criteria(), &bids);
            assert_eq!(order(&result), [("m", 1), ("n", 2)]);
            assert_eq!(
                find(&result, "m").tie_break_note,
                "equal total 85.00; equal quality 45.00 and received at the same time as rank 2 (10:02): placed ahead \
                 of it by bid id"
            );
            assert_eq!(
                find(&result, "n").tie_break_note,
                "equal total 85.00; equal quality 45.00 and received at the same time as rank 1 (10:02): placed \
                 behind it by bid id"
            );
        }
    }

    #[test]
    fn a_three_way_tie_notes_each_bid_against_its_tied_neighbours() {
        // All GBP 8,000 (price 40.00), so all total 85.00 with quality totals of 45.00:
        //   H: quality 5/5 x 45 = 45.00 + social 0.00, received 09:00 UK;
        //   E: quality 36.00 + social 9.00, received 10:02;  L: the same as E, received 10:15.
        // Time decides: H, E, L. E's note speaks of both neighbours.
        let bids = [
            scored("l", 8_000, at(9, 15), 4, 3),
            scored("e", 8_000, at(9, 2), 4, 3),
            scored("h", 8_000, at(8, 0), 5, 0),
        ];
        let result = rank(&criteria(), &bids);
        assert_eq!(order(&result), [("h", 1), ("e", 2), ("l", 3)]);
        assert_eq!(
            find(&result, "e").tie_break_note,
            "equal total 85.00; equal quality 45.00, received later than rank 1: 10:02 against 09:00; equal quality \
             45.00, received earlier than rank 3: 10:02 against 10:15"
        );
    }

    #[test]
    fn a_failed_pass_fail_criterion_puts_the_bid_last_with_rank_0_and_out_of_the_lowest_price() {
        // F is cheapest at GBP 6,000 but fails safeguarding. The lowest price among the others is GBP 7,200:
        //   A GBP 7,200, quality 4, social 3:  720,000 / 720,000 x 40 = 40.00 + 36.00 + 9.00 = 85.00
        //   C GBP 9,000, quality 5, social 2:  720,000 / 900,000 x 40 = 32.00 + 45.00 + 6.00 = 83.00
        // Had F's GBP 6,000 counted, A's price score would be 600,000 / 720,000 x 40 = 33.33.
        // F itself is scored as if it had not failed: 600,000 / 600,000 x 40 = 40.00 + 45.00 + 15.00 = 100.00,
        // yet it is listed last with rank 0.
        let passed = ("safeguarding", Outcome::Pass);
        let bids = [
            bid(
                "f",
                6_000,
                at(9, 0),
                &[
                    ("quality", Outcome::Score(5)),
                    ("social", Outcome::Score(5)),
                    ("safeguarding", Outcome::Fail { reason: "No safeguarding policy for adults at risk".into() }),
                ],
            ),
            bid("c", 9_000, at(9, 0), &[("quality", Outcome::Score(5)), ("social", Outcome::Score(2)), passed.clone()]),
            bid("a", 7_200, at(9, 0), &[("quality", Outcome::Score(4)), ("social", Outcome::Score(3)), passed]),
        ];
        let result = rank(&criteria_with_safeguarding(), &bids);
        assert_eq!(order(&result), [("a", 1), ("c", 2), ("f", 0)]);
        assert_eq!(totals(&result), [("a", 4000, 4500, 8500), ("c", 3200, 5100, 8300), ("f", 4000, 6000, 10_000)]);
        let f = find(&result, "f");
        assert!(f.failed);
        assert_eq!(f.fail_reason, "No safeguarding policy for adults at risk");
        assert_eq!(f.tie_break_note, "");
        let safeguarding = &f.criterion_results[3];
        assert_eq!(
            (safeguarding.criterion_id.as_str(), safeguarding.pass_fail, safeguarding.weighted_score_hundredths),
            ("safeguarding", i32::from(PassFailOutcome::Fail), 0)
        );
        assert_eq!(find(&result, "a").criterion_results[3].pass_fail, i32::from(PassFailOutcome::Pass));
        assert!(!find(&result, "a").failed && find(&result, "a").fail_reason.is_empty());
        assert_eq!(result.recommended_bid_id, "a");
    }

    #[test]
    fn when_every_bid_fails_none_is_recommended() {
        let fail = |reason: &str| {
            [
                ("quality", Outcome::Score(3)),
                ("social", Outcome::Score(3)),
                ("safeguarding", Outcome::Fail { reason: reason.into() }),
            ]
        };
        let bids = [bid("a", 7_000, at(9, 0), &fail("No policy")), bid("b", 8_000, at(9, 0), &fail("Out of date"))];
        let result = rank(&criteria_with_safeguarding(), &bids);
        assert_eq!(order(&result), [("a", 0), ("b", 0)]);
        assert_eq!(result.recommended_bid_id, "");
        // Each is scored against its own price: the full 40.00 for price.
        assert!(result.ranking.iter().all(|bid| bid.failed && bid.price_score_hundredths == 4000));
        assert_eq!(rank(&criteria(), &[]).recommended_bid_id, "");
    }

    #[test]
    fn a_bid_failing_two_criteria_gives_both_reasons() {
        let mut criteria = criteria_with_safeguarding();
        criteria.push(criterion("dbs", "DBS checks", CriterionKind::PassFail, 0, 0));
        let bids = [bid(
            "a",
            7_000,
            at(9, 0),
            &[
                ("quality", Outcome::Score(3)),
                ("social", Outcome::Score(3)),
                ("safeguarding", Outcome::Fail { reason: "No policy".into() }),
                ("dbs", Outcome::Fail { reason: " ".into() }),
            ],
        )];
        let result = rank(&criteria, &bids);
        assert_eq!(result.ranking[0].fail_reason, "No policy; failed criterion \"DBS checks\" (dbs)");
    }

    #[test]
    fn multi_lot_bids_are_ranked_only_in_the_lots_they_price() {
        // Two lots. A bids for both (GBP 5,000 for lot 1, GBP 6,000 for lot 2), B only for lot 2 (GBP 4,000),
        // C only for lot 1 (GBP 4,500). All score quality 4, social 3 (36.00 + 9.00 = 45.00).
        // Lot 1: lowest GBP 4,500.  C 40.00 + 45.00 = 85.00;  A 450,000 / 500,000 x 40 = 36.00 + 45.00 = 81.00.
        // Lot 2: lowest GBP 4,000.  B 40.00 + 45.00 = 85.00;  A 400,000 / 600,000 x 40 = 26.666... -> 26.67,
        //        + 45.00 = 71.67.
        let money =
            |pounds: i64| Some(Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: true });
        let lot = |lot_id: &str, pounds: i64| LotPrice { lot_id: lot_id.into(), price: money(pounds) };
        let contents = [
            (
                "a",
                BidContent {
                    total_price: money(11_000),
                    lot_prices: vec![lot("lot-1", 5_000), lot("lot-2", 6_000)],
                    ..Default::default()
                },
            ),
            (
                "b",
                BidContent { total_price: money(4_000), lot_prices: vec![lot("lot-2", 4_000)], ..Default::default() },
            ),
            (
                "c",
                BidContent { total_price: money(4_500), lot_prices: vec![lot("lot-1", 4_500)], ..Default::default() },
            ),
        ];
        let lot_result = |lot_id: &str| {
            let bids: Vec<BidInput> = contents
                .iter()
                .filter_map(|(id, content)| {
                    let pence = price_for_lot(content, lot_id, 2)?;
                    let mut input = scored(id, 0, at(9, 0), 4, 3);
                    input.price_pence = pence;
                    Some(input)
                })
                .collect();
            rank_lot(lot_id, &criteria(), TieBreakRule::HigherQualityThenEarlierSubmission, &bids)
                .unwrap_or_else(|problems| panic!("{problems:?}"))
        };
        let lot_1 = lot_result("lot-1");
        assert_eq!(lot_1.lot_id, "lot-1");
        assert_eq!(totals(&lot_1), [("c", 4000, 4500, 8500), ("a", 3600, 4500, 8100)]);
        assert_eq!(order(&lot_1), [("c", 1), ("a", 2)]);
        let lot_2 = lot_result("lot-2");
        assert_eq!(totals(&lot_2), [("b", 4000, 4500, 8500), ("a", 2667, 4500, 7167)]);
        assert_eq!(order(&lot_2), [("b", 1), ("a", 2)]);
        assert_eq!((lot_1.recommended_bid_id.as_str(), lot_2.recommended_bid_id.as_str()), ("c", "b"));
    }

    #[test]
    fn thirds_round_to_the_nearest_hundredth_and_the_total_adds_up_the_rounded_figures() {
        // Price 40, quality 40 (out of 3), social value 20 (out of 3).
        // Cheap: GBP 10,000, quality 3, social 3: 40.00 + 40.00 + 20.00 = 100.00.
        // Dear:  GBP 30,000, quality 2, social 0:
        //   price   1,000,000 / 3,000,000 x 40 = 13.333... -> 13.33 (1333 hundredths)
        //   quality 2 / 3 x 40 = 26.666...                 -> 26.67 (2667)
        //   social  0 / 3 x 20                             ->  0.00
        //   total   1333 + 2667 + 0 = 4000 -> 40.00 (the published figures add up exactly).
        // Middle: GBP 15,000, quality 2, social 1:
        //   price   1,000,000 / 1,500,000 x 40 = 26.666... -> 26.67 (2667)
        //   quality 2 / 3 x 40 = 26.666...                 -> 26.67 (2667)
        //   social  1 / 3 x 20 = 6.666...                  ->  6.67 (667)
        //   total   2667 + 2667 + 667 = 6001 -> 60.01, where rounding the exact 60.00 would give 60.00.
        let criteria = [
            criterion("price", "Price", CriterionKind::Price, 40, 0),
            criterion("quality", "Quality", CriterionKind::Quality, 40, 3),
            criterion("social", "Social value", CriterionKind::SocialValue, 20, 3),
        ];
        let bids = [
            scored("dear", 30_000, at(9, 0), 2, 0),
            scored("middle", 15_000, at(9, 0), 2, 1),
            scored("cheap", 10_000, at(9, 0), 3, 3),
        ];
        let result = rank(&criteria, &bids);
        assert_eq!(
            totals(&result),
            [("cheap", 4000, 6000, 10_000), ("middle", 2667, 3334, 6001), ("dear", 1333, 2667, 4000)]
        );
        assert_eq!(points(find(&result, "dear").price_score_hundredths), "13.33");
        assert_eq!(points(find(&result, "middle").total_score_hundredths), "60.01");
        for bid in &result.ranking {
            let sum: i32 = bid.criterion_results.iter().map(|result| result.weighted_score_hundredths).sum();
            assert_eq!(sum, bid.total_score_hundredths, "{}", bid.bid_id);
        }
    }

    #[test]
    fn an_exact_half_hundredth_in_a_price_score_rounds_up() {
        // Price 40, quality 60 (out of 5). Lowest GBP 10,000; the other GBP 25,600:
        //   1,000,000 / 2,560,000 x 40 = 15.625 -> 15.63 (half up), + quality 3/5 x 60 = 36.00 -> 51.63.
        let criteria = [
            criterion("price", "Price", CriterionKind::Price, 40, 0),
            criterion("quality", "Quality", CriterionKind::Quality, 60, 5),
        ];
        let bids = [
            bid("low", 10_000, at(9, 0), &[("quality", Outcome::Score(1))]),
            bid("half", 25_600, at(9, 0), &[("quality", Outcome::Score(3))]),
        ];
        let result = rank(&criteria, &bids);
        let half = find(&result, "half");
        assert_eq!((half.price_score_hundredths, half.total_score_hundredths), (1563, 5163));
        assert_eq!(points(half.total_score_hundredths), "51.63");
    }

    #[test]
    fn a_missing_score_is_an_error_naming_the_bid_and_the_criterion() {
        let bids = [
            bid("a", 7_200, at(9, 0), &[("quality", Outcome::Score(4)), ("safeguarding", Outcome::Pass)]),
            bid("b", 7_500, at(9, 0), &[("quality", Outcome::Score(3)), ("social", Outcome::Score(4))]),
        ];
        let problems = rank_lot("lot-1", &criteria_with_safeguarding(), TieBreakRule::Unspecified, &bids)
            .expect_err("missing scores");
        assert_eq!(
            problems,
            [
                "bid a (Provider a) has no moderated score for criterion \"Local volunteering\" (social)",
                "bid b (Provider b) has no moderated pass or fail for pass/fail criterion \"Safeguarding policy\" \
                 (safeguarding)",
            ]
        );
    }

    #[test]
    fn a_score_over_the_maximum_and_outcomes_of_the_wrong_sort_are_refused() {
        let bids = [
            bid(
                "a",
                7_200,
                at(9, 0),
                &[("quality", Outcome::Score(6)), ("social", Outcome::Pass), ("safeguarding", Outcome::Score(1))],
            ),
            bid(
                "b",
                0,
                at(9, 0),
                &[("quality", Outcome::Score(5)), ("social", Outcome::Score(0)), ("safeguarding", Outcome::Pass)],
            ),
            bid(
                "b",
                7_000,
                at(9, 0),
                &[("quality", Outcome::Score(5)), ("social", Outcome::Score(0)), ("safeguarding", Outcome::Pass)],
            ),
        ];
        let problems = rank_lot("lot-1", &criteria_with_safeguarding(), TieBreakRule::Unspecified, &bids)
            .expect_err("bad outcomes");
        assert_eq!(
            problems,
            [
                "bid a (Provider a) scores 6 on criterion \"Reaching isolated people\" (quality), above its maximum of 5",
                "bid a (Provider a) has a pass or fail for criterion \"Local volunteering\" (social), which is scored \
                 from 0 to 5",
                "bid a (Provider a) has a score for pass/fail criterion \"Safeguarding policy\" (safeguarding): give \
                 pass or fail",
                "bid b (Provider b) has no price above 0 for lot lot-1, so price cannot be scored",
                "bid b is listed more than once for lot lot-1",
            ]
        );
        // The top of the scale is allowed.
        let top = [scored("a", 7_200, at(9, 0), 5, 5)];
        assert_eq!(rank(&criteria(), &top).ranking[0].total_score_hundredths, 10_000);
    }

    #[test]
    fn criteria_that_cannot_be_scored_are_reported_before_any_bid() {
        let mut criteria = criteria();
        criteria[0].weight = 30;
        let problems = rank_lot("lot-1", &criteria, TieBreakRule::Unspecified, &[scored("a", 1, at(9, 0), 1, 1)])
            .expect_err("weights add to 90");
        assert_eq!(problems, ["the price, quality and social value weights add up to 90, not 100"]);
    }

    #[test]
    fn outcomes_for_price_or_unknown_criteria_are_ignored() {
        let mut input = scored("a", 7_200, at(9, 0), 4, 3);
        input.outcomes.insert("price".into(), Outcome::Score(99));
        input.outcomes.insert("withdrawn-criterion".into(), Outcome::Fail { reason: "n/a".into() });
        let result = rank(&criteria(), &[input]);
        assert_eq!(totals(&result), [("a", 4000, 4500, 8500)]);
        assert_eq!(order(&result), [("a", 1)]);
    }
}
