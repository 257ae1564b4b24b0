//! A tender that buys more than one kind of service (befriending visits and a weekly coffee
//! morning): it names every category, they reach the published event for matching, ListTenders
//! finds it by any of them, and its open data lists the codes of each. A client that knows only the
//! single `category` keeps working.

use std::time::Duration;

use platform::testing::with_token;
use prost::Message;
use proto::commissioning::common::v1::ServiceCategory;
use proto::commissioning::events::v1::TenderPublished;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

const VISITS: ServiceCategory = ServiceCategory::BefriendingFaceToFace;
const COFFEE: ServiceCategory = ServiceCategory::GroupActivities;

/// The ids of the tenders ListTenders gives a provider asking for `categories`.
async fn listed(app: &App, categories: &[ServiceCategory]) -> Vec<String> {
    let request =
        ListTendersRequest { categories: categories.iter().map(|c| i32::from(*c)).collect(), ..Default::default() };
    let response = client(app).await.list_tenders(with_token(request, &member_of("anyone"))).await.expect("listed");
    response.into_inner().tenders.into_iter().map(|tender| tender.id).collect()
}

async fn a_tender_buys_every_category_it_names(app: App) {
    let both = Tender {
        title: "Befriending and coffee mornings, Brixton".into(),
        categories: vec![VISITS.into(), COFFEE.into()],
        ..befriending(Duration::from_secs(60), Duration::from_secs(120))
    };
    let draft = drafted(&app, "group-activities", both).await;
    assert_eq!(draft.categories, [i32::from(VISITS), i32::from(COFFEE)]);
    assert_eq!(draft.category, i32::from(VISITS), "the single field is the first, for older clients");
    let tender = publish(&app, &draft.id).await.expect("published");

    // An older client names one category only; a category named twice is refused.
    let older = Tender {
        category: ServiceCategory::Transport.into(),
        ..befriending(Duration::from_secs(60), Duration::from_secs(120))
    };
    let older = drafted(&app, "befriending", older).await;
    assert_eq!(older.categories, [i32::from(ServiceCategory::Transport)]);
    let twice = Tender { id: older.id.clone(), categories: vec![COFFEE.into(), COFFEE.into()], ..Default::default() };
    let refused = amend(&app, twice, &["categories"], "").await.expect_err("named twice");
    assert_eq!(refused.code(), Code::InvalidArgument);
    use tonic_types::StatusExt;
    let fields: Vec<_> = refused
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["tender.categories[1]"]);
    let none = Tender { id: older.id.clone(), ..Default::default() };
    amend(&app, none, &["categories"], "").await.expect("a draft may have none yet");
    let refused = publish(&app, &older.id).await.expect_err("no category");
    assert!(violations(&refused).0.contains(&("PUBLISH".to_owned(), "categories".to_owned())), "{refused:?}");

    // The published event carries every category, for provider matching.
    let events = outbox(&app, "tendering.tender_published").await;
    let facts = TenderPublished::decode(events[0].as_slice()).expect("decodes").tender.expect("facts");
    assert_eq!((facts.category, facts.categories), (i32::from(VISITS), vec![i32::from(VISITS), i32::from(COFFEE)]));

    // ListTenders finds it by either category, not by another.
    assert_eq!(listed(&app, &[COFFEE]).await, [tender.id.as_str()]);
    assert_eq!(listed(&app, &[VISITS]).await, [tender.id.as_str()]);
    assert_eq!(listed(&app, &[ServiceCategory::Transport, COFFEE]).await, [tender.id.as_str()]);
    assert!(listed(&app, &[ServiceCategory::Transport]).await.is_empty(), "the draft with none is not listed either");

    // Open data: the codes of both categories, described by both.
    let package =
        ocds_package(&app, GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() }).await;
    let items = package["releases"][0]["tender"]["items"].as_array().expect("items").clone();
    let codes: Vec<_> = items.iter().map(|item| item["classification"]["id"].as_str().expect("code")).collect();
    assert_eq!(codes, ["85311100", "85312000", "85320000"]);
    assert_eq!(items[0]["description"].as_str(), Some("Befriending face to face; Group activities"));

    // Amending the categories of the published tender is material and reaches ListTenders.
    let narrower = Tender { id: tender.id.clone(), categories: vec![COFFEE.into()], ..Default::default() };
    let amended = amend(&app, narrower, &["categories"], "visits are commissioned separately").await.expect("amended");
    assert_eq!((amended.category, amended.categories.clone()), (i32::from(COFFEE), vec![i32::from(COFFEE)]));
    assert!(amended.amendments[0].material);
    assert!(listed(&app, &[VISITS]).await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_on_postgres_and_nats() {
    a_tender_buys_every_category_it_names(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_on_sqlite_and_the_embedded_log() {
    a_tender_buys_every_category_it_names(on_sqlite().await).await;
}

/// Every migration but the one that gave tenders several categories.
struct BeforeCategories;

impl sea_orm_migration::MigratorTrait for BeforeCategories {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        let mut all = <tendering::migrations::Migrator as sea_orm_migration::MigratorTrait>::migrations();
        all.retain(|migration| migration.name() != "m20261202_300005_tender_categories");
        all
    }
}

/// A tender stored before tenders had several categories keeps its one, as its list.
async fn a_stored_tender_keeps_its_one_category(db: platform::db::Database) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    use tendering::store::{tender_categories, tenders};
    let now = chrono::Utc::now();
    let legacy =
        Tender { id: "legacy".into(), council_id: "lambeth".into(), category: COFFEE.into(), ..Default::default() };
    let uncategorised = Tender { id: "uncategorised".into(), council_id: "lambeth".into(), ..Default::default() };
    for tender in [&legacy, &uncategorised] {
        tenders::ActiveModel {
            id: Set(tender.id.clone()),
            council_id: Set(tender.council_id.clone()),
            status: Set(TenderStatus::Draft.into()),
            details: Set(tender.encode_to_vec()),
            enquiry_period_end: Set(None),
            bid_deadline: Set(None),
            wrapped_bid_key: Set(None),
            published_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            revision: Set(1),
            bid_count: Set(0),
        }
        .insert(db.conn())
        .await
        .expect("a tender as stored before");
    }
    db.migrate::<tendering::migrations::Migrator>().await.expect("the new migration");
    let stored = tenders::find(db.conn(), "legacy").await.expect("read").expect("kept");
    assert_eq!((stored.tender.category, stored.tender.categories), (i32::from(COFFEE), vec![i32::from(COFFEE)]));
    let rows = tender_categories::Entity::find().all(db.conn()).await.expect("read");
    let rows: Vec<_> = rows.into_iter().map(|row| (row.tender_id, row.category)).collect();
    assert_eq!(rows, [("legacy".to_owned(), i32::from(COFFEE))], "the tender without a category has no row");
    let none = tenders::find(db.conn(), "uncategorised").await.expect("read").expect("kept");
    assert!(none.tender.categories.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_tender_keeps_its_category_on_postgres() {
    let database = platform::testing::PostgresDatabase::create().await;
    a_stored_tender_keeps_its_one_category(database.connect::<BeforeCategories>().await).await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_tender_keeps_its_category_on_sqlite() {
    let database = platform::testing::SqliteDatabase::new();
    a_stored_tender_keeps_its_one_category(database.connect::<BeforeCategories>("tendering.db").await).await;
}
