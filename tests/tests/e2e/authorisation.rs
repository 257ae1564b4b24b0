//! Who may call comes before what was sent, on every call: a caller whose roles the call never
//! serves gets PERMISSION_DENIED whatever its request holds (empty, half-filled, or naming things
//! that exist), and a caller without a token gets UNAUTHENTICATED, never a validation error that
//! would tell a stranger how to shape a request it may not make. [`WHO_MAY_CALL`] is the
//! marketplace's table of roles per call; a call missing from it fails the test.

use e2e::all_in_one::{AllInOne, Backend, open_tender};
use e2e::generated::{Generated, Generator};
use platform::auth::Role;
use platform::testing::{channel, token};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tonic::Code;

use Role::{Evaluator, Integrator, Officer, Provider, Service};

/// Requests sent per call and refused role: an empty one and generated ones.
const REQUESTS_PER_ROLE: u64 = 6;

/// The roles each call serves besides the platform's admins, who may call anything. `None`: any
/// caller with a token (what it then sees depends on its organisation). The open-data calls of
/// [`OPEN_DATA`] need no token at all.
const WHO_MAY_CALL: &[(&str, Option<&[Role]>)] = &[
    ("providers.v1.ProvidersService/CreateProvider", Some(&[Provider])),
    ("providers.v1.ProvidersService/GetProvider", None),
    ("providers.v1.ProvidersService/UpdateProvider", Some(&[Provider])),
    ("providers.v1.ProvidersService/AddMember", Some(&[Provider])),
    ("providers.v1.ProvidersService/RemoveMember", Some(&[Provider])),
    ("providers.v1.ProvidersService/AddService", Some(&[Provider])),
    ("providers.v1.ProvidersService/UpdateService", Some(&[Provider])),
    ("providers.v1.ProvidersService/RemoveService", Some(&[Provider])),
    ("providers.v1.ProvidersService/ListServices", None),
    ("providers.v1.ProvidersService/SearchProviders", None),
    ("providers.v1.ProvidersService/ExportOpenReferral", None),
    ("providers.v1.ProvidersService/ListTenderMatches", Some(&[Provider])),
    ("providers.v1.ProvidersService/ListMyMemberships", None),
    ("compliance.v1.ComplianceService/UploadDocument", Some(&[Provider])),
    ("compliance.v1.ComplianceService/DownloadDocument", Some(&[Provider, Officer])),
    ("compliance.v1.ComplianceService/GetDocument", Some(&[Provider, Officer])),
    ("compliance.v1.ComplianceService/ListDocuments", Some(&[Provider])),
    ("compliance.v1.ComplianceService/RenewDocument", Some(&[Provider])),
    ("compliance.v1.ComplianceService/VerifyDocument", Some(&[Officer])),
    ("compliance.v1.ComplianceService/RejectDocument", Some(&[Officer])),
    ("compliance.v1.ComplianceService/CheckCompliance", Some(&[Officer, Evaluator, Service, Provider])),
    ("evaluation.v1.EvaluationService/GetEvaluation", Some(&[Officer, Evaluator, Service])),
    ("evaluation.v1.EvaluationService/ListEvaluations", Some(&[Officer, Evaluator])),
    ("evaluation.v1.EvaluationService/AssignEvaluator", Some(&[Officer])),
    ("evaluation.v1.EvaluationService/SubmitScores", Some(&[Officer, Evaluator])),
    ("evaluation.v1.EvaluationService/StartModeration", Some(&[Officer, Evaluator])),
    ("evaluation.v1.EvaluationService/ModerateScore", Some(&[Officer, Evaluator])),
    ("evaluation.v1.EvaluationService/CompleteEvaluation", Some(&[Officer, Evaluator])),
    ("evaluation.v1.EvaluationService/GetBidFeedback", Some(&[Provider, Officer])),
    ("tendering.v1.TenderingService/CreateTender", Some(&[Officer])),
    ("tendering.v1.TenderingService/UpdateTender", Some(&[Officer])),
    ("tendering.v1.TenderingService/PublishTender", Some(&[Officer])),
    ("tendering.v1.TenderingService/CancelTender", Some(&[Officer])),
    ("tendering.v1.TenderingService/GetTender", None),
    ("tendering.v1.TenderingService/ListTenders", None),
    ("tendering.v1.TenderingService/ListTemplates", None),
    ("tendering.v1.TenderingService/AskQuestion", Some(&[Provider])),
    ("tendering.v1.TenderingService/AnswerQuestion", Some(&[Officer])),
    ("tendering.v1.TenderingService/ListQuestions", None),
    ("tendering.v1.TenderingService/SubmitBid", Some(&[Provider])),
    ("tendering.v1.TenderingService/WithdrawBid", Some(&[Provider])),
    ("tendering.v1.TenderingService/SaveBidDraft", Some(&[Provider])),
    ("tendering.v1.TenderingService/GetBidDraft", Some(&[Provider])),
    ("tendering.v1.TenderingService/GetMyBid", Some(&[Provider])),
    ("tendering.v1.TenderingService/ConfirmConsortiumPartner", Some(&[Provider])),
    ("tendering.v1.TenderingService/DeclineConsortiumPartner", Some(&[Provider])),
    ("tendering.v1.TenderingService/GetOpeningRecord", None),
    ("tendering.v1.TenderingService/ListOpenedBids", Some(&[Service])),
    ("tendering.v1.TenderingService/AwardTender", Some(&[Officer])),
    ("tendering.v1.TenderingService/DeclareTenderUnsuccessful", Some(&[Officer])),
    ("tendering.v1.TenderingService/RegisterContract", Some(&[Officer])),
    ("tendering.v1.TenderingService/GetContract", Some(&[Officer, Integrator, Provider])),
    ("tendering.v1.TenderingService/ListContracts", Some(&[Officer, Integrator, Provider])),
    ("tendering.v1.TenderingService/GetCommissioningSummary", Some(&[Officer])),
    ("tendering.v1.TenderingService/RecordFinanceReference", Some(&[Integrator])),
    ("tendering.v1.TenderingService/ExerciseContractExtension", Some(&[Officer])),
];

/// Open data, answered without a token: the OCDS releases, and published tenders with their answered
/// questions.
const OPEN_DATA: [&str; 4] = [
    "tendering.v1.TenderingService/GetOcdsReleasePackage",
    "tendering.v1.TenderingService/GetTender",
    "tendering.v1.TenderingService/ListTenders",
    "tendering.v1.TenderingService/ListQuestions",
];
const ROLES: [Role; 5] = [Officer, Evaluator, Provider, Integrator, Service];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_checks_who_may_call_before_what_was_sent() {
    let server =
        AllInOne::start(&e2e::processes::binary("marketplace"), Backend::Postgres, None).await.expect("starts");
    let channel = channel(server.address).await;
    let tender = match open_tender(&channel).await {
        Ok(tender) => tender,
        Err(error) => panic!("no tender published: {error:#}\n{}", server.log()),
    };
    let mut known_ids = vec![tender.id.clone(), "lambeth".into(), "befriending".into()];
    known_ids.extend(tender.bid_questions.iter().map(|question| question.id.clone()));
    let generator = Generator::new(known_ids).expect("the contracts' calls");
    let mut rng = StdRng::seed_from_u64(12);

    let mut wrong = Vec::new();
    for call in &generator.calls {
        let name = call.path.trim_start_matches("/commissioning.");
        let who = WHO_MAY_CALL.iter().find(|(listed, _)| *listed == name).map(|(_, roles)| *roles);
        let Some(who) = who.or(OPEN_DATA.contains(&name).then_some(None)) else {
            wrong.push(format!("{name}: not in WHO_MAY_CALL; say who may call it"));
            continue;
        };
        for attempt in 0..REQUESTS_PER_ROLE {
            let body = if attempt == 0 { Vec::new() } else { generator.body(call, &mut rng) };
            if !OPEN_DATA.contains(&name) {
                let answer =
                    e2e::raw::send(&channel, Generated { call, body: body.clone(), authorization: None }).await;
                if answer.as_ref().err().map(tonic::Status::code) != Some(Code::Unauthenticated) {
                    wrong.push(format!("{name} without a token: {answer:?}"));
                }
            }
            let refused = ROLES.iter().filter(|role| who.is_some_and(|allowed| !allowed.contains(role)));
            for role in refused {
                let bearer = format!("Bearer {}", token("someone", "wigan", &[*role]));
                let request = Generated { call, body: body.clone(), authorization: Some(bearer) };
                let answer = e2e::raw::send(&channel, request).await;
                if answer.as_ref().err().map(tonic::Status::code) != Some(Code::PermissionDenied) {
                    wrong.push(format!("{name} as {role:?}: {answer:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "calls that looked at the request before the caller:\n{}", wrong.join("\n"));
    server.stop().await.expect("stops");
}
