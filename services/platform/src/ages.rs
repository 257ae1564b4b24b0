//! The ages a service is for, as a provider's service and a council's tender both say them: a
//! youngest and an oldest age in whole years, either end open (0 on the wire means no limit).
//! Matching a tender to services asks whether their ranges overlap.

use crate::FieldViolation;
use crate::validation::{Invalid, Violations, field};

/// The oldest age anyone may give, in years.
pub const AGE_MAX: u8 = 120;

/// An age range; `None` at either end means no limit there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeRange {
    minimum: Option<u8>,
    maximum: Option<u8>,
}

impl AgeRange {
    /// `minimum_age` and `maximum_age` under `path`: each 0 to 120 (0 for no limit), and the
    /// maximum not below the minimum when both are given.
    pub fn parse(minimum_age: i32, maximum_age: i32, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let minimum = v.check(field(path, "minimum_age"), age_limit(minimum_age));
        let maximum = v.check(field(path, "maximum_age"), age_limit(maximum_age));
        if let (Some(Some(minimum)), Some(Some(maximum))) = (minimum, maximum)
            && maximum < minimum
        {
            v.add(FieldViolation::new(field(path, "maximum_age"), format!("{maximum} is below minimum_age {minimum}")));
        }
        v.finish(|| Some(Self { minimum: minimum?, maximum: maximum? }))
    }

    /// The range as stored in a message that may hold anything (an event from another service):
    /// ages beyond the limits are read as no limit, so a bad message never hides a match.
    pub fn lenient(minimum_age: i32, maximum_age: i32) -> Self {
        let limit = |age: i32| u8::try_from(age).ok().filter(|age| (1..=AGE_MAX).contains(age));
        Self { minimum: limit(minimum_age), maximum: limit(maximum_age) }
    }

    /// The youngest age; `None` for no lower limit.
    pub fn minimum(&self) -> Option<u8> {
        self.minimum
    }

    /// The oldest age; `None` for no upper limit.
    pub fn maximum(&self) -> Option<u8> {
        self.maximum
    }

    /// Whether no limit is set at either end.
    pub fn is_unlimited(&self) -> bool {
        self.minimum.is_none() && self.maximum.is_none()
    }

    /// Whether someone could be of an age both ranges serve.
    pub fn overlaps(&self, other: &Self) -> bool {
        let below =
            |minimum: Option<u8>, maximum: Option<u8>| minimum.zip(maximum).is_some_and(|(low, high)| low > high);
        !below(self.minimum, other.maximum) && !below(other.minimum, self.maximum)
    }

    /// "aged 65 and over", "aged 18 to 64", "aged up to 25"; `None` with no limit.
    pub fn in_words(&self) -> Option<String> {
        match (self.minimum, self.maximum) {
            (None, None) => None,
            (Some(minimum), None) => Some(format!("aged {minimum} and over")),
            (None, Some(maximum)) => Some(format!("aged up to {maximum}")),
            (Some(minimum), Some(maximum)) => Some(format!("aged {minimum} to {maximum}")),
        }
    }
}

fn age_limit(age: i32) -> Result<Option<u8>, Invalid> {
    let refuse = || Invalid::new(format!("{age} is not an age: give 1 to {AGE_MAX} years, or 0 for no limit"));
    let age = u8::try_from(age).ok().filter(|age| *age <= AGE_MAX).ok_or_else(refuse)?;
    Ok((age > 0).then_some(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(minimum: i32, maximum: i32) -> AgeRange {
        AgeRange::parse(minimum, maximum, "eligibility").expect("valid")
    }

    #[test]
    fn ranges_overlap_when_someone_could_be_served_by_both() {
        assert!(range(65, 0).overlaps(&range(0, 0)));
        assert!(range(65, 0).overlaps(&range(18, 0)));
        assert!(range(65, 0).overlaps(&range(50, 65)));
        assert!(!range(65, 0).overlaps(&range(11, 18)));
        assert!(!range(11, 18).overlaps(&range(65, 0)));
        assert!(range(0, 25).overlaps(&range(18, 30)));
        assert!(!range(0, 25).overlaps(&range(26, 0)));
    }

    #[test]
    fn ages_outside_0_to_120_and_a_maximum_below_the_minimum_are_refused_by_field() {
        let refused = AgeRange::parse(-1, 121, "tender.eligibility").expect_err("refused");
        let fields: Vec<&str> = refused.iter().map(|violation| violation.field.as_str()).collect();
        assert_eq!(fields, ["tender.eligibility.minimum_age", "tender.eligibility.maximum_age"]);
        let reversed = AgeRange::parse(65, 18, "eligibility").expect_err("refused");
        assert_eq!(reversed[0].field, "eligibility.maximum_age");
        assert_eq!(reversed[0].description, "18 is below minimum_age 65");
    }

    #[test]
    fn a_range_reads_in_plain_english() {
        assert_eq!(range(65, 0).in_words().as_deref(), Some("aged 65 and over"));
        assert_eq!(range(18, 64).in_words().as_deref(), Some("aged 18 to 64"));
        assert_eq!(range(0, 25).in_words().as_deref(), Some("aged up to 25"));
        assert_eq!(range(0, 0).in_words(), None);
        assert!(AgeRange::lenient(-5, 500).is_unlimited());
    }
}
