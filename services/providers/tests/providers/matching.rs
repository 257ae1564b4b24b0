//! A published tender is matched to providers whose active services fit one of its categories and
//! its area and the ages it is for; each matching provider is told once, even when the event comes
//! again; a service added while a tender takes bids is matched to it too, and listed.

use std::sync::Arc;
use std::time::Duration;

use platform::auth::Role;
use platform::events::{ConsumerSpec, EventHandler, HandlerError, InboundEvent, OutboundEvent, Publisher};
use prost::Message;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::events::v1::{PublishedTender, TenderClosed, TenderMatched, TenderPublished};
use proto::commissioning::providers::v1::{
    AddServiceRequest, Eligibility, ListTenderMatchesRequest, Service, ServiceStatus,
};
use proto::commissioning::tendering::v1::TenderEligibility;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::Mutex;

use super::support::client;
use super::support::{App, area, charity, create, from, service};

/// Collects the tender matches the service publishes.
#[derive(Default)]
struct Matches(Mutex<Vec<TenderMatched>>);

impl EventHandler for Matches {
    async fn handle(&self, event: &InboundEvent) -> Result<(), HandlerError> {
        self.0.lock().await.push(event.decode()?);
        Ok(())
    }
}

/// Lambeth's befriending tender as an event written before tenders had several categories: the
/// single `category` alone.
fn tender_published(event_id: &str) -> OutboundEvent {
    let tender = PublishedTender {
        council_name: "Lambeth".into(),
        title: "Befriending in Brixton".into(),
        category: ServiceCategory::BefriendingFaceToFace as i32,
        areas: vec![area("lambeth", Some("SW2"))],
        ..Default::default()
    };
    published_event(event_id, "tender-1", "lambeth", tender)
}

fn published_event(event_id: &str, tender_id: &str, council: &str, tender: PublishedTender) -> OutboundEvent {
    let published = TenderPublished {
        tender_id: tender_id.into(),
        council_id: council.into(),
        tender: Some(tender),
        publish_time: None,
    };
    OutboundEvent {
        id: event_id.into(),
        event_type: "tendering.tender_published".into(),
        tenant: council.into(),
        aggregate_id: tender_id.into(),
        time: chrono::Utc::now(),
        traceparent: None,
        payload: published.encode_to_vec(),
    }
}

/// Listens for the tender matches published to `council`'s tenant.
async fn listen(app: &App, council: &str) -> (Arc<Matches>, platform::events::ConsumerHandle) {
    let matches = Arc::new(Matches::default());
    let spec = ConsumerSpec { name: "portal".into(), pattern: format!("{council}.providers.tender_matched") };
    let listener = app.bus.consume(spec, matches.clone()).await.expect("listening");
    (matches, listener)
}

async fn each_fitting_provider_is_told_once(app: App) {
    let mut client = client(&app).await;
    let add = |provider: &str, name: &str, category, areas, status: ServiceStatus| {
        let mut offered = service(name, category, areas);
        offered.status = status as i32;
        AddServiceRequest { request_id: name.into(), provider_id: provider.into(), service: Some(offered) }
    };
    let whole_borough = create(&mut client, "amira", charity("Lambeth Visitors", "1300001")).await;
    let brixton = create(&mut client, "bella", charity("Brixton Befrienders", "1300002")).await;
    let elsewhere = create(&mut client, "chen", charity("Streatham Friends", "1300003")).await;
    let closed = create(&mut client, "dan", charity("Paused Trust", "1300004")).await;
    let phone = create(&mut client, "eve", charity("Phone Pals", "1300005")).await;
    let face_to_face = ServiceCategory::BefriendingFaceToFace;
    let requests = [
        ("amira", add(&whole_borough.id, "Visits", face_to_face, vec![area("lambeth", None)], ServiceStatus::Active)),
        (
            "bella",
            add(&brixton.id, "Brixton visits", face_to_face, vec![area("lambeth", Some("SW2"))], ServiceStatus::Active),
        ),
        (
            "chen",
            add(
                &elsewhere.id,
                "Streatham visits",
                face_to_face,
                vec![area("lambeth", Some("SW16"))],
                ServiceStatus::Active,
            ),
        ),
        (
            "dan",
            add(
                &closed.id,
                "Paused visits",
                face_to_face,
                vec![area("lambeth", None)],
                ServiceStatus::TemporarilyClosed,
            ),
        ),
        (
            "eve",
            add(
                &phone.id,
                "Calls",
                ServiceCategory::BefriendingTelephone,
                vec![area("lambeth", None)],
                ServiceStatus::Active,
            ),
        ),
    ];
    for (user, request) in requests {
        let provider = request.provider_id.clone();
        client.add_service(from(request, user, &provider, &[Role::Provider])).await.expect("service added");
    }

    let (matches, _listener) = listen(&app, "lambeth").await;
    app.bus.publish(&tender_published(&uuid::Uuid::now_v7().to_string())).await.expect("published");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while matches.0.lock().await.len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "matches did not arrive");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The same tender again under another event id (a replay), then a moment for strays.
    app.bus.publish(&tender_published(&uuid::Uuid::now_v7().to_string())).await.expect("published");
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let matches = matches.0.lock().await;
    let mut told: Vec<_> = matches.iter().map(|matched| matched.provider_id.clone()).collect();
    told.sort();
    let mut expected = vec![whole_borough.id.clone(), brixton.id.clone()];
    expected.sort();
    assert_eq!(told, expected, "only active face-to-face befriending covering SW2, each once");
    let brixton_match = matches.iter().find(|matched| matched.provider_id == brixton.id).expect("brixton told");
    assert_eq!(brixton_match.tender_id, "tender-1");
    assert!(brixton_match.reason.contains("\"Brixton visits\""), "{}", brixton_match.reason);
    assert!(brixton_match.reason.contains("SW2"), "{}", brixton_match.reason);
    drop(matches);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matching_on_postgres_and_nats() {
    each_fitting_provider_is_told_once(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matching_on_sqlite_and_the_embedded_log() {
    each_fitting_provider_is_told_once(App::on_sqlite().await).await;
}

#[tokio::test]
async fn a_redelivered_tender_event_matches_no_one_twice() {
    let app = App::on_sqlite().await;
    let mut client = client(&app).await;
    let provider = create(&mut client, "amira", charity("Lambeth Visitors", "1300101")).await;
    let offered = service("Visits", ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", None)]);
    let request =
        AddServiceRequest { request_id: "visits".into(), provider_id: provider.id.clone(), service: Some(offered) };
    client.add_service(from(request, "amira", &provider.id, &[Role::Provider])).await.expect("service added");

    // The same delivery handled twice, as after a crash between commit and acknowledgement.
    let outbound = tender_published("redelivered-event");
    let event = InboundEvent {
        id: outbound.id.clone(),
        event_type: outbound.event_type.clone(),
        source: "/commissioning/tendering".into(),
        tenant: "lambeth".into(),
        aggregate_id: "tender-1".into(),
        time: outbound.time,
        traceparent: None,
        subject: "t.lambeth.tendering.tender_published".into(),
        payload: outbound.payload.clone(),
        delivery: 1,
    };
    let db = app.database().await;
    let matcher = providers::consumers::TenderMatcher { db: db.clone() };
    matcher.handle(&event).await.expect("first delivery");
    matcher.handle(&InboundEvent { delivery: 2, ..event }).await.expect("second delivery");

    let matched = platform::events::outbox::Entity::find()
        .filter(platform::events::outbox::Column::EventType.eq("providers.tender_matched"))
        .all(db.conn())
        .await
        .expect("outbox read");
    assert_eq!(matched.len(), 1, "one match for one provider and tender");
    assert_eq!(matched[0].tenant, "lambeth", "the match goes to the tender's council");
    app.stop().await;
}

/// Woking buys befriending visits and a weekly coffee morning in one tender: the providers of
/// either are told, a provider offering both once, with the categories it offers.
async fn the_providers_of_each_category_are_told_once(app: App) {
    let mut client = client(&app).await;
    let woking = |district: &str| vec![area("woking", Some(district))];
    let visitors = create(&mut client, "amira", charity("Knaphill Visitors", "1300201")).await;
    let coffee = create(&mut client, "bella", charity("Hale End Coffee Club", "1300202")).await;
    let both = create(&mut client, "chen", charity("Woking Good Neighbours", "1300203")).await;
    let phone = create(&mut client, "dan", charity("Phone Pals Woking", "1300204")).await;
    let lambeth = create(&mut client, "eve", charity("Brixton Coffee", "1300205")).await;
    let face_to_face = ServiceCategory::BefriendingFaceToFace;
    let groups = ServiceCategory::GroupActivities;
    let offers = [
        ("amira", &visitors.id, "Home visits", face_to_face, woking("GU21")),
        ("bella", &coffee.id, "Tuesday coffee morning", groups, woking("GU21")),
        ("chen", &both.id, "Neighbourly visits", face_to_face, woking("GU21")),
        ("chen", &both.id, "Friday lunch club", groups, woking("GU21")),
        ("dan", &phone.id, "Calls", ServiceCategory::BefriendingTelephone, woking("GU21")),
        ("eve", &lambeth.id, "Brixton coffee morning", groups, vec![area("lambeth", None)]),
    ];
    for (user, provider, name, category, areas) in offers {
        let request = AddServiceRequest {
            request_id: name.into(),
            provider_id: provider.clone(),
            service: Some(service(name, category, areas)),
        };
        client.add_service(from(request, user, provider, &[Role::Provider])).await.expect("service added");
    }

    let (matches, _listener) = listen(&app, "woking").await;
    let tender = PublishedTender {
        council_name: "Woking".into(),
        title: "Befriending and coffee mornings at Hale End Court".into(),
        category: face_to_face as i32,
        categories: vec![face_to_face as i32, groups as i32],
        areas: woking("GU21"),
        ..Default::default()
    };
    let event = |id: String| published_event(&id, "tender-woking", "woking", tender.clone());
    app.bus.publish(&event(uuid::Uuid::now_v7().to_string())).await.expect("published");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while matches.0.lock().await.len() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "matches did not arrive");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.bus.publish(&event(uuid::Uuid::now_v7().to_string())).await.expect("published again");
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let matches = matches.0.lock().await;
    let told = |provider: &str| matches.iter().filter(|matched| matched.provider_id == provider).collect::<Vec<_>>();
    assert_eq!(matches.len(), 3, "each provider of either category once: {matches:?}");
    let [visits] = told(&visitors.id)[..] else { panic!("the visitors are told once") };
    assert_eq!(visits.matched_categories, [face_to_face as i32]);
    let [coffee_morning] = told(&coffee.id)[..] else { panic!("the coffee club is told once") };
    assert_eq!(coffee_morning.matched_categories, [groups as i32]);
    assert!(coffee_morning.reason.starts_with("you offer group activities (\"Tuesday coffee morning\")"));
    let [neighbours] = told(&both.id)[..] else { panic!("a provider of both is told once") };
    assert_eq!(neighbours.matched_categories, [face_to_face as i32, groups as i32]);
    assert_eq!(neighbours.category, face_to_face as i32, "the tender's main category");
    assert_eq!(
        neighbours.reason,
        "you offer befriending face to face (\"Neighbourly visits\") and group activities (\"Friday lunch club\") \
         in GU21, where this tender wants it"
    );
    assert!(told(&phone.id).is_empty() && told(&lambeth.id).is_empty(), "neither category, or not in Woking");
    drop(matches);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_categories_on_postgres_and_nats() {
    the_providers_of_each_category_are_told_once(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_categories_on_sqlite_and_the_embedded_log() {
    the_providers_of_each_category_are_told_once(App::on_sqlite().await).await;
}

/// Wigan commissions local area coordination across the whole borough. Open to everyone, it is
/// told to every coordinator in the borough whatever ages they serve, district by district; a
/// tender for people aged 65 and over is not told to a service for young people only.
async fn who_a_tender_is_for_decides_who_hears_of_it(app: App) {
    let mut client = client(&app).await;
    let coordination = ServiceCategory::LocalAreaCoordination;
    let leigh = create(&mut client, "fay", charity("Leigh Neighbours", "1300301")).await;
    let youth = create(&mut client, "gus", charity("Wigan Youth Link", "1300302")).await;
    let hindley = create(&mut client, "hal", charity("Hindley Connect", "1300303")).await;
    let ages = |minimum_age, maximum_age| Eligibility { minimum_age, maximum_age, description: String::new() };
    let offers = [
        ("fay", &leigh.id, "Leigh coordinators", Some(ages(65, 0)), area("wigan", Some("wn7"))),
        ("gus", &youth.id, "Youth link workers", Some(ages(11, 18)), area("wigan", Some("WN 2"))),
        ("hal", &hindley.id, "Hindley connectors", None, area("wigan", None)),
    ];
    for (user, provider, name, eligibility, area) in offers {
        let service = Service { eligibility, ..service(name, coordination, vec![area]) };
        let request =
            AddServiceRequest { request_id: name.into(), provider_id: provider.clone(), service: Some(service) };
        client.add_service(from(request, user, provider, &[Role::Provider])).await.expect("service added");
    }

    let (matches, _listener) = listen(&app, "wigan").await;
    let tender = |title: &str, eligibility: TenderEligibility| PublishedTender {
        council_name: "Wigan".into(),
        title: title.into(),
        category: coordination as i32,
        categories: vec![coordination as i32],
        areas: vec![area("wigan", None)],
        eligibility: Some(eligibility),
        ..Default::default()
    };
    let everyone =
        tender("Local area coordination", TenderEligibility { open_to_everyone: true, ..Default::default() });
    let older = tender(
        "Coordination for older people",
        TenderEligibility { minimum_age: 65, description: "living alone".into(), ..Default::default() },
    );
    for (tender_id, published) in [("tender-everyone", everyone), ("tender-older", older)] {
        let event = published_event(&uuid::Uuid::now_v7().to_string(), tender_id, "wigan", published);
        app.bus.publish(&event).await.expect("published");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while matches.0.lock().await.len() < 5 {
        assert!(tokio::time::Instant::now() < deadline, "matches did not arrive: {:?}", matches.0.lock().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let matches = matches.0.lock().await;
    let told = |tender_id: &str| {
        let mut providers: Vec<&str> = matches
            .iter()
            .filter(|matched| matched.tender_id == tender_id)
            .map(|matched| matched.provider_id.as_str())
            .collect();
        providers.sort_unstable();
        providers
    };
    let mut everyone = vec![leigh.id.as_str(), youth.id.as_str(), hindley.id.as_str()];
    everyone.sort_unstable();
    assert_eq!(told("tender-everyone"), everyone, "open to everyone: every coordinator in the borough");
    let mut older = vec![leigh.id.as_str(), hindley.id.as_str()];
    older.sort_unstable();
    assert_eq!(told("tender-older"), older, "not the service for 11 to 18 year olds");
    let youth_told = matches.iter().find(|matched| matched.provider_id == youth.id).expect("the youth link is told");
    assert_eq!(
        youth_told.reason,
        "you offer local area coordination (\"Youth link workers\") in all of Wigan, where this tender wants it"
    );
    drop(matches);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_on_postgres_and_nats() {
    who_a_tender_is_for_decides_who_hears_of_it(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_on_sqlite_and_the_embedded_log() {
    who_a_tender_is_for_decides_who_hears_of_it(App::on_sqlite().await).await;
}

/// Lambeth publishes a befriending tender before a charity has registered: the charity hears of
/// it when it adds its service, and lists it among the tenders that fit it until the tender
/// closes; another charity may not read that list.
async fn a_service_added_later_hears_of_open_tenders(app: App) {
    let mut client = client(&app).await;
    let (matches, _listener) = listen(&app, "lambeth").await;
    let in_a_week = platform::time::to_timestamp(chrono::Utc::now() + chrono::Duration::days(7));
    let tender = PublishedTender {
        council_name: "Lambeth".into(),
        title: "Befriending in Brixton".into(),
        category: ServiceCategory::BefriendingFaceToFace as i32,
        areas: vec![area("lambeth", Some("SW2"))],
        bid_deadline: Some(in_a_week),
        ..Default::default()
    };
    let published = published_event(&uuid::Uuid::now_v7().to_string(), "tender-open", "lambeth", tender);
    app.bus.publish(&published).await.expect("published");
    let early = create(&mut client, "ivy", charity("Early Birds", "1300401")).await;
    let offered = service("Visits", ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", None)]);
    let request =
        AddServiceRequest { request_id: "early".into(), provider_id: early.id.clone(), service: Some(offered) };
    client.add_service(from(request, "ivy", &early.id, &[Role::Provider])).await.expect("service added");
    // The tender is known once the early charity hears of it at publication.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while matches.0.lock().await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the early charity was not told");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let late = create(&mut client, "jo", charity("Late Starters", "1300402")).await;
    let list = |user: &str, organisation: &str, provider: &str| {
        from(
            ListTenderMatchesRequest { provider_id: provider.into(), ..Default::default() },
            user,
            organisation,
            &[Role::Provider],
        )
    };
    let before = client.list_tender_matches(list("jo", &late.id, &late.id)).await.expect("listed");
    assert!(before.into_inner().matches.is_empty(), "no service yet, no match");
    let offered =
        service("Brixton calls and visits", ServiceCategory::BefriendingFaceToFace, vec![area("lambeth", Some("SW2"))]);
    let request = AddServiceRequest { request_id: "late".into(), provider_id: late.id.clone(), service: Some(offered) };
    client.add_service(from(request, "jo", &late.id, &[Role::Provider])).await.expect("service added");

    // Straight after adding the service, with no event to wait for.
    let listed = client.list_tender_matches(list("jo", &late.id, &late.id)).await.expect("listed").into_inner();
    let [found] = &listed.matches[..] else { panic!("one tender fits: {listed:?}") };
    assert_eq!(found.tender_id, "tender-open");
    assert_eq!(found.tender_title, "Befriending in Brixton");
    assert_eq!(found.council_name, "Lambeth");
    assert_eq!(found.bid_deadline, Some(in_a_week));
    assert!(found.reason.contains("\"Brixton calls and visits\""), "{}", found.reason);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !matches.0.lock().await.iter().any(|matched| matched.provider_id == late.id) {
        assert!(tokio::time::Instant::now() < deadline, "the late charity's match was not announced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let refused = client.list_tender_matches(list("ivy", &early.id, &late.id)).await.expect_err("not its own");
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);

    let closed = TenderClosed { tender_id: "tender-open".into(), council_id: "lambeth".into(), ..Default::default() };
    app.bus
        .publish(&OutboundEvent {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: "tendering.tender_closed".into(),
            tenant: "lambeth".into(),
            aggregate_id: "tender-open".into(),
            time: chrono::Utc::now(),
            traceparent: None,
            payload: closed.encode_to_vec(),
        })
        .await
        .expect("closed");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let listed = client.list_tender_matches(list("jo", &late.id, &late.id)).await.expect("listed").into_inner();
        if listed.matches.is_empty() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "a closed tender is still listed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn later_services_on_postgres_and_nats() {
    a_service_added_later_hears_of_open_tenders(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn later_services_on_sqlite_and_the_embedded_log() {
    a_service_added_later_hears_of_open_tenders(App::on_sqlite().await).await;
}
