//! A service's regular sessions ("every Tuesday 10:00 to 12:00", "the first Friday of each month"),
//! commissioning.providers.v1.RegularSchedule, checked once: a weekday, real clock times with the
//! session opening before it closes, and a repeat that the Open Referral UK export can state. The
//! contract's defaults (unspecified frequency is weekly, interval 0 is 1) are applied here, so the
//! rest of the service never sees them.

use std::fmt;

use platform::FieldViolation;
use proto::commissioning::providers::v1::{RegularSchedule, ScheduleFrequency, TimeOfDay, Weekday};

use platform::validation::{Invalid, Violations, field, known_enum, optional_text, required_enum};

const DESCRIPTION_MAX: usize = 200;
const LOCATION_ID_MAX: usize = 100;
const WEEKDAYS: &str = "WEEKDAY_MONDAY to WEEKDAY_SUNDAY";
const FREQUENCIES: &str = "SCHEDULE_FREQUENCY_WEEKLY or SCHEDULE_FREQUENCY_MONTHLY";

/// A wall-clock time of day in Europe/London, 00:00 to 23:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    hours: u8,
    minutes: u8,
}

impl LocalTime {
    /// Checks hours 0 to 23 and minutes 0 to 59, naming "hours" or "minutes" under `path`.
    pub fn parse(time: &TimeOfDay, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let hours = v.check(field(path, "hours"), in_range(time.hours, 23, "hours"));
        let minutes = v.check(field(path, "minutes"), in_range(time.minutes, 59, "minutes"));
        v.finish(|| Some(Self { hours: hours?, minutes: minutes? }))
    }

    pub fn hours(self) -> u8 {
        self.hours
    }

    pub fn minutes(self) -> u8 {
        self.minutes
    }

    pub fn to_proto(self) -> TimeOfDay {
        TimeOfDay { hours: self.hours.into(), minutes: self.minutes.into() }
    }
}

impl fmt::Display for LocalTime {
    /// "09:30", as Open Referral UK's opens_at and closes_at want it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:02}:{:02}", self.hours, self.minutes)
    }
}

/// Which weekday of the month a monthly session falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeekOfMonth {
    /// The first to fourth such weekday, 1 to 4.
    Nth(u8),
    /// The last such weekday.
    Last,
}

impl WeekOfMonth {
    fn parse(value: i32) -> Result<Self, Invalid> {
        if value == -1 {
            return Ok(Self::Last);
        }
        u8::try_from(value).ok().filter(|week| (1..=4).contains(week)).map(Self::Nth).ok_or_else(|| {
            Invalid::new(format!(
                "{value} is not a week of the month: give 1 to 4 for the first to fourth, or -1 for the last"
            ))
        })
    }

    fn to_proto(self) -> i32 {
        match self {
            Self::Nth(week) => week.into(),
            Self::Last => -1,
        }
    }
}

/// How a session repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repeat {
    /// Every `weeks` weeks (1 or more) on the weekday.
    Weekly { weeks: u32 },
    /// Every `months` months (1 or more), on the `week`-th weekday of the month.
    Monthly { months: u32, week: WeekOfMonth },
}

/// A validated regular session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Schedule {
    weekday: Weekday,
    opens_at: LocalTime,
    closes_at: LocalTime,
    repeat: Repeat,
    description: String,
    location_id: String,
}

impl Schedule {
    /// Parses the schedule at `path` (for example "service.schedules[0]"), naming each bad field.
    pub fn parse(schedule: &RegularSchedule, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let weekday = v.check(field(path, "weekday"), required_enum(schedule.weekday, WEEKDAYS));
        let opens_at = v.nested(required_time(schedule.opens_at.as_ref(), &field(path, "opens_at")));
        let closes_at = v.nested(required_time(schedule.closes_at.as_ref(), &field(path, "closes_at")));
        if let (Some(opens), Some(closes)) = (opens_at, closes_at)
            && opens >= closes
        {
            v.add(FieldViolation::new(field(path, "closes_at"), format!("{closes} is not after opens_at {opens}")));
        }
        let repeat = v.nested(parse_repeat(schedule, path));
        let description = v.check(field(path, "description"), optional_text(&schedule.description, DESCRIPTION_MAX));
        let location_id = v.check(field(path, "location_id"), optional_text(&schedule.location_id, LOCATION_ID_MAX));
        v.finish(|| {
            Some(Self {
                weekday: weekday?,
                opens_at: opens_at?,
                closes_at: closes_at?,
                repeat: repeat?,
                description: description?,
                location_id: location_id?,
            })
        })
    }

    pub fn weekday(&self) -> Weekday {
        self.weekday
    }

    pub fn opens_at(&self) -> LocalTime {
        self.opens_at
    }

    /// Always after [`Schedule::opens_at`].
    pub fn closes_at(&self) -> LocalTime {
        self.closes_at
    }

    pub fn repeat(&self) -> Repeat {
        self.repeat
    }

    /// Empty when not given.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The location the session runs at; empty when it has no fixed one or the service has one.
    pub fn location_id(&self) -> &str {
        &self.location_id
    }

    pub fn to_proto(&self) -> RegularSchedule {
        let (frequency, interval, week_of_month) = match self.repeat {
            Repeat::Weekly { weeks } => (ScheduleFrequency::Weekly, weeks, 0),
            Repeat::Monthly { months, week } => (ScheduleFrequency::Monthly, months, week.to_proto()),
        };
        RegularSchedule {
            weekday: self.weekday.into(),
            opens_at: Some(self.opens_at.to_proto()),
            closes_at: Some(self.closes_at.to_proto()),
            frequency: frequency.into(),
            interval: i32::try_from(interval).unwrap_or(i32::MAX),
            week_of_month,
            description: self.description.clone(),
            location_id: self.location_id.clone(),
        }
    }
}

fn required_time(time: Option<&TimeOfDay>, path: &str) -> Result<LocalTime, Vec<FieldViolation>> {
    match time {
        Some(time) => LocalTime::parse(time, path),
        None => Err(vec![FieldViolation::new(path, "required: give hours (0 to 23) and minutes (0 to 59)")]),
    }
}

fn in_range(value: i32, max: u8, unit: &str) -> Result<u8, Invalid> {
    u8::try_from(value)
        .ok()
        .filter(|value| *value <= max)
        .ok_or_else(|| Invalid::new(format!("{value} is not 0 to {max} {unit}")))
}

/// Unspecified frequency is weekly and interval 0 is 1; the week of the month counts only for
/// monthly sessions.
fn parse_repeat(schedule: &RegularSchedule, path: &str) -> Result<Repeat, Vec<FieldViolation>> {
    let mut v = Violations::new();
    let frequency = v.check(field(path, "frequency"), known_enum(schedule.frequency, FREQUENCIES));
    let interval = v.check(field(path, "interval"), parse_interval(schedule.interval));
    let repeat = match frequency {
        Some(ScheduleFrequency::Unspecified | ScheduleFrequency::Weekly) => {
            interval.map(|weeks| Repeat::Weekly { weeks })
        }
        Some(ScheduleFrequency::Monthly) => {
            let week = v.check(field(path, "week_of_month"), WeekOfMonth::parse(schedule.week_of_month));
            interval.zip(week).map(|(months, week)| Repeat::Monthly { months, week })
        }
        None => None,
    };
    v.finish(|| repeat)
}

fn parse_interval(interval: i32) -> Result<u32, Invalid> {
    match u32::try_from(interval) {
        Ok(0) => Ok(1),
        Ok(interval) => Ok(interval),
        Err(_) => {
            Err(Invalid::new(format!("{interval} is not a number of weeks or months: give 1 or more, or 0 for 1")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(hours: i32, minutes: i32) -> Option<TimeOfDay> {
        Some(TimeOfDay { hours, minutes })
    }

    fn tuesday_morning() -> RegularSchedule {
        RegularSchedule {
            weekday: Weekday::Tuesday.into(),
            opens_at: time(10, 0),
            closes_at: time(12, 30),
            description: " except bank holidays ".into(),
            ..RegularSchedule::default()
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    #[test]
    fn a_weekly_session_gets_the_contract_defaults() {
        let schedule = Schedule::parse(&tuesday_morning(), "s").expect("valid schedule");
        assert_eq!(schedule.repeat(), Repeat::Weekly { weeks: 1 });
        assert_eq!(
            (schedule.opens_at().to_string(), schedule.closes_at().to_string()),
            ("10:00".into(), "12:30".into())
        );
        assert_eq!(schedule.description(), "except bank holidays");
        let proto = schedule.to_proto();
        assert_eq!((proto.frequency, proto.interval), (ScheduleFrequency::Weekly.into(), 1));
        assert_eq!(Schedule::parse(&proto, "s"), Ok(schedule));
    }

    #[test]
    fn monthly_sessions_name_their_week() {
        let first_friday = RegularSchedule {
            weekday: Weekday::Friday.into(),
            frequency: ScheduleFrequency::Monthly.into(),
            week_of_month: 1,
            interval: 2,
            ..tuesday_morning()
        };
        let schedule = Schedule::parse(&first_friday, "s").expect("valid");
        assert_eq!(schedule.repeat(), Repeat::Monthly { months: 2, week: WeekOfMonth::Nth(1) });
        let last = RegularSchedule { week_of_month: -1, ..first_friday.clone() };
        assert_eq!(
            Schedule::parse(&last, "s").map(|s| s.repeat()),
            Ok(Repeat::Monthly { months: 2, week: WeekOfMonth::Last })
        );
        for week in [0, 5, -2] {
            let bad = RegularSchedule { week_of_month: week, ..first_friday.clone() };
            assert_eq!(fields(&Schedule::parse(&bad, "s").expect_err("bad week")), ["s.week_of_month"], "{week}");
        }
        let weekly_ignores_week = RegularSchedule { week_of_month: 9, ..tuesday_morning() };
        assert!(Schedule::parse(&weekly_ignores_week, "s").is_ok());
    }

    #[test]
    fn times_must_be_real_and_in_order() {
        for (opens, closes) in [((0, 0), (23, 59)), ((9, 59), (10, 0))] {
            let good = RegularSchedule {
                opens_at: time(opens.0, opens.1),
                closes_at: time(closes.0, closes.1),
                ..tuesday_morning()
            };
            assert!(Schedule::parse(&good, "s").is_ok(), "{opens:?} to {closes:?}");
        }
        let cases = [
            (time(24, 0), time(12, 0), vec!["s.opens_at.hours"]),
            (time(10, 60), time(12, 0), vec!["s.opens_at.minutes"]),
            (time(-1, -1), time(12, 0), vec!["s.opens_at.hours", "s.opens_at.minutes"]),
            (time(12, 0), time(12, 0), vec!["s.closes_at"]),
            (time(14, 0), time(12, 0), vec!["s.closes_at"]),
            (None, None, vec!["s.opens_at", "s.closes_at"]),
        ];
        for (opens_at, closes_at, expected) in cases {
            let bad = RegularSchedule { opens_at, closes_at, ..tuesday_morning() };
            assert_eq!(fields(&Schedule::parse(&bad, "s").expect_err("bad times")), expected);
        }
    }

    #[test]
    fn other_bad_fields_are_named() {
        let bad = RegularSchedule {
            weekday: 0,
            frequency: 7,
            interval: -1,
            description: "x".repeat(201),
            location_id: "y".repeat(101),
            ..tuesday_morning()
        };
        let expected = ["s.weekday", "s.frequency", "s.interval", "s.description", "s.location_id"];
        assert_eq!(fields(&Schedule::parse(&bad, "s").expect_err("bad schedule")), expected);
        let unknown_day = RegularSchedule { weekday: 8, ..tuesday_morning() };
        assert_eq!(fields(&Schedule::parse(&unknown_day, "s").expect_err("no day 8")), ["s.weekday"]);
    }
}
