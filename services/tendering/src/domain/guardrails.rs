//! The guardrails that keep a tender open to the small charities it is for, checked when it is
//! published and again whenever a published tender is amended. Each broken rule is one problem
//! naming the field and saying why the rule exists and what to do:
//! - at most so many questions, and so many words asked for in all;
//! - price weighted above a limit only with a reason bidders see;
//! - only evidence proportionate to the service category and value band;
//! - no financial or size floor on who may bid, however worded (Procurement Act 2023 s85), and no
//!   insurance as a condition of bidding (s22(3)(b));
//! - no template guidance left in place of the officer's own description.
//!
//! The numbers and the evidence allowed are configuration (`rules`); the wording is here.

use platform::categories::category_name;
use platform::evidence::{is_insurance, kind_name, short_name};
use platform::money::Pence;
use platform::validation::{element, field};
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::tendering::v1::{CriterionKind, Tender};

use super::extension::value_with_options;
use super::floors::floors_in;
use super::rules::{EvidenceAllowance, EvidenceRuleSet, GuardrailSet};
use super::templates::guidance;
use super::tender_check::{PublishProblem, categories_of, grouped};

/// Why a small charity needs the question and word limits.
const ANSWERABLE: &str = "small charities write bids in volunteers' spare time, and a long bid shuts them out";
/// Why a floor on who may bid is refused.
const NO_FLOORS: &str = "below threshold there is no selection stage and a tender may not restrict who can bid by \
                         the bidder's size, finances or history (Procurement Act 2023 s85); small charities, many \
                         with no paid staff and little in reserve, would be shut out (PPN 03/24 on proportionality)";
/// Why evidence must fit the service and its value.
const PROPORTIONATE: &str = "small charities should not have to buy cover or write policies that a service of this \
                             kind and size does not need (PPN 03/24 on proportionality)";

/// Every guardrail `tender` breaks under `limits` and `evidence`, the rules in force.
pub fn guardrail_problems(
    tender: &Tender,
    limits: &GuardrailSet,
    evidence: &EvidenceRuleSet,
    vat_basis_points: u64,
) -> Vec<PublishProblem> {
    let mut problems = Vec::new();
    check_questions(&mut problems, tender, limits);
    check_price_weight(&mut problems, tender, limits);
    check_evidence(&mut problems, tender, evidence, vat_basis_points);
    check_floors(&mut problems, tender);
    check_insurance_at_bid_time(&mut problems, tender);
    check_guidance_left(&mut problems, tender);
    problems
}

fn check_questions(problems: &mut Vec<PublishProblem>, tender: &Tender, limits: &GuardrailSet) {
    let count = tender.bid_questions.len();
    if count > limits.max_bid_questions {
        problems.push(PublishProblem::new(
            "TOO_MANY_QUESTIONS",
            "bid_questions",
            format!(
                "{count} questions asked, more than the {} allowed: {ANSWERABLE}; merge or remove questions so there \
                 are at most {}",
                limits.max_bid_questions, limits.max_bid_questions
            ),
        ));
    }
    let words: i64 = tender.bid_questions.iter().map(|question| i64::from(question.word_limit.max(0))).sum();
    if words > i64::from(limits.max_total_words) {
        problems.push(PublishProblem::new(
            "TOO_MANY_WORDS",
            "bid_questions",
            format!(
                "the questions' word limits add up to {} words, more than the {} allowed in all: {ANSWERABLE}; lower \
                 the word limits so they add up to at most {}",
                grouped(words),
                grouped(limits.max_total_words.into()),
                grouped(limits.max_total_words.into())
            ),
        ));
    }
}

fn check_price_weight(problems: &mut Vec<PublishProblem>, tender: &Tender, limits: &GuardrailSet) {
    if !tender.price_weight_reason.trim().is_empty() {
        return;
    }
    let limit = limits.max_price_weight_without_reason;
    for (index, criterion) in tender.criteria.iter().enumerate() {
        let heavy = u32::try_from(criterion.weight).is_ok_and(|weight| weight > limit);
        if criterion.kind == i32::from(CriterionKind::Price) && heavy {
            problems.push(PublishProblem::new(
                "PRICE_WEIGHT_WITHOUT_REASON",
                &field(&element("", "criteria", index), "weight"),
                format!(
                    "price is weighted {}%, above {limit}%: so heavy a weight favours providers who can undercut on \
                     cost over the quality and local reach small charities offer (PPN 03/24 on proportionality); \
                     lower it to {limit}% or less, or give your reason in price_weight_reason, which bidders see",
                    criterion.weight
                ),
            ));
        }
    }
}

fn check_evidence(problems: &mut Vec<PublishProblem>, tender: &Tender, rules: &EvidenceRuleSet, vat: u64) {
    let categories = categories_of(tender);
    if categories.is_empty() {
        return;
    }
    // As the Procurement Act counts it: the value with every option.
    let value = value_with_options(tender).map(|value| Pence::vat_inclusive(&value, vat));
    let allowances: Vec<&EvidenceAllowance> =
        categories.iter().filter_map(|category| rules.allowance(*category, value.map(Pence::get))).collect();
    let services =
        categories.iter().map(|category| category_name(*category).to_lowercase()).collect::<Vec<_>>().join(" and ");
    let at = value.map_or_else(|| "its value".to_owned(), |value| format!("a value of {value}"));
    for (index, requirement) in tender.evidence_requirements.iter().enumerate() {
        // An unknown or unset kind is check_fields' refusal already.
        let Some(kind) =
            DocumentKind::try_from(requirement.kind).ok().filter(|kind| *kind != DocumentKind::Unspecified)
        else {
            continue;
        };
        let path = element("", "evidence_requirements", index);
        let ceiling = allowances.iter().filter_map(|allowance| allowance.ceiling(kind)).max();
        let allowed = allowances.iter().any(|allowance| allowance.allows(kind));
        if !allowed {
            let may_ask = may_ask(&allowances);
            problems.push(PublishProblem::new(
                "DISPROPORTIONATE_EVIDENCE",
                &path,
                format!(
                    "{} is not proportionate for {services} at {at}: {PROPORTIONATE}; remove it, or ask only for \
                     {may_ask}",
                    kind_name(kind)
                ),
            ));
            continue;
        }
        let cover = requirement.minimum_cover.as_ref().and_then(|cover| u64::try_from(cover.amount_pence).ok());
        if let (true, Some(cover), Some(ceiling)) = (is_insurance(kind), cover, ceiling)
            && cover > ceiling
        {
            problems.push(PublishProblem::new(
                "DISPROPORTIONATE_EVIDENCE",
                &field(&path, "minimum_cover"),
                format!(
                    "{} cover of {} is more than the {} proportionate for {services} at {at}: {PROPORTIONATE}; lower \
                     it to at most {}",
                    short_name(kind),
                    Pence::new(cover),
                    Pence::new(ceiling),
                    Pence::new(ceiling)
                ),
            ));
        }
    }
}

/// What the allowances let a tender ask, in words: "public liability insurance, ... or a DBS
/// checking policy".
fn may_ask(allowances: &[&EvidenceAllowance]) -> String {
    let mut kinds: Vec<DocumentKind> = Vec::new();
    for kind in allowances.iter().flat_map(|allowance| allowance.kinds()) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds.sort();
    let names: Vec<&str> = kinds.into_iter().map(kind_name).collect();
    match names.split_last() {
        None => "nothing: this category and value need no evidence".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The officer-written fields that could set a floor on who may bid, by their paths.
fn written_fields(tender: &Tender) -> Vec<(String, &str)> {
    let mut fields: Vec<(String, &str)> = vec![
        ("title".to_owned(), tender.title.as_str()),
        ("summary".to_owned(), tender.summary.as_str()),
        ("price_weight_reason".to_owned(), tender.price_weight_reason.as_str()),
    ];
    for (index, section) in tender.description_sections.iter().enumerate() {
        let path = element("", "description_sections", index);
        fields.push((field(&path, "heading"), &section.heading));
        fields.push((field(&path, "body"), &section.body));
    }
    for (index, criterion) in tender.criteria.iter().enumerate() {
        let path = element("", "criteria", index);
        fields.push((field(&path, "name"), &criterion.name));
        fields.push((field(&path, "description"), &criterion.description));
        for (level_index, level) in criterion.scale_levels.iter().enumerate() {
            fields.push((field(&element(&path, "scale_levels", level_index), "description"), &level.description));
        }
    }
    for (index, question) in tender.bid_questions.iter().enumerate() {
        let path = element("", "bid_questions", index);
        fields.push((field(&path, "text"), &question.text));
        fields.push((field(&path, "guidance"), &question.guidance));
    }
    for (index, lot) in tender.lots.iter().enumerate() {
        let path = element("", "lots", index);
        fields.push((field(&path, "title"), &lot.title));
        fields.push((field(&path, "description"), &lot.description));
        fields.push((field(&path, "client_group"), &lot.client_group));
    }
    for (index, requirement) in tender.evidence_requirements.iter().enumerate() {
        fields.push((field(&element("", "evidence_requirements", index), "note"), &requirement.note));
    }
    fields
}

fn check_floors(problems: &mut Vec<PublishProblem>, tender: &Tender) {
    for (path, text) in written_fields(tender) {
        for floor in floors_in(text) {
            problems.push(PublishProblem::new(
                "FINANCIAL_OR_SIZE_FLOOR",
                &path,
                format!(
                    "\"{}\" sets a floor on {}: {NO_FLOORS}; ask what the bidder will deliver instead, or remove it",
                    floor.phrase, floor.on
                ),
            ));
        }
    }
}

/// Insurance asked of bidders in a pass/fail criterion or a question: a condition of taking part,
/// which below threshold it may not be (Procurement Act 2023 s22(3)(b)).
fn check_insurance_at_bid_time(problems: &mut Vec<PublishProblem>, tender: &Tender) {
    let reason = "insurance may not be a condition of taking part below threshold (Procurement Act 2023 \
                  s22(3)(b)); bidders declare they will hold it and the winner shows it before award, so list it \
                  under evidence_requirements instead";
    let mentions = |text: &str| text.to_lowercase().contains("insurance");
    for (index, criterion) in tender.criteria.iter().enumerate() {
        let pass_fail = criterion.kind == i32::from(CriterionKind::PassFail);
        if pass_fail && (mentions(&criterion.name) || mentions(&criterion.description)) {
            problems.push(PublishProblem::new(
                "INSURANCE_AT_BID_TIME",
                &element("", "criteria", index),
                format!("this pass/fail criterion asks about insurance: {reason}"),
            ));
        }
    }
    for (index, question) in tender.bid_questions.iter().enumerate() {
        if mentions(&question.text) {
            problems.push(PublishProblem::new(
                "INSURANCE_AT_BID_TIME",
                &field(&element("", "bid_questions", index), "text"),
                format!("this question asks about insurance: {reason}"),
            ));
        }
    }
}

/// A section the template gave, under its heading, must hold the officer's own words.
fn check_guidance_left(problems: &mut Vec<PublishProblem>, tender: &Tender) {
    let given = guidance(&tender.template_id);
    for (index, section) in tender.description_sections.iter().enumerate() {
        let heading = section.heading.trim();
        let Some((_, text)) = given.iter().find(|(template_heading, _)| *template_heading == heading) else { continue };
        let body = section.body.trim();
        let description = if body == text.trim() {
            format!(
                "the section \"{heading}\" still holds the template's guidance: bidders would read the guidance as \
                 what you want; replace it with your own description"
            )
        } else if body.is_empty() {
            format!("the section \"{heading}\" is empty: describe it in your own words, or remove the section")
        } else {
            continue;
        };
        problems.push(PublishProblem::new(
            "TEMPLATE_GUIDANCE",
            &field(&element("", "description_sections", index), "body"),
            description,
        ));
    }
}

#[cfg(test)]
mod tests {
    use platform::categories::CATEGORIES;
    use proto::commissioning::common::v1::{EvidenceRequirement, Money, ServiceCategory};
    use proto::commissioning::tendering::v1::{BidQuestion, Criterion, DescriptionSection, Lot, ScaleLevel};

    use super::*;
    use crate::domain::templates::{create_from_template, evidence_for};
    use crate::domain::tender_check::tests::{complete, complete_from, pence, problem, problems, rules, subjects};

    fn kinds(problems: &[PublishProblem]) -> Vec<(&str, &str)> {
        problems.iter().map(|problem| (problem.kind, problem.subject.as_str())).collect()
    }

    fn question(n: usize, word_limit: i32) -> BidQuestion {
        BidQuestion { id: format!("q{n}"), text: format!("Question {n}?"), word_limit, ..Default::default() }
    }

    /// The befriending tender with `questions` in place of the template's (its criteria then score none).
    fn asking(questions: Vec<BidQuestion>) -> Tender {
        let mut tender = complete();
        tender.bid_questions = questions;
        for criterion in &mut tender.criteria {
            criterion.bid_question_ids.clear();
        }
        tender
    }

    #[test]
    fn more_than_five_questions_is_one_problem_with_its_reason() {
        assert_eq!(problems(&asking((1..=5).map(|n| question(n, 300)).collect())), []);
        let found = problems(&asking((1..=6).map(|n| question(n, 300)).collect()));
        assert_eq!(kinds(&found), [("TOO_MANY_QUESTIONS", "bid_questions")]);
        let description = problem(&found, "bid_questions");
        assert!(
            description.starts_with("6 questions asked, more than the 5 allowed: small charities"),
            "{description}"
        );
    }

    #[test]
    fn more_than_2500_words_asked_in_all_is_one_problem() {
        assert_eq!(problems(&asking((1..=5).map(|n| question(n, 500)).collect())), [], "2,500 words exactly");
        let mut questions: Vec<_> = (1..=5).map(|n| question(n, 500)).collect();
        questions[4].word_limit = 501;
        let found = problems(&asking(questions));
        assert_eq!(kinds(&found), [("TOO_MANY_WORDS", "bid_questions")]);
        assert!(problem(&found, "bid_questions").contains("add up to 2,501 words, more than the 2,500 allowed"));
    }

    #[test]
    fn price_above_40_percent_needs_a_reason() {
        let weighted = |price: i32, reason: &str| {
            let mut tender = complete();
            tender.criteria[0].weight = price;
            tender.criteria[1].weight = 55 - price;
            tender.price_weight_reason = reason.into();
            problems(&tender)
        };
        assert_eq!(weighted(40, ""), []);
        let found = weighted(41, "");
        assert_eq!(kinds(&found), [("PRICE_WEIGHT_WITHOUT_REASON", "criteria[0].weight")]);
        assert!(problem(&found, "criteria[0].weight").contains("price is weighted 41%, above 40%"));
        assert!(problem(&found, "criteria[0].weight").contains("price_weight_reason"));
        assert_eq!(weighted(45, "The service is fully specified; providers compete on cost alone."), []);
        assert_eq!(subjects(&weighted(45, "   ")), ["criteria[0].weight"], "a blank reason is no reason");
    }

    fn requirement(kind: DocumentKind, cover_pounds: Option<i64>) -> EvidenceRequirement {
        EvidenceRequirement {
            kind: kind.into(),
            minimum_cover: cover_pounds.map(|pounds| Money {
                amount_pence: pounds * 100,
                currency: "GBP".into(),
                vat_included: false,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn evidence_beyond_a_befriending_tender_of_9500_pounds_is_refused_item_by_item() {
        let mut tender = complete();
        tender.estimated_value = pence(950_000, true);
        tender.lots.clear();
        crate::domain::fill_ids(&mut tender);
        tender.evidence_requirements = vec![
            requirement(DocumentKind::PublicLiabilityInsurance, Some(2_000_000)),
            requirement(DocumentKind::EmployersLiabilityInsurance, Some(5_000_000)),
            requirement(DocumentKind::SafeguardingAdultsPolicy, None),
            requirement(DocumentKind::HealthAndSafetyPolicy, None),
            requirement(DocumentKind::ProfessionalIndemnityInsurance, Some(1_000_000)),
            requirement(DocumentKind::PublicLiabilityInsurance, Some(5_000_000)),
            requirement(DocumentKind::EmployersLiabilityInsurance, Some(10_000_000)),
        ];
        let found = problems(&tender);
        assert_eq!(
            kinds(&found),
            [
                ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[3]"),
                ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[4]"),
                ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[5].minimum_cover"),
                ("DISPROPORTIONATE_EVIDENCE", "evidence_requirements[6].minimum_cover"),
            ]
        );
        let health_and_safety = problem(&found, "evidence_requirements[3]");
        assert!(
            health_and_safety.starts_with(
                "health and safety policy is not proportionate for befriending face to face at a value of GBP 9,500"
            ),
            "{health_and_safety}"
        );
        assert!(
            health_and_safety.contains("safeguarding adults policy"),
            "says what may be asked: {health_and_safety}"
        );
        assert!(problem(&found, "evidence_requirements[4]").starts_with("professional indemnity insurance is not"));
        assert!(problem(&found, "evidence_requirements[5].minimum_cover").starts_with(
            "public liability cover of GBP 5,000,000 is more than the GBP 2,000,000 proportionate for befriending"
        ));

        // Befriending visits and a weekly coffee morning: the venue's health and safety policy fits.
        tender.categories =
            vec![ServiceCategory::BefriendingFaceToFace.into(), ServiceCategory::GroupActivities.into()];
        let found = problems(&tender);
        assert_eq!(
            subjects(&found),
            [
                "evidence_requirements[4]",
                "evidence_requirements[5].minimum_cover",
                "evidence_requirements[6].minimum_cover"
            ]
        );
        assert!(problem(&found, "evidence_requirements[4]").contains("befriending face to face and group activities"));
    }

    #[test]
    fn what_every_template_proposes_fits_the_built_in_rules_at_every_value() {
        let rules = rules();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let in_force = rules.in_force_on(today).expect("in force");
        let bands = rules.bands_on(today).expect("bands");
        let values = [100, 500_000, 950_000, 1_000_000, 1_000_001, 3_000_000, 3_000_001, 50_000_000];
        for category in CATEGORIES {
            for pence in values {
                let value = Money { amount_pence: pence, currency: "GBP".into(), vat_included: true };
                let tender = Tender {
                    categories: vec![category.into()],
                    estimated_value: Some(value.clone()),
                    evidence_requirements: evidence_for(Some(&value), bands, rules.vat_basis_points),
                    ..Default::default()
                };
                let mut found = Vec::new();
                check_evidence(&mut found, &tender, in_force.evidence, rules.vat_basis_points);
                assert_eq!(found, [], "{} at {pence} pence", category.as_str_name());
            }
        }
        for template in ["befriending", "group-activities", "community-connector", "local-area-coordination"] {
            assert_eq!(problems(&complete_from(template)), [], "{template}");
        }
        let blank = create_from_template("blank", &Tender::default(), &rules, today).expect("blank");
        assert!(!blank.evidence_requirements.is_empty(), "the blank template proposes the lowest band's evidence");
    }

    #[test]
    fn a_floor_in_any_field_the_officer_writes_is_refused_naming_field_and_phrase() {
        let mut tender = complete();
        tender.summary = "Weekly visits, from a charity established for at least 3 years.".into();
        tender.description_sections[0].body = "Providers need a minimum turnover of £100k.".into();
        tender.criteria[1].description = "Bidders hold ISO 9001.".into();
        tender.criteria[1].scale_levels[5] =
            ScaleLevel { score: 5, description: "Excellent, with audited accounts".into() };
        tender.bid_questions[0].guidance = "Tell us how many employees does your organisation have.".into();
        tender.lots = vec![Lot {
            id: "lot-1".into(),
            title: "Brixton".into(),
            client_group: "Organisations with 10 years' experience".into(),
            ..Default::default()
        }];
        tender.evidence_requirements[0].note = "and a credit check".into();
        tender.criteria.push(Criterion {
            id: "money".into(),
            name: "Financial standing".into(),
            kind: CriterionKind::PassFail.into(),
            ..Default::default()
        });
        let found = problems(&tender);
        let named: Vec<_> = found
            .iter()
            .map(|problem| {
                assert_eq!(problem.kind, "FINANCIAL_OR_SIZE_FLOOR", "{problem:?}");
                assert!(problem.description.contains("Procurement Act 2023 s85"), "{problem:?}");
                let phrase = problem.description.split('"').nth(1).expect("the phrase in quotes");
                (problem.subject.as_str(), phrase)
            })
            .collect();
        assert_eq!(
            named,
            [
                ("summary", "established for at least 3 years"),
                ("description_sections[0].body", "minimum turnover of £100k"),
                ("criteria[1].description", "ISO 9001"),
                ("criteria[1].scale_levels[5].description", "audited accounts"),
                ("criteria[5].name", "Financial standing"),
                ("bid_questions[0].guidance", "how many employees does your organisation have"),
                ("lots[0].client_group", "10 years' experience"),
                ("evidence_requirements[0].note", "credit check"),
            ]
        );
    }

    #[test]
    fn insurance_as_a_condition_of_bidding_is_refused() {
        let mut tender = complete();
        tender.criteria.push(Criterion {
            id: "insured".into(),
            name: "Public liability insurance held".into(),
            kind: CriterionKind::PassFail.into(),
            ..Default::default()
        });
        tender.bid_questions[1].text = "Do you hold employer's liability insurance?".into();
        let found = problems(&tender);
        assert_eq!(
            kinds(&found),
            [("INSURANCE_AT_BID_TIME", "criteria[5]"), ("INSURANCE_AT_BID_TIME", "bid_questions[1].text")]
        );
        assert!(problem(&found, "criteria[5]").contains("s22(3)(b)"));
        assert!(problem(&found, "criteria[5]").contains("before award"));
    }

    #[test]
    fn a_section_still_holding_the_templates_guidance_or_empty_is_refused_by_heading() {
        let mut tender = complete();
        tender.description_sections[0].body = format!("  {}\n", guidance("befriending")[0].1);
        tender.description_sections[2].body = " \n ".into();
        let found = problems(&tender);
        assert_eq!(
            kinds(&found),
            [
                ("TEMPLATE_GUIDANCE", "description_sections[0].body"),
                ("TEMPLATE_GUIDANCE", "description_sections[2].body")
            ]
        );
        assert!(
            problem(&found, "description_sections[0].body").starts_with("the section \"What we want\" still holds")
        );
        assert!(problem(&found, "description_sections[2].body").starts_with("the section \"Where\" is empty"));

        // A section the officer added under a heading of its own is its own business.
        tender.description_sections[0].body = "Weekly home visits by trained volunteers.".into();
        tender.description_sections[2] =
            DescriptionSection { heading: "Where".into(), body: "Brixton and Tulse Hill (SW2).".into() };
        tender.description_sections.push(DescriptionSection { heading: "Notes".into(), body: String::new() });
        assert_eq!(problems(&tender), []);
    }
}
