//! The CheckCompliance rules: for each evidence requirement, whether the provider's locker meets it
//! on the date and why, in words a small charity understands ("public liability cover GBP 2,000,000
//! is below the required GBP 5,000,000"). An award is refused until every requirement is met or does
//! not apply, so the explanation must name the shortfall the provider can fix.
//!
//! Each document of the required kind is judged on its own; the best one is relied on (met beats
//! awaiting verification beats not met) and, when none is good enough, the closest one is explained.
//! Rejected, expired and superseded documents, those still waiting for their malware scan, and
//! insurance that records no end of cover, never meet a requirement.

use std::cmp::Reverse;

use chrono::NaiveDate;
use proto::commissioning::common::v1::{EvidenceCheckResult, RequirementStatus};
use proto::commissioning::compliance::v1::CoverBasis;

use super::document::{Cover, LockerDocument, Rejection, Status, Verification};
use platform::dates::{date_to_proto, long_date};
use platform::evidence::Requirement;
use platform::evidence::{is_insurance, is_policy, kind_name, short_name};
use platform::money::Pence;

/// The outcome of checking one requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    requirement: Requirement,
    valid_on: NaiveDate,
    status: RequirementStatus,
    explanation: String,
    document: Option<ReliedOn>,
}

impl CheckResult {
    pub fn requirement(&self) -> &Requirement {
        &self.requirement
    }

    /// The date the document had to be valid on: the requirement's own, else the check's date.
    pub fn valid_on(&self) -> NaiveDate {
        self.valid_on
    }

    /// Met, awaiting verification, not met or not applicable; never unspecified.
    pub fn status(&self) -> RequirementStatus {
        self.status
    }

    /// Plain English, without a capital or a full stop, ready to stand alone or go in a sentence.
    pub fn explanation(&self) -> &str {
        &self.explanation
    }

    /// The document that meets the requirement, or came closest; `None` when the locker holds none of
    /// the kind (or the requirement does not apply).
    pub fn document(&self) -> Option<&ReliedOn> {
        self.document.as_ref()
    }

    /// Met, or does not apply to this provider: nothing stands in the way of an award.
    pub fn is_satisfied(&self) -> bool {
        matches!(self.status, RequirementStatus::Met | RequirementStatus::NotApplicable)
    }

    /// The result on the wire, its requirement's `valid_on` filled in with the date used.
    pub fn to_proto(&self) -> EvidenceCheckResult {
        let document = self.document.as_ref();
        EvidenceCheckResult {
            requirement: Some(self.requirement.to_proto(self.valid_on)),
            status: self.status.into(),
            explanation: self.explanation.clone(),
            document_id: document.map(|document| document.id.clone()).unwrap_or_default(),
            cover_held: document.and_then(|document| document.cover).map(Pence::to_proto),
            expires_on: document.and_then(|document| document.expires_on).map(date_to_proto),
        }
    }
}

/// The document a result relies on, or that came closest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReliedOn {
    pub id: String,
    /// Its limit of indemnity, for insurance kinds.
    pub cover: Option<Pence>,
    pub expires_on: Option<NaiveDate>,
}

/// Checks every requirement, in order, against the provider's documents. `on_date` (typically the
/// contract start date) is used for each requirement that names no date of its own. A provider with
/// no paid staff needs no employer's liability insurance, nor anything marked only for employers.
/// Give `documents` newest first: of equally good documents, the first listed is relied on.
pub fn check_requirements(
    documents: &[LockerDocument],
    requirements: &[Requirement],
    on_date: NaiveDate,
    employs_staff: bool,
) -> Vec<CheckResult> {
    requirements.iter().map(|requirement| check_requirement(documents, requirement, on_date, employs_staff)).collect()
}

/// Checks one requirement; see [`check_requirements`].
pub fn check_requirement(
    documents: &[LockerDocument],
    requirement: &Requirement,
    on_date: NaiveDate,
    employs_staff: bool,
) -> CheckResult {
    let kind = requirement.kind();
    let valid_on = requirement.valid_on().unwrap_or(on_date);
    let result = |status, explanation, document| CheckResult {
        requirement: requirement.clone(),
        valid_on,
        status,
        explanation,
        document,
    };
    if !requirement.applies(employs_staff) {
        let explanation = format!("{} is not needed: the provider has no paid staff", kind_name(kind));
        return result(RequirementStatus::NotApplicable, explanation, None);
    }
    let when = When { date: valid_on, is_contract_start: valid_on == on_date };
    let mut best: Option<Judgement<'_>> = None;
    for judgement in documents.iter().filter(|document| document.kind == kind).map(|d| judge(d, requirement, &when)) {
        // Strictly better only, so among equals the first listed (the newest) wins.
        if best.as_ref().is_none_or(|best| judgement.rank > best.rank) {
            best = Some(judgement);
        }
    }
    match best {
        None => result(RequirementStatus::NotMet, format!("no {} in the locker", kind_name(kind)), None),
        Some(Judgement { document, status, explanation, .. }) => {
            let relied_on = ReliedOn {
                id: document.id.clone(),
                cover: document.cover.filter(|_| is_insurance(kind)).map(Cover::limit),
                expires_on: document.expires_on,
            };
            result(status, explanation, Some(relied_on))
        }
    }
}

/// True when every result is met or not applicable: what an award needs.
pub fn all_met(results: &[CheckResult]) -> bool {
    results.iter().all(CheckResult::is_satisfied)
}

/// One paragraph saying what is missing, for example "1 of 2 requirements met. Public liability cover
/// GBP 2,000,000 is below the required GBP 5,000,000." Requirements that do not apply are left out of
/// the count. Empty when [`all_met`].
pub fn summary(results: &[CheckResult]) -> String {
    if all_met(results) {
        return String::new();
    }
    let applicable: Vec<_> =
        results.iter().filter(|result| result.status != RequirementStatus::NotApplicable).collect();
    let met = applicable.iter().filter(|result| result.status == RequirementStatus::Met).count();
    let noun = if applicable.len() == 1 { "requirement" } else { "requirements" };
    let mut summary = format!("{met} of {} {noun} met.", applicable.len());
    for result in applicable.iter().filter(|result| !result.is_satisfied()) {
        summary.push(' ');
        summary.push_str(&sentence(&result.explanation));
    }
    summary
}

/// "no policy" as "No policy.", leaving a full stop the text already ends with.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut sentence: String =
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}

/// The date a document must be valid on, and how to speak of it: as the contract's start when it
/// is the check's date, else as the requirement's own date.
struct When {
    date: NaiveDate,
    is_contract_start: bool,
}

impl When {
    /// "the contract start on 1 February 2027", or "1 February 2027, the date it must be valid on".
    fn day(&self) -> String {
        let date = long_date(self.date);
        if self.is_contract_start {
            format!("the contract start on {date}")
        } else {
            format!("{date}, the date it must be valid on")
        }
    }

    fn relative(&self, word: &str) -> String {
        let date = long_date(self.date);
        if self.is_contract_start {
            format!("{word} the contract starts on {date}")
        } else {
            format!("{word} {date}, the date it must be valid on")
        }
    }
}

/// How good one document is for one requirement, and what to say of it.
struct Judgement<'a> {
    document: &'a LockerDocument,
    status: RequirementStatus,
    explanation: String,
    rank: Rank,
}

/// Which document to rely on or explain: the better outcome first; then, among documents that fall
/// short, the one closest to counting; then the one that runs longest.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    outcome: Outcome,
    closeness: Closeness,
    fewer_shortfalls: Reverse<usize>,
    runs_until: NaiveDate,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    NotMet,
    AwaitingVerification,
    Met,
}

/// How near a document is to counting, from never (superseded) to as good as it gets.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Closeness {
    Superseded,
    Expired,
    Rejected,
    /// In the locker and in force, but short of the requirement (cover or dates), or still waiting
    /// for its malware scan.
    Live,
    /// Meets the requirement apart from a council's verification.
    Unverified,
    Verified,
}

fn judge<'a>(document: &'a LockerDocument, requirement: &Requirement, when: &When) -> Judgement<'a> {
    let kind = document.kind;
    let (name, short) = (kind_name(kind), short_name(kind));
    let judgement = |outcome: Outcome, closeness, shortfalls: usize, explanation: String| {
        let status = match outcome {
            Outcome::NotMet => RequirementStatus::NotMet,
            Outcome::AwaitingVerification => RequirementStatus::AwaitingVerification,
            Outcome::Met => RequirementStatus::Met,
        };
        let runs_until = document.expires_on.unwrap_or(NaiveDate::MAX);
        let rank = Rank { outcome, closeness, fewer_shortfalls: Reverse(shortfalls), runs_until };
        Judgement { document, status, explanation, rank }
    };
    let verification = match &document.status {
        Status::Superseded => {
            return judgement(
                Outcome::NotMet,
                Closeness::Superseded,
                0,
                format!("{name} has been superseded by a renewal"),
            );
        }
        Status::Expired => {
            let explanation = match document.expires_on {
                Some(end) if is_policy(kind) => {
                    format!("{name} was due for review on {} and has expired", long_date(end))
                }
                Some(end) => format!("{short} expired on {}", long_date(end)),
                None => format!("{name} has expired"),
            };
            return judgement(Outcome::NotMet, Closeness::Expired, 0, explanation);
        }
        Status::Rejected(rejection) => {
            return judgement(Outcome::NotMet, Closeness::Rejected, 0, rejected(name, rejection));
        }
        Status::PendingScan | Status::Submitted => None,
        Status::Verified(verification) => Some(verification),
        Status::Expiring(verification) => verification.as_ref(),
    };
    let shortfalls = shortfalls(document, requirement, when);
    if !shortfalls.is_empty() {
        return judgement(Outcome::NotMet, Closeness::Live, shortfalls.len(), shortfalls.join("; "));
    }
    match (&document.status, verification) {
        (Status::PendingScan, _) => {
            let explanation = format!(
                "{name} is waiting for its virus check; it counts once the check passes and a council officer has \
                 verified it"
            );
            judgement(Outcome::AwaitingVerification, Closeness::Live, 0, explanation)
        }
        (_, None) => {
            let explanation = format!("{name} is waiting for a council officer to verify it");
            judgement(Outcome::AwaitingVerification, Closeness::Unverified, 0, explanation)
        }
        (_, Some(verification)) => judgement(Outcome::Met, Closeness::Verified, 0, met(document, verification)),
    }
}

/// Why a document in force falls short of the requirement on the date: each reason on its own.
fn shortfalls(document: &LockerDocument, requirement: &Requirement, when: &When) -> Vec<String> {
    let kind = document.kind;
    let (name, short) = (kind_name(kind), short_name(kind));
    let mut shortfalls = Vec::new();
    if let Some(minimum) = requirement.minimum_cover() {
        match document.cover {
            None => shortfalls.push(format!("{short} cover is not recorded, so it cannot be shown to reach {minimum}")),
            Some(cover) if cover.limit() < minimum => {
                shortfalls.push(format!("{short} cover {} is below the required {minimum}", held(cover)));
            }
            Some(_) => {}
        }
    }
    // Cover with no recorded end cannot be shown to hold on any date: it would otherwise count for ever.
    if is_insurance(kind) && document.expires_on.is_none() {
        shortfalls.push(format!(
            "{short} cover has no end date recorded, so it cannot be shown to cover {}: renew it with the cover \
             dates printed on the certificate",
            when.day()
        ));
    }
    if let Some(start) = document.valid_from.filter(|start| *start > when.date) {
        let start = long_date(start);
        shortfalls.push(if is_insurance(kind) {
            format!("{short} cover starts {start}, {}", when.relative("after"))
        } else {
            format!("{name} takes effect on {start}, {}", when.relative("after"))
        });
    }
    if let Some(end) = document.expires_on.filter(|end| *end < when.date) {
        let end = long_date(end);
        shortfalls.push(if is_policy(kind) {
            format!("{name} is due for review on {end}, {}", when.relative("before"))
        } else {
            format!("{short} expires {end}, {}", when.relative("before"))
        });
    }
    shortfalls
}

/// "health and safety policy rejected by Lambeth on 3 March 2026: not signed".
fn rejected(name: &str, rejection: &Rejection) -> String {
    let by = rejection.council_name.as_deref().unwrap_or("the virus check");
    format!("{name} rejected by {by} on {}: {}", long_date(rejection.on), rejection.reason)
}

/// "public liability cover GBP 5,000,000 verified by Lambeth on 3 March 2026, valid until 31 March 2027".
fn met(document: &LockerDocument, verification: &Verification) -> String {
    let kind = document.kind;
    let what = match document.cover.filter(|_| is_insurance(kind)) {
        Some(cover) => format!("{} cover {}", short_name(kind), held(cover)),
        None => kind_name(kind).to_owned(),
    };
    let mut explanation = format!("{what} verified by {} on {}", verification.council_name, long_date(verification.on));
    if let Some(end) = document.expires_on {
        let until = if is_policy(kind) { "due for review on" } else { "valid until" };
        explanation.push_str(&format!(", {until} {}", long_date(end)));
    }
    explanation
}

/// "GBP 2,000,000", saying when the limit is for all claims together.
fn held(cover: Cover) -> String {
    match cover.basis() {
        CoverBasis::Aggregate => format!("{} in aggregate", cover.limit()),
        _ => cover.limit().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Date, DocumentKind, EvidenceRequirement, Money};

    use super::*;
    use crate::domain::document::Verification;

    use DocumentKind::{
        EmployersLiabilityInsurance as EmployersLiability, HealthAndSafetyPolicy as HealthAndSafety,
        ProfessionalIndemnityInsurance as ProfessionalIndemnity, PublicLiabilityInsurance as PublicLiability,
    };
    use RequirementStatus::{AwaitingVerification, Met, NotApplicable, NotMet};

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    /// The contract starts on 1 February 2027.
    fn start() -> NaiveDate {
        ymd(2027, 2, 1)
    }

    fn verified() -> Status {
        Status::Verified(Verification { council_name: "Lambeth".into(), on: ymd(2026, 3, 3) })
    }

    fn rejected_by(council: Option<&str>, reason: &str) -> Status {
        Status::Rejected(Rejection {
            council_name: council.map(Into::into),
            on: ymd(2026, 3, 3),
            reason: reason.into(),
        })
    }

    /// A policy adopted 1 April 2026, due for review 31 March 2027.
    fn policy(id: &str, kind: DocumentKind, status: Status) -> LockerDocument {
        LockerDocument {
            id: id.into(),
            kind,
            status,
            cover: None,
            valid_from: Some(ymd(2026, 4, 1)),
            expires_on: Some(ymd(2027, 3, 31)),
        }
    }

    /// A certificate covering 1 April 2026 to 31 March 2027 per occurrence.
    fn certificate(id: &str, kind: DocumentKind, pounds: u64, status: Status) -> LockerDocument {
        let cover = Some(Cover::new(Pence::pounds(pounds), CoverBasis::PerOccurrence));
        LockerDocument { cover, ..policy(id, kind, status) }
    }

    fn dated(document: LockerDocument, valid_from: Option<NaiveDate>, expires_on: Option<NaiveDate>) -> LockerDocument {
        LockerDocument { valid_from, expires_on, ..document }
    }

    fn require(kind: DocumentKind, minimum_pounds: Option<i64>) -> Requirement {
        let minimum_cover = minimum_pounds.map(|pounds| Money {
            amount_pence: pounds * 100,
            currency: "GBP".into(),
            vat_included: false,
        });
        let wire = EvidenceRequirement { kind: kind.into(), minimum_cover, ..Default::default() };
        Requirement::parse(&wire, "r").expect("a valid requirement")
    }

    fn check(documents: &[LockerDocument], requirement: &Requirement) -> CheckResult {
        check_requirement(documents, requirement, start(), true)
    }

    fn outcome(result: &CheckResult) -> (RequirementStatus, &str, Option<&str>) {
        (result.status(), result.explanation(), result.document().map(|document| document.id.as_str()))
    }

    #[test]
    fn a_verified_document_in_force_with_enough_cover_is_met() {
        let documents = [certificate("pl", PublicLiability, 5_000_000, verified())];
        let result = check(&documents, &require(PublicLiability, Some(5_000_000)));
        let explanation =
            "public liability cover GBP 5,000,000 verified by Lambeth on 3 March 2026, valid until 31 March 2027";
        assert_eq!(outcome(&result), (Met, explanation, Some("pl")));
        let relied_on = result.document().expect("a document");
        assert_eq!((relied_on.cover, relied_on.expires_on), (Some(Pence::pounds(5_000_000)), Some(ymd(2027, 3, 31))));

        let any_cover = check(&documents, &require(PublicLiability, None));
        assert_eq!(any_cover.status(), Met);
        let policy_result = check(&[policy("hs", HealthAndSafety, verified())], &require(HealthAndSafety, None));
        let explanation =
            "health and safety policy verified by Lambeth on 3 March 2026, due for review on 31 March 2027";
        assert_eq!(outcome(&policy_result), (Met, explanation, Some("hs")));
        let open_ended = dated(policy("hs", HealthAndSafety, verified()), Some(ymd(2020, 1, 1)), None);
        let result = check(&[open_ended], &require(HealthAndSafety, None));
        assert_eq!(outcome(&result), (Met, "health and safety policy verified by Lambeth on 3 March 2026", Some("hs")));
    }

    #[test]
    fn cover_must_reach_the_minimum() {
        let requirement = require(PublicLiability, Some(5_000_000));
        let cases = [
            (
                Pence::pounds(2_000_000),
                NotMet,
                "public liability cover GBP 2,000,000 is below the required GBP 5,000,000",
            ),
            (
                Pence::new(499_999_999),
                NotMet,
                "public liability cover GBP 4,999,999.99 is below the required GBP 5,000,000",
            ),
            (Pence::pounds(5_000_000), Met, ""),
            (Pence::pounds(10_000_000), Met, ""),
        ];
        for (limit, status, explanation) in cases {
            let document = LockerDocument {
                cover: Some(Cover::new(limit, CoverBasis::Unspecified)),
                ..certificate("pl", PublicLiability, 0, verified())
            };
            let result = check(&[document], &requirement);
            assert_eq!(result.status(), status, "{limit}");
            if status == NotMet {
                assert_eq!(result.explanation(), explanation);
                assert_eq!(result.document().and_then(|document| document.cover), Some(limit));
            }
        }
        let aggregate = LockerDocument {
            cover: Some(Cover::new(Pence::pounds(1_000_000), CoverBasis::Aggregate)),
            ..certificate("pi", ProfessionalIndemnity, 0, verified())
        };
        let result = check(&[aggregate], &require(ProfessionalIndemnity, Some(2_000_000)));
        let explanation = "professional indemnity cover GBP 1,000,000 in aggregate is below the required GBP 2,000,000";
        assert_eq!(outcome(&result), (NotMet, explanation, Some("pi")));
        let unrecorded = LockerDocument { cover: None, ..certificate("pl", PublicLiability, 0, verified()) };
        let result = check(&[unrecorded], &requirement);
        let explanation = "public liability cover is not recorded, so it cannot be shown to reach GBP 5,000,000";
        assert_eq!(outcome(&result), (NotMet, explanation, Some("pl")));
    }

    #[test]
    fn a_document_must_be_in_force_on_the_date_both_ends_included() {
        let requirement = require(EmployersLiability, Some(5_000_000));
        let document = |valid_from, expires_on| {
            dated(certificate("el", EmployersLiability, 5_000_000, verified()), valid_from, expires_on)
        };
        let ends_before = "employer's liability expires 31 January 2027, before the contract starts on 1 February 2027";
        let starts_after =
            "employer's liability cover starts 2 February 2027, after the contract starts on 1 February 2027";
        let no_end = "employer's liability cover has no end date recorded, so it cannot be shown to cover the contract \
                      start on 1 February 2027: renew it with the cover dates printed on the certificate";
        let cases = [
            (Some(ymd(2026, 2, 1)), Some(ymd(2027, 1, 31)), NotMet, ends_before),
            (Some(ymd(2027, 2, 2)), Some(ymd(2028, 2, 1)), NotMet, starts_after),
            (Some(ymd(2026, 2, 1)), Some(ymd(2027, 2, 1)), Met, ""),
            (Some(ymd(2027, 2, 1)), Some(ymd(2028, 1, 31)), Met, ""),
            (None, Some(ymd(2027, 2, 1)), Met, ""),
            (Some(ymd(2026, 2, 1)), None, NotMet, no_end),
            (None, None, NotMet, no_end),
        ];
        for (valid_from, expires_on, status, explanation) in cases {
            let result = check(&[document(valid_from, expires_on)], &requirement);
            assert_eq!(result.status(), status, "{valid_from:?} to {expires_on:?}");
            if status == NotMet {
                assert_eq!(result.explanation(), explanation);
            }
        }
    }

    #[test]
    fn dates_are_spoken_of_by_kind_and_by_whose_date_it_is() {
        let late_policy =
            dated(policy("hs", HealthAndSafety, verified()), Some(ymd(2025, 1, 1)), Some(ymd(2027, 1, 10)));
        let result = check(&[late_policy], &require(HealthAndSafety, None));
        let explanation = "health and safety policy is due for review on 10 January 2027, before the contract starts on \
                           1 February 2027";
        assert_eq!(result.explanation(), explanation);

        let new_policy = dated(policy("hs", HealthAndSafety, verified()), Some(ymd(2027, 3, 1)), None);
        let result = check(&[new_policy], &require(HealthAndSafety, None));
        let explanation =
            "health and safety policy takes effect on 1 March 2027, after the contract starts on 1 February 2027";
        assert_eq!(result.explanation(), explanation);

        let wire = EvidenceRequirement {
            kind: PublicLiability.into(),
            valid_on: Some(Date { year: 2027, month: 6, day: 1 }),
            ..Default::default()
        };
        let own_date = Requirement::parse(&wire, "r").expect("valid");
        let result = check(&[certificate("pl", PublicLiability, 5_000_000, verified())], &own_date);
        let explanation = "public liability expires 31 March 2027, before 1 June 2027, the date it must be valid on";
        assert_eq!((result.valid_on(), result.explanation()), (ymd(2027, 6, 1), explanation));
        let open_ended = dated(certificate("pl", PublicLiability, 5_000_000, verified()), Some(ymd(2026, 4, 1)), None);
        let result = check(&[open_ended], &own_date);
        let explanation = "public liability cover has no end date recorded, so it cannot be shown to cover 1 June 2027, \
                           the date it must be valid on: renew it with the cover dates printed on the certificate";
        assert_eq!(outcome(&result), (NotMet, explanation, Some("pl")));
    }

    #[test]
    fn every_shortfall_of_the_closest_document_is_named() {
        let document = dated(certificate("pl", PublicLiability, 2_000_000, verified()), None, Some(ymd(2027, 1, 31)));
        let result = check(&[document], &require(PublicLiability, Some(5_000_000)));
        let explanation = "public liability cover GBP 2,000,000 is below the required GBP 5,000,000; public liability \
                           expires 31 January 2027, before the contract starts on 1 February 2027";
        assert_eq!(outcome(&result), (NotMet, explanation, Some("pl")));
    }

    #[test]
    fn a_rejected_document_never_counts_and_says_who_when_and_why() {
        let cases = [
            (
                policy("hs", HealthAndSafety, rejected_by(Some("Lambeth"), "not signed")),
                "health and safety policy rejected by Lambeth on 3 March 2026: not signed",
            ),
            (
                policy("hs", HealthAndSafety, rejected_by(None, "malware found")),
                "health and safety policy rejected by the virus check on 3 March 2026: malware found",
            ),
        ];
        for (document, explanation) in cases {
            let result = check(&[document], &require(HealthAndSafety, None));
            assert_eq!(outcome(&result), (NotMet, explanation, Some("hs")));
        }
    }

    #[test]
    fn an_expired_document_never_counts_even_for_an_earlier_date() {
        let expired =
            dated(certificate("el", EmployersLiability, 5_000_000, Status::Expired), None, Some(ymd(2027, 3, 31)));
        let result = check(&[expired], &require(EmployersLiability, Some(5_000_000)));
        assert_eq!(outcome(&result), (NotMet, "employer's liability expired on 31 March 2027", Some("el")));
        let policy = policy("hs", HealthAndSafety, Status::Expired);
        let result = check(&[policy], &require(HealthAndSafety, None));
        let explanation = "health and safety policy was due for review on 31 March 2027 and has expired";
        assert_eq!(result.explanation(), explanation);
        let undated = dated(certificate("pl", PublicLiability, 1, Status::Expired), None, None);
        let result = check(&[undated], &require(PublicLiability, None));
        assert_eq!(result.explanation(), "public liability insurance has expired");
    }

    #[test]
    fn a_missing_kind_is_named() {
        let others = [
            certificate("pl", PublicLiability, 5_000_000, verified()),
            policy("sc", DocumentKind::SafeguardingChildrenPolicy, verified()),
        ];
        let cases = [
            (&others[..], DocumentKind::SafeguardingAdultsPolicy, "no safeguarding adults policy in the locker"),
            (&[], PublicLiability, "no public liability insurance in the locker"),
            (&[], DocumentKind::DataProtectionRegistration, "no data protection (ICO) registration in the locker"),
        ];
        for (documents, kind, explanation) in cases {
            let result = check(documents, &require(kind, None));
            assert_eq!(outcome(&result), (NotMet, explanation, None));
            assert_eq!(result.to_proto().document_id, "");
        }
    }

    #[test]
    fn a_superseded_document_is_ignored_for_its_renewal() {
        let old = certificate("old", PublicLiability, 10_000_000, Status::Superseded);
        let renewal = dated(
            certificate("new", PublicLiability, 5_000_000, verified()),
            Some(ymd(2026, 4, 1)),
            Some(ymd(2028, 3, 31)),
        );
        let requirement = require(PublicLiability, Some(5_000_000));
        let result = check(&[old.clone(), renewal.clone()], &requirement);
        assert_eq!((result.status(), result.document().map(|document| document.id.as_str())), (Met, Some("new")));
        let result = check(&[renewal, old.clone()], &requirement);
        assert_eq!(result.document().map(|document| document.id.as_str()), Some("new"));
        let result = check(&[old], &requirement);
        let explanation = "public liability insurance has been superseded by a renewal";
        assert_eq!(outcome(&result), (NotMet, explanation, Some("old")));
    }

    #[test]
    fn an_unverified_document_awaits_verification_and_says_so() {
        let requirement = require(PublicLiability, Some(5_000_000));
        let waiting = "public liability insurance is waiting for a council officer to verify it";
        let scanning = "public liability insurance is waiting for its virus check; it counts once the check passes and \
                        a council officer has verified it";
        let lambeth = Verification { council_name: "Lambeth".into(), on: ymd(2026, 3, 3) };
        let cases = [
            (Status::Submitted, AwaitingVerification, waiting),
            (Status::Expiring(None), AwaitingVerification, waiting),
            (Status::PendingScan, AwaitingVerification, scanning),
            (
                Status::Expiring(Some(lambeth)),
                Met,
                "public liability cover GBP 5,000,000 verified by Lambeth on 3 March 2026, valid until 31 March 2027",
            ),
        ];
        for (status, expected, explanation) in cases {
            let result = check(&[certificate("pl", PublicLiability, 5_000_000, status.clone())], &requirement);
            assert_eq!(outcome(&result), (expected, explanation, Some("pl")), "{status:?}");
        }
        let short = certificate("pl", PublicLiability, 1_000_000, Status::PendingScan);
        let result = check(&[short], &requirement);
        assert_eq!(result.status(), NotMet, "a shortfall outweighs the wait");
    }

    #[test]
    fn employers_liability_does_not_apply_without_paid_staff() {
        let requirement = require(EmployersLiability, Some(5_000_000));
        let result = check_requirement(&[], &requirement, start(), false);
        let explanation = "employer's liability insurance is not needed: the provider has no paid staff";
        assert_eq!(outcome(&result), (NotApplicable, explanation, None));
        assert!(all_met(&[result]));
        let with_staff = check_requirement(&[], &requirement, start(), true);
        assert_eq!(with_staff.status(), NotMet);

        let marked = EvidenceRequirement {
            kind: DocumentKind::DbsCheckingPolicy.into(),
            only_if_employing_staff: true,
            ..Default::default()
        };
        let marked = Requirement::parse(&marked, "r").expect("valid");
        assert_eq!(check_requirement(&[], &marked, start(), false).status(), NotApplicable);
        assert_eq!(check_requirement(&[], &marked, start(), true).status(), NotMet);
        let everyone = require(PublicLiability, None);
        assert_eq!(check_requirement(&[], &everyone, start(), false).status(), NotMet);
    }

    #[test]
    fn the_best_of_several_documents_is_relied_on() {
        let requirement = require(PublicLiability, Some(5_000_000));
        let pl = |id: &str, pounds, status| certificate(id, PublicLiability, pounds, status);
        let longer = dated(pl("longer", 5_000_000, verified()), None, Some(ymd(2028, 3, 31)));
        let cases = [
            (
                vec![pl("low", 2_000_000, verified()), pl("ok", 5_000_000, Status::Submitted)],
                AwaitingVerification,
                "ok",
            ),
            (vec![pl("wait", 10_000_000, Status::Submitted), pl("ok", 5_000_000, verified())], Met, "ok"),
            (vec![pl("ok", 5_000_000, verified()), longer.clone()], Met, "longer"),
            (vec![longer.clone(), pl("ok", 5_000_000, verified())], Met, "longer"),
            (vec![pl("first", 5_000_000, verified()), pl("second", 5_000_000, verified())], Met, "first"),
            (
                vec![pl("scan", 5_000_000, Status::PendingScan), pl("wait", 5_000_000, Status::Submitted)],
                AwaitingVerification,
                "wait",
            ),
            (
                vec![pl("no", 5_000_000, rejected_by(Some("Lambeth"), "wrong name")), pl("low", 2_000_000, verified())],
                NotMet,
                "low",
            ),
            (
                vec![
                    pl("old", 5_000_000, Status::Superseded),
                    pl("no", 5_000_000, rejected_by(Some("Woking"), "blurred")),
                ],
                NotMet,
                "no",
            ),
            (
                vec![pl("gone", 5_000_000, Status::Expired), pl("no", 5_000_000, rejected_by(None, "malware"))],
                NotMet,
                "no",
            ),
            (vec![pl("old", 5_000_000, Status::Superseded), pl("gone", 5_000_000, Status::Expired)], NotMet, "gone"),
        ];
        for (documents, status, id) in cases {
            let result = check(&documents, &requirement);
            assert_eq!((result.status(), result.document().map(|document| document.id.as_str())), (status, Some(id)));
        }
        let two_shortfalls = dated(pl("two", 1_000_000, verified()), None, Some(ymd(2027, 1, 1)));
        let one_shortfall = pl("one", 1_000_000, verified());
        let result = check(&[two_shortfalls, one_shortfall], &requirement);
        assert_eq!(result.document().map(|document| document.id.as_str()), Some("one"));
    }

    #[test]
    fn every_requirement_is_checked_in_order() {
        let documents = [
            certificate("pl", PublicLiability, 2_000_000, verified()),
            policy("hs", HealthAndSafety, rejected_by(Some("Lambeth"), "not signed")),
            dated(certificate("el", EmployersLiability, 5_000_000, verified()), None, Some(ymd(2027, 1, 31))),
        ];
        let requirements = [
            require(PublicLiability, Some(5_000_000)),
            require(EmployersLiability, Some(5_000_000)),
            require(HealthAndSafety, None),
            require(DocumentKind::SafeguardingAdultsPolicy, None),
        ];
        let results = check_requirements(&documents, &requirements, start(), true);
        let explanations: Vec<_> = results.iter().map(CheckResult::explanation).collect();
        assert_eq!(
            explanations,
            [
                "public liability cover GBP 2,000,000 is below the required GBP 5,000,000",
                "employer's liability expires 31 January 2027, before the contract starts on 1 February 2027",
                "health and safety policy rejected by Lambeth on 3 March 2026: not signed",
                "no safeguarding adults policy in the locker",
            ]
        );
        assert!(!all_met(&results));
    }

    #[test]
    fn all_met_needs_every_result_met_or_not_applicable() {
        let documents = [certificate("pl", PublicLiability, 5_000_000, verified())];
        let met = check(&documents, &require(PublicLiability, Some(5_000_000)));
        let not_applicable = check_requirement(&[], &require(EmployersLiability, None), start(), false);
        let awaiting =
            check(&[certificate("pl", PublicLiability, 5_000_000, Status::Submitted)], &require(PublicLiability, None));
        let missing = check(&[], &require(HealthAndSafety, None));
        assert!(all_met(&[]));
        assert!(all_met(&[met.clone(), not_applicable.clone()]));
        assert!(!all_met(&[met.clone(), awaiting.clone()]));
        assert!(!all_met(&[not_applicable.clone(), missing.clone()]));

        assert_eq!(summary(&[met.clone(), not_applicable.clone()]), "");
        let low = check(
            &[certificate("pl", PublicLiability, 2_000_000, verified())],
            &require(PublicLiability, Some(5_000_000)),
        );
        assert_eq!(
            summary(&[met.clone(), low.clone(), not_applicable.clone()]),
            "1 of 2 requirements met. Public liability cover GBP 2,000,000 is below the required GBP 5,000,000."
        );
        assert_eq!(
            summary(&[awaiting, missing, not_applicable]),
            "0 of 2 requirements met. Public liability insurance is waiting for a council officer to verify it. \
             No health and safety policy in the locker."
        );
        assert_eq!(
            summary(&[low]),
            "0 of 1 requirement met. Public liability cover GBP 2,000,000 is below the required GBP 5,000,000."
        );
        let full_stop = check(
            &[policy("hs", HealthAndSafety, rejected_by(Some("Lambeth"), "Not signed."))],
            &require(HealthAndSafety, None),
        );
        assert_eq!(
            summary(&[full_stop]),
            "0 of 1 requirement met. Health and safety policy rejected by Lambeth on 3 March 2026: Not signed."
        );
    }

    #[test]
    fn results_go_on_the_wire_with_the_date_used() {
        let documents = [certificate("pl", PublicLiability, 2_000_000, verified())];
        let wire = check(&documents, &require(PublicLiability, Some(5_000_000))).to_proto();
        assert_eq!(wire.status, i32::from(NotMet));
        assert_eq!(wire.document_id, "pl");
        assert_eq!(wire.cover_held.map(|money| money.amount_pence), Some(200_000_000));
        assert_eq!(wire.expires_on, Some(Date { year: 2027, month: 3, day: 31 }));
        let requirement = wire.requirement.expect("the requirement");
        assert_eq!(requirement.valid_on, Some(Date { year: 2027, month: 2, day: 1 }));
        assert_eq!(requirement.minimum_cover.map(|money| money.amount_pence), Some(500_000_000));

        let policy_result =
            check(&[policy("hs", HealthAndSafety, verified())], &require(HealthAndSafety, None)).to_proto();
        assert_eq!((policy_result.status, policy_result.cover_held), (i32::from(Met), None));
        let not_applicable = check_requirement(&[], &require(EmployersLiability, None), start(), false).to_proto();
        assert_eq!(not_applicable.status, i32::from(NotApplicable));
        assert!(not_applicable.explanation.contains("no paid staff"));
    }
}
