//! The guardrails against a tender that shuts small charities out, as an officer meets them:
//! PublishTender refuses with one violation per broken rule, its reason in plain English; the
//! officer fixes the draft, gives a reason for a heavy price weight that bidders then see, and an
//! amendment cannot bring a floor back.

use std::time::Duration;

use prost::Message;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement};
use proto::commissioning::events::v1::TenderPublished;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

fn evidence(kind: DocumentKind, cover_pounds: Option<i64>) -> EvidenceRequirement {
    EvidenceRequirement { kind: kind.into(), minimum_cover: cover_pounds.map(gbp), ..Default::default() }
}

fn question(id: &str, text: &str, word_limit: i32) -> BidQuestion {
    BidQuestion { id: id.into(), text: text.into(), word_limit, ..Default::default() }
}

/// A GBP 9,500 befriending tender that asks too much of a small charity in every way at once, its
/// first section still the template's `guidance` and its second empty.
fn too_much(guidance: DescriptionSection) -> Tender {
    let mut sections = own_words();
    sections[0] = guidance;
    sections[1].body = String::new();
    Tender {
        estimated_value: Some(gbp(9_500)),
        description_sections: sections,
        bid_questions: vec![
            question("q1", "How will you reach isolated people?", 800),
            question("q2", "How will you train befrienders?", 800),
            question("q3", "How will you keep people safe?", 500),
            question("q4", "How many years of trading do you have?", 300),
            question("q5", "How will you work with GPs?", 200),
            question("q6", "What else would you add?", 100),
        ],
        criteria: vec![
            Criterion {
                id: "price".into(),
                name: "Price".into(),
                kind: CriterionKind::Price.into(),
                weight: 60,
                ..Default::default()
            },
            Criterion {
                id: "quality".into(),
                name: "Quality".into(),
                description: "Bidders with a minimum turnover of £100k score higher.".into(),
                kind: CriterionKind::Quality.into(),
                weight: 40,
                max_score: 5,
                bid_question_ids: vec!["q1".into()],
                ..Default::default()
            },
        ],
        evidence_requirements: vec![
            evidence(DocumentKind::PublicLiabilityInsurance, Some(5_000_000)),
            evidence(DocumentKind::HealthAndSafetyPolicy, None),
            evidence(DocumentKind::SafeguardingAdultsPolicy, None),
        ],
        ..befriending(Duration::from_secs(60), Duration::from_secs(120))
    }
}

async fn publishing_refuses_each_broken_guardrail_with_its_reason(app: App) {
    let listed = client(&app)
        .await
        .list_templates(platform::testing::with_token(ListTemplatesRequest::default(), &lambeth_officer()))
        .await
        .expect("templates")
        .into_inner();
    // The rules publishing applies come with the templates, for a client to show them at each choice.
    let rules = listed.rules.expect("the rules in force today");
    assert_eq!(rules.minimum_bid_period_secs, i64::try_from(MINIMUM_PERIOD.as_secs()).expect("seconds"));
    assert_eq!((rules.max_bid_questions, rules.max_total_words, rules.max_price_weight_without_reason), (5, 2_500, 40));
    assert_eq!(rules.notice_threshold.map(|money| (money.amount_pence, money.vat_included)), Some((3_000_000, true)));
    assert_eq!(rules.transparency_threshold.map(|money| money.amount_pence), Some(500_000));
    assert_eq!(rules.light_touch_threshold.map(|money| money.amount_pence), Some(66_354_000));
    assert_eq!(rules.max_contract_months, 60);
    assert!(rules.max_contract_reason.contains("go back to the market"), "{}", rules.max_contract_reason);
    let templates = listed.templates;
    let befriending_template = templates.iter().find(|template| template.id == "befriending").expect("befriending");
    let guidance = befriending_template.description_sections[0].clone();
    assert_eq!(guidance.heading, "What we want");
    let draft = too_much(guidance);
    let created = drafted(&app, "befriending", draft.clone()).await;

    let refused = publish(&app, &created.id).await.expect_err("too much for a small charity");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    let (named, descriptions) = violations(&refused);
    let named: Vec<(&str, &str)> = named.iter().map(|(kind, subject)| (kind.as_str(), subject.as_str())).collect();
    assert_eq!(
        named,
        [
            ("TOO_MANY_QUESTIONS", "bid_questions"),
            ("TOO_MANY_WORDS", "bid_questions"),
            ("PRICE_WEIGHT_WITHOUT_REASON", "criteria[0].weight"),
            ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[0].minimum_cover"),
            ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[1]"),
            ("FINANCIAL_OR_SIZE_FLOOR", "criteria[1].description"),
            ("FINANCIAL_OR_SIZE_FLOOR", "bid_questions[3].text"),
            ("TEMPLATE_GUIDANCE", "description_sections[0].body"),
            ("TEMPLATE_GUIDANCE", "description_sections[1].body"),
        ]
    );
    let said = |index: usize, words: &str| {
        assert!(descriptions[index].contains(words), "violation {index} should say {words:?}: {}", descriptions[index]);
    };
    said(0, "6 questions asked, more than the 5 allowed: small charities");
    said(1, "add up to 2,700 words, more than the 2,500 allowed");
    said(2, "price is weighted 60%, above 40%");
    said(3, "public liability cover of GBP 5,000,000 is more than the GBP 2,000,000 proportionate for befriending");
    said(4, "health and safety policy is not proportionate for befriending face to face at a value of GBP 9,500");
    said(5, "\"minimum turnover of £100k\" sets a floor on turnover");
    said(5, "Procurement Act 2023 s85");
    said(6, "\"years of trading\"");
    said(7, "the section \"What we want\" still holds the template's guidance");
    said(8, "the section \"Who it is for\" is empty");

    // The officer fixes the draft and keeps price at 60%, saying why.
    let reason = "The service is fully specified by the council; providers compete on cost.";
    let fixed = Tender {
        id: created.id.clone(),
        description_sections: own_words(),
        bid_questions: draft.bid_questions[..3].to_vec(),
        criteria: vec![
            draft.criteria[0].clone(),
            Criterion { description: "How well the bid reaches isolated people.".into(), ..draft.criteria[1].clone() },
        ],
        evidence_requirements: vec![
            evidence(DocumentKind::PublicLiabilityInsurance, Some(2_000_000)),
            draft.evidence_requirements[2].clone(),
        ],
        price_weight_reason: reason.into(),
        ..Default::default()
    };
    let paths = ["description_sections", "bid_questions", "criteria", "evidence_requirements", "price_weight_reason"];
    amend(&app, fixed, &paths, "").await.expect("the draft changed");
    let tender = publish(&app, &created.id).await.expect("within the guardrails");
    assert_eq!(tender.status(), TenderStatus::ActiveEnquiries);

    // Bidders see the reason, in GetTender, in the published event and in the open data.
    let seen = get(&app, &tender.id, &member_of("brixton-friends")).await.expect("a provider reads it");
    assert_eq!(seen.price_weight_reason, reason);
    let events = outbox(&app, "tendering.tender_published").await;
    let event = TenderPublished::decode(events[0].as_slice()).expect("decodes");
    assert_eq!(event.tender.expect("facts").price_weight_reason, reason);
    let package =
        ocds_package(&app, GetOcdsReleasePackageRequest { tender_id: tender.id.clone(), ..Default::default() }).await;
    let details = package["releases"][0]["tender"]["awardCriteriaDetails"].as_str().expect("details");
    assert!(details.contains(&format!("Price 60% ({reason})")), "{details}");

    // An amendment may not bring back what publishing refused.
    let floor = Tender {
        id: tender.id.clone(),
        criteria: vec![
            draft.criteria[0].clone(),
            Criterion {
                description: "Bidders certified to ISO 9001 score higher.".into(),
                ..draft.criteria[1].clone()
            },
        ],
        ..Default::default()
    };
    let refused = amend(&app, floor, &["criteria"], "quality standard").await.expect_err("a floor");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    let (named, descriptions) = violations(&refused);
    assert_eq!(named, [("FINANCIAL_OR_SIZE_FLOOR".to_owned(), "criteria[1].description".to_owned())]);
    assert!(descriptions[0].contains("\"certified to ISO 9001\""), "{}", descriptions[0]);
    let unexplained = Tender { id: tender.id.clone(), ..Default::default() };
    let refused = amend(&app, unexplained, &["price_weight_reason"], "no longer needed").await.expect_err("60% again");
    assert_eq!(violations(&refused).0, [("PRICE_WEIGHT_WITHOUT_REASON".to_owned(), "criteria[0].weight".to_owned())]);
    let unchanged = get(&app, &tender.id, &lambeth_officer()).await.expect("tender");
    assert!(unchanged.amendments.is_empty(), "nothing was amended");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrails_on_postgres_and_nats() {
    publishing_refuses_each_broken_guardrail_with_its_reason(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrails_on_sqlite_and_the_embedded_log() {
    publishing_refuses_each_broken_guardrail_with_its_reason(on_sqlite().await).await;
}
