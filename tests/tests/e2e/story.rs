//! The demo's story, asserted step by step (each step checks its own outcome), on the all-in-one
//! embedded default, and on the four services as their own processes on PostgreSQL and NATS with a
//! council's finance integration listening and a service restarted mid-story.

use std::time::Duration;

use futures::StreamExt;
use marketplace::Marketplace;
use marketplace::demo::{Connection, Pace, Summary, Tokens, run};
use platform::config::Settings;
use platform::testing::channel;
use prost::Message;
use proto::commissioning::events::v1::{ContractAwarded, FinanceLinked};

use e2e::processes::Services;

/// The text of every bid in the story: it must never reach an event.
const BID_TEXT: &str = "Our volunteers meet people at the GP surgery";

fn assert_the_story_ended_well(summary: &Summary) {
    assert_eq!(summary.tenders_posted, 2);
    assert_eq!((summary.charities, summary.bids), (3, 2));
    assert!(
        summary
            .refused_award_shortfall
            .contains("public liability cover GBP 2,000,000 is below the required GBP 5,000,000"),
        "{}",
        summary.refused_award_shortfall
    );
    assert_eq!(summary.winner, "Tulse Hill Friendship Club");
    assert_eq!(summary.contract_value_pence, 2_100_000);
    assert_eq!(summary.purchase_order, "PO-448812");
    assert_eq!(summary.feedback_read, 2);
    assert_eq!((summary.block_contracts, summary.micro_contracts), (1, 1));
    // GBP 21,000 of GBP 471,000 is with a micro VCSE charity: 4.46%.
    assert_eq!((summary.small_share_basis_points, summary.vcse_share_basis_points), (446, 446));
    assert!(summary.ocds_releases >= 4, "{} releases", summary.ocds_releases);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_on_the_all_in_one_embedded_default() {
    let files = tempfile::tempdir().expect("a folder");
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.tendering_minimum_bid_period_secs = 2;
    settings.tendering_scheduler_interval_ms = 200;
    let marketplace = Marketplace::start(settings.clone()).await.expect("starts");
    let tokens = Tokens {
        secret: marketplace::development_token_secret(&settings).expect("the development secret"),
        issuer: settings.auth_issuer.clone(),
        audience: settings.auth_audience.clone(),
    };
    let connection = Connection::all_in_one(channel(marketplace.local_addr()).await);
    let mut printed = Vec::new();
    let pace = Pace { bid_period: Duration::from_secs(2), stop_after_publishing: false, stop_after_bidding: false };
    let summary = run(&connection, &tokens, &pace, &mut printed, async |_| Ok(())).await.expect("the story");
    assert_the_story_ended_well(&summary);
    let printed = String::from_utf8(printed).expect("text");
    assert!(printed.contains("[12/12]") && printed.contains("In short:"), "{printed}");
    marketplace.shutdown().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_across_four_processes_with_a_finance_integration_and_a_restart() {
    let mut services = Services::start().await;
    // Lambeth's finance integration listens to its council's events only.
    let nats = async_nats::connect(platform::testing::nats_url()).await.expect("NATS");
    let mut lambeth_events =
        nats.subscribe(format!("{}.lambeth.>", services.subject_root())).await.expect("subscribed");
    let mut everything = nats.subscribe(format!("{}.>", services.subject_root())).await.expect("subscribed");

    let tokens = services.tokens();
    let connection = services.connection().await;
    let pace = Pace {
        bid_period: Duration::from_secs(services.bid_period_secs()),
        stop_after_publishing: false,
        stop_after_bidding: false,
    };
    let mut printed = Vec::new();
    // After the bids are in, evaluation goes down; the tender closes while it is away.
    let restarts = &mut services;
    let summary = run(&connection, &tokens, &pace, &mut printed, async |step| {
        if step == 5 {
            restarts.stop("evaluation");
            tokio::time::sleep(Duration::from_secs(restarts.bid_period_secs() + 3)).await;
            restarts.restart("evaluation").await;
        }
        Ok(())
    })
    .await
    .unwrap_or_else(|error| panic!("the story: {error:#}\n{}", String::from_utf8_lossy(&printed)));
    assert_the_story_ended_well(&summary);

    // What went out on NATS, in the time the story took and a moment after.
    let mut seen = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(2), everything.next()).await {
        seen.push(message);
    }
    let count = |event: &str| seen.iter().filter(|message| message.subject.ends_with(event)).count();
    assert_eq!(count("evaluation.opened"), 1, "the evaluation opened once, after its restart");
    assert_eq!(count("tendering.tender_closed"), 2, "each tender closed once");
    assert_eq!(count("tendering.contract_awarded"), 1);
    assert_eq!(
        count("providers.tender_matched"),
        3,
        "the three community connector charities hear of Lambeth's tender"
    );
    for message in &seen {
        let payload = String::from_utf8_lossy(&message.payload);
        assert!(!payload.contains(BID_TEXT), "a bid's contents went out on {}", message.subject);
    }

    let mut finance = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_millis(500), lambeth_events.next()).await {
        finance.push(message);
    }
    assert!(
        finance.iter().all(|message| message.subject.starts_with(&format!("{}.lambeth.", services.subject_root())))
    );
    let awarded =
        finance.iter().find(|message| message.subject.ends_with("tendering.contract_awarded")).expect("the award");
    let headers = awarded.headers.as_ref().expect("CloudEvents headers");
    assert_eq!(headers.get("ce-specversion").map(|value| value.as_str()), Some("1.0"));
    assert_eq!(headers.get("ce-type").map(|value| value.as_str()), Some("tendering.contract_awarded"));
    assert!(headers.get("ce-id").is_some() && headers.get("ce-source").is_some() && headers.get("ce-time").is_some());
    let award = ContractAwarded::decode(awarded.payload.as_ref()).expect("a ContractAwarded");
    let supplier = award.contract.and_then(|contract| contract.supplier).expect("supplier");
    assert_eq!(supplier.name, "Tulse Hill Friendship Club");
    assert_eq!(supplier.identifiers[0].value, "1090001", "the charity number a finance system needs");
    let linked =
        finance.iter().find(|message| message.subject.ends_with("tendering.finance_linked")).expect("write-back");
    let linked = FinanceLinked::decode(linked.payload.as_ref()).expect("a FinanceLinked");
    assert_eq!(linked.finance.expect("finance").purchase_order_number, "PO-448812");
    assert!(!finance.iter().any(|message| message.subject.contains(".woking.")), "only its own council's events");
    services.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_on_the_all_in_one_given_postgresql_and_nats() {
    use platform::testing::{PostgresDatabase, delete_stream, isolated_events_config, nats_bus, test_database_name};

    let stem = test_database_name();
    let mut databases = Vec::new();
    for service in ["providers", "compliance", "tendering", "evaluation"] {
        databases.push(PostgresDatabase::create_named(&format!("{stem}_{service}")).await);
    }
    let base = databases[0].url.rsplit_once('/').map(|(base, _)| base.to_owned()).expect("a URL");
    let events = isolated_events_config();
    let files = tempfile::tempdir().expect("a folder");
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.database_url = Some(format!("{base}/{stem}_{{service}}"));
    settings.nats_url = Some(platform::testing::nats_url());
    settings.events_subject_root = events.subject_root.clone();
    settings.events_stream = events.stream.clone();
    settings.auth_hs256_secret = Some(platform::testing::TEST_SECRET.into());
    settings.bids_master_key = Some(platform::testing::TEST_BIDS_MASTER_KEY.into());
    settings.tendering_minimum_bid_period_secs = 2;
    settings.tendering_scheduler_interval_ms = 200;
    let marketplace = Marketplace::start(settings.clone()).await.expect("starts on PostgreSQL and NATS");
    let tokens = Tokens {
        secret: platform::testing::TEST_SECRET.into(),
        issuer: settings.auth_issuer.clone(),
        audience: settings.auth_audience.clone(),
    };
    let connection = Connection::all_in_one(channel(marketplace.local_addr()).await);
    let pace = Pace { bid_period: Duration::from_secs(2), stop_after_publishing: false, stop_after_bidding: false };
    let summary = run(&connection, &tokens, &pace, std::io::sink(), async |_| Ok(())).await.expect("the story");
    assert_the_story_ended_well(&summary);
    marketplace.shutdown().await.expect("stops");
    delete_stream(&nats_bus(events).await).await;
    for database in databases {
        database.drop_database().await;
    }
}
