//! The templates an officer starts a micro-tender from, so that posting one takes minutes: a
//! plain-English description under headings with guidance to replace, a few bid questions with word
//! limits a small charity can answer, criteria whose weights add up to 100, and evidence in
//! proportion to the value (from the configured bands, never literals here).

use chrono::NaiveDate;
use platform::FieldViolation;
use platform::dates::date_to_proto;
use platform::money::Pence;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement, Money, ServiceCategory};
use proto::commissioning::tendering::v1::{
    BidQuestion, Criterion, CriterionKind, DescriptionSection, EvidenceBand, ScaleLevel, Tender, TenderTemplate,
    TenderingRules,
};

use super::amendment::{apply, paths_set_in};
use super::extension::value_with_options;
use super::rules::{Band, BandSet, Rules};

/// The template with nothing filled in.
pub const BLANK: &str = "blank";

/// The rules a tender published on `today` is checked against, for a client to show where each
/// choice is made; `None` when the configured rules do not cover `today`.
pub fn rules_in_force(rules: &Rules, minimum_bid_period: chrono::Duration, today: NaiveDate) -> Option<TenderingRules> {
    let in_force = rules.in_force_on(today).ok()?;
    let whole = |number: u32| i32::try_from(number).unwrap_or(i32::MAX);
    Some(TenderingRules {
        in_force_on: Some(date_to_proto(today)),
        minimum_bid_period_secs: minimum_bid_period.num_seconds(),
        max_bid_questions: i32::try_from(in_force.guardrails.max_bid_questions).unwrap_or(i32::MAX),
        max_total_words: whole(in_force.guardrails.max_total_words),
        max_price_weight_without_reason: whole(in_force.guardrails.max_price_weight_without_reason),
        notice_threshold: Some(vat_included(in_force.thresholds.notice_pence)),
        transparency_threshold: Some(vat_included(in_force.thresholds.transparency_pence)),
        light_touch_threshold: Some(vat_included(in_force.thresholds.light_touch_pence)),
        max_contract_months: whole(in_force.length.max_months),
        max_contract_reason: in_force.length.reason.clone(),
    })
}

/// Every template, with the evidence bands in force on `today` (none before the first set).
pub fn templates(rules: &Rules, today: NaiveDate) -> Vec<TenderTemplate> {
    let bands = rules.bands_on(today);
    let evidence_bands: Vec<EvidenceBand> = bands.map(evidence_bands).unwrap_or_default();
    let bands_effective_from = bands.map(|set| date_to_proto(set.effective_from));
    all()
        .into_iter()
        .map(|template| TenderTemplate {
            id: template.id.to_owned(),
            name: template.name.to_owned(),
            description: template.description.to_owned(),
            category: template.category.into(),
            description_sections: template.sections(),
            criteria: template.criteria.clone(),
            bid_questions: template.bid_questions(),
            evidence_bands: evidence_bands.clone(),
            bands_effective_from,
        })
        .collect()
}

/// The evidence proportionate to `value`: that of the band covering its VAT-inclusive amount, or of
/// the lowest band when there is no value yet. `valid_on` is left unset, meaning the contract start.
pub fn evidence_for(value: Option<&Money>, bands: &BandSet, vat_basis_points: u64) -> Vec<EvidenceRequirement> {
    let band = match value {
        None => bands.bands.first(),
        Some(value) => {
            let pence = Pence::vat_inclusive(value, vat_basis_points).get();
            bands.bands.iter().find(|band| band.up_to_pence.is_none_or(|up_to| pence <= up_to))
        }
    };
    band.map(requirements).unwrap_or_default()
}

/// A draft tender from the template `template_id`, with every field `overrides` sets taken in place
/// of the template's. The evidence is proposed for the overriding estimated value with every option. Output-only
/// fields are left for the server; ids and the default lot are not filled in here.
pub fn create_from_template(
    template_id: &str,
    overrides: &Tender,
    rules: &Rules,
    today: NaiveDate,
) -> Result<Tender, Vec<FieldViolation>> {
    let Some(template) = all().into_iter().find(|template| template.id == template_id) else {
        let ids: Vec<_> = all().iter().map(|template| template.id).collect();
        let description = format!("no template \"{template_id}\": choose one of {}", ids.join(", "));
        return Err(vec![FieldViolation::new("template_id", description)]);
    };
    let evidence_requirements = rules
        .bands_on(today)
        .map(|bands| evidence_for(value_with_options(overrides).as_ref(), bands, rules.vat_basis_points))
        .unwrap_or_default();
    let categories =
        if template.category == ServiceCategory::Unspecified { Vec::new() } else { vec![template.category.into()] };
    let mut tender = Tender {
        category: template.category.into(),
        categories,
        description_sections: template.sections(),
        criteria: template.criteria.clone(),
        bid_questions: template.bid_questions(),
        evidence_requirements,
        template_id: template.id.to_owned(),
        ..Default::default()
    };
    apply(&mut tender, overrides, &paths_set_in(overrides));
    Ok(tender)
}

/// The (heading, guidance) of each description section template `template_id` gives; none for the
/// blank template or an unknown id. A section still holding its guidance is not yet written.
pub fn guidance(template_id: &str) -> Vec<(&'static str, &'static str)> {
    all()
        .into_iter()
        .find(|template| template.id == template_id)
        .and_then(|template| template.guidance)
        .map(|guidance| HEADINGS.into_iter().zip(guidance).collect())
        .unwrap_or_default()
}

fn evidence_bands(set: &BandSet) -> Vec<EvidenceBand> {
    set.bands
        .iter()
        .map(|band| EvidenceBand {
            up_to_value: band.up_to_pence.map(vat_included),
            requirements: requirements(band),
            reason: band.reason.clone(),
        })
        .collect()
}

/// Public liability for everyone, with the band's reason as its note; employer's liability at the
/// statutory minimum, only for providers with paid staff (an all-volunteer group needs none).
fn requirements(band: &Band) -> Vec<EvidenceRequirement> {
    vec![
        EvidenceRequirement {
            kind: DocumentKind::PublicLiabilityInsurance.into(),
            minimum_cover: Some(Pence::new(band.public_liability_pence).to_proto()),
            note: band.reason.clone(),
            ..Default::default()
        },
        EvidenceRequirement {
            kind: DocumentKind::EmployersLiabilityInsurance.into(),
            minimum_cover: Some(Pence::new(band.employers_liability_pence).to_proto()),
            only_if_employing_staff: true,
            note: "only if you employ paid staff: a legal requirement for employers".to_owned(),
            ..Default::default()
        },
    ]
}

fn vat_included(pence: u64) -> Money {
    Money { vat_included: true, ..Pence::new(pence).to_proto() }
}

/// A template as written here, turned into the contract's messages on demand.
struct Template {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    category: ServiceCategory,
    /// The four headings' guidance: what we want, who it is for, where, outcomes.
    guidance: Option<[&'static str; 4]>,
    /// (id, text, guidance, word limit).
    questions: Vec<(&'static str, &'static str, &'static str, i32)>,
    criteria: Vec<Criterion>,
}

const HEADINGS: [&str; 4] = ["What we want", "Who it is for", "Where", "Outcomes we are looking for"];

impl Template {
    fn sections(&self) -> Vec<DescriptionSection> {
        let Some(guidance) = self.guidance else { return Vec::new() };
        HEADINGS
            .iter()
            .zip(guidance)
            .map(|(heading, body)| DescriptionSection { heading: (*heading).to_owned(), body: body.to_owned() })
            .collect()
    }

    fn bid_questions(&self) -> Vec<BidQuestion> {
        self.questions
            .iter()
            .map(|(id, text, guidance, word_limit)| BidQuestion {
                id: (*id).to_owned(),
                text: (*text).to_owned(),
                guidance: (*guidance).to_owned(),
                word_limit: *word_limit,
            })
            .collect()
    }
}

const SAFEGUARDING_QUESTION: (&str, &str, &str, i32) = (
    "q3",
    "How will you keep the people you support safe, and what will you do if you are worried about someone?",
    "Name who leads on safeguarding, the training staff and volunteers get, the checks you make for each \
     role, and how you would raise a concern with the council's adult safeguarding team.",
    300,
);

fn all() -> Vec<Template> {
    vec![befriending(), group_activities(), community_connector(), local_area_coordination(), blank()]
}

fn befriending() -> Template {
    Template {
        id: "befriending",
        name: "Befriending service",
        description: "Regular visits or calls from a trained volunteer for lonely and isolated older people.",
        category: ServiceCategory::BefriendingFaceToFace,
        guidance: Some([
            "Say what kind of befriending you want: home visits, telephone calls or both; how often (for example \
             an hour a week); how many people at a time; and for how long each person is befriended. Say whether \
             you expect the provider to recruit, train and support its own volunteers.",
            "Describe the older people the service is for: living alone, recently bereaved, housebound or newly \
             isolated after a hospital stay. Say who may refer them (GP practices, social workers, families, the \
             person themselves) and anyone the service is not for.",
            "Name the wards, neighbourhoods or postcode districts, and any places where isolated older people are \
             hard to reach, such as sheltered housing or outlying villages.",
            "Say what difference you want to see: fewer people saying they often feel lonely (for example the ONS \
             loneliness question asked at the start and after six months), people going out or joining an \
             activity again, and how often you want to hear how it is going.",
        ]),
        questions: vec![
            (
                "q1",
                "How will you find and reach older people who are lonely or isolated, including people who are \
                 housebound or would not ask for help, and how will the befriending work for them?",
                "Say where referrals will come from, how you will match each person with a befriender, how often \
                 they will meet or talk, and how you will know it is helping.",
                500,
            ),
            (
                "q2",
                "How will you recruit, train and support befrienders, and what will the service add to the local \
                 community?",
                "Cover training, supervision, keeping volunteers, and what local people and groups gain, such as \
                 volunteering opportunities or links with other local activities.",
                400,
            ),
            SAFEGUARDING_QUESTION,
        ],
        criteria: vec![
            price(30),
            quality(
                "quality-reach",
                "Reaching isolated older people",
                "How well the bid finds and reaches the people who most need the service, and how well the \
                 befriending is matched to each person.",
                25,
                &["q1"],
            ),
            quality(
                "quality-volunteers",
                "Volunteers and the quality of befriending",
                "How well befrienders are recruited, trained, supervised and kept.",
                25,
                &["q2"],
            ),
            social_value(20, &["q2"]),
            safeguarding(),
        ],
    }
}

fn group_activities() -> Template {
    Template {
        id: "group-activities",
        name: "Group activities and coffee mornings",
        description: "Regular group sessions such as coffee mornings, lunch clubs, exercise or craft groups where \
                      isolated older people meet others.",
        category: ServiceCategory::GroupActivities,
        guidance: Some([
            "Describe the sessions you want: coffee mornings, lunch clubs, gentle exercise or craft groups; how \
             often (for example weekly), how long each runs, and about how many people each should welcome. Say \
             whether help getting to the sessions is part of the service.",
            "Describe who the sessions are for: older people who are lonely or isolated, residents of sheltered \
             housing, people with mobility difficulties or early dementia, and carers who come with them.",
            "Name the venues or areas, for example the community rooms of named sheltered housing schemes or \
             community centres, and say whether they must be reachable by public transport or step-free.",
            "Say what difference you want to see: people coming regularly, new friendships, people going on to \
             other local activities, fewer people saying they often feel lonely, and what you want to be told \
             each quarter (numbers attending, new members, feedback).",
        ]),
        questions: vec![
            (
                "q1",
                "Describe the sessions you will run: what happens, how often, and how you will make them welcoming \
                 to someone coming for the first time.",
                "Give a picture of a typical session, how you will keep it interesting over the year, and how you \
                 will involve the people who come in deciding what happens.",
                500,
            ),
            (
                "q2",
                "How will you let people know about the sessions, help those who find it hard to get there, and \
                 work with other local groups?",
                "Cover publicity that reaches people who are not online, transport or accompanied journeys, and \
                 links with other groups, venues and services nearby.",
                400,
            ),
            SAFEGUARDING_QUESTION,
        ],
        criteria: vec![
            price(30),
            quality(
                "quality-sessions",
                "Welcoming, well-run sessions",
                "How well the sessions are planned and run, and how welcoming they are to newcomers.",
                30,
                &["q1"],
            ),
            quality(
                "quality-reach",
                "Reaching people who would not otherwise come",
                "How well the bid reaches isolated people and helps them get to the sessions.",
                20,
                &["q2"],
            ),
            social_value(20, &["q2"]),
            safeguarding(),
        ],
    }
}

fn community_connector() -> Template {
    Template {
        id: "community-connector",
        name: "Community connectors (social prescribing)",
        description: "Link workers who meet people referred to them, find out what matters to them and help them \
                      get to local activities and support.",
        category: ServiceCategory::CommunityConnector,
        guidance: Some([
            "Describe the connector service you want: how many people a year, about how many meetings each (for \
             example up to six), whether connectors go with people to their first activity, and how the service \
             works with GP practices and social prescribing link workers already in post.",
            "Describe who may be referred: adults, especially older people, who are lonely or isolated, from GP \
             practices, adult social care, housing officers or by themselves. Say whether carers are included.",
            "Name the primary care network, wards or postcode districts the service covers.",
            "Say what difference you want to see: people connected to at least one activity they keep going to, \
             wellbeing measured at the start and the end (for example ONS4 or WEMWBS), and reports on gaps in \
             local activities that the council could help fill.",
        ]),
        questions: vec![
            (
                "q1",
                "How will you work with each person referred to find out what matters to them and connect them to \
                 activities and support they keep going to?",
                "Describe the conversations, the number and length of contacts, going with people to a first \
                 activity, and how you will follow up.",
                500,
            ),
            (
                "q2",
                "How will you build and keep up to date your knowledge of local groups and activities, and work \
                 with GP practices and other referrers?",
                "Cover how referrers will reach you, how you will tell them what happened, and how you will help \
                 local groups take on new members.",
                400,
            ),
            SAFEGUARDING_QUESTION,
        ],
        criteria: vec![
            price(30),
            quality(
                "quality-connecting",
                "Connecting people to what matters to them",
                "How well the bid helps each person find and keep going to activities and support.",
                30,
                &["q1"],
            ),
            quality(
                "quality-partnership",
                "Working with referrers and local groups",
                "How well the bid works with GP practices, other referrers and local groups.",
                20,
                &["q2"],
            ),
            social_value(20, &["q2"]),
            safeguarding(),
        ],
    }
}

fn local_area_coordination() -> Template {
    Template {
        id: "local-area-coordination",
        name: "Local area coordination",
        description: "Coordinators based in a neighbourhood who walk alongside people towards the life they want \
                      and help the community build its own support.",
        category: ServiceCategory::LocalAreaCoordination,
        guidance: Some([
            "Describe the coordination you want: how many coordinators, their hours, where they are based, and \
             how they are supported and supervised. Local area coordinators get to know local people, walk \
             alongside them towards their own goals and help the community build its own support.",
            "Describe who the service is for: anyone in the area who is, or may become, isolated, including older \
             people living alone. Say that people may come without a referral or meeting eligibility criteria, if \
             that is what you want.",
            "Name the neighbourhoods or wards, each with about 10,000 residents, and any community bases the \
             coordinators should work from.",
            "Say what difference you want to see: people reaching goals they set themselves, fewer crises that \
             need services, new or stronger community groups, and the stories and figures you want each quarter.",
        ]),
        questions: vec![
            (
                "q1",
                "How will your coordinators get to know people in the area and walk alongside them towards the life \
                 they want?",
                "Describe how people will meet a coordinator, how long coordinators stay alongside them, and how \
                 you will know it is making a difference.",
                500,
            ),
            (
                "q2",
                "How will you help the community build its own capacity, and work with local services, groups and \
                 the council?",
                "Cover new groups and neighbourly support, how you will share what you learn with the council, and \
                 how you will avoid duplicating what is already there.",
                500,
            ),
            SAFEGUARDING_QUESTION,
        ],
        criteria: vec![
            price(30),
            quality(
                "quality-walking-alongside",
                "Walking alongside people",
                "How well coordinators get to know people and support them towards goals they set themselves.",
                25,
                &["q1"],
            ),
            quality(
                "quality-community",
                "Building community capacity",
                "How well the bid helps the community build its own support and works with local services.",
                25,
                &["q2"],
            ),
            social_value(20, &["q2"]),
            safeguarding(),
        ],
    }
}

fn blank() -> Template {
    Template {
        id: BLANK,
        name: "Blank tender",
        description: "Start from nothing: write the description, questions and criteria yourself.",
        category: ServiceCategory::Unspecified,
        guidance: None,
        questions: Vec::new(),
        criteria: Vec::new(),
    }
}

fn price(weight: i32) -> Criterion {
    Criterion {
        id: "price".to_owned(),
        name: "Price".to_owned(),
        description: "Scored as the lowest price bid divided by this bid's price, times the weight.".to_owned(),
        kind: CriterionKind::Price.into(),
        weight,
        ..Default::default()
    }
}

fn quality(id: &str, name: &str, description: &str, weight: i32, questions: &[&str]) -> Criterion {
    scored(id, name, description, CriterionKind::Quality, weight, questions)
}

fn social_value(weight: i32, questions: &[&str]) -> Criterion {
    let description = "What the service adds locally beyond the contract: volunteering opportunities for local \
                       people, work with other local groups, and spending with local suppliers.";
    scored("social-value", "Social value", description, CriterionKind::SocialValue, weight, questions)
}

/// Pass or fail on the bid's answer about keeping people safe: what the bidder proposes to do, not
/// a condition on who may bid.
fn safeguarding() -> Criterion {
    Criterion {
        id: "safeguarding".to_owned(),
        name: "Safeguarding arrangements".to_owned(),
        description: "The answer shows workable arrangements to keep people safe: a named safeguarding lead, \
                      training for staff and volunteers, checks suited to each role, and how concerns reach the \
                      council's adult safeguarding team. A bid without workable arrangements fails."
            .to_owned(),
        kind: CriterionKind::PassFail.into(),
        bid_question_ids: vec![SAFEGUARDING_QUESTION.0.to_owned()],
        ..Default::default()
    }
}

const MAX_SCORE: i32 = 5;

fn scored(id: &str, name: &str, description: &str, kind: CriterionKind, weight: i32, questions: &[&str]) -> Criterion {
    Criterion {
        id: id.to_owned(),
        name: name.to_owned(),
        description: description.to_owned(),
        kind: kind.into(),
        weight,
        max_score: MAX_SCORE,
        scale_levels: scale(),
        bid_question_ids: questions.iter().map(|question| (*question).to_owned()).collect(),
    }
}

/// The 0 to 5 scale every template's scored criteria use.
fn scale() -> Vec<ScaleLevel> {
    [
        "Unacceptable: no answer, or the answer does not address the requirement",
        "Poor: addresses the requirement with serious gaps or little detail",
        "Weak: addresses parts of the requirement, with significant gaps",
        "Satisfactory: meets the requirement with some gaps",
        "Good: meets the requirement with minor gaps",
        "Excellent: meets the requirement in full, with clear examples of how",
    ]
    .into_iter()
    .zip(0..)
    .map(|(description, score)| ScaleLevel { score, description: description.to_owned() })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tender_check::check_fields;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    fn rules() -> Rules {
        Rules::embedded().expect("rules.toml parses")
    }

    fn pounds(pounds: i64, vat_included: bool) -> Money {
        Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included }
    }

    /// (kind, minimum cover in pounds, only if employing staff) of each requirement.
    fn levels(requirements: &[EvidenceRequirement]) -> Vec<(DocumentKind, i64, bool)> {
        requirements
            .iter()
            .map(|requirement| {
                let kind = DocumentKind::try_from(requirement.kind).expect("a known kind");
                let cover = requirement.minimum_cover.as_ref().map_or(0, |money| money.amount_pence / 100);
                (kind, cover, requirement.only_if_employing_staff)
            })
            .collect()
    }

    fn public_liability_pounds(value: Option<Money>) -> i64 {
        let rules = rules();
        let bands = rules.bands_on(ymd(2026, 3, 1)).expect("bands in force");
        let evidence = evidence_for(value.as_ref(), bands, rules.vat_basis_points);
        let levels = levels(&evidence);
        assert_eq!(levels[1], (DocumentKind::EmployersLiabilityInsurance, 5_000_000, true), "{levels:?}");
        assert!(evidence.iter().all(|requirement| requirement.valid_on.is_none()), "valid on the contract start");
        assert_eq!(levels[0].0, DocumentKind::PublicLiabilityInsurance);
        levels[0].1
    }

    #[test]
    fn evidence_is_proportionate_to_the_vat_inclusive_value() {
        assert_eq!(public_liability_pounds(Some(pounds(8_000, true))), 2_000_000);
        assert_eq!(public_liability_pounds(Some(pounds(10_000, true))), 2_000_000, "up to GBP 10,000 inclusive");
        assert_eq!(public_liability_pounds(Some(pounds(25_000, true))), 5_000_000);
        assert_eq!(public_liability_pounds(Some(pounds(30_000, true))), 5_000_000, "up to GBP 30,000 inclusive");
        assert_eq!(
            public_liability_pounds(Some(pounds(25_000, false))),
            5_000_000,
            "GBP 25,000 without VAT is GBP 30,000 with it"
        );
        let just_over = Money { amount_pence: 3_000_001, currency: "GBP".into(), vat_included: true };
        assert_eq!(public_liability_pounds(Some(just_over)), 5_000_000, "GBP 30,000.01");
        assert_eq!(
            public_liability_pounds(Some(pounds(165_000, false))),
            5_000_000,
            "a long contract asks what a community organisation holds"
        );
        assert_eq!(public_liability_pounds(None), 2_000_000, "the lowest band until a value is given");
    }

    #[test]
    fn every_template_has_weights_adding_to_100_and_passes_the_draft_checks() {
        let listed = templates(&rules(), ymd(2026, 3, 1));
        let ids: Vec<_> = listed.iter().map(|template| template.id.as_str()).collect();
        assert_eq!(ids, ["befriending", "group-activities", "community-connector", "local-area-coordination", BLANK]);
        for template in &listed {
            assert_eq!(template.evidence_bands.len(), 3, "{}", template.id);
            assert_eq!(template.bands_effective_from, Some(date_to_proto(ymd(2026, 1, 1))));
            let tender = create_from_template(&template.id, &Tender::default(), &rules(), ymd(2026, 3, 1))
                .expect("a known template");
            assert_eq!(check_fields(&tender, "tender"), [], "{}", template.id);
            if template.id == BLANK {
                assert_eq!(template.category, 0);
                assert!(template.description_sections.is_empty() && template.criteria.is_empty());
                continue;
            }
            let weights: i32 = template.criteria.iter().map(|criterion| criterion.weight).sum();
            assert_eq!(weights, 100, "{}", template.id);
            let headings: Vec<_> =
                template.description_sections.iter().map(|section| section.heading.as_str()).collect();
            assert_eq!(headings, HEADINGS, "{}", template.id);
            assert!((2..=3).contains(&template.bid_questions.len()), "{}", template.id);
            let pass_fail = template.criteria.iter().filter(|c| c.kind == i32::from(CriterionKind::PassFail));
            assert_eq!(pass_fail.map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Safeguarding arrangements"]);
        }
        let categories: Vec<_> = listed.iter().map(|template| template.category).collect();
        assert_eq!(
            categories,
            [
                ServiceCategory::BefriendingFaceToFace,
                ServiceCategory::GroupActivities,
                ServiceCategory::CommunityConnector,
                ServiceCategory::LocalAreaCoordination,
                ServiceCategory::Unspecified
            ]
            .map(i32::from)
        );
    }

    #[test]
    fn before_the_first_band_set_templates_propose_no_bands() {
        let listed = templates(&rules(), ymd(2025, 6, 1));
        assert!(listed.iter().all(|template| template.evidence_bands.is_empty()));
        assert!(listed.iter().all(|template| template.bands_effective_from.is_none()));
    }

    #[test]
    fn a_tender_from_a_template_takes_the_officers_title_and_value() {
        let overrides = Tender {
            title: "Befriending in Brixton".into(),
            estimated_value: Some(pounds(25_000, true)),
            id: "ignored".into(),
            ..Default::default()
        };
        let tender = create_from_template("befriending", &overrides, &rules(), ymd(2026, 3, 1)).expect("known");
        assert_eq!(tender.title, "Befriending in Brixton");
        assert_eq!(tender.estimated_value, Some(pounds(25_000, true)));
        assert_eq!(tender.template_id, "befriending");
        assert_eq!(tender.category, i32::from(ServiceCategory::BefriendingFaceToFace));
        assert_eq!(tender.categories, [i32::from(ServiceCategory::BefriendingFaceToFace)]);
        assert_eq!(tender.criteria.len(), 5);
        assert_eq!(tender.bid_questions.len(), 3);
        assert_eq!(tender.description_sections.len(), 4);
        assert_eq!(
            levels(&tender.evidence_requirements)[0],
            (DocumentKind::PublicLiabilityInsurance, 5_000_000, false)
        );
        assert_eq!((tender.id.as_str(), tender.status, tender.council_id.as_str()), ("", 0, ""));
    }

    #[test]
    fn overriding_criteria_replaces_the_templates() {
        let mine = vec![Criterion {
            name: "Price".into(),
            kind: CriterionKind::Price.into(),
            weight: 100,
            ..Default::default()
        }];
        let overrides = Tender { criteria: mine.clone(), ..Default::default() };
        let tender = create_from_template("group-activities", &overrides, &rules(), ymd(2026, 3, 1)).expect("known");
        assert_eq!(tender.criteria, mine);
        assert_eq!(tender.bid_questions.len(), 3, "what is not overridden comes from the template");
    }

    #[test]
    fn an_unknown_template_is_refused() {
        let refused = create_from_template("gardening", &Tender::default(), &rules(), ymd(2026, 3, 1))
            .expect_err("no such template");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "template_id");
        assert!(refused[0].description.contains("befriending"), "{refused:?}");
    }
}
