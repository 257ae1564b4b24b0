//! What a tender must be. A draft may be incomplete but what it holds must be well formed
//! ([`check_fields`]); publishing needs it complete, in time and below threshold, and within the
//! guardrails that keep it open to small charities ([`publish_problems`], with `guardrails`). Once
//! published, its value decides what the council must publish ([`publication_duties`]).

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use platform::FieldViolation;
use platform::area::ServiceArea;
use platform::dates::{long_date, parse_optional_date};
use platform::evidence::parse_requirements;
use platform::money::Pence;
use platform::time::london_date;
use platform::validation::{
    Invalid, Violations, element, field, gbp_pence, known_enum, optional_text, required_enum, required_text,
};
use prost_types::Timestamp;
use proto::commissioning::common::v1::{Money, OrganisationKind, ServiceCategory};
use proto::commissioning::tendering::v1::{
    Criterion, CriterionKind, Funder, Lot, Procedure, PublicationDuties, Tender, TenderStatus, TieBreakRule,
};

use super::eligibility::{check_eligibility, eligibility_missing};
use super::extension::{check_extension, length_problem, value_with_options};
use super::guardrails::guardrail_problems;
use super::identifiers::{check_buyer_identifier, check_identifier};
use super::rules::{InForce, ThresholdSet};

/// The most questions a draft may hold while it is written; publishing allows fewer (the
/// configured guardrail).
const DRAFT_QUESTIONS_MAX: usize = 20;

const TITLE_MAX: usize = 200;
const SUMMARY_MAX: usize = 1_000;
const HEADING_MAX: usize = 200;
const BODY_MAX: usize = 4_000;
const QUESTION_MAX: usize = 1_000;
const GUIDANCE_MAX: usize = 2_000;
const WORD_LIMIT_MAX: i32 = 2_000;
const CRITERION_NAME_MAX: usize = 200;
const CRITERION_DESCRIPTION_MAX: usize = 2_000;
const SCALE_DESCRIPTION_MAX: usize = 500;
const LOT_TITLE_MAX: usize = 200;
const LOT_DESCRIPTION_MAX: usize = 2_000;
const CLIENT_GROUP_MAX: usize = 200;
const PRICE_WEIGHT_REASON_MAX: usize = 1_000;
const ORGANISATION_NAME_MAX: usize = 200;
/// Ids become parts of paths, events and NATS subjects, so they are short tokens.
const ID_MAX: usize = 64;
const WEIGHT_MAX: i32 = 100;
const TOTAL_WEIGHT: i32 = 100;
const MAX_SCORE_MAX: i32 = 100;
/// 100% in basis points.
const WHOLE_SHARE: i32 = 10_000;
/// The title of the lot made for a tender without lots and without a title.
const DEFAULT_LOT_TITLE: &str = "Whole service";

const CATEGORIES: &str = "the SERVICE_CATEGORY_* values, such as SERVICE_CATEGORY_BEFRIENDING_FACE_TO_FACE";
const PROCEDURES: &str = "PROCEDURE_OPEN_MICRO_TENDER or PROCEDURE_REQUEST_FOR_QUOTES";
const CRITERION_KINDS: &str =
    "CRITERION_KIND_PRICE, CRITERION_KIND_QUALITY, CRITERION_KIND_SOCIAL_VALUE or CRITERION_KIND_PASS_FAIL";
const ORGANISATION_KINDS: &str = "the ORGANISATION_KIND_* values, such as ORGANISATION_KIND_INTEGRATED_CARE_BOARD";
const TIE_BREAK_RULES: &str = "TIE_BREAK_RULE_HIGHER_QUALITY_THEN_EARLIER_SUBMISSION";

/// Field-level checks for CreateTender / UpdateTender on a draft: what is given must be well formed;
/// missing things are fine in a draft. Paths are relative to `path` (e.g. "tender"):
/// "tender.criteria[1].weight".
pub fn check_fields(tender: &Tender, path: &str) -> Vec<FieldViolation> {
    let mut v = Violations::new();
    let at = |name: &str| field(path, name);
    v.check(at("title"), optional_text(&tender.title, TITLE_MAX));
    v.check(at("summary"), optional_text(&tender.summary, SUMMARY_MAX));
    for (index, section) in tender.description_sections.iter().enumerate() {
        let section_path = element(path, "description_sections", index);
        v.check(field(&section_path, "heading"), required_text(&section.heading, HEADING_MAX));
        v.check(field(&section_path, "body"), optional_text(&section.body, BODY_MAX));
    }
    v.check(at("category"), known_enum::<ServiceCategory>(tender.category, CATEGORIES));
    let mut seen = HashSet::new();
    for (index, category) in tender.categories.iter().enumerate() {
        let category_path = element(path, "categories", index);
        if let Err(invalid) = required_enum::<ServiceCategory>(*category, CATEGORIES) {
            v.add(invalid.at(category_path));
        } else if !seen.insert(*category) {
            v.add(FieldViolation::new(category_path, "this category is already named: name each category once"));
        }
    }
    v.check(at("price_weight_reason"), optional_text(&tender.price_weight_reason, PRICE_WEIGHT_REASON_MAX));
    for (index, code) in tender.cpv_codes.iter().enumerate() {
        v.check(element(path, "cpv_codes", index), cpv_code(code));
    }
    for (index, area) in tender.areas.iter().enumerate() {
        v.nested(ServiceArea::parse(area, &element(path, "areas", index)));
    }
    check_values(&mut v, tender, path);
    check_contract_period(&mut v, tender, path);
    check_extension(&mut v, tender, path);
    check_eligibility(&mut v, tender, path);
    check_funders(&mut v, &tender.funders, path);
    check_buyer_identifier(&mut v, tender.buyer_identifier.as_ref(), &at("buyer_identifier"));
    check_procedure(&mut v, tender, path);
    if !tender.evidence_requirements.is_empty() {
        v.nested(parse_requirements(&tender.evidence_requirements, path, "evidence_requirements"));
    }
    check_bid_questions(&mut v, tender, path);
    check_criteria(&mut v, tender, path);
    check_lots(&mut v, tender, path);
    check_periods(&mut v, tender, path);
    v.check(at("tie_break_rule"), known_enum::<TieBreakRule>(tender.tie_break_rule, TIE_BREAK_RULES));
    v.finish(|| Some(())).err().unwrap_or_default()
}

/// Gives ids to criteria, bid questions and lots that lack them (UUIDs, and "lot-1" style for
/// lots), and creates the single default lot (the tender's title, or "Whole service", and its
/// estimated value) when there are none.
pub fn fill_ids(tender: &mut Tender) {
    for question in tender.bid_questions.iter_mut().filter(|question| question.id.trim().is_empty()) {
        question.id = uuid::Uuid::new_v4().to_string();
    }
    for criterion in tender.criteria.iter_mut().filter(|criterion| criterion.id.trim().is_empty()) {
        criterion.id = uuid::Uuid::new_v4().to_string();
    }
    if tender.lots.is_empty() {
        let title = tender.title.trim();
        tender.lots.push(Lot {
            id: "lot-1".to_owned(),
            title: if title.is_empty() { DEFAULT_LOT_TITLE } else { title }.to_owned(),
            estimated_value: tender.estimated_value.clone(),
            ..Default::default()
        });
        return;
    }
    let mut taken: HashSet<String> = tender.lots.iter().map(|lot| lot.id.trim().to_owned()).collect();
    let mut number = 0;
    for lot in tender.lots.iter_mut().filter(|lot| lot.id.trim().is_empty()) {
        lot.id = loop {
            number += 1;
            let id = format!("lot-{number}");
            if taken.insert(id.clone()) {
                break id;
            }
        };
    }
}

/// The categories a tender buys: `categories`, or the single `category` of an older client.
pub fn categories_of(tender: &Tender) -> Vec<ServiceCategory> {
    let given: &[i32] =
        if tender.categories.is_empty() { std::slice::from_ref(&tender.category) } else { &tender.categories };
    given
        .iter()
        .filter_map(|category| ServiceCategory::try_from(*category).ok())
        .filter(|category| *category != ServiceCategory::Unspecified)
        .collect()
}

/// One reason a tender cannot be published yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishProblem {
    /// Which rule: "PUBLISH" for what publishing needs, or a guardrail's name such as
    /// "TOO_MANY_QUESTIONS" (the PreconditionFailure violation's type).
    pub kind: &'static str,
    /// The field path, e.g. "bid_deadline" or "criteria[1].weight".
    pub subject: String,
    /// Plain English, saying what to do.
    pub description: String,
}

impl PublishProblem {
    pub fn new(kind: &'static str, subject: &str, description: impl Into<String>) -> Self {
        Self { kind, subject: subject.to_owned(), description: description.into() }
    }
}

/// Why a tender cannot be published now, one problem per entry, empty when it can. `now` is the
/// server clock; `minimum_period` the configured shortest time from publishing to the bid deadline;
/// `rules` the sets in force today.
pub fn publish_problems(
    tender: &Tender,
    now: DateTime<Utc>,
    minimum_period: Duration,
    rules: &InForce<'_>,
    vat_basis_points: u64,
) -> Vec<PublishProblem> {
    let mut problems = Problems::default();
    if tender.status != i32::from(TenderStatus::Draft) {
        let status =
            TenderStatus::try_from(tender.status).map_or("of an unknown status", |status| status.as_str_name());
        problems.add("status", format!("only a draft can be published; this tender is {status}"));
    }
    required_for_publishing(&mut problems, tender);
    check_timing(&mut problems, tender, now, minimum_period);
    for violation in check_fields(tender, "") {
        problems.add(&violation.field, violation.description);
    }
    check_areas_belong(&mut problems, tender);
    check_below_threshold(&mut problems, tender, rules.thresholds, vat_basis_points);
    problems.0.extend(length_problem(tender, rules.length));
    problems.0.extend(guardrail_problems(tender, rules.guardrails, rules.evidence, vat_basis_points));
    problems.0
}

/// What the council must publish for `tender`, from its estimated value with every option, VAT
/// included.
pub fn publication_duties(tender: &Tender, thresholds: &ThresholdSet, vat_basis_points: u64) -> PublicationDuties {
    let value = value_with_options(tender).map(|value| Pence::vat_inclusive(&value, vat_basis_points).get());
    let at_or_above = |threshold: u64| value.is_some_and(|value| value >= threshold);
    let notice = at_or_above(thresholds.notice_pence);
    PublicationDuties {
        central_digital_platform_notice_required: notice,
        contract_details_notice_required: notice,
        transparency_publication_required: at_or_above(thresholds.transparency_pence),
        notice_threshold: Some(vat_included(thresholds.notice_pence)),
        light_touch_threshold: Some(vat_included(thresholds.light_touch_pence)),
        assessed_value: value.map(vat_included),
    }
}

// ----- field checks -----

/// "85311100", or with its check digit "85311100-2".
fn cpv_code(code: &str) -> Result<(), Invalid> {
    let code = code.trim();
    let (digits, check) = code.split_once('-').unwrap_or((code, "0"));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if digits.len() == 8 && all_digits(digits) && check.len() == 1 && all_digits(check) {
        return Ok(());
    }
    Err(Invalid::new(format!(
        "\"{code}\" is not a CPV code: give 8 digits, optionally with a check digit, such as 85311100 or 85311100-2"
    )))
}

/// Puts every well-formed area of the tender and its lots in its one spelling ("wn2" and "WN 2" are
/// "WN2"), as a provider's service is, so that the two match and the open data agree.
pub fn normalise_areas(tender: &mut Tender) {
    let lot_areas = tender.lots.iter_mut().flat_map(|lot| lot.areas.iter_mut());
    for area in tender.areas.iter_mut().chain(lot_areas) {
        if let Ok(parsed) = ServiceArea::parse(area, "") {
            *area = parsed.to_proto();
        }
    }
}

fn organisation_id(id: &str) -> Result<(), Invalid> {
    let expected = "an organisation id is up to 64 letters, digits, '_' or '-', such as lambeth";
    let id = id.trim();
    if id.is_empty() {
        return Err(Invalid::new(format!("required: {expected}")));
    }
    if !is_token(id) {
        return Err(Invalid::new(format!("\"{id}\" is not an organisation id: {expected}")));
    }
    Ok(())
}

fn is_token(id: &str) -> bool {
    id.len() <= ID_MAX && id.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

fn check_values(v: &mut Violations, tender: &Tender, path: &str) {
    let estimated = money(v, tender.estimated_value.as_ref(), &field(path, "estimated_value"));
    let maximum = money(v, tender.maximum_budget.as_ref(), &field(path, "maximum_budget"));
    let (Some((estimate, estimate_pence)), Some((maximum, maximum_pence))) = (estimated, maximum) else { return };
    // Without the VAT rate only a definite shortfall is refused: the same basis, or a VAT-inclusive
    // maximum below a VAT-exclusive estimate.
    let comparable = maximum.vat_included == estimate.vat_included || maximum.vat_included;
    if comparable && maximum_pence < estimate_pence {
        v.add(FieldViolation::new(
            field(path, "maximum_budget"),
            format!(
                "{} is below the estimated value of {}: give a maximum budget at least the estimated value",
                Pence::new(maximum_pence),
                Pence::new(estimate_pence)
            ),
        ));
    }
}

/// The money at `path` with its pence, when given and well formed.
fn money<'a>(v: &mut Violations, money: Option<&'a Money>, path: &str) -> Option<(&'a Money, u64)> {
    let money = money?;
    v.nested(gbp_pence(money, path)).map(|pence| (money, pence))
}

fn check_contract_period(v: &mut Violations, tender: &Tender, path: &str) {
    let Some(period) = &tender.contract_period else { return };
    let period_path = field(path, "contract_period");
    let start = v.check(field(&period_path, "start_date"), parse_optional_date(period.start_date.as_ref())).flatten();
    let end = v.check(field(&period_path, "end_date"), parse_optional_date(period.end_date.as_ref())).flatten();
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        v.add(FieldViolation::new(
            field(&period_path, "end_date"),
            format!(
                "the contract would end on {}, before it starts on {}: give an end date on or after the start",
                long_date(end),
                long_date(start)
            ),
        ));
    }
}

/// Funders named with their kind, shares of 1 to 10,000 basis points adding up to 10,000.
pub(crate) fn check_funders(v: &mut Violations, funders: &[Funder], path: &str) {
    for (index, funder) in funders.iter().enumerate() {
        let funder_path = element(path, "funders", index);
        let organisation_path = field(&funder_path, "organisation");
        match &funder.organisation {
            None => v.add(FieldViolation::new(&organisation_path, "required: name the funding body and its kind")),
            Some(organisation) => {
                v.check(field(&organisation_path, "name"), required_text(&organisation.name, ORGANISATION_NAME_MAX));
                v.check(
                    field(&organisation_path, "kind"),
                    required_enum::<OrganisationKind>(organisation.kind, ORGANISATION_KINDS),
                );
                if !organisation.organisation_id.trim().is_empty() {
                    v.check(
                        field(&organisation_path, "organisation_id"),
                        organisation_id(&organisation.organisation_id),
                    );
                }
                check_identifier(v, organisation.identifier.as_ref(), &field(&organisation_path, "identifier"));
            }
        }
        let share = funder.share_basis_points;
        if !(1..=WHOLE_SHARE).contains(&share) {
            v.add(FieldViolation::new(
                field(&funder_path, "share_basis_points"),
                format!("{share} is out of range: give 1 to 10,000 basis points (2,500 is 25%)"),
            ));
        }
    }
    let total: i64 = funders.iter().map(|funder| i64::from(funder.share_basis_points)).sum();
    if !funders.is_empty() && total != i64::from(WHOLE_SHARE) {
        v.add(FieldViolation::new(
            field(path, "funders"),
            format!(
                "shares add up to {} basis points ({}); they must add up to 10,000 (100%)",
                grouped(total),
                percent(total)
            ),
        ));
    }
}

fn check_procedure(v: &mut Violations, tender: &Tender, path: &str) {
    let procedure = v.check(field(path, "procedure"), known_enum::<Procedure>(tender.procedure, PROCEDURES));
    if tender.invited_provider_ids.is_empty() {
        return;
    }
    if procedure.is_some_and(|procedure| procedure != Procedure::RequestForQuotes) {
        v.add(FieldViolation::new(
            field(path, "invited_provider_ids"),
            "only a request for quotes names invited providers: an open micro-tender lets any provider bid, and \
             below threshold a tender may not restrict who can bid (Procurement Act 2023 s85); remove them, or \
             choose PROCEDURE_REQUEST_FOR_QUOTES if the value is below the notice threshold",
        ));
    }
    let mut seen = HashSet::new();
    for (index, id) in tender.invited_provider_ids.iter().enumerate() {
        let id_path = element(path, "invited_provider_ids", index);
        if let Err(invalid) = organisation_id(id) {
            v.add(invalid.at(id_path));
        } else if !seen.insert(id.trim()) {
            v.add(FieldViolation::new(id_path, "this provider is already invited: name each provider once"));
        }
    }
}

fn check_bid_questions(v: &mut Violations, tender: &Tender, path: &str) {
    let count = tender.bid_questions.len();
    if count > DRAFT_QUESTIONS_MAX {
        v.add(FieldViolation::new(
            field(path, "bid_questions"),
            format!(
                "too many: {count} questions given, at most {DRAFT_QUESTIONS_MAX} in a draft (and fewer to publish)"
            ),
        ));
    }
    let mut ids = HashSet::new();
    for (index, question) in tender.bid_questions.iter().enumerate() {
        let question_path = element(path, "bid_questions", index);
        check_id(v, &question.id, &mut ids, &question_path, "bid question");
        v.check(field(&question_path, "text"), required_text(&question.text, QUESTION_MAX));
        v.check(field(&question_path, "guidance"), optional_text(&question.guidance, GUIDANCE_MAX));
        if !(1..=WORD_LIMIT_MAX).contains(&question.word_limit) {
            v.add(FieldViolation::new(
                field(&question_path, "word_limit"),
                format!(
                    "{} is out of range: give a word limit from 1 to 2,000 (300 to 500 suits most questions)",
                    question.word_limit
                ),
            ));
        }
    }
}

/// An id the caller chose: optional (the server fills it in), a short token, unique in its list.
fn check_id<'a>(v: &mut Violations, id: &'a str, seen: &mut HashSet<&'a str>, path: &str, what: &str) {
    let id = id.trim();
    if id.is_empty() {
        return;
    }
    if !is_token(id) {
        v.add(FieldViolation::new(
            field(path, "id"),
            format!(
                "\"{id}\" is not an id: use up to 64 letters, digits, '_' or '-', or leave it empty for the server"
            ),
        ));
    } else if !seen.insert(id) {
        v.add(FieldViolation::new(
            field(path, "id"),
            format!("another {what} has the id \"{id}\": give each its own id, or leave it empty for the server"),
        ));
    }
}

fn check_criteria(v: &mut Violations, tender: &Tender, path: &str) {
    let question_ids: HashSet<&str> =
        tender.bid_questions.iter().map(|question| question.id.trim()).filter(|id| !id.is_empty()).collect();
    let mut ids = HashSet::new();
    let mut price_seen = false;
    for (index, criterion) in tender.criteria.iter().enumerate() {
        let criterion_path = element(path, "criteria", index);
        check_id(v, &criterion.id, &mut ids, &criterion_path, "criterion");
        v.check(field(&criterion_path, "name"), required_text(&criterion.name, CRITERION_NAME_MAX));
        v.check(
            field(&criterion_path, "description"),
            optional_text(&criterion.description, CRITERION_DESCRIPTION_MAX),
        );
        let kind =
            v.check(field(&criterion_path, "kind"), required_enum::<CriterionKind>(criterion.kind, CRITERION_KINDS));
        if let Some(kind) = kind {
            check_scoring(v, criterion, kind, &criterion_path);
            if kind == CriterionKind::Price && std::mem::replace(&mut price_seen, true) {
                v.add(FieldViolation::new(
                    field(&criterion_path, "kind"),
                    "a second price criterion: a tender has at most one, scored from the bids' prices",
                ));
            }
        }
        for (question_index, question_id) in criterion.bid_question_ids.iter().enumerate() {
            if !question_ids.contains(question_id.trim()) {
                v.add(FieldViolation::new(
                    element(&criterion_path, "bid_question_ids", question_index),
                    format!(
                        "no bid question of this tender has the id \"{}\": name one of its questions",
                        question_id.trim()
                    ),
                ));
            }
        }
    }
    let total: i64 = tender.criteria.iter().map(|criterion| i64::from(criterion.weight)).sum();
    if !tender.criteria.is_empty() && total != i64::from(TOTAL_WEIGHT) {
        v.add(FieldViolation::new(
            field(path, "criteria"),
            format!("weights add up to {total}; they must add up to {TOTAL_WEIGHT}"),
        ));
    }
}

/// Weight, top score and scale as the criterion's kind requires.
fn check_scoring(v: &mut Violations, criterion: &Criterion, kind: CriterionKind, path: &str) {
    let weighted = kind != CriterionKind::PassFail;
    let scored_by_evaluators = matches!(kind, CriterionKind::Quality | CriterionKind::SocialValue);
    if weighted && !(1..=WEIGHT_MAX).contains(&criterion.weight) {
        v.add(FieldViolation::new(
            field(path, "weight"),
            format!("{} is out of range: give a whole-number weight from 1 to 100", criterion.weight),
        ));
    }
    if !weighted && criterion.weight != 0 {
        v.add(FieldViolation::new(
            field(path, "weight"),
            format!(
                "{} given: a pass/fail criterion has weight 0, as a fail removes the bid instead",
                criterion.weight
            ),
        ));
    }
    if scored_by_evaluators && !(1..=MAX_SCORE_MAX).contains(&criterion.max_score) {
        v.add(FieldViolation::new(
            field(path, "max_score"),
            format!(
                "{} is out of range: give the top of the scoring scale, 1 to 100 (typically 5 or 10)",
                criterion.max_score
            ),
        ));
    }
    if !scored_by_evaluators && criterion.max_score != 0 {
        v.add(FieldViolation::new(
            field(path, "max_score"),
            format!(
                "{} given: only quality and social value criteria have a scoring scale; give 0",
                criterion.max_score
            ),
        ));
    }
    let top = criterion.max_score.max(0);
    for (index, level) in criterion.scale_levels.iter().enumerate() {
        let level_path = element(path, "scale_levels", index);
        if !(0..=top).contains(&level.score) {
            v.add(FieldViolation::new(
                field(&level_path, "score"),
                format!(
                    "{} is outside the scale: give a score from 0 to the criterion's max_score, {top}",
                    level.score
                ),
            ));
        }
        v.check(field(&level_path, "description"), optional_text(&level.description, SCALE_DESCRIPTION_MAX));
    }
}

fn check_lots(v: &mut Violations, tender: &Tender, path: &str) {
    let estimate = tender.estimated_value.as_ref();
    let mut ids = HashSet::new();
    let mut total: u64 = 0;
    let mut comparable = true;
    for (index, lot) in tender.lots.iter().enumerate() {
        let lot_path = element(path, "lots", index);
        check_id(v, &lot.id, &mut ids, &lot_path, "lot");
        v.check(field(&lot_path, "title"), required_text(&lot.title, LOT_TITLE_MAX));
        v.check(field(&lot_path, "description"), optional_text(&lot.description, LOT_DESCRIPTION_MAX));
        v.check(field(&lot_path, "client_group"), optional_text(&lot.client_group, CLIENT_GROUP_MAX));
        for (area_index, area) in lot.areas.iter().enumerate() {
            v.nested(ServiceArea::parse(area, &element(&lot_path, "areas", area_index)));
        }
        let value_path = field(&lot_path, "estimated_value");
        match (money(v, lot.estimated_value.as_ref(), &value_path), estimate) {
            (Some((value, pence)), Some(estimate)) if value.vat_included == estimate.vat_included => {
                total = total.saturating_add(pence);
            }
            (Some(_), Some(_)) => {
                comparable = false;
                v.add(FieldViolation::new(
                    field(&value_path, "vat_included"),
                    "state the lot's value as the tender's estimated value is stated (with or without VAT), so \
                     that they can be compared",
                ));
            }
            _ => {}
        }
    }
    let estimate_pence = estimate.and_then(|estimate| u64::try_from(estimate.amount_pence).ok());
    if let Some(estimate_pence) = estimate_pence
        && comparable
        && total > estimate_pence
    {
        v.add(FieldViolation::new(
            field(path, "lots"),
            format!(
                "the lots' values add up to {}, more than the tender's estimated value of {}: lower them or raise \
                 the estimated value",
                Pence::new(total),
                Pence::new(estimate_pence)
            ),
        ));
    }
}

fn check_periods(v: &mut Violations, tender: &Tender, path: &str) {
    let enquiry_end = instant(v, tender.enquiry_period_end.as_ref(), &field(path, "enquiry_period_end"));
    let deadline = instant(v, tender.bid_deadline.as_ref(), &field(path, "bid_deadline"));
    if let (Some(enquiry_end), Some(deadline)) = (enquiry_end, deadline)
        && deadline <= enquiry_end
    {
        v.add(FieldViolation::new(
            field(path, "bid_deadline"),
            format!(
                "{} is not after the end of the enquiry period, {}: bidding opens when questions close, so set the \
                 deadline later",
                rfc3339(deadline),
                rfc3339(enquiry_end)
            ),
        ));
    }
}

/// A timestamp that is given and a real instant.
fn instant(v: &mut Violations, timestamp: Option<&Timestamp>, path: &str) -> Option<DateTime<Utc>> {
    let timestamp = timestamp?;
    let time = to_time(timestamp);
    if time.is_none() {
        v.add(FieldViolation::new(
            path,
            "not a valid time: give seconds since 1970 and nanoseconds below 1,000,000,000",
        ));
    }
    time
}

fn to_time(timestamp: &Timestamp) -> Option<DateTime<Utc>> {
    let nanos = u32::try_from(timestamp.nanos).ok().filter(|nanos| *nanos < 1_000_000_000)?;
    DateTime::from_timestamp(timestamp.seconds, nanos)
}

// ----- publishing -----

#[derive(Default)]
struct Problems(Vec<PublishProblem>);

impl Problems {
    fn add(&mut self, subject: &str, description: impl Into<String>) {
        self.0.push(PublishProblem::new("PUBLISH", subject, description));
    }
}

fn required_for_publishing(problems: &mut Problems, tender: &Tender) {
    if tender.title.trim().is_empty() {
        problems.add("title", "required: give a short title of up to 200 characters");
    }
    if tender.summary.trim().is_empty() {
        problems.add("summary", "required: give a one-paragraph summary of up to 1,000 characters");
    }
    if !tender.description_sections.iter().any(|section| !section.body.trim().is_empty()) {
        problems.add(
            "description_sections",
            "required: describe the service under at least one heading (a template gives you the headings)",
        );
    }
    if categories_of(tender).is_empty() {
        problems.add(
            "categories",
            "required: choose every service category the tender buys; they decide which providers hear of it",
        );
    }
    if tender.areas.is_empty() {
        problems.add("areas", "required: name at least one area where the service is wanted");
    }
    if let Some(missing) = eligibility_missing(tender) {
        problems.add("eligibility", missing);
    }
    if tender.estimated_value.is_none() {
        problems.add(
            "estimated_value",
            "required: give the estimated total value; it decides what must be published and the evidence asked of \
             the winner",
        );
    }
    if tender.criteria.is_empty() {
        problems.add("criteria", "required: give the evaluation criteria, with weights adding up to 100");
    }
}

/// The periods and the contract start, against the server clock and each other.
fn check_timing(problems: &mut Problems, tender: &Tender, now: DateTime<Utc>, minimum_period: Duration) {
    let enquiry_end = tender.enquiry_period_end.as_ref().and_then(to_time);
    let deadline = tender.bid_deadline.as_ref().and_then(to_time);
    match enquiry_end {
        None if tender.enquiry_period_end.is_none() => problems
            .add("enquiry_period_end", "required: give the time the clarification period ends and bidding opens"),
        Some(end) if end <= now => problems.add(
            "enquiry_period_end",
            format!("{} is not in the future: set the end of the enquiry period after now", rfc3339(end)),
        ),
        _ => {}
    }
    let earliest = now + minimum_period;
    match deadline {
        None if tender.bid_deadline.is_none() => problems.add("bid_deadline", "required: give the bid deadline"),
        Some(deadline) if deadline < earliest => problems.add(
            "bid_deadline",
            format!(
                "{} is too soon: bidders need at least {} from publishing, so the earliest allowed deadline is {}",
                rfc3339(deadline),
                period_in_words(minimum_period),
                rfc3339(earliest)
            ),
        ),
        _ => {}
    }
    let period = tender.contract_period.as_ref();
    let start = period.and_then(|period| period.start_date.as_ref());
    let end = period.and_then(|period| period.end_date.as_ref());
    if start.is_none() {
        problems.add("contract_period.start_date", "required: give the date the contract starts");
    }
    if end.is_none() {
        problems.add("contract_period.end_date", "required: give the date the contract ends");
    }
    let start: Option<NaiveDate> = start.and_then(|start| parse_optional_date(Some(start)).ok().flatten());
    if let (Some(start), Some(deadline)) = (start, deadline)
        && start <= london_date(deadline)
    {
        problems.add(
            "contract_period.start_date",
            format!(
                "the contract starts on {}, but bids close on {}: start it after the bid deadline",
                long_date(start),
                long_date(london_date(deadline))
            ),
        );
    }
}

/// A tender's areas are in the buying council's area or a funder's.
fn check_areas_belong(problems: &mut Problems, tender: &Tender) {
    let council = tender.council_id.trim();
    if council.is_empty() {
        return;
    }
    let funders: Vec<&str> = tender
        .funders
        .iter()
        .filter_map(|funder| funder.organisation.as_ref())
        .map(|organisation| organisation.organisation_id.trim())
        .collect();
    for (index, area) in tender.areas.iter().enumerate() {
        let area_council = area.council_id.trim();
        if !area_council.is_empty() && area_council != council && !funders.contains(&area_council) {
            problems.add(
                &element("", "areas", index),
                format!(
                    "\"{area_council}\" is neither the buying council nor a funder: name an area of {council} or of \
                     one of the tender's funders"
                ),
            );
        }
    }
}

/// The tender, with every option, is below the light-touch threshold, and a request for quotes below
/// the notice one.
fn check_below_threshold(problems: &mut Problems, tender: &Tender, thresholds: &ThresholdSet, vat_basis_points: u64) {
    let value = value_with_options(tender).map(|value| Pence::vat_inclusive(&value, vat_basis_points));
    let light_touch = Pence::new(thresholds.light_touch_pence);
    let notice = Pence::new(thresholds.notice_pence);
    if let Some(value) = value
        && value >= light_touch
    {
        problems.add(
            "estimated_value",
            format!(
                "not below-threshold: {value} is at or above the light-touch threshold of {light_touch}; use the \
                 council's full procurement process"
            ),
        );
    }
    if tender.procedure != i32::from(Procedure::RequestForQuotes) {
        return;
    }
    if tender.invited_provider_ids.is_empty() {
        problems.add(
            "invited_provider_ids",
            "a request for quotes needs at least one invited provider: name them, or publish an open micro-tender",
        );
    }
    if let Some(value) = value
        && value >= notice
    {
        problems.add(
            "procedure",
            format!(
                "a request for quotes is allowed only below the notice threshold of {notice} (VAT included); this \
                 tender's value is {value}: publish an open micro-tender instead"
            ),
        );
    }
}

// ----- wording -----

fn vat_included(pence: u64) -> Money {
    Money { vat_included: true, ..Pence::new(pence).to_proto() }
}

/// "2026-03-01T12:00:00Z".
fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// "10 days", "36 hours", "90 minutes".
fn period_in_words(period: Duration) -> String {
    let seconds = period.num_seconds();
    let (count, unit) = match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// 9000 as "9,000".
pub(crate) fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0 { format!("-{grouped}") } else { grouped }
}

/// Basis points as a percentage: 9000 as "90%", 3333 as "33.33%".
pub(crate) fn percent(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let (whole, hundredths) = (basis_points.unsigned_abs() / 100, basis_points.unsigned_abs() % 100);
    if hundredths == 0 { format!("{sign}{whole}%") } else { format!("{sign}{whole}.{hundredths:02}%") }
}

#[cfg(test)]
pub(crate) mod tests {
    use proto::commissioning::common::v1::{Date, DateRange, OrganisationRef};
    use proto::commissioning::tendering::v1::{BidQuestion, DescriptionSection, Funder, ScaleLevel, TenderEligibility};

    use super::*;
    use crate::domain::rules::Rules;
    use crate::domain::templates::create_from_template;
    use proto::commissioning::common::v1::Area;
    use proto::commissioning::common::v1::area::Part;

    const MINIMUM: Duration = Duration::days(10);

    fn time(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).expect("a time").with_timezone(&Utc)
    }

    pub(crate) fn now() -> DateTime<Utc> {
        time("2026-03-02T09:00:00Z")
    }

    fn timestamp(time: DateTime<Utc>) -> Option<Timestamp> {
        Some(platform::time::to_timestamp(time))
    }

    pub(crate) fn pence(amount_pence: i64, vat_included: bool) -> Option<Money> {
        Some(Money { amount_pence, currency: "GBP".into(), vat_included })
    }

    fn date(year: i32, month: i32, day: i32) -> Option<Date> {
        Some(Date { year, month, day })
    }

    pub(crate) fn rules() -> Rules {
        Rules::embedded().expect("rules.toml parses")
    }

    fn thresholds() -> ThresholdSet {
        rules().thresholds_on(london_date(now())).expect("thresholds in force").clone()
    }

    /// A befriending tender ready to publish at `now()`.
    pub(crate) fn complete() -> Tender {
        complete_from("befriending")
    }

    /// A tender from `template` ready to publish at `now()`: the officer has written each section.
    pub(crate) fn complete_from(template: &str) -> Tender {
        let officer = Tender {
            title: "Befriending in Brixton".into(),
            summary: "Weekly visits for lonely older people in Brixton.".into(),
            areas: vec![Area {
                council_id: "lambeth".into(),
                part: Some(Part::PostcodeDistrict("SW2".into())),
                label: String::new(),
            }],
            estimated_value: pence(2_500_000, true),
            contract_period: Some(DateRange { start_date: date(2026, 4, 1), end_date: date(2027, 3, 31) }),
            enquiry_period_end: timestamp(now() + Duration::days(5)),
            bid_deadline: timestamp(now() + Duration::days(14)),
            eligibility: Some(TenderEligibility { minimum_age: 65, ..Default::default() }),
            ..Default::default()
        };
        let mut tender =
            create_from_template(template, &officer, &rules(), london_date(now())).expect("a known template");
        tender.status = TenderStatus::Draft.into();
        tender.council_id = "lambeth".into();
        for section in &mut tender.description_sections {
            section.body = format!("Our own words on {} in Brixton.", section.heading.to_lowercase());
        }
        fill_ids(&mut tender);
        tender
    }

    pub(crate) fn problems(tender: &Tender) -> Vec<PublishProblem> {
        let rules = rules();
        let in_force = rules.in_force_on(london_date(now())).expect("rules in force");
        publish_problems(tender, now(), MINIMUM, &in_force, rules.vat_basis_points)
    }

    pub(crate) fn subjects(problems: &[PublishProblem]) -> Vec<&str> {
        problems.iter().map(|problem| problem.subject.as_str()).collect()
    }

    pub(crate) fn problem<'a>(problems: &'a [PublishProblem], subject: &str) -> &'a str {
        problems
            .iter()
            .find(|problem| problem.subject == subject)
            .map(|problem| problem.description.as_str())
            .unwrap_or_else(|| panic!("no problem with {subject} in {problems:?}"))
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    #[test]
    fn a_complete_tender_can_be_published() {
        let tender = complete();
        assert_eq!(check_fields(&tender, "tender"), []);
        assert_eq!(problems(&tender), []);
    }

    #[test]
    fn every_templates_tender_can_be_published_once_completed() {
        for template in ["befriending", "group-activities", "community-connector", "local-area-coordination"] {
            assert_eq!(problems(&complete_from(template)), [], "{template}");
        }
    }

    #[test]
    fn an_empty_draft_is_well_formed_but_lists_everything_publishing_needs() {
        assert_eq!(check_fields(&Tender::default(), "tender"), []);
        let empty = Tender { status: TenderStatus::Draft.into(), ..Default::default() };
        assert_eq!(
            subjects(&problems(&empty)),
            [
                "title",
                "summary",
                "description_sections",
                "categories",
                "areas",
                "eligibility",
                "estimated_value",
                "criteria",
                "enquiry_period_end",
                "bid_deadline",
                "contract_period.start_date",
                "contract_period.end_date",
            ]
        );
    }

    #[test]
    fn only_a_draft_is_published() {
        let tender = Tender { status: TenderStatus::ActiveEnquiries.into(), ..complete() };
        assert_eq!(subjects(&problems(&tender)), ["status"]);
    }

    #[test]
    fn a_deadline_one_second_short_of_the_minimum_period_is_refused() {
        let mut tender = complete();
        tender.bid_deadline = timestamp(now() + MINIMUM - Duration::seconds(1));
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["bid_deadline"]);
        let description = problem(&found, "bid_deadline");
        assert!(description.contains("at least 10 days"), "{description}");
        assert!(description.contains("the earliest allowed deadline is 2026-03-12T09:00:00Z"), "{description}");

        tender.bid_deadline = timestamp(now() + MINIMUM);
        assert_eq!(problems(&tender), []);
    }

    #[test]
    fn periods_must_be_in_order_and_in_the_future() {
        let mut tender = complete();
        tender.enquiry_period_end = timestamp(now());
        tender.bid_deadline = timestamp(now() + Duration::days(20));
        assert_eq!(subjects(&problems(&tender)), ["enquiry_period_end"]);

        tender.enquiry_period_end = timestamp(now() + Duration::days(20));
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["bid_deadline"]);
        assert!(problem(&found, "bid_deadline").contains("not after the end of the enquiry period"));
    }

    #[test]
    fn the_contract_starts_after_the_deadlines_uk_date() {
        let mut tender = complete();
        // 23:30 UTC on 30 June is already 1 July in London.
        tender.enquiry_period_end = timestamp(time("2026-06-20T12:00:00Z"));
        tender.bid_deadline = timestamp(time("2026-06-30T23:30:00Z"));
        tender.contract_period = Some(DateRange { start_date: date(2026, 7, 1), end_date: date(2027, 6, 30) });
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["contract_period.start_date"]);
        assert!(problem(&found, "contract_period.start_date").contains("bids close on 1 July 2026"));

        tender.contract_period = Some(DateRange { start_date: date(2026, 7, 2), end_date: date(2027, 6, 30) });
        assert_eq!(problems(&tender), []);
    }

    #[test]
    fn a_value_at_the_light_touch_threshold_is_not_below_threshold() {
        let mut tender = complete();
        tender.estimated_value = pence(66_354_000, true);
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["estimated_value"]);
        assert_eq!(
            problem(&found, "estimated_value"),
            "not below-threshold: GBP 663,540 is at or above the light-touch threshold of GBP 663,540; use the \
             council's full procurement process"
        );
        tender.estimated_value = pence(66_353_999, true);
        assert_eq!(problems(&tender), []);
        tender.estimated_value = pence(55_295_000, false);
        tender.lots.clear();
        assert_eq!(subjects(&problems(&tender)), ["estimated_value"], "GBP 552,950 without VAT is 663,540 with it");
    }

    #[test]
    fn a_request_for_quotes_needs_invited_providers_and_a_value_below_the_notice_threshold() {
        let mut tender = complete();
        tender.procedure = Procedure::RequestForQuotes.into();
        tender.estimated_value = pence(2_999_999, true);
        tender.lots.clear();
        fill_ids(&mut tender);
        assert_eq!(subjects(&problems(&tender)), ["invited_provider_ids"]);

        tender.invited_provider_ids = vec!["brixton-good-neighbours".into(), "age-uk-lambeth".into()];
        assert_eq!(problems(&tender), []);

        tender.estimated_value = pence(3_000_000, true);
        tender.lots[0].estimated_value = tender.estimated_value.clone();
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["procedure"]);
        assert!(problem(&found, "procedure").contains("below the notice threshold of GBP 30,000"));
    }

    #[test]
    fn an_open_tender_may_not_name_invited_providers() {
        let mut tender = complete();
        tender.invited_provider_ids = vec!["brixton-good-neighbours".into()];
        let found = problems(&tender);
        assert_eq!(subjects(&found), ["invited_provider_ids"]);
        assert!(problem(&found, "invited_provider_ids").contains("s85"));
    }

    #[test]
    fn areas_are_the_councils_or_a_funders() {
        let mut tender = complete();
        tender.areas.push(Area { council_id: "southwark".into(), ..Default::default() });
        assert_eq!(subjects(&problems(&tender)), ["areas[1]"]);
        tender.funders = vec![
            Funder { organisation: Some(organisation("lambeth", "Lambeth")), share_basis_points: 5_000 },
            Funder { organisation: Some(organisation("southwark", "Southwark")), share_basis_points: 5_000 },
        ];
        assert_eq!(problems(&tender), []);
    }

    fn organisation(id: &str, name: &str) -> OrganisationRef {
        OrganisationRef {
            organisation_id: id.into(),
            kind: OrganisationKind::Council.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let mut tender = complete();
        tender.criteria[1].weight -= 10;
        let violations = check_fields(&tender, "tender");
        assert_eq!(fields(&violations), ["tender.criteria"]);
        assert_eq!(violations[0].description, "weights add up to 90; they must add up to 100");
        assert_eq!(problem(&problems(&tender), "criteria"), "weights add up to 90; they must add up to 100");
    }

    #[test]
    fn funders_shares_must_add_up_to_100_percent() {
        let mut tender = complete();
        tender.funders = vec![
            Funder { organisation: Some(organisation("lambeth", "Lambeth")), share_basis_points: 6_000 },
            Funder {
                organisation: Some(OrganisationRef {
                    kind: OrganisationKind::IntegratedCareBoard.into(),
                    name: "NHS South East London ICB".into(),
                    ..Default::default()
                }),
                share_basis_points: 3_000,
            },
        ];
        let violations = check_fields(&tender, "tender");
        assert_eq!(fields(&violations), ["tender.funders"]);
        assert_eq!(
            violations[0].description,
            "shares add up to 9,000 basis points (90%); they must add up to 10,000 (100%)"
        );
        assert_eq!(subjects(&problems(&tender)), ["funders"]);

        tender.funders[1].share_basis_points = 4_000;
        assert_eq!(check_fields(&tender, "tender"), []);
        tender.funders[1] = Funder { organisation: None, share_basis_points: 0 };
        tender.funders[0].share_basis_points = 3_333;
        let violations = check_fields(&tender, "tender");
        assert_eq!(
            fields(&violations),
            ["tender.funders[1].organisation", "tender.funders[1].share_basis_points", "tender.funders"]
        );
        assert!(violations[2].description.starts_with("shares add up to 3,333 basis points (33.33%)"));
    }

    #[test]
    fn criteria_are_checked_by_kind() {
        let mut tender = complete();
        tender.criteria = vec![
            Criterion { kind: CriterionKind::Price.into(), weight: 40, name: "Price".into(), ..Default::default() },
            Criterion {
                kind: CriterionKind::Price.into(),
                weight: 10,
                max_score: 5,
                name: "Price again".into(),
                ..Default::default()
            },
            Criterion {
                kind: CriterionKind::Quality.into(),
                weight: 50,
                max_score: 5,
                name: "Quality".into(),
                scale_levels: vec![ScaleLevel { score: 6, description: "Beyond".into() }],
                bid_question_ids: vec!["q1".into(), "q9".into()],
                ..Default::default()
            },
            Criterion { kind: CriterionKind::PassFail.into(), weight: 5, name: "Safe".into(), ..Default::default() },
            Criterion { kind: CriterionKind::SocialValue.into(), weight: 0, name: String::new(), ..Default::default() },
            Criterion { name: "No kind".into(), ..Default::default() },
        ];
        let violations = check_fields(&tender, "tender");
        assert_eq!(
            fields(&violations),
            [
                "tender.criteria[1].max_score",
                "tender.criteria[1].kind",
                "tender.criteria[2].scale_levels[0].score",
                "tender.criteria[2].bid_question_ids[1]",
                "tender.criteria[3].weight",
                "tender.criteria[4].name",
                "tender.criteria[4].weight",
                "tender.criteria[4].max_score",
                "tender.criteria[5].kind",
                "tender.criteria",
            ]
        );
        assert_eq!(violations[9].description, "weights add up to 105; they must add up to 100");
    }

    #[test]
    fn bid_questions_are_few_with_text_limits_and_unique_ids() {
        let mut tender = Tender::default();
        let question = |id: &str, text: &str, word_limit| BidQuestion {
            id: id.into(),
            text: text.into(),
            word_limit,
            ..Default::default()
        };
        tender.bid_questions = vec![
            question("q1", "One?", 300),
            question("q1", "Two?", 2_000),
            question("", "", 0),
            question("q4", "Four?", 2_001),
            question("q 5", "Five?", 1),
            question("q6", "Six?", 300),
        ];
        assert_eq!(
            fields(&check_fields(&tender, "tender")),
            [
                "tender.bid_questions[1].id",
                "tender.bid_questions[2].text",
                "tender.bid_questions[2].word_limit",
                "tender.bid_questions[3].word_limit",
                "tender.bid_questions[4].id",
            ]
        );
        // Six is too many to publish (a guardrail) but a draft may hold up to 20 while it is written.
        tender.bid_questions = (1..=21).map(|n| question(&format!("q{n}"), "Why?", 100)).collect();
        let violations = check_fields(&tender, "tender");
        assert_eq!(fields(&violations), ["tender.bid_questions"]);
        assert!(violations[0].description.contains("at most 20 in a draft"), "{violations:?}");
        tender.bid_questions.truncate(20);
        assert_eq!(check_fields(&tender, "tender"), []);
    }

    #[test]
    fn categories_are_known_and_each_named_once() {
        let tender = Tender {
            categories: vec![
                ServiceCategory::BefriendingFaceToFace.into(),
                ServiceCategory::GroupActivities.into(),
                ServiceCategory::BefriendingFaceToFace.into(),
                0,
                99,
            ],
            ..Default::default()
        };
        assert_eq!(
            fields(&check_fields(&tender, "tender")),
            ["tender.categories[2]", "tender.categories[3]", "tender.categories[4]"]
        );
        let both = [ServiceCategory::BefriendingFaceToFace, ServiceCategory::GroupActivities];
        let tender = Tender { categories: both.map(i32::from).to_vec(), ..Default::default() };
        assert_eq!(categories_of(&tender), both);
        let older = Tender { category: ServiceCategory::Transport.into(), ..Default::default() };
        assert_eq!(categories_of(&older), [ServiceCategory::Transport], "an older client's single category");
        assert_eq!(categories_of(&Tender::default()), []);
    }

    #[test]
    fn values_dates_codes_and_areas_must_be_well_formed() {
        let tender = Tender {
            title: "x".repeat(201),
            description_sections: vec![DescriptionSection { heading: String::new(), body: "Body".into() }],
            category: 99,
            cpv_codes: vec!["85311100".into(), "85311100-2".into(), "8531110".into(), "85311100-22".into()],
            areas: vec![
                Area {
                    council_id: "lambeth".into(),
                    part: Some(Part::WardCode("E05014016".into())),
                    label: String::new(),
                },
                Area {
                    council_id: "lam beth".into(),
                    part: Some(Part::PostcodeDistrict("SW2 1RW".into())),
                    label: String::new(),
                },
            ],
            estimated_value: pence(2_500_000, true),
            maximum_budget: pence(2_400_000, true),
            contract_period: Some(DateRange { start_date: date(2026, 4, 1), end_date: date(2026, 3, 31) }),
            procedure: 7,
            evidence_requirements: vec![Default::default()],
            enquiry_period_end: Some(Timestamp { seconds: 0, nanos: -1 }),
            tie_break_rule: 9,
            ..Default::default()
        };
        assert_eq!(
            fields(&check_fields(&tender, "tender")),
            [
                "tender.title",
                "tender.description_sections[0].heading",
                "tender.category",
                "tender.cpv_codes[2]",
                "tender.cpv_codes[3]",
                "tender.areas[1].council_id",
                "tender.areas[1].postcode_district",
                "tender.maximum_budget",
                "tender.contract_period.end_date",
                "tender.procedure",
                "tender.evidence_requirements[0].kind",
                "tender.enquiry_period_end",
                "tender.tie_break_rule",
            ]
        );
    }

    #[test]
    fn a_maximum_budget_is_compared_only_where_the_vat_basis_allows() {
        let check = |estimate, maximum| {
            let tender = Tender { estimated_value: estimate, maximum_budget: maximum, ..Default::default() };
            fields(&check_fields(&tender, "")).len()
        };
        assert_eq!(check(pence(2_500_000, false), pence(2_500_000, false)), 0);
        assert_eq!(check(pence(2_500_000, false), pence(2_499_999, false)), 1);
        assert_eq!(check(pence(2_500_000, false), pence(2_499_999, true)), 1, "with VAT yet below without");
        assert_eq!(check(pence(2_500_000, true), pence(2_400_000, false)), 0, "may be more once VAT is added");
    }

    #[test]
    fn lots_have_titles_unique_ids_and_values_within_the_estimate() {
        let mut tender = complete();
        let lot = |id: &str, title: &str, value| Lot {
            id: id.into(),
            title: title.into(),
            estimated_value: value,
            ..Default::default()
        };
        tender.lots = vec![
            lot("brixton", "Brixton", pence(1_500_000, true)),
            lot("brixton", "", pence(1_500_000, true)),
            lot("tulse-hill", "Tulse Hill", pence(100, false)),
        ];
        let violations = check_fields(&tender, "tender");
        assert_eq!(
            fields(&violations),
            ["tender.lots[1].id", "tender.lots[1].title", "tender.lots[2].estimated_value.vat_included"]
        );
        tender.lots.truncate(2);
        tender.lots[1] = lot("tulse-hill", "Tulse Hill", pence(1_000_001, true));
        let violations = check_fields(&tender, "tender");
        assert_eq!(fields(&violations), ["tender.lots"]);
        assert!(
            violations[0].description.contains("GBP 25,000.01, more than the tender's estimated value of GBP 25,000")
        );
    }

    #[test]
    fn fill_ids_names_what_lacks_an_id_and_makes_the_default_lot() {
        let mut tender = Tender {
            title: " Coffee mornings ".into(),
            estimated_value: pence(800_000, true),
            criteria: vec![Criterion::default(), Criterion { id: "price".into(), ..Default::default() }],
            bid_questions: vec![BidQuestion::default()],
            ..Default::default()
        };
        fill_ids(&mut tender);
        assert!(uuid::Uuid::parse_str(&tender.criteria[0].id).is_ok());
        assert_eq!(tender.criteria[1].id, "price");
        assert!(uuid::Uuid::parse_str(&tender.bid_questions[0].id).is_ok());
        assert_eq!(tender.lots.len(), 1);
        assert_eq!(
            (tender.lots[0].id.as_str(), tender.lots[0].title.as_str(), &tender.lots[0].estimated_value),
            ("lot-1", "Coffee mornings", &tender.estimated_value)
        );

        let mut untitled = Tender::default();
        fill_ids(&mut untitled);
        assert_eq!(untitled.lots[0].title, "Whole service");

        let mut lots = Tender {
            lots: vec![Lot::default(), Lot { id: "lot-1".into(), ..Default::default() }, Lot::default()],
            ..Default::default()
        };
        fill_ids(&mut lots);
        let ids: Vec<_> = lots.lots.iter().map(|lot| lot.id.as_str()).collect();
        assert_eq!(ids, ["lot-2", "lot-1", "lot-3"]);
    }

    #[test]
    fn publication_duties_follow_the_vat_inclusive_value() {
        let duties = |money| {
            let tender = Tender { estimated_value: money, ..Default::default() };
            let duties = publication_duties(&tender, &thresholds(), rules().vat_basis_points);
            assert_eq!(duties.central_digital_platform_notice_required, duties.contract_details_notice_required);
            (duties.central_digital_platform_notice_required, duties.transparency_publication_required)
        };
        assert_eq!(duties(pence(499_999, true)), (false, false), "GBP 4,999.99");
        assert_eq!(duties(pence(500_000, true)), (false, true), "GBP 5,000");
        assert_eq!(duties(pence(2_999_999, true)), (false, true), "GBP 29,999.99");
        assert_eq!(duties(pence(3_000_000, true)), (true, true), "GBP 30,000");
        assert_eq!(duties(pence(2_500_000, false)), (true, true), "GBP 25,000 without VAT is 30,000 with it");
        assert_eq!(duties(None), (false, false));

        let echoed = publication_duties(&Tender::default(), &thresholds(), 2000);
        assert_eq!(echoed.notice_threshold, pence(3_000_000, true));
        assert_eq!(echoed.light_touch_threshold, pence(66_354_000, true));
    }
}
