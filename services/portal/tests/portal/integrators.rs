//! A council's events for its integrators, end to end: the whole marketplace and the portal on one
//! bus (PostgreSQL and NATS JetStream, or SQLite and the embedded log), and events of two councils
//! published as the tendering service would. Lambeth's integrator reads Lambeth's, each once
//! however often it came, in words, and none of Woking's; an officer is refused the page; the
//! open tenders are read without signing in.

use platform::events::Publisher;
use proto::commissioning::common::v1::{DateRange, Money};
use proto::commissioning::events::v1::{ContractRegistered, FinanceLinked};
use proto::commissioning::tendering::v1::{Contract, ContractRoute, FinanceReference, Supplier};
use reqwest::StatusCode;
use reqwest::header::COOKIE;

use super::mail_catcher::free_port;
use super::notifications::{Backend, World, event, page_until};
use super::support::{client, csrf_token, session_cookie};

/// Signs in on the development page as the demo's `choice` (such as `demo-integrator`).
async fn staff(world: &World, choice: &str) -> String {
    let http = client();
    let page = http.get(format!("{}sign-in", world.url)).send().await.expect("the sign-in page");
    let cookie = session_cookie(&page).expect("a session");
    let csrf = csrf_token(&page.text().await.expect("html"));
    let form = [("csrf_token", csrf.as_str()), ("acting_as", choice)];
    let signed_in = http.post(format!("{}sign-in", world.url)).header(COOKIE, &cookie).form(&form).send().await;
    session_cookie(&signed_in.expect("signed in")).expect("a new session")
}

fn block_contract(council_id: &str, title: &str) -> ContractRegistered {
    ContractRegistered {
        council_id: council_id.into(),
        contract: Some(Contract {
            id: uuid::Uuid::now_v7().to_string(),
            council_id: council_id.into(),
            route: ContractRoute::Block.into(),
            title: title.into(),
            supplier: Some(Supplier { name: "Large Care Group plc".into(), ..Default::default() }),
            value: Some(Money { amount_pence: 45_000_000, currency: "GBP".into(), vat_included: true }),
            period: Some(DateRange {
                start_date: Some(platform::dates::date_to_proto(
                    chrono::NaiveDate::from_ymd_opt(2026, 4, 1).expect("a date"),
                )),
                end_date: Some(platform::dates::date_to_proto(
                    chrono::NaiveDate::from_ymd_opt(2029, 3, 31).expect("a date"),
                )),
            }),
            ..Default::default()
        }),
    }
}

async fn integrators_read_their_own_councils_events(backend: Backend) {
    let world = World::start(backend, free_port()).await;
    let lambeth = block_contract("lambeth", "Day opportunities, borough-wide");
    let contract_id = lambeth.contract.as_ref().map(|contract| contract.id.clone()).unwrap_or_default();
    let registered = event("tendering.contract_registered", "lambeth", &contract_id, &lambeth);
    world.bus.publish(&registered).await.expect("published");
    // The same event again, as a redelivery would bring it.
    world.bus.publish(&registered).await.expect("published again");
    let linked = FinanceLinked {
        contract_id: contract_id.clone(),
        council_id: "lambeth".into(),
        finance: Some(FinanceReference { purchase_order_number: "PO-448812".into(), ..Default::default() }),
        cost_centre: "ASC-PREV-01".into(),
        ..Default::default()
    };
    world.bus.publish(&event("tendering.finance_linked", "lambeth", &contract_id, &linked)).await.expect("published");
    let woking = block_contract("woking", "Woking lunch clubs");
    let woking_id = woking.contract.as_ref().map(|contract| contract.id.clone()).unwrap_or_default();
    world.bus.publish(&event("tendering.contract_registered", "woking", &woking_id, &woking)).await.expect("published");

    let finance = staff(&world, "demo-integrator").await;
    let page = page_until(&world, &finance, "integrator/events", |html| {
        html.contains("PO-448812") && html.contains("Day opportunities, borough-wide")
    })
    .await;
    assert!(page.contains("A block contract was registered: “Day opportunities, borough-wide” with Large Care Group plc, £450,000 (VAT included), 1 April 2026 to 31 March 2029."), "{page}");
    assert!(page.contains("purchase order PO-448812, cost centre ASC-PREV-01"), "{page}");
    assert!(page.contains(&contract_id), "the subject");
    assert_eq!(page.matches("Day opportunities, borough-wide").count(), 1, "kept once: {page}");
    // Woking's event reached the portal too (its consumer is past it), and is not Lambeth's.
    assert!(!page.contains("Woking lunch clubs"), "{page}");
    let subjects = world.get(&finance, "integrator/subjects").await;
    assert!(subjects.contains("commissioning.lambeth.&gt;"), "{subjects}");

    let officer = staff(&world, "demo-officer").await;
    let refused = client().get(format!("{}integrator/events", world.url)).header(COOKIE, &officer).send().await;
    assert_eq!(refused.expect("answered").status(), StatusCode::FORBIDDEN, "an officer is not the integrator");
    let open = client().get(format!("{}open/tenders", world.url)).send().await.expect("answered");
    assert_eq!(open.status(), StatusCode::OK, "the open tenders without signing in");
    world.stop().await;
}

#[tokio::test]
async fn integrators_events_on_postgres_and_nats() {
    integrators_read_their_own_councils_events(Backend::Postgres).await;
}

#[tokio::test]
async fn integrators_events_on_the_embedded_default() {
    integrators_read_their_own_councils_events(Backend::Embedded).await;
}
