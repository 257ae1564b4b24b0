//! SearchProviders latency over 10,000 and 100,000 providers on PostgreSQL, through gRPC as a
//! client sees it. Seeds a fresh database, then sends each kind of search one at a time and
//! reports p50 and p99. Run: `cargo bench -p providers --bench search [-- SIZES...]`.

use std::time::{Duration, Instant};

use platform::auth::Role;
use platform::events::EventBus;
use platform::events::embedded::EmbeddedLog;
use platform::grpc::ServerOptions;
use platform::runtime::{Service as _, start_service};
use platform::testing::{PostgresDatabase, channel, isolated_events_config, settings, token, with_token};
use prost::Message;
use proto::commissioning::common::v1::{ServiceCategory, SizeClass};
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{Provider, SearchProvidersRequest, Service, ServiceStatus};
use providers::Providers;
use providers::store::entity::{offered_service, provider, service_area};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

const SEARCHES_PER_KIND: usize = 200;
const BATCH: usize = 1000;
const WORDS: [&str; 12] = [
    "Brixton",
    "Woking",
    "Community",
    "Friends",
    "Neighbours",
    "Befrienders",
    "Connect",
    "Together",
    "Circle",
    "Lunch",
    "Club",
    "Care",
];
const CATEGORIES: [ServiceCategory; 5] = [
    ServiceCategory::BefriendingTelephone,
    ServiceCategory::BefriendingFaceToFace,
    ServiceCategory::GroupActivities,
    ServiceCategory::CommunityConnector,
    ServiceCategory::LocalAreaCoordination,
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|arg| arg.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    println!("| providers | search | p50 ms | p99 ms | searches/s |");
    println!("|---|---|---|---|---|");
    for size in sizes {
        measure(size).await?;
    }
    Ok(())
}

async fn measure(size: usize) -> anyhow::Result<()> {
    let database = PostgresDatabase::create().await;
    let files = tempfile::tempdir()?;
    let events = isolated_events_config();
    let log = EmbeddedLog::open(&files.path().join("events.sqlite"), events.clone()).await?;
    let settings = settings(files.path(), Some(database.url.clone()), &events, false);
    let options = ServerOptions::from_settings(&settings);
    let service = start_service::<Providers>(settings, Some(EventBus::Embedded(log))).await?;
    let db = platform::db::Database::connect(&database.url, 2).await?;
    let seeding = Instant::now();
    seed(&db, size).await?;
    db.conn().execute_unprepared("ANALYZE").await?;
    eprintln!("seeded {size} providers in {:.1} s", seeding.elapsed().as_secs_f64());

    let mut routes = tonic::service::RoutesBuilder::default();
    service.add_routes(&mut routes);
    let server = platform::grpc::start(&options, routes.routes(), &[Providers::GRPC_NAME]).await?;
    let mut client = ProvidersServiceClient::new(channel(server.local_addr()).await);
    let officer = token("bench", "council-1", &[Role::Officer]);
    let kinds: [(&str, SearchProvidersRequest); 5] = [
        ("first page, no filter", SearchProvidersRequest::default()),
        (
            "category + council",
            SearchProvidersRequest {
                categories: vec![CATEGORIES[1] as i32],
                council_id: "council-7".into(),
                ..Default::default()
            },
        ),
        (
            "council + postcode district",
            SearchProvidersRequest {
                council_id: "council-7".into(),
                postcode_district: "SW17".into(),
                ..Default::default()
            },
        ),
        ("free text", SearchProvidersRequest { query: "befrienders circle".into(), ..Default::default() }),
        (
            "text + category + size + VCSE",
            SearchProvidersRequest {
                query: "friends".into(),
                categories: vec![CATEGORIES[2] as i32],
                size_classes: vec![SizeClass::Micro as i32, SizeClass::Small as i32],
                vcse: Some(true),
                ..Default::default()
            },
        ),
    ];
    for (name, request) in kinds {
        let mut latencies = Vec::with_capacity(SEARCHES_PER_KIND);
        let started = Instant::now();
        for _ in 0..SEARCHES_PER_KIND {
            let sent = Instant::now();
            client.search_providers(with_token(request.clone(), &officer)).await?;
            latencies.push(sent.elapsed());
        }
        let rate = SEARCHES_PER_KIND as f64 / started.elapsed().as_secs_f64();
        latencies.sort();
        println!(
            "| {size} | {name} | {:.1} | {:.1} | {rate:.0} |",
            millis(latencies[latencies.len() / 2]),
            millis(latencies[latencies.len() * 99 / 100])
        );
    }
    server.shutdown().await?;
    drop(service);
    database.drop_database().await;
    Ok(())
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Writes `size` providers, each with one active service in one council and district, straight
/// to the tables in batches (creating them through gRPC would measure creation, not search).
async fn seed(db: &platform::db::Database, size: usize) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    for start in (0..size).step_by(BATCH) {
        let mut providers = Vec::with_capacity(BATCH);
        let mut services = Vec::with_capacity(BATCH);
        let mut areas = Vec::with_capacity(BATCH);
        for n in start..(start + BATCH).min(size) {
            let name = format!("{} {} {} {n}", WORDS[n % 12], WORDS[(n / 12) % 12], WORDS[(n / 144) % 12]);
            let id = uuid::Uuid::new_v4().to_string();
            let size_class = [SizeClass::Micro, SizeClass::Small, SizeClass::Medium, SizeClass::Large][n % 4] as i32;
            let profile = Provider {
                id: id.clone(),
                legal_name: name.clone(),
                size_class,
                vcse: n % 5 != 0,
                ..Default::default()
            };
            providers.push(provider::ActiveModel {
                id: Set(id.clone()),
                legal_name: Set(name.clone()),
                sort_name: Set(name.to_lowercase()),
                search_name: Set(name.to_lowercase()),
                search_text: Set(format!("{} supports older people in their homes", name.to_lowercase())),
                legal_form: Set(1),
                size_class: Set(size_class),
                vcse: Set(n % 5 != 0),
                active_services: Set(1),
                service_text: Set(format!("{} service", name.to_lowercase())),
                profile: Set(profile.encode_to_vec()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let service_id = uuid::Uuid::new_v4().to_string();
            let category = CATEGORIES[n % CATEGORIES.len()] as i32;
            let details = Service {
                name: format!("{name} service"),
                category,
                status: ServiceStatus::Active as i32,
                ..Default::default()
            };
            services.push(offered_service::ActiveModel {
                id: Set(service_id.clone()),
                provider_id: Set(id.clone()),
                name: Set(details.name.clone()),
                category: Set(category),
                status: Set(ServiceStatus::Active as i32),
                search_text: Set(details.name.to_lowercase()),
                details: Set(details.encode_to_vec()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            areas.push(service_area::ActiveModel {
                service_id: Set(service_id),
                provider_id: Set(id),
                council_id: Set(format!("council-{}", n % 20)),
                postcode_district: Set((n % 3 != 0).then(|| format!("SW{}", n % 30))),
                ward_code: Set(None),
                ..Default::default()
            });
        }
        provider::Entity::insert_many(providers).exec_without_returning(db.conn()).await?;
        offered_service::Entity::insert_many(services).exec_without_returning(db.conn()).await?;
        service_area::Entity::insert_many(areas).exec_without_returning(db.conn()).await?;
    }
    Ok(())
}
