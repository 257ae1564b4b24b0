//! Calendar dates as the contracts carry them (commissioning.common.v1.Date: a day with no time or
//! zone) and the one way they are written for people in the UK: "31 January 2027", no leading zero.

use chrono::{Datelike, NaiveDate};
use proto::commissioning::common::v1::Date;

use crate::validation::Invalid;

/// The date a `Date` message names. All three fields must form a real date, years 1 to 9999.
pub fn parse_date(date: &Date) -> Result<NaiveDate, Invalid> {
    let Date { year, month, day } = *date;
    u32::try_from(month)
        .ok()
        .zip(u32::try_from(day).ok())
        .filter(|_| (1..=9999).contains(&year))
        .and_then(|(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| {
            Invalid::new(format!(
                "{year:04}-{month:02}-{day:02} is not a date: give a year from 1 to 9999, a month from 1 to 12 \
                 and a day that exists in that month"
            ))
        })
}

/// A date field that may be left unset ("no date"); when set it must be a real date.
pub fn parse_optional_date(date: Option<&Date>) -> Result<Option<NaiveDate>, Invalid> {
    date.map(parse_date).transpose()
}

/// The date on the wire.
pub fn date_to_proto(date: NaiveDate) -> Date {
    Date {
        year: date.year(),
        month: i32::try_from(date.month()).unwrap_or(0),
        day: i32::try_from(date.day()).unwrap_or(0),
    }
}

/// "31 January 2027", "3 March 2026".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    #[test]
    fn dates_are_written_day_month_year_without_a_leading_zero() {
        let cases = [
            (ymd(2027, 1, 31), "31 January 2027"),
            (ymd(2027, 2, 1), "1 February 2027"),
            (ymd(2026, 3, 3), "3 March 2026"),
            (ymd(2028, 2, 29), "29 February 2028"),
            (ymd(2026, 12, 25), "25 December 2026"),
        ];
        for (date, written) in cases {
            assert_eq!(long_date(date), written);
        }
    }

    #[test]
    fn real_dates_are_accepted_and_round_trip() {
        for (year, month, day) in [(2027, 1, 31), (2028, 2, 29), (1, 1, 1), (9999, 12, 31)] {
            let wire = Date { year, month, day };
            let date = parse_date(&wire).unwrap_or_else(|error| panic!("{wire:?}: {error}"));
            assert_eq!(date_to_proto(date), wire);
        }
        assert_eq!(parse_optional_date(None), Ok(None));
        assert_eq!(parse_optional_date(Some(&Date { year: 2027, month: 2, day: 1 })), Ok(Some(ymd(2027, 2, 1))));
    }

    #[test]
    fn impossible_dates_are_refused() {
        let cases = [(0, 0, 0), (2027, 2, 29), (2027, 4, 31), (2027, 13, 1), (2027, 0, 1), (2027, 1, 0), (0, 1, 1)];
        let more = [(10_000, 1, 1), (-1, 1, 1), (2027, -1, 1), (2027, 1, -1), (2027, 1, 32)];
        for (year, month, day) in cases.into_iter().chain(more) {
            let wire = Date { year, month, day };
            assert!(parse_date(&wire).is_err(), "{wire:?} should be refused");
        }
        let error = parse_date(&Date { year: 2027, month: 2, day: 30 }).expect_err("no 30 February");
        assert!(error.description().starts_with("2027-02-30 is not a date"), "{error}");
        assert!(parse_optional_date(Some(&Date::default())).is_err());
    }
}
