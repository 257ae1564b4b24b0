//! How a joint funding splits an amount: each funder's share in basis points of a whole in pence,
//! so that the parts add up to the whole exactly, without losing or inventing a penny.
//!
//! The rule (the largest remainder method): each funder first gets its exact share rounded down to
//! the penny; the pennies left over (fewer than the number of funders) go one each to the funders
//! whose exact shares lost the most in rounding down, and between equal losses to the funder listed
//! first. So GBP 100.00 split 1/3, 1/3, 1/3 (3333, 3333, 3334 basis points) is 33.33, 33.33, 33.34,
//! and GBP 0.01 split 50/50 is 0.01 to the first funder and nothing to the second.

/// Each share's part of `total_pence`, in the order of `shares_basis_points`. The parts add up to
/// `total_pence` whenever any share is positive; shares are taken relative to their sum, so they
/// need not add up to 10,000 (a tender's always do). With no positive share every part is 0.
pub fn split_by_shares(total_pence: i64, shares_basis_points: &[i32]) -> Vec<i64> {
    let shares: Vec<i128> = shares_basis_points.iter().map(|share| i128::from((*share).max(0))).collect();
    let whole: i128 = shares.iter().sum();
    if whole == 0 {
        return vec![0; shares.len()];
    }
    let total = i128::from(total_pence);
    // Exact share = total * share / whole: its floor and what the floor lost (in units of 1/whole).
    let exact: Vec<(i128, i128)> = shares
        .iter()
        .map(|share| (total * share).div_euclid(whole))
        .zip(shares.iter().map(|share| (total * share).rem_euclid(whole)))
        .collect();
    let mut parts: Vec<i128> = exact.iter().map(|(floor, _)| *floor).collect();
    let left_over = total - parts.iter().sum::<i128>();
    let mut by_loss: Vec<usize> = (0..parts.len()).collect();
    // Stable: equal losses keep the funders' order.
    by_loss.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1));
    for index in by_loss.into_iter().take(usize::try_from(left_over).unwrap_or(0)) {
        parts[index] += 1;
    }
    // Each part lies between 0 and the total, so it fits back into an i64.
    parts.into_iter().map(|part| i64::try_from(part).unwrap_or_default()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_60_40_funding_of_gbp_8000_is_4800_and_3200() {
        assert_eq!(split_by_shares(800_000, &[6000, 4000]), [480_000, 320_000]);
    }

    #[test]
    fn the_pennies_left_over_go_to_the_largest_losses_first() {
        assert_eq!(split_by_shares(10_000, &[3333, 3333, 3334]), [3333, 3333, 3334]);
        assert_eq!(split_by_shares(100, &[3333, 3333, 3334]), [33, 33, 34], "33.34 loses the most");
        assert_eq!(split_by_shares(1, &[5000, 5000]), [1, 0], "equal losses: the first funder listed");
        assert_eq!(split_by_shares(2, &[3333, 3333, 3334]), [1, 0, 1]);
        assert_eq!(split_by_shares(12_345, &[7500, 2500]), [9259, 3086], "9258.75 and 3086.25");
    }

    #[test]
    fn the_parts_always_add_up_to_the_whole() {
        let splits: [&[i32]; 5] =
            [&[10_000], &[1, 9999], &[3333, 3333, 3334], &[2500, 2500, 2500, 2500], &[7, 13, 9980]];
        for total in [0, 1, 2, 3, 99, 100, 101, 799_999, 800_000, 123_456_789, i64::MAX / 2] {
            for shares in splits {
                let parts = split_by_shares(total, shares);
                assert_eq!(parts.iter().sum::<i64>(), total, "{total} split {shares:?} as {parts:?}");
                assert!(parts.iter().all(|part| *part >= 0), "{parts:?}");
            }
        }
    }

    #[test]
    fn shares_are_relative_to_their_sum_and_none_positive_gives_nothing() {
        assert_eq!(split_by_shares(900, &[1, 2]), [300, 600]);
        assert_eq!(split_by_shares(900, &[0, 0]), [0, 0]);
        assert_eq!(split_by_shares(900, &[]), Vec::<i64>::new());
    }
}
