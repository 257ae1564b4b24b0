//! What each kind of document is (commissioning.common.v1.DocumentKind): whether it is insurance,
//! with a limit of indemnity, or a policy, with a review date; and the words a small charity uses
//! for it, so every explanation names it the same way.

use proto::commissioning::common::v1::DocumentKind;

/// The kinds a request may name, for messages that ask for one.
pub const DOCUMENT_KINDS: &str = "the DOCUMENT_KIND_* values, such as DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE";

/// Insurance kinds carry a limit of indemnity that a requirement's minimum cover is compared with.
pub fn is_insurance(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::PublicLiabilityInsurance
            | DocumentKind::EmployersLiabilityInsurance
            | DocumentKind::ProfessionalIndemnityInsurance
    )
}

/// Policy kinds have a date adopted and a review date (their `expires_on`).
pub fn is_policy(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::HealthAndSafetyPolicy
            | DocumentKind::SafeguardingAdultsPolicy
            | DocumentKind::SafeguardingChildrenPolicy
            | DocumentKind::DbsCheckingPolicy
            | DocumentKind::EqualityPolicy
            | DocumentKind::BusinessContinuityPlan
    )
}

/// Employer's liability insurance is a legal duty only of employers, so it is never needed from a
/// provider with no paid staff, whether or not the requirement says so.
pub fn only_for_employers(kind: DocumentKind) -> bool {
    kind == DocumentKind::EmployersLiabilityInsurance
}

/// The document's name in a sentence: "public liability insurance", "health and safety policy".
pub fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::PublicLiabilityInsurance => "public liability insurance",
        DocumentKind::EmployersLiabilityInsurance => "employer's liability insurance",
        DocumentKind::ProfessionalIndemnityInsurance => "professional indemnity insurance",
        DocumentKind::HealthAndSafetyPolicy => "health and safety policy",
        DocumentKind::SafeguardingAdultsPolicy => "safeguarding adults policy",
        DocumentKind::SafeguardingChildrenPolicy => "safeguarding children policy",
        DocumentKind::DbsCheckingPolicy => "DBS checking policy",
        DocumentKind::DataProtectionRegistration => "data protection (ICO) registration",
        DocumentKind::EqualityPolicy => "equality policy",
        DocumentKind::BusinessContinuityPlan => "business continuity plan",
        DocumentKind::Other => "other supporting document",
        DocumentKind::Unspecified => "document",
    }
}

/// The shorter name people use where the sentence already says what it is: "public liability cover
/// GBP 2,000,000", "employer's liability expires 31 January 2027". The full name for other kinds.
pub fn short_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::PublicLiabilityInsurance => "public liability",
        DocumentKind::EmployersLiabilityInsurance => "employer's liability",
        DocumentKind::ProfessionalIndemnityInsurance => "professional indemnity",
        other => kind_name(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [DocumentKind; 11] = [
        DocumentKind::PublicLiabilityInsurance,
        DocumentKind::EmployersLiabilityInsurance,
        DocumentKind::ProfessionalIndemnityInsurance,
        DocumentKind::HealthAndSafetyPolicy,
        DocumentKind::SafeguardingAdultsPolicy,
        DocumentKind::SafeguardingChildrenPolicy,
        DocumentKind::DbsCheckingPolicy,
        DocumentKind::DataProtectionRegistration,
        DocumentKind::EqualityPolicy,
        DocumentKind::BusinessContinuityPlan,
        DocumentKind::Other,
    ];

    #[test]
    fn the_three_insurance_kinds_and_the_six_policy_kinds() {
        let insurance: Vec<_> = ALL.into_iter().filter(|kind| is_insurance(*kind)).collect();
        assert_eq!(insurance, &ALL[..3]);
        let policies: Vec<_> = ALL.into_iter().filter(|kind| is_policy(*kind)).collect();
        assert_eq!(policies, [&ALL[3..7], &ALL[8..10]].concat());
        for kind in [DocumentKind::DataProtectionRegistration, DocumentKind::Other, DocumentKind::Unspecified] {
            assert!(!is_insurance(kind) && !is_policy(kind), "{kind:?} is neither");
        }
    }

    #[test]
    fn only_employers_liability_is_for_employers_alone() {
        for kind in ALL {
            assert_eq!(only_for_employers(kind), kind == DocumentKind::EmployersLiabilityInsurance, "{kind:?}");
        }
    }

    #[test]
    fn every_kind_has_a_name_and_insurance_a_shorter_one() {
        assert_eq!(kind_name(DocumentKind::SafeguardingAdultsPolicy), "safeguarding adults policy");
        assert_eq!(short_name(DocumentKind::EmployersLiabilityInsurance), "employer's liability");
        for kind in ALL {
            let (name, short) = (kind_name(kind), short_name(kind));
            assert!(!name.is_empty() && name.starts_with(short), "{kind:?}: {name} / {short}");
            assert_eq!(name == short, !is_insurance(kind), "{kind:?}");
        }
    }
}
