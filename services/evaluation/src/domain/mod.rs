//! Evaluation domain: the scoring and ranking rules with no I/O. Criteria weighted to 100 (price,
//! quality, social value; pass/fail with weight 0), price scored as lowest price / bid price x weight
//! and quality and social value as moderated score / max score x weight, all in integer hundredths of
//! a point with one rounding (half up, per criterion); bids that fail a pass/fail criterion are not
//! ranked; equal totals are ordered by the tender's tie-break rule, with a note saying what decided.

pub mod ranking;
pub mod scoring;

pub use ranking::rank_lot;
pub use scoring::{BidInput, Outcome, points, price_for_lot, price_hundredths, round_half_up, scored_hundredths};
