//! What the portal hears: a tender matched to a provider, a provider's document expiring, expired
//! or rejected, and the bidders told of an award. Each event becomes a notification for each
//! provider it concerns, in one transaction with the inbox mark (and the mail waiting to go), so
//! a redelivered event makes no second notification and no second mail.

use std::sync::Arc;

use platform::events::{ConsumerHandle, ConsumerSpec, EventBus, EventHandler, HandlerError, InboundEvent, inbox};
use proto::commissioning::events::v1::{
    BiddersNotified, DocumentExpired, DocumentExpiring, DocumentFacts, DocumentRejected, TenderMatched,
};
use proto::commissioning::tendering::v1::{BidStatus, GetTenderRequest};
use tokio::sync::Notify;

use super::{Kind, Notice, record};
use crate::PortalState;

/// The portal's durable consumers: name, and the subjects each hears.
const CONSUMERS: [(&str, &str); 3] = [
    ("portal-tender-matches", "*.providers.tender_matched"),
    ("portal-documents", "platform.compliance.*"),
    ("portal-outcomes", "*.tendering.bidders_notified"),
];

/// Starts the consumers; `mail` says whether each notification also waits to be mailed, and
/// `wake` is raised when one does.
pub async fn start(
    bus: &EventBus,
    state: &PortalState,
    mail: bool,
    wake: Arc<Notify>,
) -> anyhow::Result<Vec<ConsumerHandle>> {
    let mut handles = Vec::new();
    for (name, pattern) in CONSUMERS {
        let handler = Notifier { consumer: name, state: state.clone(), mail, wake: wake.clone() };
        handles
            .push(bus.consume(ConsumerSpec { name: name.into(), pattern: pattern.into() }, Arc::new(handler)).await?);
    }
    Ok(handles)
}

/// Turns events into notifications.
struct Notifier {
    consumer: &'static str,
    state: PortalState,
    mail: bool,
    wake: Arc<Notify>,
}

impl EventHandler for Notifier {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        let notices = match event.event_type.as_str() {
            "providers.tender_matched" => vec![tender_matched(event.decode()?)?],
            "compliance.document_expiring" => {
                let expiring: DocumentExpiring = event.decode()?;
                vec![document_expiring(&facts(event, expiring.document)?, expiring.days_before_expiry)]
            }
            "compliance.document_expired" => {
                vec![document_expired(&facts(event, event.decode::<DocumentExpired>()?.document)?)]
            }
            "compliance.document_rejected" => {
                let rejected: DocumentRejected = event.decode()?;
                let rejection = rejected.rejection.unwrap_or_default();
                vec![document_rejected(&facts(event, rejected.document)?, &rejection.council_name, &rejection.reason)]
            }
            "tendering.bidders_notified" => {
                let notified: BiddersNotified = event.decode()?;
                let tender = self.tender(&notified.tender_id).await?;
                outcomes(&notified, tender.as_ref())?
            }
            // Other compliance events need nothing of the provider.
            _ => return Ok(()),
        };
        let (mail, time) = (self.mail, event.time);
        let recorded = inbox::apply_once(&self.state.0.db, self.consumer, event, |txn| {
            Box::pin(async move {
                for notice in notices {
                    record(txn, notice, time, mail).await?;
                }
                Ok(())
            })
        })
        .await?;
        if recorded && mail {
            self.wake.notify_one();
        }
        Ok(())
    }
}

/// A tender's title and council, as its outcome notification names them.
struct TenderNames {
    title: String,
    council_name: String,
}

impl Notifier {
    /// The tender's names, asked of tendering as the portal's own service identity; `None` when
    /// tendering will not say (then the notification names no title), a retry when it is down.
    async fn tender(&self, tender_id: &str) -> Result<Option<TenderNames>, HandlerError> {
        let request = self
            .state
            .as_service(GetTenderRequest { tender_id: tender_id.to_owned() })
            .map_err(|error| HandlerError::Retry(format!("cannot sign the portal's service token: {error}")))?;
        match self.state.tendering().get_tender(request).await {
            Ok(response) => Ok(response
                .into_inner()
                .tender
                .map(|tender| TenderNames { title: tender.title, council_name: tender.council_name })),
            Err(status) => match status.code() {
                tonic::Code::NotFound | tonic::Code::PermissionDenied | tonic::Code::InvalidArgument => Ok(None),
                code => Err(HandlerError::Retry(format!("tendering GetTender answered {code:?}"))),
            },
        }
    }
}

/// The document an event is about, which it must carry.
fn facts(event: &InboundEvent, document: Option<DocumentFacts>) -> Result<DocumentFacts, HandlerError> {
    match document {
        Some(facts) if !facts.provider_id.is_empty() => Ok(facts),
        _ => Err(HandlerError::Reject(format!("{} {} names no document or provider", event.event_type, event.id))),
    }
}

/// An id as it goes into a link: a tender's id is a UUID, and anything else cannot be linked to.
fn linkable(id: &str) -> Result<&str, HandlerError> {
    if !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|character| character.is_ascii_alphanumeric() || character == '-')
    {
        Ok(id)
    } else {
        Err(HandlerError::Reject(format!("tender id {id:?} cannot be linked to")))
    }
}

/// Text from another service, kept to a length a title or a sentence can carry.
fn short(text: &str, limit: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The matcher's reason as the end of a sentence: "Your service ... runs ...." becomes "your
/// service ... runs ...", an acronym at its start kept as it is.
fn clause(reason: &str) -> Option<String> {
    let reason = reason.trim().trim_end_matches('.').trim_end();
    let mut characters = reason.chars();
    let first = characters.next()?;
    let rest = characters.as_str();
    if rest.chars().next().is_some_and(char::is_uppercase) {
        return Some(reason.to_owned());
    }
    Some(first.to_lowercase().chain(rest.chars()).collect())
}

fn tender_matched(matched: TenderMatched) -> Result<Notice, HandlerError> {
    if matched.provider_id.is_empty() {
        return Err(HandlerError::Reject("a tender match names no provider".into()));
    }
    let tender_id = linkable(&matched.tender_id)?;
    let title = short(&matched.tender_title, 200);
    let mut body = format!("{} is asking for bids for “{title}”.", short(&matched.council_name, 100));
    if let Some(reason) = clause(&short(&matched.reason, 500)) {
        body.push_str(&format!(" It fits because {reason}."));
    }
    if let Some(deadline) = matched.bid_deadline.as_ref().and_then(platform::time::from_timestamp) {
        body.push_str(&format!(" Bids close at {}.", platform::time::london_time_and_date(deadline)));
    }
    Ok(Notice {
        organisation_id: matched.provider_id,
        kind: Kind::TenderMatched,
        title: format!("A tender that fits: {title}"),
        body,
        link: format!("/tenders/{tender_id}"),
    })
}

/// "12 March 2027", or nothing when the date is missing or not a date.
fn long_date(date: Option<&proto::commissioning::common::v1::Date>) -> Option<String> {
    date.and_then(|date| platform::dates::parse_date(date).ok()).map(platform::dates::long_date)
}

fn document_expiring(facts: &DocumentFacts, days_before_expiry: i32) -> Notice {
    let title = short(&facts.title, 150);
    let ends = long_date(facts.expires_on.as_ref())
        .map_or_else(|| format!("in {days_before_expiry} days"), |date| format!("on {date}"));
    Notice {
        organisation_id: facts.provider_id.clone(),
        kind: Kind::DocumentExpiring,
        title: format!("Your {title} ends in {days_before_expiry} days"),
        body: format!(
            "“{title}” in your locker ends {ends}. Upload its renewal before then, so councils can go on relying on it."
        ),
        link: "/locker".into(),
    }
}

fn document_expired(facts: &DocumentFacts) -> Notice {
    let title = short(&facts.title, 150);
    let ended = long_date(facts.expires_on.as_ref()).map_or_else(String::new, |date| format!(" on {date}"));
    Notice {
        organisation_id: facts.provider_id.clone(),
        kind: Kind::DocumentExpired,
        title: format!("Your {title} has expired"),
        body: format!(
            "“{title}” ended{ended} and no longer counts as evidence for a tender. Upload a current one to your locker."
        ),
        link: "/locker".into(),
    }
}

fn document_rejected(facts: &DocumentFacts, council_name: &str, reason: &str) -> Notice {
    let title = short(&facts.title, 150);
    // A rejection with no council is the malware scanner's.
    let who =
        if council_name.trim().is_empty() { "The marketplace's checks".to_owned() } else { short(council_name, 100) };
    let because = if reason.trim().is_empty() { String::new() } else { format!(": {}", short(reason, 500)) };
    Notice {
        organisation_id: facts.provider_id.clone(),
        kind: Kind::DocumentRejected,
        title: format!("Your {title} was not accepted"),
        body: format!("{who} could not accept “{title}”{because}. Upload a corrected document to your locker."),
        link: "/locker".into(),
    }
}

/// One notification for each bidding provider, saying only its own outcome.
fn outcomes(notified: &BiddersNotified, tender: Option<&TenderNames>) -> Result<Vec<Notice>, HandlerError> {
    let tender_id = linkable(&notified.tender_id)?;
    let (title, what) = match tender {
        Some(names) => {
            let title = short(&names.title, 200);
            (
                format!("The outcome of {title}"),
                format!("Your bid to {} for “{title}”", short(&names.council_name, 100)),
            )
        }
        None => ("The outcome of a tender you bid for".to_owned(), "Your bid".to_owned()),
    };
    let mut notices: Vec<Notice> = Vec::new();
    for bidder in &notified.bidders {
        if bidder.provider_id.is_empty() || notices.iter().any(|notice| notice.organisation_id == bidder.provider_id) {
            continue;
        }
        let result = match BidStatus::try_from(bidder.outcome) {
            Ok(BidStatus::Successful) => "was successful: the council will be in touch about the contract.",
            Ok(BidStatus::Unsuccessful) => "was not successful this time.",
            _ => "has been decided.",
        };
        notices.push(Notice {
            organisation_id: bidder.provider_id.clone(),
            kind: Kind::Outcome,
            title: title.clone(),
            body: format!(
                "{what} {result} Your assessment summary gives your scores and the reasons for them, to help with your next bid."
            ),
            link: format!("/tenders/{tender_id}/outcome"),
        });
    }
    Ok(notices)
}

#[cfg(test)]
mod tests {
    use proto::commissioning::events::v1::NotifiedBidder;

    use super::*;

    #[test]
    fn an_outcome_tells_each_bidder_its_own_result_only() {
        let notified = BiddersNotified {
            tender_id: "0193a6f0-1111-7000-8000-000000000001".into(),
            winning_provider_name: "Winning Charity".into(),
            bidders: vec![
                NotifiedBidder {
                    provider_id: "winner".into(),
                    outcome: BidStatus::Successful as i32,
                    rank: 1,
                    ..Default::default()
                },
                NotifiedBidder {
                    provider_id: "runner-up".into(),
                    outcome: BidStatus::Unsuccessful as i32,
                    rank: 2,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let names = TenderNames { title: "Befriending in Brixton".into(), council_name: "Lambeth".into() };
        let notices = outcomes(&notified, Some(&names)).expect("notices");
        assert_eq!(notices.len(), 2);
        assert!(notices[0].body.contains("was successful"));
        assert!(notices[1].body.contains("was not successful"));
        for notice in &notices {
            assert_eq!(notice.link, "/tenders/0193a6f0-1111-7000-8000-000000000001/outcome");
            assert!(!notice.body.contains("Winning Charity") && !notice.body.contains('2'), "{}", notice.body);
        }
    }

    #[test]
    fn the_matchers_reason_ends_the_sentence() {
        assert_eq!(
            clause("Your service 'Tuesday' runs in Woking (GU21).").as_deref(),
            Some("your service 'Tuesday' runs in Woking (GU21)")
        );
        assert_eq!(clause("you offer befriending in Brixton").as_deref(), Some("you offer befriending in Brixton"));
        assert_eq!(clause("DBS-checked volunteers visit").as_deref(), Some("DBS-checked volunteers visit"));
        assert_eq!(clause("  "), None);
    }

    #[test]
    fn an_id_that_is_not_a_plain_id_is_never_linked() {
        assert!(linkable("../admin").is_err());
        assert!(linkable("a?b").is_err());
        assert!(linkable("").is_err());
        assert!(linkable("0193a6f0-1111-7000-8000-000000000001").is_ok());
    }
}
