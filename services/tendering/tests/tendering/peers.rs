//! What the officer is told when AwardTender's call to compliance fails: a refusal as compliance
//! gave it (here compliance refuses a service token the identity provider issued without the
//! `service` role), never turned into UNAVAILABLE; and UNAVAILABLE only when compliance is out of
//! reach.

use std::time::Duration;

use compliance::Compliance;
use platform::auth::Role;
use platform::testing::{TestApp, publish_event, token, with_token};
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement};
use proto::commissioning::events::v1::{EvaluationCompleted, LotRanking, RankedBidSummary};
use proto::commissioning::tendering::v1::*;
use tonic::Code;
use tonic_types::StatusExt;

use super::support::*;

async fn a_peers_refusal_reaches_the_officer_as_it_is(compliance: TestApp<Compliance>, app: App) {
    let mut wanted = befriending(Duration::from_secs(1), Duration::from_secs(3));
    wanted.evidence_requirements = vec![EvidenceRequirement {
        kind: DocumentKind::PublicLiabilityInsurance as i32,
        minimum_cover: Some(gbp(2_000_000)),
        ..Default::default()
    }];
    let tender = published(&app, wanted).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    let winner = submit(&app, bid(&tender, "brixton-friends", 7_200, "We visit weekly.")).await.expect("bid");
    run_scheduler_after(&app, tender.bid_deadline.as_ref().expect("deadline")).await;
    let ranked = RankedBidSummary {
        bid_id: winner.bid_id.clone(),
        provider_id: "brixton-friends".into(),
        rank: 1,
        ..Default::default()
    };
    let completed = EvaluationCompleted {
        evaluation_id: "evaluation-1".into(),
        tender_id: tender.id.clone(),
        council_id: "lambeth".into(),
        rankings: vec![LotRanking {
            lot_id: tender.lots[0].id.clone(),
            ranking: vec![ranked],
            recommended_bid_id: winner.bid_id.clone(),
        }],
        complete_time: None,
    };
    publish_event(&app.bus, "evaluation.completed", "lambeth", "evaluation-1", completed).await;
    let award = || AwardTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        tender_id: tender.id.clone(),
        bid_id: winner.bid_id.clone(),
        ..Default::default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let attempt = client(&app).await.award_tender(with_token(award(), &lambeth_officer())).await;
        let status = attempt.expect_err("compliance refuses tendering's token");
        if !status.message().contains("evaluation has not been completed") {
            break status;
        }
        assert!(tokio::time::Instant::now() < deadline, "the evaluation never arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    assert!(
        refused.message().contains("needs the officer or evaluator or service or provider role"),
        "{}",
        refused.message()
    );
    assert_eq!(refused.get_details_error_info().expect("compliance's details").reason, "PERMISSION_DENIED");

    // With compliance out of reach, and only then, the officer is told to try again.
    app.service.compliance().set_url("http://127.0.0.1:9".into());
    let unreachable = client(&app).await.award_tender(with_token(award(), &lambeth_officer())).await;
    let unreachable = unreachable.expect_err("compliance is out of reach");
    assert_eq!(unreachable.code(), Code::Unavailable);
    assert!(unreachable.message().contains("the compliance service could not be reached"), "{}", unreachable.message());
    let tender = get(&app, &tender.id, &lambeth_officer()).await.expect("read");
    assert_eq!(tender.status(), TenderStatus::ActiveEvaluation, "nothing was awarded");
    app.stop().await;
    compliance.stop().await;
}

/// Tendering with a service token that lacks the `service` role, asking `compliance`.
fn wrongly_issued(compliance: &TestApp<Compliance>) -> impl FnOnce(&mut platform::config::Settings) {
    let compliance_url = format!("http://{}", compliance.addr());
    move |settings| {
        settings.tendering_minimum_bid_period_secs = MINIMUM_PERIOD.as_secs();
        settings.tendering_scheduler_interval_ms = 3_600_000;
        settings.compliance_url = Some(compliance_url);
        settings.service_token = Some(token("service:tendering", "platform", &[Role::Integrator]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_refusals_on_postgres_and_nats() {
    let compliance = TestApp::<Compliance>::on_postgres().await;
    let app = App::on_postgres_with(wrongly_issued(&compliance)).await;
    a_peers_refusal_reaches_the_officer_as_it_is(compliance, app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_refusals_on_sqlite_and_the_embedded_log() {
    let compliance = TestApp::<Compliance>::on_sqlite().await;
    let app = App::on_sqlite_with(wrongly_issued(&compliance)).await;
    a_peers_refusal_reaches_the_officer_as_it_is(compliance, app).await;
}
