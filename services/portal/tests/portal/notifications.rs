//! Notifications, end to end: the whole marketplace and the portal on one bus (PostgreSQL and NATS
//! JetStream, or SQLite and the embedded log), two charities registered through the portal, and a
//! tender match, a document about to expire and a bid's outcome published as the services would.
//! The charity they concern sees them on its page, newest first, with its unread count until it
//! has seen them, and gets each by mail through a real SMTP server (MailDev), tried again until the
//! server is there; the other charity sees none and gets none; the mail carries the title, the
//! text and the link and nothing of anyone else's; and a redelivered event makes no second
//! notification and no second mail.

use std::time::Duration;

use marketplace::Marketplace;
use platform::auth::Role;
use platform::config::Settings;
use platform::events::{EventBus, OutboundEvent, Publisher};
use platform::testing::{PostgresDatabase, TEST_SECRET, isolated_events_config};
use portal::{Portal, TokenSigner};
use prost::Message;
use proto::commissioning::events::v1::{
    BiddersNotified, DocumentExpiring, DocumentFacts, NotifiedBidder, TenderMatched,
};
use proto::commissioning::providers::v1::ListMyMembershipsRequest;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::tendering::v1::BidStatus;
use reqwest::StatusCode;
use reqwest::header::COOKIE;

use super::mail_catcher::{MailCatcher, free_port};
use super::support::{client, csrf_token, session_cookie};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Backend {
    Postgres,
    Embedded,
}

/// The marketplace and the portal over `backend`, mailing through SMTP on `smtp_port`.
pub(super) struct World {
    marketplace: Marketplace,
    portal: Portal,
    pub(super) url: String,
    pub(super) bus: EventBus,
    folder: tempfile::TempDir,
    databases: Vec<PostgresDatabase>,
}

impl World {
    pub(super) async fn start(backend: Backend, smtp_port: u16) -> Self {
        let folder = tempfile::tempdir().expect("a folder");
        let mut settings = Settings::defaults(0);
        settings.data_dir = folder.path().to_path_buf();
        settings.grpc_listen_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        settings.portal_listen_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        settings.auth_hs256_secret = Some(TEST_SECRET.into());
        settings.portal_smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
        settings.portal_mail_from = Some("Commissioning marketplace <notifications@marketplace.test>".into());
        settings.portal_mail_retry_secs = 1;
        let mut databases = Vec::new();
        if backend == Backend::Postgres {
            let stem = platform::testing::test_database_name();
            for service in ["providers", "compliance", "tendering", "evaluation", "portal"] {
                databases.push(PostgresDatabase::create_named(&format!("{stem}_{service}")).await);
            }
            let base = databases[0].url.rsplit_once('/').map(|(base, _)| base.to_owned()).expect("a URL");
            let events = isolated_events_config();
            settings.database_url = Some(format!("{base}/{stem}_{{service}}"));
            settings.nats_url = Some(platform::testing::nats_url());
            settings.events_subject_root = events.subject_root;
            settings.events_stream = events.stream;
            // So an event published again a little later is stored again, and so delivered again.
            settings.events_duplicate_window_secs = 1;
            settings.bids_master_key = Some(platform::testing::TEST_BIDS_MASTER_KEY.into());
        }
        let marketplace = Marketplace::start(settings.clone()).await.expect("the marketplace starts");
        let grpc_url = format!("http://{}", marketplace.local_addr());
        let portal = Portal::start(&settings, &grpc_url, TokenSigner::development(TEST_SECRET), marketplace.bus())
            .await
            .expect("the portal starts");
        let url = portal.url();
        Self { bus: marketplace.bus(), marketplace, portal, url, folder, databases }
    }

    pub(super) async fn stop(self) {
        self.portal.shutdown().await.expect("the portal stops");
        self.marketplace.shutdown().await.expect("the marketplace stops");
        if let EventBus::Nats(bus) = &self.bus {
            platform::testing::delete_stream(bus).await;
        }
        for database in self.databases {
            database.drop_database().await;
        }
        drop(self.folder);
    }

    /// Signs `email` in on the development page and registers their charity; returns the session
    /// cookie and the provider's id.
    async fn charity(&self, email: &str, legal_name: &str, charity_number: &str, contact: &str) -> (String, String) {
        let http = client();
        let page = http.get(format!("{}sign-in", self.url)).send().await.expect("the sign-in page");
        let cookie = session_cookie(&page).expect("a session");
        let csrf = csrf_token(&page.text().await.expect("html"));
        let form =
            [("csrf_token", csrf.as_str()), ("name", legal_name), ("email", email), ("acting_as", "charity-volunteer")];
        let signed_in = http.post(format!("{}sign-in", self.url)).header(COOKIE, &cookie).form(&form).send().await;
        let cookie = session_cookie(&signed_in.expect("signed in")).expect("a new session");
        let page = http.get(format!("{}organisation/new", self.url)).header(COOKIE, &cookie).send().await;
        let csrf = csrf_token(&page.expect("the form").text().await.expect("html"));
        let form = [
            ("csrf_token", csrf.as_str()),
            ("legal_name", legal_name),
            ("legal_form", "LEGAL_FORM_REGISTERED_CHARITY"),
            ("charity_number", charity_number),
            ("address_line1", "1 High Street"),
            ("town", "London"),
            ("postcode", "SW2 1RW"),
            ("contact_email", contact),
            ("contact_phone", "020 7946 0000"),
            ("paid_staff_count", "0"),
            ("volunteer_count", "12"),
        ];
        let registered = http.post(format!("{}organisation/new", self.url)).header(COOKIE, &cookie).form(&form).send();
        let registered = registered.await.expect("registered");
        assert_eq!(registered.status(), StatusCode::SEE_OTHER, "{}", registered.text().await.unwrap_or_default());
        let token = platform::testing::token(&format!("dev:{email}"), "platform", &[Role::Provider]);
        let channel = platform::testing::channel(self.marketplace.local_addr()).await;
        let request = platform::testing::with_token(ListMyMembershipsRequest::default(), &token);
        let memberships = ProvidersServiceClient::new(channel).list_my_memberships(request).await.expect("memberships");
        let provider_id = memberships.into_inner().memberships.first().expect("a membership").provider_id.clone();
        (cookie, provider_id)
    }

    pub(super) async fn get(&self, cookie: &str, path: &str) -> String {
        let page = client().get(format!("{}{path}", self.url)).header(COOKIE, cookie).send().await.expect("answered");
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        page.text().await.expect("html")
    }
}

pub(super) fn event(event_type: &str, tenant: &str, aggregate: &str, payload: &impl Message) -> OutboundEvent {
    OutboundEvent {
        id: uuid::Uuid::now_v7().to_string(),
        event_type: event_type.into(),
        tenant: tenant.into(),
        aggregate_id: aggregate.into(),
        time: chrono::Utc::now(),
        traceparent: None,
        payload: payload.encode_to_vec(),
    }
}

/// Waits until `check` holds of the page at `path`, for at most 30 seconds.
pub(super) async fn page_until(world: &World, cookie: &str, path: &str, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..150 {
        let html = world.get(cookie, path).await;
        if check(&html) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{path} never showed what was expected:\n{}", world.get(cookie, path).await);
}

async fn notifications_reach_the_right_organisation_only(backend: Backend) {
    let smtp_port = free_port();
    let world = World::start(backend, smtp_port).await;
    let (amira, brixton) = world
        .charity("amira@example.org", "Brixton Befrienders", "1123456", "office@brixton-befrienders.example")
        .await;
    let (ben, woking) =
        world.charity("ben@example.org", "Woking Friends", "1123457", "hello@woking-friends.example").await;
    assert_ne!(brixton, woking);

    // The mail server is not there yet: the mail waits and is tried again.
    let tender_id = uuid::Uuid::now_v7().to_string();
    let deadline = chrono::Utc::now() + chrono::Duration::days(14);
    let matched = TenderMatched {
        provider_id: brixton.clone(),
        tender_id: tender_id.clone(),
        council_id: "lambeth".into(),
        council_name: "Lambeth".into(),
        tender_title: "Befriending calls in Brixton".into(),
        reason: "Your service 'Tuesday calls' offers befriending in Lambeth (SW2).".into(),
        bid_deadline: Some(platform::time::to_timestamp(deadline)),
        ..Default::default()
    };
    world.bus.publish(&event("providers.tender_matched", "lambeth", &tender_id, &matched)).await.expect("published");
    let expires = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    let expiring = DocumentExpiring {
        document: Some(DocumentFacts {
            document_id: uuid::Uuid::now_v7().to_string(),
            provider_id: brixton.clone(),
            title: "Public liability insurance 2026".into(),
            expires_on: Some(platform::dates::date_to_proto(expires)),
            ..Default::default()
        }),
        days_before_expiry: 30,
    };
    let document = expiring.document.as_ref().map(|facts| facts.document_id.clone()).unwrap_or_default();
    world
        .bus
        .publish(&event("compliance.document_expiring", "platform", &document, &expiring))
        .await
        .expect("published");
    // An outcome for a tender tendering does not know, so it is named without its title; another
    // provider won, whose name and rank must reach no one else.
    let outcome_tender = uuid::Uuid::now_v7().to_string();
    let notified = BiddersNotified {
        tender_id: outcome_tender.clone(),
        council_id: "lambeth".into(),
        winning_provider_id: "another-provider".into(),
        winning_provider_name: "Winning Charity Ltd".into(),
        bidders: vec![
            NotifiedBidder {
                bid_id: "bid-1".into(),
                provider_id: "another-provider".into(),
                outcome: BidStatus::Successful as i32,
                rank: 1,
            },
            NotifiedBidder {
                bid_id: "bid-2".into(),
                provider_id: brixton.clone(),
                outcome: BidStatus::Unsuccessful as i32,
                rank: 2,
            },
        ],
        ..Default::default()
    };
    let outcome = event("tendering.bidders_notified", "lambeth", &outcome_tender, &notified);
    world.bus.publish(&outcome).await.expect("published");

    // The unread count on the dashboard and in the header, for Brixton only.
    let dashboard =
        page_until(&world, &amira, "dashboard", |html| html.contains("You have 3 unread notifications")).await;
    assert!(dashboard.contains("Notifications (3 unread)"), "{dashboard}");
    let page = world.get(&amira, "notifications").await;
    let titles = [
        "The outcome of a tender you bid for",
        "Your Public liability insurance 2026 ends in 30 days",
        "A tender that fits: Befriending calls in Brixton",
    ];
    let positions: Vec<usize> =
        titles.iter().map(|title| page.find(title).unwrap_or_else(|| panic!("{title} in {page}"))).collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "newest first: {positions:?}");
    for link in [format!("/tenders/{outcome_tender}/outcome"), "/locker".into(), format!("/tenders/{tender_id}")] {
        assert!(page.contains(&format!("href=\"{link}\"")), "{link} in {page}");
    }
    assert_eq!(page.matches("govuk-tag govuk-tag--blue").count(), 3, "{page}");
    assert!(page.contains("was not successful this time"), "{page}");
    assert!(!page.contains("Winning Charity") && !page.contains("another-provider"), "{page}");
    // Seen: read now.
    let again = world.get(&amira, "notifications").await;
    assert_eq!(again.matches("govuk-tag govuk-tag--blue").count(), 0, "{again}");
    assert!(!world.get(&amira, "dashboard").await.contains("unread notification"));

    // Woking sees none of Brixton's.
    let woking_page = world.get(&ben, "notifications").await;
    assert!(woking_page.contains("You have no notifications yet"), "{woking_page}");
    assert!(titles.iter().all(|title| !woking_page.contains(title)), "{woking_page}");
    assert!(!world.get(&ben, "dashboard").await.contains("unread notification"));

    // The mail server comes up: the three mails arrive, each to Brixton's address.
    let catcher = MailCatcher::start_on(smtp_port).await;
    let mails = catcher.wait_for(3, Duration::from_secs(60)).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    for mail in &mails {
        assert_eq!(mail["to"][0]["address"], "office@brixton-befrienders.example", "{mail}");
        assert_eq!(mail["from"][0]["address"], "notifications@marketplace.test", "{mail}");
        let subject = mail["subject"].as_str().expect("a subject");
        assert!(titles.contains(&subject), "{subject}");
        let text = mail["text"].as_str().expect("plain text");
        assert!(text.contains(&format!("{}notifications", world.url)), "{text}");
        let source = catcher.source(mail["id"].as_str().expect("an id")).await;
        for secret in [
            "Winning Charity",
            "another-provider",
            "bid-1",
            "bid-2",
            "hello@woking-friends.example",
            "amira@example.org",
        ] {
            assert!(!source.contains(secret), "{secret} in {source}");
        }
    }
    let outcome_mail = mails.iter().find(|mail| mail["subject"] == titles[0]).expect("the outcome's mail");
    let text = outcome_mail["text"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("{}tenders/{outcome_tender}/outcome", world.url)), "{text}");
    let matched_mail = mails.iter().find(|mail| mail["subject"] == titles[2]).expect("the match's mail");
    let text = matched_mail["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Lambeth is asking for bids")
            && text.contains("It fits because your service 'Tuesday calls' offers befriending in Lambeth (SW2).")
            && text.contains(&format!("{}tenders/{tender_id}", world.url)),
        "{text}"
    );

    // The outcome comes again: no second notification, no second mail.
    redeliver(&world, &outcome).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = world.get(&amira, "notifications").await;
    assert_eq!(after.matches(titles[0]).count(), 1, "{after}");
    assert_eq!(catcher.mails().await.len(), 3);
    world.stop().await;
}

/// Delivers `outcome` to the portal's consumer again: on NATS it is published again once the
/// duplicate window has passed, on the embedded log the consumer's cursor goes back to the start
/// (a replayed stream); either way, waits until the consumer has been given it and acknowledged it.
async fn redeliver(world: &World, outcome: &OutboundEvent) {
    match &world.bus {
        EventBus::Nats(bus) => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let receipt = bus.publish(outcome).await.expect("published again");
            assert!(!receipt.duplicate, "stored again, to be delivered again");
            let stream = bus.jetstream().get_stream(&bus.config().stream).await.expect("the stream");
            for _ in 0..100 {
                let info = stream.consumer_info("portal-outcomes").await.expect("the consumer");
                if info.ack_floor.consumer_sequence >= 2 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("the outcome was not delivered again");
        }
        EventBus::Embedded(_) => {
            use sea_orm::ConnectionTrait;
            let url = format!("sqlite://{}?mode=rw", world.folder.path().join("events.sqlite").display());
            let log = platform::db::Database::connect(&url, 1).await.expect("the event log");
            log.conn()
                .execute_unprepared("UPDATE log_consumer SET cursor = 0 WHERE name = 'portal-outcomes'")
                .await
                .expect("rewound");
            for _ in 0..100 {
                let row = log
                    .conn()
                    .query_one_raw(sea_orm::Statement::from_string(
                        log.backend(),
                        "SELECT (SELECT cursor FROM log_consumer WHERE name = 'portal-outcomes') AS cursor, \
                         (SELECT MAX(seq) FROM event_log) AS last, \
                         (SELECT COUNT(*) FROM log_delivery WHERE consumer = 'portal-outcomes') AS pending",
                    ))
                    .await
                    .expect("read")
                    .expect("a row");
                let (cursor, last, pending): (i64, i64, i64) = (
                    row.try_get("", "cursor").expect("cursor"),
                    row.try_get("", "last").expect("last"),
                    row.try_get("", "pending").expect("pending"),
                );
                if cursor == last && pending == 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("the outcome was not delivered again");
        }
    }
}

#[tokio::test]
async fn notifications_on_postgres_and_nats() {
    notifications_reach_the_right_organisation_only(Backend::Postgres).await;
}

#[tokio::test]
async fn notifications_on_the_embedded_default() {
    notifications_reach_the_right_organisation_only(Backend::Embedded).await;
}
