//! What each kind of document must say of itself before it goes into a locker: a certificate its
//! insurer, policy number, cover start and end and a limit above GBP 0; a policy the date it was
//! adopted or is due for review, and no insurance particulars; a data protection registration its
//! renewal date. And none may already have expired on the UK date it is uploaded. A document that
//! lacks its facts would otherwise be relied on by every council, for ever.

use chrono::NaiveDate;
use platform::FieldViolation;
use platform::validation::{Invalid, Violations, field, known_enum, optional_text};
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::compliance::v1::{CoverBasis, InsuranceDetails};

use platform::dates::long_date;
use platform::evidence::{is_insurance, is_policy, kind_name};
use platform::money::Pence;

const INSURER_MAX: usize = 200;
const POLICY_NUMBER_MAX: usize = 100;

/// The dates and particulars an upload gives, as parsed so far: `None` for a date that was given but
/// is not a date (its violation is recorded already), `Some(None)` for a date left unset.
pub struct Given<'a> {
    pub valid_from: Option<Option<NaiveDate>>,
    pub expires_on: Option<Option<NaiveDate>>,
    pub insurance: Option<&'a InsuranceDetails>,
}

/// Records a violation, at `path` + the field's name, for every fact `kind` needs and `given` lacks,
/// for insurance particulars on a kind that has none, and for a document that ended before `today`
/// (the UK date, judged as the expiry scheduler judges it: valid to the end of its last day).
/// Returns the insurance particulars to keep, trimmed, or `None` when they were refused.
pub fn check_facts(
    kind: DocumentKind,
    given: &Given<'_>,
    today: NaiveDate,
    path: &str,
    v: &mut Violations,
) -> Option<Option<InsuranceDetails>> {
    let unset = |date: Option<Option<NaiveDate>>| date == Some(None);
    let name = kind_name(kind);
    let insurance = if is_insurance(kind) {
        if unset(given.valid_from) {
            v.add(required(path, "valid_from", "the first day of cover, as printed on the certificate"));
        }
        if unset(given.expires_on) {
            v.add(required(path, "expires_on", "the last day of cover, as printed on the certificate"));
        }
        particulars(given.insurance.cloned().unwrap_or_default(), &field(path, "insurance"), v).map(Some)
    } else {
        if is_policy(kind) && unset(given.valid_from) && unset(given.expires_on) {
            let description = format!(
                "required for a {name}: give the date it was adopted here, or its next review date in expires_on"
            );
            v.add(FieldViolation::new(field(path, "valid_from"), description));
        }
        if kind == DocumentKind::DataProtectionRegistration && unset(given.expires_on) {
            v.add(required(path, "expires_on", "the date the registration is due for renewal, as the ICO shows it"));
        }
        no_particulars(given.insurance, name, &field(path, "insurance"), v)
    };
    if let Some(Some(end)) = given.expires_on
        && end < today
    {
        v.add(FieldViolation::new(field(path, "expires_on"), expired(kind, end)));
    }
    insurance
}

fn required(path: &str, name: &str, what: &str) -> FieldViolation {
    FieldViolation::new(field(path, name), format!("required: {what}"))
}

/// "this certificate's cover ended on 31 March 2026 ...": what to say of a document that has expired.
fn expired(kind: DocumentKind, end: NaiveDate) -> String {
    let end = long_date(end);
    if is_insurance(kind) {
        format!("this certificate's cover ended on {end}, so it has expired: upload the current certificate")
    } else if is_policy(kind) {
        format!("this policy was due for review on {end}, so it has expired: upload the current, reviewed policy")
    } else {
        format!("this {} expired on {end}: upload the current one", kind_name(kind))
    }
}

/// A certificate's insurer, policy number, a limit above GBP 0 and a known cover basis, each missing
/// one named on its own.
fn particulars(details: InsuranceDetails, path: &str, v: &mut Violations) -> Option<InsuranceDetails> {
    let insurer = v.check(
        field(path, "insurer"),
        printed(&details.insurer, INSURER_MAX, "the insurer's name, for example \"Ecclesiastical Insurance\""),
    );
    let policy_number =
        v.check(field(path, "policy_number"), printed(&details.policy_number, POLICY_NUMBER_MAX, "the policy number"));
    let limit_path = field(path, "limit_of_indemnity");
    let limit = match &details.limit_of_indemnity {
        None => {
            v.add(required(path, "limit_of_indemnity", "the limit of indemnity in pence (GBP 5,000,000 is 500000000)"));
            None
        }
        Some(money) => match v.nested(Pence::parse(money, &limit_path)) {
            Some(limit) if limit.get() == 0 => {
                let description = "must be more than GBP 0: give the limit of indemnity printed on the certificate";
                v.add(FieldViolation::new(field(&limit_path, "amount_pence"), description));
                None
            }
            limit => limit,
        },
    };
    let basis = v.check(
        field(path, "cover_basis"),
        known_enum::<CoverBasis>(details.cover_basis, "COVER_BASIS_PER_OCCURRENCE or COVER_BASIS_AGGREGATE"),
    );
    Some(InsuranceDetails {
        insurer: insurer?,
        policy_number: policy_number?,
        limit_of_indemnity: Some(limit?.to_proto()),
        cover_basis: basis? as i32,
    })
}

/// Text that must be given as the certificate prints it, trimmed, of at most `max` characters.
fn printed(value: &str, max: usize, what: &str) -> Result<String, Invalid> {
    let text = optional_text(value, max)?;
    if text.is_empty() {
        return Err(Invalid::new(format!("required: {what} as printed on the certificate, up to {max} characters")));
    }
    Ok(text)
}

/// Refuses insurance particulars on a kind that is not insurance rather than dropping them.
fn no_particulars(
    details: Option<&InsuranceDetails>,
    name: &str,
    path: &str,
    v: &mut Violations,
) -> Option<Option<InsuranceDetails>> {
    // An empty message says nothing, so there is nothing to drop.
    if details.is_none_or(|details| *details == InsuranceDetails::default()) {
        return Some(None);
    }
    let description = format!(
        "a {name} has no insurance particulars: leave insurance unset, or upload the document as the insurance \
         kind it is"
    );
    v.add(FieldViolation::new(path, description));
    None
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::Money;

    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    fn today() -> NaiveDate {
        ymd(2026, 6, 1)
    }

    fn details() -> InsuranceDetails {
        InsuranceDetails {
            insurer: "  Community Mutual ".into(),
            policy_number: "CM-1".into(),
            limit_of_indemnity: Some(Money { amount_pence: 500_000_000, currency: String::new(), vat_included: true }),
            cover_basis: 0,
        }
    }

    fn check(kind: DocumentKind, given: &Given<'_>) -> Result<Option<InsuranceDetails>, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let kept = check_facts(kind, given, today(), "m", &mut v);
        v.finish(|| kept)
    }

    fn fields(refused: &[FieldViolation]) -> Vec<&str> {
        refused.iter().map(|violation| violation.field.as_str()).collect()
    }

    /// In force from 1 April 2026 to 31 March 2027.
    fn dated(insurance: Option<&InsuranceDetails>) -> Given<'_> {
        Given { valid_from: Some(Some(ymd(2026, 4, 1))), expires_on: Some(Some(ymd(2027, 3, 31))), insurance }
    }

    #[test]
    fn a_full_certificate_is_kept_trimmed_in_gbp() {
        let details = details();
        let kept = check(DocumentKind::PublicLiabilityInsurance, &dated(Some(&details))).expect("accepted");
        let kept = kept.expect("particulars");
        assert_eq!(kept.insurer, "Community Mutual");
        let limit = kept.limit_of_indemnity.expect("limit");
        assert_eq!((limit.amount_pence, limit.currency.as_str()), (500_000_000, "GBP"));
    }

    #[test]
    fn every_missing_fact_of_a_certificate_is_named_at_once() {
        let undated = Given { valid_from: Some(None), expires_on: Some(None), insurance: None };
        let refused = check(DocumentKind::EmployersLiabilityInsurance, &undated).expect_err("no facts");
        assert_eq!(
            fields(&refused),
            [
                "m.valid_from",
                "m.expires_on",
                "m.insurance.insurer",
                "m.insurance.policy_number",
                "m.insurance.limit_of_indemnity"
            ]
        );
        let zero = InsuranceDetails {
            limit_of_indemnity: Some(Money { amount_pence: 0, currency: "GBP".into(), vat_included: false }),
            cover_basis: 7,
            ..details()
        };
        let refused = check(DocumentKind::ProfessionalIndemnityInsurance, &dated(Some(&zero))).expect_err("zero");
        assert_eq!(fields(&refused), ["m.insurance.limit_of_indemnity.amount_pence", "m.insurance.cover_basis"]);
        assert!(refused[0].description.contains("more than GBP 0"), "{refused:?}");
    }

    #[test]
    fn a_date_that_is_not_a_date_is_not_also_called_missing() {
        let details = details();
        let bad = Given { valid_from: None, expires_on: None, ..dated(Some(&details)) };
        assert!(check(DocumentKind::PublicLiabilityInsurance, &bad).is_ok(), "the parser already named them");
        assert!(check(DocumentKind::SafeguardingAdultsPolicy, &Given { insurance: None, ..bad }).is_ok());
    }

    #[test]
    fn a_policy_needs_its_adoption_or_review_date_and_no_insurance() {
        let policy = DocumentKind::SafeguardingAdultsPolicy;
        let adopted = Given { valid_from: Some(Some(ymd(2025, 9, 1))), expires_on: Some(None), insurance: None };
        assert_eq!(check(policy, &adopted), Ok(None));
        let reviewed = Given { valid_from: Some(None), expires_on: Some(Some(ymd(2027, 9, 1))), insurance: None };
        assert_eq!(check(DocumentKind::HealthAndSafetyPolicy, &reviewed), Ok(None));
        let undated = Given { valid_from: Some(None), expires_on: Some(None), insurance: None };
        let refused = check(policy, &undated).expect_err("no date");
        assert_eq!(fields(&refused), ["m.valid_from"]);
        assert!(refused[0].description.contains("safeguarding adults policy"), "{refused:?}");

        let details = details();
        let refused = check(policy, &dated(Some(&details))).expect_err("insurance on a policy");
        assert_eq!(fields(&refused), ["m.insurance"]);
        let empty = InsuranceDetails::default();
        assert_eq!(check(policy, &dated(Some(&empty))), Ok(None), "an empty message carries nothing");
        assert_eq!(fields(&check(DocumentKind::Other, &dated(Some(&details))).expect_err("other")), ["m.insurance"]);
    }

    #[test]
    fn a_data_protection_registration_needs_its_renewal_date() {
        let undated = Given { valid_from: Some(None), expires_on: Some(None), insurance: None };
        let refused = check(DocumentKind::DataProtectionRegistration, &undated).expect_err("no renewal date");
        assert_eq!(fields(&refused), ["m.expires_on"]);
        assert_eq!(check(DocumentKind::Other, &undated), Ok(None), "other documents need no dates");
    }

    #[test]
    fn a_document_that_ended_before_today_is_refused_with_its_date() {
        let details = details();
        let ended = |end| Given { expires_on: Some(Some(end)), ..dated(Some(&details)) };
        let refused = check(DocumentKind::PublicLiabilityInsurance, &ended(ymd(2026, 5, 31))).expect_err("expired");
        assert_eq!(fields(&refused), ["m.expires_on"]);
        assert!(refused[0].description.contains("31 May 2026"), "{refused:?}");
        assert!(refused[0].description.contains("upload the current certificate"), "{refused:?}");
        assert!(check(DocumentKind::PublicLiabilityInsurance, &ended(today())).is_ok(), "valid on its last day");

        let policy = Given { insurance: None, ..ended(ymd(2026, 1, 31)) };
        let refused = check(DocumentKind::EqualityPolicy, &policy).expect_err("review overdue");
        assert!(refused[0].description.contains("due for review on 31 January 2026"), "{refused:?}");
    }
}
