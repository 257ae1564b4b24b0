//! The shared taxonomy of loneliness and isolation interventions (commissioning.common.v1.
//! ServiceCategory): each category's Common Procurement Vocabulary (CPV) codes, used in OCDS
//! publication and returned beside a service, and a plain name for Open Referral taxonomy terms and
//! for telling a provider why a tender matched it. The codes are the ones the contract's comments
//! give, written as there without a check digit. Shared by providers (services, Open Referral) and
//! tendering (tenders' default codes, OCDS).

use proto::commissioning::common::v1::ServiceCategory;

/// 85311100: welfare services for the elderly.
const ELDERLY_WELFARE: &str = "85311100";
/// 85312000: social work services without accommodation.
const SOCIAL_WORK: &str = "85312000";
/// 85320000: social services.
const SOCIAL_SERVICES: &str = "85320000";
/// 85322000: community action programme.
const COMMUNITY_ACTION: &str = "85322000";

/// The CPV codes of a category, the main one first; none for an unspecified category.
pub fn cpv_codes(category: ServiceCategory) -> &'static [&'static str] {
    match category {
        ServiceCategory::Unspecified => &[],
        ServiceCategory::BefriendingTelephone => &[ELDERLY_WELFARE, SOCIAL_WORK],
        ServiceCategory::BefriendingFaceToFace => &[ELDERLY_WELFARE, SOCIAL_WORK],
        ServiceCategory::GroupActivities => &[SOCIAL_SERVICES, ELDERLY_WELFARE],
        ServiceCategory::CommunityConnector => &[SOCIAL_WORK, COMMUNITY_ACTION],
        ServiceCategory::LocalAreaCoordination => &[COMMUNITY_ACTION, SOCIAL_WORK],
        ServiceCategory::Transport => &[SOCIAL_SERVICES],
        ServiceCategory::DigitalInclusion => &[SOCIAL_SERVICES, COMMUNITY_ACTION],
        ServiceCategory::Intergenerational => &[COMMUNITY_ACTION],
        ServiceCategory::PeerSupport => &[SOCIAL_WORK, SOCIAL_SERVICES],
        ServiceCategory::Other => &[SOCIAL_SERVICES],
    }
}

/// What a CPV code of the taxonomy means, for open data; `None` for a code outside it.
pub fn cpv_description(code: &str) -> Option<&'static str> {
    match code {
        ELDERLY_WELFARE => Some("Welfare services for the elderly"),
        SOCIAL_WORK => Some("Social work services without accommodation"),
        SOCIAL_SERVICES => Some("Social services"),
        COMMUNITY_ACTION => Some("Community action programme"),
        _ => None,
    }
}

/// A plain name for a category, as a person would say it: "Befriending by telephone".
pub fn category_name(category: ServiceCategory) -> &'static str {
    match category {
        ServiceCategory::Unspecified => "Unspecified",
        ServiceCategory::BefriendingTelephone => "Befriending by telephone",
        ServiceCategory::BefriendingFaceToFace => "Befriending face to face",
        ServiceCategory::GroupActivities => "Group activities",
        ServiceCategory::CommunityConnector => "Community connector and social prescribing link work",
        ServiceCategory::LocalAreaCoordination => "Local area coordination",
        ServiceCategory::Transport => "Transport to activities",
        ServiceCategory::DigitalInclusion => "Digital inclusion",
        ServiceCategory::Intergenerational => "Intergenerational activities",
        ServiceCategory::PeerSupport => "Peer support",
        ServiceCategory::Other => "Other support for lonely or isolated people",
    }
}

/// The categories a provider or tender may choose, every one except unspecified.
pub const CATEGORIES: [ServiceCategory; 10] = [
    ServiceCategory::BefriendingTelephone,
    ServiceCategory::BefriendingFaceToFace,
    ServiceCategory::GroupActivities,
    ServiceCategory::CommunityConnector,
    ServiceCategory::LocalAreaCoordination,
    ServiceCategory::Transport,
    ServiceCategory::DigitalInclusion,
    ServiceCategory::Intergenerational,
    ServiceCategory::PeerSupport,
    ServiceCategory::Other,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_follow_the_contract_comments() {
        assert_eq!(cpv_codes(ServiceCategory::BefriendingTelephone), ["85311100", "85312000"]);
        assert_eq!(cpv_codes(ServiceCategory::GroupActivities), ["85320000", "85311100"]);
        assert_eq!(cpv_codes(ServiceCategory::CommunityConnector), ["85312000", "85322000"]);
        assert_eq!(cpv_codes(ServiceCategory::Intergenerational), ["85322000"]);
        assert_eq!(cpv_codes(ServiceCategory::Other), ["85320000"]);
        assert!(cpv_codes(ServiceCategory::Unspecified).is_empty());
    }

    #[test]
    fn every_category_has_codes_and_a_distinct_name() {
        let mut names = HashSet::new();
        for category in CATEGORIES {
            let codes = cpv_codes(category);
            assert!(!codes.is_empty(), "{category:?} has CPV codes");
            assert!(codes.iter().all(|code| code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit())));
            assert!(names.insert(category_name(category)), "{category:?} has its own name");
            assert!(codes.iter().all(|code| cpv_description(code).is_some()), "{category:?}'s codes are described");
        }
        let all_but_unspecified = (1..=10).filter_map(|value| ServiceCategory::try_from(value).ok()).count();
        assert_eq!(all_but_unspecified, CATEGORIES.len());
        assert!(ServiceCategory::try_from(11).is_err(), "CATEGORIES lists every category");
    }
}
