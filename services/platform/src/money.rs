//! Amounts of money in whole pence, as the contracts carry them (commissioning.common.v1.Money), and
//! the one way they are written for people: "GBP 2,000,000", with pence shown only when the amount is
//! not whole pounds ("GBP 1,234.50"). Never a float.

use std::fmt;

use crate::FieldViolation;
use proto::commissioning::common::v1::Money;

/// An amount of money in pence, never negative, in GBP (the only currency the contracts accept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pence(u64);

impl Pence {
    pub const fn new(pence: u64) -> Self {
        Self(pence)
    }

    /// Whole pounds: `Pence::pounds(5_000_000)` is GBP 5,000,000.
    pub const fn pounds(pounds: u64) -> Self {
        Self(pounds.saturating_mul(100))
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The amount at `path` of a request: pence 0 or more, currency GBP (empty is read as GBP). The
    /// VAT flag is not kept: insurance cover ignores it.
    pub fn parse(money: &Money, path: &str) -> Result<Self, Vec<FieldViolation>> {
        crate::validation::gbp_pence(money, path).map(Self)
    }

    /// The amount of `money` with VAT included, for comparing with thresholds (which include VAT):
    /// an amount without VAT is grossed up at the standard rate, `vat_basis_points` (2000 is 20%),
    /// rounding half a penny up.
    pub fn vat_inclusive(money: &Money, vat_basis_points: u64) -> Self {
        let pence = u64::try_from(money.amount_pence).unwrap_or(0);
        if money.vat_included {
            return Self(pence);
        }
        let gross = u128::from(pence) * u128::from(10_000 + vat_basis_points);
        Self(u64::try_from(gross.div_ceil(10_000)).unwrap_or(u64::MAX))
    }

    /// The amount on the wire, in GBP, with VAT not included (cover has no VAT).
    pub fn to_proto(self) -> Money {
        Money {
            amount_pence: i64::try_from(self.0).unwrap_or(i64::MAX),
            currency: "GBP".to_owned(),
            vat_included: false,
        }
    }
}

impl fmt::Display for Pence {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pounds, pence) = (self.0 / 100, self.0 % 100);
        write!(formatter, "GBP {}", group_thousands(pounds))?;
        if pence != 0 {
            write!(formatter, ".{pence:02}")?;
        }
        Ok(())
    }
}

/// "2000000" as "2,000,000".
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_in_pounds_with_pence_only_when_not_whole() {
        let cases = [
            (0, "GBP 0"),
            (5, "GBP 0.05"),
            (100, "GBP 1"),
            (99_999, "GBP 999.99"),
            (100_000, "GBP 1,000"),
            (123_450, "GBP 1,234.50"),
            (200_000_000, "GBP 2,000,000"),
            (500_000_000, "GBP 5,000,000"),
            (1_000_000_000, "GBP 10,000,000"),
            (12_345_678_901, "GBP 123,456,789.01"),
            (u64::MAX, "GBP 184,467,440,737,095,516.15"),
        ];
        for (pence, written) in cases {
            assert_eq!(Pence::new(pence).to_string(), written, "{pence} pence");
        }
        assert_eq!(Pence::pounds(5_000_000), Pence::new(500_000_000));
    }

    #[test]
    fn money_is_pence_zero_or_more_in_gbp() {
        let money =
            |amount_pence, currency: &str| Money { amount_pence, currency: currency.into(), vat_included: true };
        assert_eq!(Pence::parse(&money(500_000_000, "GBP"), "m"), Ok(Pence::pounds(5_000_000)));
        assert_eq!(Pence::parse(&money(0, ""), "m"), Ok(Pence::new(0)));
        assert_eq!(Pence::parse(&money(1, " GBP "), "m"), Ok(Pence::new(1)));
        let fields = |result: Result<Pence, Vec<FieldViolation>>| -> Vec<String> {
            result.expect_err("refused").into_iter().map(|violation| violation.field).collect()
        };
        assert_eq!(fields(Pence::parse(&money(-1, "GBP"), "m")), ["m.amount_pence"]);
        assert_eq!(fields(Pence::parse(&money(100, "EUR"), "m")), ["m.currency"]);
        assert_eq!(fields(Pence::parse(&money(-5, "usd"), "m")), ["m.amount_pence", "m.currency"]);
    }

    #[test]
    fn thresholds_compare_amounts_with_vat_included() {
        let money = |amount_pence, vat_included| Money { amount_pence, currency: "GBP".into(), vat_included };
        assert_eq!(Pence::vat_inclusive(&money(3_000_000, true), 2000), Pence::pounds(30_000));
        assert_eq!(Pence::vat_inclusive(&money(2_500_000, false), 2000), Pence::pounds(30_000));
        assert_eq!(Pence::vat_inclusive(&money(1, false), 2000), Pence::new(2), "1.2p rounds up");
        assert_eq!(Pence::vat_inclusive(&money(-1, false), 2000), Pence::new(0));
    }

    #[test]
    fn the_wire_form_is_gbp_without_vat() {
        let money = Pence::pounds(2_000_000).to_proto();
        assert_eq!((money.amount_pence, money.currency.as_str(), money.vat_included), (200_000_000, "GBP", false));
        assert_eq!(Pence::new(u64::MAX).to_proto().amount_pence, i64::MAX);
    }
}
