//! UK dates. Times travel as UTC, but "valid today", "expires on" and deadlines are read in
//! Europe/London, where an hour after midnight UTC in summer is already the next day.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// Today's date in the UK.
pub fn london_today() -> NaiveDate {
    london_date(Utc::now())
}

/// The UK date at `time`.
pub fn london_date(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&London).date_naive()
}

/// The UK time and date at `time`, as GOV.UK writes them: "5pm on 31 March 2027",
/// "9:30am on 1 April 2027".
pub fn london_time_and_date(time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&London);
    let clock = if local.format("%M").to_string() == "00" { local.format("%-I%P") } else { local.format("%-I:%M%P") };
    format!("{clock} on {}", local.format("%-d %B %Y"))
}

/// The moment of `time` on `date` in the UK, as a form gives a deadline; `None` for a time the
/// clocks skip when they go forward (an hour that happens twice is its first).
pub fn london_moment(date: NaiveDate, time: chrono::NaiveTime) -> Option<DateTime<Utc>> {
    date.and_time(time).and_local_timezone(London).earliest().map(|local| local.with_timezone(&Utc))
}

/// The UK date and clock time at `time`, as a form shows a deadline to change.
pub fn london_local(time: DateTime<Utc>) -> chrono::NaiveDateTime {
    time.with_timezone(&London).naive_local()
}

/// A wire timestamp as UTC time; `None` when it is out of range or its nanoseconds are invalid.
pub fn from_timestamp(timestamp: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(timestamp.seconds, u32::try_from(timestamp.nanos).ok()?)
}

/// A database time as a protobuf timestamp.
pub fn to_timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: time.timestamp(),
        nanos: i32::try_from(time.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summer_night_after_midnight_utc_is_already_tomorrow_in_the_uk() {
        let time = DateTime::parse_from_rfc3339("2026-06-30T23:30:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(london_date(time), NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"));
        let winter = DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(london_date(winter), NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"));
    }

    #[test]
    fn times_are_written_as_gov_uk_writes_them_in_uk_time() {
        let summer = DateTime::parse_from_rfc3339("2027-03-31T16:00:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(london_time_and_date(summer), "5pm on 31 March 2027");
        let winter = DateTime::parse_from_rfc3339("2027-01-04T09:30:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(london_time_and_date(winter), "9:30am on 4 January 2027");
    }

    #[test]
    fn a_deadline_typed_in_uk_time_is_its_moment_in_utc() {
        let date = |month, day| NaiveDate::from_ymd_opt(2027, month, day).expect("date");
        let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("time");
        assert_eq!(
            london_moment(date(7, 1), noon).map(|time| time.to_rfc3339()).as_deref(),
            Some("2027-07-01T11:00:00+00:00")
        );
        assert_eq!(
            london_moment(date(1, 4), noon).map(|time| time.to_rfc3339()).as_deref(),
            Some("2027-01-04T12:00:00+00:00")
        );
        let skipped = chrono::NaiveTime::from_hms_opt(1, 30, 0).expect("time");
        assert_eq!(london_moment(date(3, 28), skipped), None, "the clocks go forward at 1am on 28 March 2027");
    }
}
