//! A database outage is reported as one: calls fail fast with UNAVAILABLE (not INTERNAL, not a
//! hang until the client's deadline), health says NOT_SERVING, and both recover by themselves
//! when the database returns, where a retry with the same request_id makes the change once.

use std::time::Duration;

use platform::testing::{PrivatePostgres, ServingStatus};
use proto::commissioning::providers::v1::{CreateProviderRequest, GetProviderRequest};
use tonic::Code;

use super::support::{App, charity, client, from_charity_worker, member};

const HEALTH: &str = "commissioning.providers.v1.ProvidersService";

async fn wait_for_health(app: &App, wanted: ServingStatus, within: Duration) {
    platform::testing::wait_for_health(app.addr(), HEALTH, wanted, within).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_unavailable_and_not_serving_until_the_database_returns() {
    let postgres = PrivatePostgres::start();
    let app = App::on_sqlite_with(|settings| {
        settings.database_url = Some(postgres.url("postgres"));
        settings.database_acquire_timeout_secs = 2;
    })
    .await;
    let mut client = client(&app).await;
    let before =
        CreateProviderRequest { request_id: "before".into(), provider: Some(charity("Before Trust", "1100101")) };
    let before = client.create_provider(from_charity_worker(before, "amira")).await.expect("created").into_inner();
    let before = before.provider.expect("the provider");
    wait_for_health(&app, ServingStatus::Serving, Duration::from_secs(5)).await;

    postgres.crash();
    let during =
        CreateProviderRequest { request_id: "during".into(), provider: Some(charity("During Trust", "1100102")) };
    let mut request = from_charity_worker(during.clone(), "bella");
    // Far longer than the acquire timeout: the call must fail on its own, not wait for this.
    request.set_timeout(Duration::from_secs(20));
    let refused = client.create_provider(request).await.expect_err("the database is down");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("same request_id"), "says a retry is safe: {}", refused.message());
    let read = GetProviderRequest { provider_id: before.id.clone() };
    let refused = client.get_provider(member("amira", &before.id, read.clone())).await.expect_err("down");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    wait_for_health(&app, ServingStatus::NotServing, Duration::from_secs(10)).await;

    postgres.start_again();
    wait_for_health(&app, ServingStatus::Serving, Duration::from_secs(20)).await;
    let retried = client.create_provider(from_charity_worker(during.clone(), "bella")).await.expect("retried");
    let again = client.create_provider(from_charity_worker(during, "bella")).await.expect("retried again");
    assert_eq!(
        retried.into_inner().provider.expect("p").id,
        again.into_inner().provider.expect("p").id,
        "the retried create made one provider"
    );
    let found = client.get_provider(member("amira", &before.id, read)).await.expect("read after the outage");
    assert_eq!(found.into_inner().provider.expect("p").legal_name, "Before Trust");
    app.stop().await;
}
