//! CheckCompliance through gRPC: each requirement answered in plain English from the provider's
//! locker, for officers, evaluators and services, and for a provider about its own locker only.

use chrono::Days;
use platform::auth::Role;
use platform::dates::long_date;
use platform::testing::{token, with_token};
use platform::time::london_today;
use proto::commissioning::common::v1::{
    Date, DocumentKind, EvidenceCheckResult, EvidenceRequirement, Money, RequirementStatus,
};
use proto::commissioning::compliance::v1::CheckComplianceRequest;
use tonic::Code;

use super::support::{App, certificate, client, cover_end, member_of, on, pdf, publish, upload};

fn requirement(kind: DocumentKind, minimum_pounds: Option<i64>) -> EvidenceRequirement {
    EvidenceRequirement {
        kind: kind as i32,
        minimum_cover: minimum_pounds.map(|pounds| Money {
            amount_pence: pounds * 100,
            currency: "GBP".into(),
            vat_included: true,
        }),
        ..Default::default()
    }
}

fn check(requirements: Vec<EvidenceRequirement>, day: Date) -> CheckComplianceRequest {
    CheckComplianceRequest {
        provider_id: "charity-1".into(),
        requirements,
        on_date: Some(day),
        tender_id: String::new(),
    }
}

#[tokio::test]
async fn each_requirement_is_answered_in_words_a_charity_understands() {
    let app = App::on_sqlite().await;
    upload(&app, &member_of("charity-1"), certificate("charity-1", "pl"), &pdf()).await.expect("uploaded");
    let officer = token("olu", "lambeth", &[Role::Officer]);
    let start = on(london_today()).expect("a date");
    let request = check(
        vec![
            requirement(DocumentKind::PublicLiabilityInsurance, Some(2_000_000)),
            requirement(DocumentKind::PublicLiabilityInsurance, Some(10_000_000)),
            requirement(DocumentKind::SafeguardingAdultsPolicy, None),
        ],
        start,
    );
    let response =
        client(&app).await.check_compliance(with_token(request, &officer)).await.expect("checked").into_inner();
    let statuses: Vec<_> = response.results.iter().map(|result| result.status()).collect();
    assert_eq!(
        statuses,
        [RequirementStatus::AwaitingVerification, RequirementStatus::NotMet, RequirementStatus::NotMet],
        "{response:#?}"
    );
    assert!(!response.all_met);
    let explanations: Vec<_> = response.results.iter().map(|result| result.explanation.as_str()).collect();
    assert!(explanations[1].contains("GBP 5,000,000 is below the required GBP 10,000,000"), "{}", explanations[1]);
    assert!(explanations[2].contains("no safeguarding adults policy in the locker"), "{}", explanations[2]);

    // A contract starting the day after the certificate ends is not covered.
    let late = check(
        vec![requirement(DocumentKind::PublicLiabilityInsurance, Some(2_000_000))],
        on(cover_end() + Days::new(1)).expect("a date"),
    );
    let response = client(&app).await.check_compliance(with_token(late, &officer)).await.expect("checked").into_inner();
    assert_eq!(response.results[0].status(), RequirementStatus::NotMet);
    let ends = long_date(cover_end());
    assert!(response.results[0].explanation.contains(&ends), "{}", response.results[0].explanation);
    app.stop().await;
}

#[tokio::test]
async fn a_provider_checks_only_its_own_locker_and_requests_are_validated() {
    let app = App::on_sqlite().await;
    let request = check(
        vec![requirement(DocumentKind::PublicLiabilityInsurance, Some(2_000_000))],
        on(london_today()).expect("a date"),
    );
    let refused = client(&app).await.check_compliance(with_token(request.clone(), &member_of("charity-2"))).await;
    let refused = refused.expect_err("a provider may not check another");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert!(refused.message().contains("its own locker"), "{}", refused.message());
    let own = client(&app).await.check_compliance(with_token(request.clone(), &member_of("charity-1"))).await;
    assert!(own.is_ok(), "a provider checks its own locker before bidding: {own:?}");
    let integrator = token("finance", "lambeth", &[Role::Integrator]);
    let refused = client(&app).await.check_compliance(with_token(request.clone(), &integrator)).await;
    assert_eq!(refused.expect_err("not an integrator's call").code(), Code::PermissionDenied);
    for role in [Role::Evaluator, Role::Service] {
        let allowed =
            client(&app).await.check_compliance(with_token(request.clone(), &token("x", "lambeth", &[role]))).await;
        assert!(allowed.is_ok(), "{role:?}: {allowed:?}");
    }
    let empty = CheckComplianceRequest::default();
    let refused =
        client(&app).await.check_compliance(with_token(empty, &token("olu", "lambeth", &[Role::Officer]))).await;
    let refused = refused.expect_err("nothing to check");
    assert_eq!(refused.code(), Code::InvalidArgument);
    for field in ["provider_id", "on_date", "requirements"] {
        assert!(refused.message().contains(field), "names {field}: {}", refused.message());
    }
    app.stop().await;
}

/// Employer's liability asked only of employers: the staff number comes from providers' events.
async fn employers_liability_follows_the_providers_paid_staff(app: App) {
    use proto::commissioning::events::v1::{ProviderProfile, ProviderRegistered, ProviderUpdated};

    // Not heard of yet: treated as an employer, so the missing certificate counts against it.
    assert_eq!(employers_liability(&app).await.status(), RequirementStatus::NotMet);

    let volunteers = ProviderProfile { provider_id: "charity-1".into(), paid_staff_count: 0, ..Default::default() };
    let registered = ProviderRegistered { provider: Some(volunteers.clone()), ..Default::default() };
    publish(&app, "providers.provider_registered", "platform", "charity-1", registered).await;
    let result = employers_liability_until(&app, RequirementStatus::NotApplicable).await;
    assert!(result.explanation.contains("no paid staff"), "{}", result.explanation);

    let employer = ProviderProfile { paid_staff_count: 3, ..volunteers };
    let updated = ProviderUpdated { provider: Some(employer), changed_fields: vec!["paid_staff_count".into()] };
    publish(&app, "providers.provider_updated", "platform", "charity-1", updated).await;
    let result = employers_liability_until(&app, RequirementStatus::NotMet).await;
    assert!(result.explanation.contains("no employer's liability"), "{}", result.explanation);
    app.stop().await;
}

/// charity-1 checked against employer's liability of GBP 5m, asked only of employers.
async fn employers_liability(app: &App) -> EvidenceCheckResult {
    let requirement = EvidenceRequirement {
        only_if_employing_staff: true,
        ..requirement(DocumentKind::EmployersLiabilityInsurance, Some(5_000_000))
    };
    let request = check(vec![requirement], on(london_today()).expect("a date"));
    let officer = token("olu", "lambeth", &[Role::Officer]);
    let response = client(app).await.check_compliance(with_token(request, &officer)).await.expect("checked");
    response.into_inner().results.remove(0)
}

/// Checks until the answer is `wanted` (events are consumed asynchronously).
async fn employers_liability_until(app: &App, wanted: RequirementStatus) -> EvidenceCheckResult {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let result = employers_liability(app).await;
        if result.status() == wanted {
            return result;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {:?}: {}", result.status(), result.explanation);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employers_liability_on_postgres_and_nats() {
    employers_liability_follows_the_providers_paid_staff(App::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employers_liability_on_sqlite_and_the_embedded_log() {
    employers_liability_follows_the_providers_paid_staff(App::on_sqlite().await).await;
}
