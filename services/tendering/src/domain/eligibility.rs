//! Who the service a tender buys is for: open to everyone, or the council's eligibility (ages and
//! conditions in words). Checked as a field, required to publish, and said in words for the open
//! data.

use platform::FieldViolation;
use platform::ages::AgeRange;
use platform::validation::{Violations, field, optional_text};
use proto::commissioning::tendering::v1::{Tender, TenderEligibility};

const DESCRIPTION_MAX: usize = 500;

/// Field checks on `tender.eligibility` under `path`: ages as a provider's service gives them, and
/// none beside open to everyone.
pub fn check_eligibility(v: &mut Violations, tender: &Tender, path: &str) {
    let Some(eligibility) = &tender.eligibility else { return };
    let at = field(path, "eligibility");
    v.nested(AgeRange::parse(eligibility.minimum_age, eligibility.maximum_age, &at));
    v.check(field(&at, "description"), optional_text(&eligibility.description, DESCRIPTION_MAX));
    if eligibility.open_to_everyone {
        for (name, age) in [("minimum_age", eligibility.minimum_age), ("maximum_age", eligibility.maximum_age)] {
            if age != 0 {
                v.add(FieldViolation::new(
                    field(&at, name),
                    "a service open to everyone has no age limit: leave it 0, or unset open_to_everyone",
                ));
            }
        }
    }
}

/// What publishing still needs: who the service is for, said as open to everyone or with the
/// council's criteria.
pub fn eligibility_missing(tender: &Tender) -> Option<&'static str> {
    let said = tender.eligibility.as_ref().is_some_and(|eligibility| {
        eligibility.open_to_everyone
            || eligibility.minimum_age != 0
            || eligibility.maximum_age != 0
            || !eligibility.description.trim().is_empty()
    });
    (!said).then_some(
        "required: say who the service is for: set open_to_everyone when anyone may use it with no eligibility \
         criteria, or give the ages and conditions the council sets",
    )
}

/// "Open to everyone, with no eligibility criteria.", or "People aged 65 and over: living alone.";
/// `None` when the tender does not say.
pub fn eligibility_in_words(eligibility: &TenderEligibility) -> Option<String> {
    let description = eligibility.description.trim().trim_end_matches('.');
    let ages = AgeRange::lenient(eligibility.minimum_age, eligibility.maximum_age).in_words();
    let said = match (eligibility.open_to_everyone, ages, description.is_empty()) {
        (true, _, true) => "Open to everyone, with no eligibility criteria".to_owned(),
        (true, _, false) => format!("Open to everyone, with no eligibility criteria: {description}"),
        (false, Some(ages), true) => format!("People {ages}"),
        (false, Some(ages), false) => format!("People {ages}: {description}"),
        (false, None, false) => description.to_owned(),
        (false, None, true) => return None,
    };
    Some(format!("{said}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eligibility(open_to_everyone: bool, minimum_age: i32, maximum_age: i32, description: &str) -> TenderEligibility {
        TenderEligibility { open_to_everyone, minimum_age, maximum_age, description: description.into() }
    }

    fn violations(eligibility: TenderEligibility) -> Vec<(String, String)> {
        let tender = Tender { eligibility: Some(eligibility), ..Default::default() };
        let mut v = Violations::new();
        check_eligibility(&mut v, &tender, "tender");
        v.finish(|| Some(()))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|violation| (violation.field, violation.description))
            .collect()
    }

    #[test]
    fn open_to_everyone_takes_no_age_limit() {
        let found = violations(eligibility(true, 65, 0, ""));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "tender.eligibility.minimum_age");
        assert!(found[0].1.contains("open to everyone has no age limit"), "{}", found[0].1);
        assert_eq!(violations(eligibility(true, 0, 0, "anyone living in the borough")), []);
    }

    #[test]
    fn ages_are_checked_as_a_services_are() {
        let fields: Vec<String> =
            violations(eligibility(false, 70, 60, "")).into_iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["tender.eligibility.maximum_age"]);
        let long = "x".repeat(501);
        let fields: Vec<String> =
            violations(eligibility(false, 0, 0, &long)).into_iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["tender.eligibility.description"]);
    }

    #[test]
    fn publishing_needs_the_eligibility_said() {
        let with = |eligibility: Option<TenderEligibility>| Tender { eligibility, ..Default::default() };
        assert!(eligibility_missing(&with(None)).is_some());
        assert!(eligibility_missing(&with(Some(eligibility(false, 0, 0, " ")))).is_some());
        assert_eq!(eligibility_missing(&with(Some(eligibility(true, 0, 0, "")))), None);
        assert_eq!(eligibility_missing(&with(Some(eligibility(false, 65, 0, "")))), None);
        assert_eq!(eligibility_missing(&with(Some(eligibility(false, 0, 0, "referred by a GP")))), None);
    }

    #[test]
    fn the_eligibility_reads_in_plain_english() {
        let words = |e| eligibility_in_words(&e);
        assert_eq!(
            words(eligibility(true, 0, 0, "")).as_deref(),
            Some("Open to everyone, with no eligibility criteria.")
        );
        assert_eq!(
            words(eligibility(true, 0, 0, "anyone living in Wigan.")).as_deref(),
            Some("Open to everyone, with no eligibility criteria: anyone living in Wigan.")
        );
        assert_eq!(
            words(eligibility(false, 65, 0, "living alone")).as_deref(),
            Some("People aged 65 and over: living alone.")
        );
        assert_eq!(words(eligibility(false, 0, 0, "")), None);
    }
}
