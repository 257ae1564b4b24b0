//! Open data as the public reads it: GetOcdsReleasePackage without a token shows only what is
//! published, the same as a council's officers see; a joint funding is visible as each funder's
//! share of the budget; the buyer and funders are named by their org-id identifiers. Published
//! tenders and their answered questions are read without a token too (GetTender, ListTenders,
//! ListQuestions), never a draft or an unanswered question. Every other call still needs a token.

use std::time::Duration;

use platform::testing::with_token;
use prost::Message;
use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier, OrganisationKind, OrganisationRef};
use proto::commissioning::tendering::v1::*;
use serde_json::{Value, json};
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;

use super::support::*;

const BUDGET_BREAKDOWN_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/extension.json";

fn identifier(scheme: OrgIdScheme, value: &str) -> Option<OrgIdentifier> {
    Some(OrgIdentifier { scheme: scheme.into(), value: value.into() })
}

fn funder(organisation: OrganisationRef, share_basis_points: i32) -> Funder {
    Funder { organisation: Some(organisation), share_basis_points }
}

/// The befriending tender (GBP 8,000) funded 60% by Lambeth, identified by its local-authority
/// code, and 40% by its ICB, identified by its ODS code.
fn jointly_funded() -> Tender {
    let mut tender = befriending(Duration::from_secs(60), Duration::from_secs(120));
    tender.buyer_identifier = identifier(OrgIdScheme::GbLae, "lbh");
    let council = OrganisationRef {
        organisation_id: "lambeth".into(),
        kind: OrganisationKind::Council.into(),
        name: "Lambeth".into(),
        identifier: None,
    };
    let icb = OrganisationRef {
        organisation_id: String::new(),
        kind: OrganisationKind::IntegratedCareBoard.into(),
        name: "NHS South East London ICB".into(),
        identifier: identifier(OrgIdScheme::GbNhs, "QKK"),
    };
    tender.funders = vec![funder(council, 6_000), funder(icb, 4_000)];
    tender
}

fn party<'a>(release: &'a Value, id: &str) -> &'a Value {
    release["parties"]
        .as_array()
        .and_then(|parties| parties.iter().find(|party| party["id"] == id))
        .unwrap_or_else(|| panic!("no party {id} in {:#}", release["parties"]))
}

/// The package read without a token, checked against the schema.
async fn read_openly(app: &App, request: GetOcdsReleasePackageRequest) -> Result<Value, tonic::Status> {
    let response = client(app).await.get_ocds_release_package(request).await?;
    Ok(valid_ocds(&response.into_inner()))
}

fn ocids(package: &Value) -> Vec<String> {
    let mut ocids: Vec<String> = package["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .filter_map(|release| release["ocid"].as_str().map(str::to_owned))
        .collect();
    ocids.dedup();
    ocids
}

async fn a_joint_funding_is_visible_as_each_funders_share(app: App) {
    let tender = published(&app, jointly_funded()).await;
    assert_eq!(tender.buyer_identifier, identifier(OrgIdScheme::GbLae, "lbh"), "kept as given");

    let one = GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() };
    let package = read_openly(&app, one).await.expect("open data");
    assert_eq!(package["extensions"], json!([BUDGET_BREAKDOWN_EXTENSION]));
    let release = &package["releases"][0];
    let budget = &release["planning"]["budget"];
    assert_eq!(budget["amount"], json!({ "amount": 8000.0, "currency": "GBP" }));
    let shares: Vec<(&Value, &Value, &Value)> = budget["budgetBreakdown"]
        .as_array()
        .expect("a breakdown")
        .iter()
        .map(|entry| (&entry["sourceParty"]["id"], &entry["sourceParty"]["name"], &entry["amount"]["amount"]))
        .collect();
    assert_eq!(
        shares,
        [
            (&json!("GB-LAE-LBH"), &json!("Lambeth"), &json!(4800.0)),
            (&json!("GB-NHS-QKK"), &json!("NHS South East London ICB"), &json!(3200.0))
        ]
    );

    assert_eq!(release["buyer"], json!({ "id": "GB-LAE-LBH", "name": "Lambeth" }));
    let council = party(release, "GB-LAE-LBH");
    assert_eq!(council["identifier"], json!({ "scheme": "GB-LAE", "id": "LBH" }));
    assert_eq!(council["roles"], json!(["buyer", "funder", "sourceParty"]));
    let icb = party(release, "GB-NHS-QKK");
    assert_eq!(icb["identifier"], json!({ "scheme": "GB-NHS", "id": "QKK" }));
    assert_eq!(icb["roles"], json!(["funder", "sourceParty"]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joint_funding_in_the_open_data_on_postgres_and_nats() {
    a_joint_funding_is_visible_as_each_funders_share(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joint_funding_in_the_open_data_on_sqlite_and_the_embedded_log() {
    a_joint_funding_is_visible_as_each_funders_share(on_sqlite().await).await;
}

async fn identifiers_must_be_well_formed(app: App) {
    let mut not_a_council = jointly_funded();
    not_a_council.buyer_identifier = identifier(OrgIdScheme::GbNhs, "QKK");
    if let Some(icb) = not_a_council.funders[1].organisation.as_mut() {
        icb.identifier = identifier(OrgIdScheme::GbNhs, "Q");
    }
    let create = CreateTenderRequest {
        request_id: "bad-identifiers".into(),
        template_id: "befriending".into(),
        tender: Some(not_a_council),
    };
    let refused = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect_err("refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(fields(&refused), ["tender.funders[1].organisation.identifier.value", "tender.buyer_identifier.scheme"]);
    assert!(refused.message().contains("local-authority code"), "{}", refused.message());

    // Corrected later on the draft, and the correction is kept.
    let draft = CreateTenderRequest {
        request_id: "draft".into(),
        template_id: "befriending".into(),
        tender: Some(befriending(Duration::from_secs(60), Duration::from_secs(120))),
    };
    let draft = client(&app).await.create_tender(with_token(draft, &lambeth_officer())).await.expect("created");
    let mut change = draft.into_inner().tender.expect("tender");
    change.buyer_identifier = identifier(OrgIdScheme::GbLae, "XY");
    let update = UpdateTenderRequest {
        tender: Some(change.clone()),
        update_mask: Some(prost_types::FieldMask { paths: vec!["buyer_identifier".into()] }),
        ..Default::default()
    };
    let refused = client(&app).await.update_tender(with_token(update.clone(), &lambeth_officer())).await;
    assert_eq!(fields(&refused.expect_err("two letters")), ["tender.buyer_identifier.value"]);
    change.buyer_identifier = identifier(OrgIdScheme::GbLae, "LBH");
    let update = UpdateTenderRequest { tender: Some(change), ..update };
    let updated = client(&app).await.update_tender(with_token(update, &lambeth_officer())).await.expect("updated");
    let updated = updated.into_inner().tender.expect("tender");
    assert_eq!(updated.buyer_identifier, identifier(OrgIdScheme::GbLae, "LBH"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifiers_are_checked_on_postgres_and_nats() {
    identifiers_must_be_well_formed(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifiers_are_checked_on_sqlite_and_the_embedded_log() {
    identifiers_must_be_well_formed(on_sqlite().await).await;
}

async fn the_public_reads_only_what_is_published(app: App) {
    let open = published(&app, jointly_funded()).await;
    let create = CreateTenderRequest {
        request_id: "still-a-draft".into(),
        template_id: "befriending".into(),
        tender: Some(befriending(Duration::from_secs(60), Duration::from_secs(120))),
    };
    let draft = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect("created");
    let draft = draft.into_inner().tender.expect("tender");

    let council = GetOcdsReleasePackageRequest { council_id: "lambeth".into(), ..Default::default() };
    let public = read_openly(&app, council.clone()).await.expect("the council's open data without a token");
    assert_eq!(ocids(&public), [open.ocid.as_str()], "the published tender and nothing else");
    let text = public.to_string();
    assert!(!text.contains(&draft.id) && !text.contains(&draft.ocid), "no trace of the draft");

    let one = |tender_id: &str| GetOcdsReleasePackageRequest { tender_id: tender_id.into(), ..Default::default() };
    let tender = read_openly(&app, one(&open.id)).await.expect("one published tender without a token");
    assert_eq!(ocids(&tender), [open.ocid.as_str()]);
    let hidden = read_openly(&app, one(&draft.id)).await.expect_err("a draft is not open data");
    assert_eq!(hidden.code(), Code::NotFound);
    let officer = client(&app).await.get_ocds_release_package(with_token(one(&draft.id), &lambeth_officer())).await;
    assert_eq!(officer.expect_err("not even to its own council").code(), Code::NotFound);

    // The council's officers and a stranger get the same releases as the public.
    for token in [lambeth_officer(), woking_officer(), member_of("anyone")] {
        let response = client(&app).await.get_ocds_release_package(with_token(council.clone(), &token)).await;
        let package = valid_ocds(&response.expect("package").into_inner());
        assert_eq!(package["releases"], public["releases"]);
    }

    // A token that is sent is checked, even here.
    let bad = client(&app).await.get_ocds_release_package(with_token(council, "not-a-token")).await;
    assert_eq!(bad.expect_err("a bad token").code(), Code::Unauthenticated);
    let nothing = read_openly(&app, GetOcdsReleasePackageRequest::default()).await.expect_err("neither id");
    assert_eq!(nothing.code(), Code::InvalidArgument);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_data_without_a_token_on_postgres_and_nats() {
    the_public_reads_only_what_is_published(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_data_without_a_token_on_sqlite_and_the_embedded_log() {
    the_public_reads_only_what_is_published(on_sqlite().await).await;
}

/// Every call of TenderingService, from its contract.
fn tendering_calls() -> Vec<String> {
    let files = prost_types::FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET).expect("descriptors");
    let file = files
        .file
        .iter()
        .find(|file| {
            file.package() == "commissioning.tendering.v1"
                && file.service.iter().any(|s| s.name() == "TenderingService")
        })
        .expect("the tendering service's file");
    let service = file.service.iter().find(|service| service.name() == "TenderingService").expect("the service");
    service
        .method
        .iter()
        .map(|method| format!("/commissioning.tendering.v1.TenderingService/{}", method.name()))
        .collect()
}

/// The calls open to anyone, without a token.
const OPEN_READS: [&str; 4] = ["/GetOcdsReleasePackage", "/GetTender", "/ListTenders", "/ListQuestions"];

async fn the_public_reads_published_tenders_and_their_answers(app: App) {
    let open = published(&app, befriending(Duration::from_secs(60), Duration::from_secs(120))).await;
    let create = CreateTenderRequest {
        request_id: "a-draft".into(),
        template_id: "befriending".into(),
        tender: Some(befriending(Duration::from_secs(60), Duration::from_secs(120))),
    };
    let draft = client(&app).await.create_tender(with_token(create, &lambeth_officer())).await.expect("created");
    let draft = draft.into_inner().tender.expect("tender");
    let ask = |request_id: &str, text: &str| AskQuestionRequest {
        request_id: request_id.into(),
        tender_id: open.id.clone(),
        text: text.into(),
    };
    let asker = member_of("brixton-friends");
    let answered = client(&app).await.ask_question(with_token(ask("q-1", "Is mileage paid?"), &asker)).await;
    let answered = answered.expect("asked").into_inner().question.expect("question");
    client(&app).await.ask_question(with_token(ask("q-2", "Who holds the keys?"), &asker)).await.expect("asked");
    let answer = AnswerQuestionRequest {
        question_id: answered.id.clone(),
        answer: "Yes, at 45p a mile.".into(),
        published_text: String::new(),
    };
    client(&app).await.answer_question(with_token(answer, &lambeth_officer())).await.expect("answered");

    let mut public = client(&app).await;
    let listed = public.list_tenders(ListTendersRequest::default()).await.expect("listed without a token");
    let ids: Vec<_> = listed.into_inner().tenders.into_iter().map(|tender| tender.id).collect();
    assert_eq!(ids, [open.id.as_str()], "the published tender, never the draft");
    let read = public.get_tender(GetTenderRequest { tender_id: open.id.clone() }).await.expect("read");
    let read = read.into_inner().tender.expect("tender");
    assert_eq!((read.title.as_str(), read.bid_count), (open.title.as_str(), 0), "no bid count for the public");
    let hidden = public.get_tender(GetTenderRequest { tender_id: draft.id.clone() }).await;
    assert_eq!(hidden.expect_err("a draft is not open").code(), Code::NotFound);
    let questions = ListQuestionsRequest { tender_id: open.id.clone(), ..Default::default() };
    let questions = public.list_questions(questions).await.expect("questions").into_inner().questions;
    let shown: Vec<_> = questions.iter().map(|question| (question.text.as_str(), question.answer.as_str())).collect();
    assert_eq!(shown, [("Is mileage paid?", "Yes, at 45p a mile.")], "answered questions only");
    assert!(!questions[0].asked_by_caller);

    // A token that is sent is checked, even here.
    let bad = public.list_tenders(with_token(ListTendersRequest::default(), "not-a-token")).await;
    assert_eq!(bad.expect_err("a bad token").code(), Code::Unauthenticated);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_tenders_without_a_token_on_postgres_and_nats() {
    the_public_reads_published_tenders_and_their_answers(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_tenders_without_a_token_on_sqlite_and_the_embedded_log() {
    the_public_reads_published_tenders_and_their_answers(on_sqlite().await).await;
}

async fn every_other_call_needs_a_token(app: App) {
    let calls = tendering_calls();
    assert!(calls.len() > 20, "{calls:?}");
    for call in &calls {
        let mut grpc = tonic::client::Grpc::new(app.channel().await);
        grpc.ready().await.expect("ready");
        let path = PathAndQuery::try_from(call.as_str()).expect("a path");
        // An empty message is a valid request of every call: all its fields unset.
        let codec = tonic_prost::ProstCodec::<(), ()>::default();
        let answer = grpc.unary(tonic::Request::new(()), path, codec).await;
        if OPEN_READS.iter().any(|open| call.ends_with(open)) {
            let code = answer.err().map(|status| status.code());
            assert_ne!(code, Some(Code::Unauthenticated), "{call} is open data");
        } else {
            let answer = answer.expect_err("no token, no answer");
            assert_eq!(answer.code(), Code::Unauthenticated, "{call}: {answer:?}");
            assert!(answer.message().contains("bearer token"), "{call}: {}", answer.message());
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_call_needs_a_token_on_postgres_and_nats() {
    every_other_call_needs_a_token(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_call_needs_a_token_on_sqlite_and_the_embedded_log() {
    every_other_call_needs_a_token(on_sqlite().await).await;
}
