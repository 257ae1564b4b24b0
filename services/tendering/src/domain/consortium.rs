//! Consortium partners' answers to being named in a bid, with no I/O: what a new version of the bid
//! keeps of them, what a partner may still answer, and the contents without a partner that declined.

use proto::commissioning::tendering::v1::{BidContent, PartnerStatus};

/// What a partner's members answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerAnswer {
    Confirm,
    Decline,
}

/// A partner's status once the lead submits a version naming it: a partner that stays keeps its
/// confirmation; one newly named, or named again after declining, starts unconfirmed.
pub fn status_when_named(previous: Option<PartnerStatus>) -> PartnerStatus {
    match previous {
        Some(PartnerStatus::Confirmed) => PartnerStatus::Confirmed,
        _ => PartnerStatus::Unconfirmed,
    }
}

/// Whether a partner's answer outlives a version that no longer names it: a decline does, so the
/// lead still sees who declined and when; a partner the lead dropped no longer sees the bid.
pub fn kept_when_dropped(status: PartnerStatus) -> bool {
    status == PartnerStatus::Declined
}

/// Why a partner in `current` may not give `answer`, or `None` when it may. Confirming again is
/// allowed (it changes nothing), and so is declining after confirming, before the deadline.
pub fn answer_refusal(current: PartnerStatus, answer: PartnerAnswer) -> Option<&'static str> {
    match (current, answer) {
        (PartnerStatus::Declined, PartnerAnswer::Confirm) => Some(
            "your provider declined to be named in this bid and was removed from it; only the lead can name it \
             again, in a new version of the bid",
        ),
        (PartnerStatus::Declined, PartnerAnswer::Decline) => {
            Some("your provider has already declined to be named in this bid")
        }
        _ => None,
    }
}

/// The bid's contents with partner `provider_id` removed and everything else as it was.
pub fn without_partner(content: &BidContent, provider_id: &str) -> BidContent {
    let mut kept = content.clone();
    kept.consortium_partners.retain(|partner| partner.provider_id.trim() != provider_id.trim());
    kept
}

#[cfg(test)]
mod tests {
    use proto::commissioning::tendering::v1::ConsortiumPartner;

    use super::*;

    #[test]
    fn a_partner_that_stays_keeps_its_confirmation_and_a_new_or_returning_one_starts_unconfirmed() {
        assert_eq!(status_when_named(Some(PartnerStatus::Confirmed)), PartnerStatus::Confirmed);
        assert_eq!(status_when_named(Some(PartnerStatus::Unconfirmed)), PartnerStatus::Unconfirmed);
        assert_eq!(status_when_named(None), PartnerStatus::Unconfirmed);
        assert_eq!(status_when_named(Some(PartnerStatus::Declined)), PartnerStatus::Unconfirmed);
    }

    #[test]
    fn only_a_decline_outlives_a_version_that_drops_the_partner() {
        assert!(kept_when_dropped(PartnerStatus::Declined));
        assert!(!kept_when_dropped(PartnerStatus::Confirmed));
        assert!(!kept_when_dropped(PartnerStatus::Unconfirmed));
    }

    #[test]
    fn a_partner_that_declined_cannot_answer_again_and_one_that_confirmed_may_still_decline() {
        use PartnerAnswer::{Confirm, Decline};
        assert_eq!(answer_refusal(PartnerStatus::Unconfirmed, Confirm), None);
        assert_eq!(answer_refusal(PartnerStatus::Unconfirmed, Decline), None);
        assert_eq!(answer_refusal(PartnerStatus::Confirmed, Confirm), None);
        assert_eq!(answer_refusal(PartnerStatus::Confirmed, Decline), None);
        assert!(answer_refusal(PartnerStatus::Declined, Confirm).is_some_and(|why| why.contains("only the lead")));
        assert!(answer_refusal(PartnerStatus::Declined, Decline).is_some_and(|why| why.contains("already declined")));
    }

    #[test]
    fn removing_a_partner_keeps_the_rest_of_the_bid() {
        let partner = |id: &str| ConsortiumPartner { provider_id: id.into(), name: id.into(), role: "visits".into() };
        let content = BidContent {
            consortium_partners: vec![partner("knaphill"), partner(" woking-lunch-club "), partner("byfleet")],
            evidence_declaration: true,
            ..Default::default()
        };
        let kept = without_partner(&content, "woking-lunch-club");
        let ids: Vec<&str> = kept.consortium_partners.iter().map(|partner| partner.provider_id.as_str()).collect();
        assert_eq!(ids, ["knaphill", "byfleet"]);
        assert!(kept.evidence_declaration);
        assert_eq!(without_partner(&content, "nobody"), content);
    }
}
