//! Consortium bids: a partner named in a bid reads it (and cannot change it), confirms or declines
//! before the deadline; a decline removes it from the bid in a new version the lead sees, with an
//! event of ids only; strangers and officers see nothing; the opening carries each partner's answer.

use std::time::Duration;

use platform::testing::{publish_event, with_token};
use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier, PostalAddress, SizeClass};
use proto::commissioning::events::v1::{ConsortiumPartnerDeclined, ProviderProfile, ProviderRegistered};
use proto::commissioning::tendering::v1::*;
use sea_orm::ConnectionTrait;
use tonic::Code;
use tonic_types::StatusExt;

use super::support::*;

/// The lead of the consortium in these tests.
pub const LEAD: &str = "brixton-friends";

/// A registered provider's public profile, as the providers service publishes it.
pub fn profile(provider_id: &str, name: &str, charity_number: &str, paid_staff: i32) -> ProviderProfile {
    ProviderProfile {
        provider_id: provider_id.into(),
        legal_name: name.into(),
        identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: charity_number.into() }],
        registered_address: Some(PostalAddress {
            line1: "Village Hall, High Street".into(),
            town: "Woking".into(),
            postcode: "GU21 2EP".into(),
            ..Default::default()
        }),
        size_class: SizeClass::Micro as i32,
        vcse: true,
        paid_staff_count: paid_staff,
        ..Default::default()
    }
}

/// Publishes `profiles` on `bus` as providers' registrations.
pub async fn register(bus: &platform::events::EventBus, profiles: Vec<ProviderProfile>) {
    for profile in profiles {
        let id = profile.provider_id.clone();
        let registered = ProviderRegistered { provider: Some(profile), ..Default::default() };
        publish_event(bus, "providers.provider_registered", "platform", &id, registered).await;
    }
}

pub fn partner(provider_id: &str) -> ConsortiumPartner {
    ConsortiumPartner {
        provider_id: provider_id.into(),
        name: format!("{provider_id} as the lead calls it"),
        role: "runs the coffee mornings".into(),
    }
}

/// The lead's bid naming `partners`, submitted once tendering has heard of every partner.
pub async fn consortium_bid(app: &App, tender: &Tender, pounds: i64, partners: &[&str]) -> BidReceipt {
    let mut request = bid(tender, LEAD, pounds, "We visit weekly with our partners.");
    request.content.as_mut().expect("content").consortium_partners = partners.iter().map(|id| partner(id)).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match submit(app, request.clone()).await {
            Ok(receipt) => return receipt,
            Err(status) if status.message().contains("not a provider registered") => {
                assert!(tokio::time::Instant::now() < deadline, "the partners' registrations never arrived");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(status) => panic!("bid refused: {status:?}"),
        }
    }
}

pub async fn my_bid(app: &App, tender: &Tender, bid_id: &str, token: &str) -> Result<Bid, tonic::Status> {
    let request = GetMyBidRequest { tender_id: tender.id.clone(), bid_id: bid_id.into() };
    Ok(client(app).await.get_my_bid(with_token(request, token)).await?.into_inner().bid.expect("bid"))
}

pub async fn confirm(app: &App, bid_id: &str, token: &str) -> Result<Bid, tonic::Status> {
    let request = ConfirmConsortiumPartnerRequest { bid_id: bid_id.into() };
    Ok(client(app).await.confirm_consortium_partner(with_token(request, token)).await?.into_inner().bid.expect("bid"))
}

async fn decline(app: &App, bid_id: &str, token: &str) -> Result<PartnerConfirmation, tonic::Status> {
    let request = DeclineConsortiumPartnerRequest { bid_id: bid_id.into() };
    let response = client(app).await.decline_consortium_partner(with_token(request, token)).await?;
    Ok(response.into_inner().partner.expect("partner"))
}

fn statuses(partners: &[PartnerConfirmation]) -> Vec<(&str, PartnerStatus)> {
    partners.iter().map(|partner| (partner.provider_id.as_str(), partner.status())).collect()
}

fn partner_ids(content: Option<&BidContent>) -> Vec<&str> {
    content.expect("content").consortium_partners.iter().map(|partner| partner.provider_id.as_str()).collect()
}

async fn partners_answer_before_the_deadline(app: App) {
    register(
        &app.bus,
        vec![
            profile(LEAD, "Brixton Good Neighbours", "1234567", 0),
            profile("knaphill-friends", "Knaphill Friends", "1170002", 0),
            profile("woking-lunch-club", "Woking Lunch Club", "1170003", 0),
            profile("byfleet-club", "Byfleet Club", "1170004", 0),
        ],
    )
    .await;
    let tender = published(&app, befriending(Duration::from_secs(1), Duration::from_secs(8))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;

    // A partner must be on the marketplace; the refusal names the field, not the partner.
    let mut unknown = bid(&tender, "tulse-hill-club", 6_000, "Coffee mornings.");
    unknown.content.as_mut().expect("content").consortium_partners = vec![partner("nobody-registered")];
    let refused = submit(&app, unknown).await.expect_err("unknown partner");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let fields = refused.get_details_bad_request().expect("field violations").field_violations;
    assert_eq!(fields[0].field, "content.consortium_partners[0].provider_id");
    assert!(!fields[0].description.contains("nobody-registered"), "{}", fields[0].description);

    let first = consortium_bid(&app, &tender, 7_400, &["knaphill-friends", "woking-lunch-club", "byfleet-club"]).await;
    let knaphill = member_of("knaphill-friends");

    // The partner reads the bid that names it, read-only.
    let seen = my_bid(&app, &tender, "", &knaphill).await.expect("the partner reads the bid");
    assert!(seen.viewed_as_partner);
    assert_eq!((seen.id.as_str(), seen.provider_id.as_str()), (first.bid_id.as_str(), LEAD));
    assert_eq!(
        seen.content.as_ref().and_then(|content| content.total_price.as_ref()).map(|p| p.amount_pence),
        Some(740_000)
    );
    assert_eq!(
        statuses(&seen.partners),
        [
            ("knaphill-friends", PartnerStatus::Unconfirmed),
            ("woking-lunch-club", PartnerStatus::Unconfirmed),
            ("byfleet-club", PartnerStatus::Unconfirmed)
        ]
    );
    assert_eq!(seen.partners[0].name, "Knaphill Friends", "the registered name");
    let mut replace = bid(&tender, LEAD, 1, "The partner rewrites the bid.");
    replace.request_id = "partner-replaces".into();
    let replaced = client(&app).await.submit_bid(with_token(replace, &knaphill)).await;
    assert_eq!(replaced.expect_err("a partner cannot replace the bid").code(), Code::PermissionDenied);
    let withdraw = WithdrawBidRequest { bid_id: first.bid_id.clone() };
    let withdrawn = client(&app).await.withdraw_bid(with_token(withdraw, &knaphill)).await;
    assert_eq!(withdrawn.expect_err("a partner cannot withdraw the bid").code(), Code::PermissionDenied);

    // A provider the bid does not name, and an officer, can neither read nor answer.
    let stranger = member_of("tulse-hill-club");
    for bid_id in ["", first.bid_id.as_str()] {
        let read = my_bid(&app, &tender, bid_id, &stranger).await.expect_err("not named");
        assert_eq!(read.code(), Code::NotFound);
        assert!(!format!("{read:?}").contains("740000"), "{read:?}");
    }
    assert_eq!(confirm(&app, &first.bid_id, &stranger).await.expect_err("not named").code(), Code::NotFound);
    assert_eq!(decline(&app, &first.bid_id, &stranger).await.expect_err("not named").code(), Code::NotFound);
    let officer = lambeth_officer();
    assert_eq!(my_bid(&app, &tender, "", &officer).await.expect_err("officer").code(), Code::PermissionDenied);
    let officer_confirms = confirm(&app, &first.bid_id, &officer).await.expect_err("officer");
    assert_eq!(officer_confirms.code(), Code::PermissionDenied);

    // Knaphill confirms (twice changes nothing); the hash stays.
    let confirmed = confirm(&app, &first.bid_id, &knaphill).await.expect("confirmed");
    assert_eq!(confirmed.partners[0].status(), PartnerStatus::Confirmed);
    assert!(confirmed.partners[0].respond_time.is_some());
    let again = confirm(&app, &first.bid_id, &knaphill).await.expect("confirmed again");
    assert_eq!(again.partners[0].respond_time, confirmed.partners[0].respond_time);
    assert_eq!(confirmed.receipt.as_ref().map(|receipt| &receipt.sha256_hex), Some(&first.sha256_hex));

    // The lead replaces its bid: Knaphill stays confirmed, the others still unconfirmed.
    let second = consortium_bid(&app, &tender, 7_300, &["knaphill-friends", "woking-lunch-club", "byfleet-club"]).await;
    assert_eq!(second.version, 2);
    let lead = member_of(LEAD);
    let own = my_bid(&app, &tender, "", &lead).await.expect("the lead's bid");
    assert!(!own.viewed_as_partner);
    assert_eq!(
        statuses(&own.partners),
        [
            ("knaphill-friends", PartnerStatus::Confirmed),
            ("woking-lunch-club", PartnerStatus::Unconfirmed),
            ("byfleet-club", PartnerStatus::Unconfirmed)
        ]
    );

    // Woking declines: it is removed from the bid, in a new version the lead sees, and sees no more.
    let woking = member_of("woking-lunch-club");
    let declined = decline(&app, &second.bid_id, &woking).await.expect("declined");
    assert_eq!(declined.status(), PartnerStatus::Declined);
    assert!(declined.respond_time.is_some());
    assert_eq!(my_bid(&app, &tender, "", &woking).await.expect_err("declined").code(), Code::NotFound);
    let after = confirm(&app, &second.bid_id, &woking).await.expect_err("declined");
    assert_eq!(after.code(), Code::FailedPrecondition);
    let own = my_bid(&app, &tender, "", &lead).await.expect("the lead's bid");
    assert_eq!(partner_ids(own.content.as_ref()), ["knaphill-friends", "byfleet-club"]);
    let woking_seen = own.partners.iter().find(|partner| partner.provider_id == "woking-lunch-club").expect("shown");
    assert_eq!((woking_seen.status(), woking_seen.respond_time), (PartnerStatus::Declined, declined.respond_time));
    let receipt = own.receipt.clone().expect("receipt");
    assert_eq!(receipt.version, 3);
    assert_ne!(receipt.sha256_hex, second.sha256_hex);
    assert_eq!(receipt.receive_time, second.receive_time, "the lead keeps its place in a tie-break");
    let input = BidHashInput {
        tender_id: tender.id.clone(),
        bid_id: own.id.clone(),
        provider_id: LEAD.into(),
        version: 3,
        nonce_hex: receipt.nonce_hex.clone(),
        content: own.content.clone(),
    };
    assert_eq!(tendering::sealing::bid_sha256(&input), receipt.sha256_hex, "the lead can check its new receipt");

    // The lead is told by an event of ids only; the answers are audited.
    let db = app.database().await;
    let sql = "SELECT payload FROM outbox WHERE event_type = 'tendering.consortium_partner_declined'";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    assert_eq!(rows.len(), 1);
    let payload: Vec<u8> = rows[0].try_get("", "payload").expect("bytes");
    let event: ConsortiumPartnerDeclined = prost::Message::decode(payload.as_slice()).expect("decodes");
    assert_eq!((event.bid_id.as_str(), event.version, event.council_id.as_str()), (own.id.as_str(), 3, "lambeth"));
    for secret in [LEAD, "woking-lunch-club", "knaphill-friends"] {
        assert!(!payload.windows(secret.len()).any(|window| window == secret.as_bytes()), "{secret} in the event");
    }
    let sql = "SELECT action FROM audit_log WHERE action LIKE 'bid.partner_%' ORDER BY seq";
    let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.backend(), sql)).await.expect("read");
    let actions: Vec<String> = rows.iter().map(|row| row.try_get("", "action").expect("text")).collect();
    assert_eq!(actions, ["bid.partner_confirmed", "bid.partner_declined"]);

    // After the deadline no partner may answer.
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let late = confirm(&app, &second.bid_id, &member_of("byfleet-club")).await.expect_err("too late");
    assert_eq!(late.code(), Code::FailedPrecondition);
    assert!(late.message().contains("closed at"), "{}", late.message());
    let late = decline(&app, &second.bid_id, &knaphill).await.expect_err("too late");
    assert_eq!(late.code(), Code::FailedPrecondition);

    // The opening record and the opened bid carry each partner's answer at the deadline.
    let record = client(&app)
        .await
        .get_opening_record(with_token(GetOpeningRecordRequest { tender_id: tender.id.clone() }, &officer))
        .await
        .expect("closed")
        .into_inner()
        .opening_record
        .expect("record");
    let entry = &record.entries[0];
    assert_eq!((entry.version, entry.sha256_hex.as_str()), (3, receipt.sha256_hex.as_str()));
    let answered = [("knaphill-friends", PartnerStatus::Confirmed), ("byfleet-club", PartnerStatus::Unconfirmed)];
    assert_eq!(statuses(&entry.partners), answered);
    let opened = ListOpenedBidsRequest { tender_id: tender.id.clone(), ..Default::default() };
    let opened = client(&app).await.list_opened_bids(with_token(opened, &evaluation_service())).await.expect("opened");
    assert_eq!(statuses(&opened.into_inner().bids[0].partners), answered);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_answer_before_the_deadline_on_postgres() {
    partners_answer_before_the_deadline(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_answer_before_the_deadline_on_sqlite() {
    partners_answer_before_the_deadline(on_sqlite().await).await;
}
