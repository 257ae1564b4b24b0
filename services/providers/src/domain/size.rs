//! The two figures councils report for their market-shaping duty: a provider's size class and
//! whether it is a voluntary, community or social enterprise (VCSE). Both are derived, never typed
//! in, so they follow the rules in the contracts (commissioning.common.v1.SizeClass and
//! commissioning.providers.v1.LegalForm) and cannot disagree with the figures they come from.

use proto::commissioning::common::v1::SizeClass;
use proto::commissioning::providers::v1::{IncomeBand, LegalForm};

/// The size class from the annual income band and the paid staff head count (volunteers do not
/// count), taking the larger of the two. With no income band, paid staff alone decide.
pub fn size_class(income_band: IncomeBand, paid_staff: u32) -> SizeClass {
    let by_staff = match paid_staff {
        0..10 => SizeClass::Micro,
        10..50 => SizeClass::Small,
        50..250 => SizeClass::Medium,
        _ => SizeClass::Large,
    };
    let by_income = match income_band {
        IncomeBand::Unspecified => None,
        IncomeBand::Under10k | IncomeBand::From10kTo100k => Some(SizeClass::Micro),
        IncomeBand::From100kTo1m => Some(SizeClass::Small),
        IncomeBand::From1mTo10m => Some(SizeClass::Medium),
        IncomeBand::Over10m => Some(SizeClass::Large),
    };
    by_income.map_or(by_staff, |by_income| by_income.max(by_staff))
}

/// Whether a legal form is a voluntary, community or social enterprise form: every form except a
/// micro-enterprise or sole trader and "other" (and an unspecified form, which is not known to be).
pub fn is_vcse(legal_form: LegalForm) -> bool {
    match legal_form {
        LegalForm::RegisteredCharity
        | LegalForm::CharitableIncorporatedOrganisation
        | LegalForm::CharitableCompany
        | LegalForm::CommunityInterestCompany
        | LegalForm::CompanyLimitedByGuarantee
        | LegalForm::UnincorporatedCommunityGroup
        | LegalForm::SocialEnterprise => true,
        LegalForm::MicroEnterpriseOrSoleTrader | LegalForm::Other | LegalForm::Unspecified => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_class_takes_the_larger_of_income_and_staff() {
        use IncomeBand::*;
        let cases = [
            (Under10k, 0, SizeClass::Micro),
            (From10kTo100k, 9, SizeClass::Micro),
            (From10kTo100k, 10, SizeClass::Small),
            (From100kTo1m, 0, SizeClass::Small),
            (From100kTo1m, 49, SizeClass::Small),
            (From100kTo1m, 50, SizeClass::Medium),
            (Under10k, 249, SizeClass::Medium),
            (From1mTo10m, 3, SizeClass::Medium),
            (From1mTo10m, 250, SizeClass::Large),
            (Over10m, 0, SizeClass::Large),
            (Under10k, 1_000, SizeClass::Large),
        ];
        for (income, staff, expected) in cases {
            assert_eq!(size_class(income, staff), expected, "{income:?} with {staff} staff");
        }
    }

    #[test]
    fn without_an_income_band_staff_alone_decide() {
        let cases = [(0, SizeClass::Micro), (9, SizeClass::Micro), (10, SizeClass::Small), (49, SizeClass::Small)];
        let more =
            [(50, SizeClass::Medium), (249, SizeClass::Medium), (250, SizeClass::Large), (u32::MAX, SizeClass::Large)];
        for (staff, expected) in cases.into_iter().chain(more) {
            assert_eq!(size_class(IncomeBand::Unspecified, staff), expected, "{staff} staff");
        }
    }

    #[test]
    fn vcse_follows_the_legal_form() {
        use LegalForm::*;
        let vcse = [
            RegisteredCharity,
            CharitableIncorporatedOrganisation,
            CharitableCompany,
            CommunityInterestCompany,
            CompanyLimitedByGuarantee,
            UnincorporatedCommunityGroup,
            SocialEnterprise,
        ];
        for form in vcse {
            assert!(is_vcse(form), "{form:?} is VCSE");
        }
        for form in [MicroEnterpriseOrSoleTrader, Other, Unspecified] {
            assert!(!is_vcse(form), "{form:?} is not VCSE");
        }
    }
}
