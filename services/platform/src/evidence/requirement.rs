//! One piece of evidence a tender's winner must hold (commissioning.common.v1.EvidenceRequirement),
//! parsed once at the edge: a kind that is set, a minimum cover only for insurance, a real date if
//! one is given, a bounded note. A CheckCompliance request's list is parsed here too, reporting every
//! bad field by its path ("requirements[2].minimum_cover").

use crate::FieldViolation;
use chrono::NaiveDate;
use proto::commissioning::common::v1::{DocumentKind, EvidenceRequirement};

use super::kind::{DOCUMENT_KINDS, is_insurance, kind_name, only_for_employers};
use crate::dates::{date_to_proto, parse_optional_date};
use crate::money::Pence;
use crate::validation::{Invalid, Violations, element, field, optional_text, required_enum};

/// The most requirements one check may name.
pub const MAX_REQUIREMENTS: usize = 50;
const NOTE_MAX: usize = 500;

/// A validated evidence requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    kind: DocumentKind,
    minimum_cover: Option<Pence>,
    valid_on: Option<NaiveDate>,
    only_if_employing_staff: bool,
    note: String,
}

impl Requirement {
    /// Parses the requirement at `path` (such as "requirements[0]"), collecting every violation.
    pub fn parse(requirement: &EvidenceRequirement, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let kind: Option<DocumentKind> = v.check(field(path, "kind"), required_enum(requirement.kind, DOCUMENT_KINDS));
        let minimum_cover = match (&requirement.minimum_cover, kind) {
            (None, _) => Some(None),
            // The kind's own violation says what is wrong; cover cannot be judged without it.
            (Some(_), None) => None,
            (Some(_), Some(kind)) if !is_insurance(kind) => {
                let refused = Invalid::new(format!(
                    "only insurance has a limit of indemnity: leave minimum_cover unset for a {}",
                    kind_name(kind)
                ));
                v.check(field(path, "minimum_cover"), Err::<Option<Pence>, _>(refused))
            }
            (Some(money), Some(_)) => v.nested(Pence::parse(money, &field(path, "minimum_cover"))).map(Some),
        };
        let valid_on = v.check(field(path, "valid_on"), parse_optional_date(requirement.valid_on.as_ref()));
        let note = v.check(field(path, "note"), optional_text(&requirement.note, NOTE_MAX));
        v.finish(|| {
            Some(Self {
                kind: kind?,
                minimum_cover: minimum_cover?,
                valid_on: valid_on?,
                only_if_employing_staff: requirement.only_if_employing_staff,
                note: note?,
            })
        })
    }

    /// Never `DocumentKind::Unspecified`.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The lowest acceptable limit of indemnity; only ever set for insurance kinds.
    pub fn minimum_cover(&self) -> Option<Pence> {
        self.minimum_cover
    }

    /// The date the document must be valid on, when the requirement names its own.
    pub fn valid_on(&self) -> Option<NaiveDate> {
        self.valid_on
    }

    pub fn note(&self) -> &str {
        &self.note
    }

    /// Whether the requirement applies to a provider: one marked only-if-employing-staff, and
    /// employer's liability always (a legal duty only of employers), does not apply to a provider
    /// with no paid staff.
    pub fn applies(&self, employs_staff: bool) -> bool {
        employs_staff || !(self.only_if_employing_staff || only_for_employers(self.kind))
    }

    /// The requirement on the wire, with `valid_on` filled in with the date actually used.
    pub fn to_proto(&self, valid_on: NaiveDate) -> EvidenceRequirement {
        EvidenceRequirement {
            kind: self.kind.into(),
            minimum_cover: self.minimum_cover.map(Pence::to_proto),
            valid_on: Some(date_to_proto(valid_on)),
            only_if_employing_staff: self.only_if_employing_staff,
            note: self.note.clone(),
        }
    }
}

/// The requirements of a request's repeated field `name` inside `path`: at least one, at most
/// [`MAX_REQUIREMENTS`], each parsed at its own path ("requirements[1].kind").
pub fn parse_requirements(
    requirements: &[EvidenceRequirement],
    path: &str,
    name: &str,
) -> Result<Vec<Requirement>, Vec<FieldViolation>> {
    let count = requirements.len();
    if count == 0 {
        return Err(vec![FieldViolation::new(field(path, name), "required: give at least one requirement")]);
    }
    if count > MAX_REQUIREMENTS {
        let description = format!("too many: {count} requirements given, at most {MAX_REQUIREMENTS} allowed");
        return Err(vec![FieldViolation::new(field(path, name), description)]);
    }
    let mut v = Violations::new();
    let parsed: Vec<_> = requirements
        .iter()
        .enumerate()
        .map(|(index, requirement)| v.nested(Requirement::parse(requirement, &element(path, name, index))))
        .collect();
    v.finish(|| parsed.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Date, Money};

    use super::*;

    fn gbp(amount_pence: i64) -> Option<Money> {
        Some(Money { amount_pence, currency: "GBP".into(), vat_included: false })
    }

    fn wire(kind: DocumentKind) -> EvidenceRequirement {
        EvidenceRequirement { kind: kind.into(), ..Default::default() }
    }

    fn fields(result: Result<impl std::fmt::Debug, Vec<FieldViolation>>) -> Vec<String> {
        result.expect_err("refused").into_iter().map(|violation| violation.field).collect()
    }

    #[test]
    fn good_requirements_parse() {
        let public_liability = EvidenceRequirement {
            minimum_cover: gbp(500_000_000),
            valid_on: Some(Date { year: 2027, month: 2, day: 1 }),
            note: "  must name the council as an indemnified party ".into(),
            ..wire(DocumentKind::PublicLiabilityInsurance)
        };
        let parsed = Requirement::parse(&public_liability, "r").expect("valid");
        assert_eq!(parsed.kind(), DocumentKind::PublicLiabilityInsurance);
        assert_eq!(parsed.minimum_cover(), Some(Pence::pounds(5_000_000)));
        assert_eq!(parsed.valid_on(), NaiveDate::from_ymd_opt(2027, 2, 1));
        assert_eq!(parsed.note(), "must name the council as an indemnified party");

        let policy = Requirement::parse(&wire(DocumentKind::HealthAndSafetyPolicy), "r").expect("valid");
        assert_eq!((policy.minimum_cover(), policy.valid_on(), policy.note()), (None, None, ""));
        let any_cover = Requirement::parse(&wire(DocumentKind::ProfessionalIndemnityInsurance), "r").expect("valid");
        assert_eq!(any_cover.minimum_cover(), None);
    }

    #[test]
    fn bad_requirements_name_each_bad_field() {
        let cases = [
            (wire(DocumentKind::Unspecified), vec!["r.kind"]),
            (EvidenceRequirement { kind: 99, ..Default::default() }, vec!["r.kind"]),
            (
                EvidenceRequirement { minimum_cover: gbp(100), ..wire(DocumentKind::HealthAndSafetyPolicy) },
                vec!["r.minimum_cover"],
            ),
            (
                EvidenceRequirement { minimum_cover: gbp(-1), ..wire(DocumentKind::PublicLiabilityInsurance) },
                vec!["r.minimum_cover.amount_pence"],
            ),
            (
                EvidenceRequirement {
                    valid_on: Some(Date { year: 2027, month: 2, day: 30 }),
                    ..wire(DocumentKind::PublicLiabilityInsurance)
                },
                vec!["r.valid_on"],
            ),
            (EvidenceRequirement { note: "x".repeat(501), ..wire(DocumentKind::Other) }, vec!["r.note"]),
            (
                EvidenceRequirement {
                    kind: 0,
                    minimum_cover: gbp(100),
                    valid_on: Some(Date::default()),
                    only_if_employing_staff: true,
                    note: String::new(),
                },
                vec!["r.kind", "r.valid_on"],
            ),
        ];
        for (requirement, expected) in cases {
            assert_eq!(fields(Requirement::parse(&requirement, "r")), expected, "{requirement:?}");
        }
        let policy_cover = EvidenceRequirement { minimum_cover: gbp(100), ..wire(DocumentKind::EqualityPolicy) };
        let refused = Requirement::parse(&policy_cover, "r").expect_err("no cover on a policy");
        assert!(refused[0].description.contains("equality policy"), "{refused:?}");
    }

    #[test]
    fn employers_liability_and_marked_requirements_apply_only_to_employers() {
        let parse = |requirement: EvidenceRequirement| Requirement::parse(&requirement, "r").expect("valid");
        let employers = parse(wire(DocumentKind::EmployersLiabilityInsurance));
        let marked =
            parse(EvidenceRequirement { only_if_employing_staff: true, ..wire(DocumentKind::DbsCheckingPolicy) });
        let everyone = parse(wire(DocumentKind::PublicLiabilityInsurance));
        for (requirement, without_staff) in [(employers, false), (marked, false), (everyone, true)] {
            assert!(requirement.applies(true), "{requirement:?} applies to employers");
            assert_eq!(requirement.applies(false), without_staff, "{requirement:?} without staff");
        }
    }

    #[test]
    fn the_wire_form_carries_the_date_used() {
        let requirement = EvidenceRequirement {
            minimum_cover: gbp(500_000_000),
            only_if_employing_staff: true,
            note: "statutory".into(),
            ..wire(DocumentKind::EmployersLiabilityInsurance)
        };
        let date = NaiveDate::from_ymd_opt(2027, 2, 1).expect("a real date");
        let back = Requirement::parse(&requirement, "r").expect("valid").to_proto(date);
        let minimum_cover = Some(Money { amount_pence: 500_000_000, currency: "GBP".into(), vat_included: false });
        let valid_on = Some(Date { year: 2027, month: 2, day: 1 });
        assert_eq!(back, EvidenceRequirement { minimum_cover, valid_on, ..requirement });
    }

    #[test]
    fn a_check_names_one_to_fifty_requirements() {
        let one = [wire(DocumentKind::PublicLiabilityInsurance)];
        assert_eq!(parse_requirements(&one, "", "requirements").map(|list| list.len()), Ok(1));
        let fifty = vec![wire(DocumentKind::Other); 50];
        assert_eq!(parse_requirements(&fifty, "", "requirements").map(|list| list.len()), Ok(50));
        assert_eq!(fields(parse_requirements(&[], "", "requirements")), ["requirements"]);
        let fifty_one = vec![wire(DocumentKind::Other); 51];
        assert_eq!(fields(parse_requirements(&fifty_one, "tender", "requirements")), ["tender.requirements"]);
        let mixed = [
            wire(DocumentKind::PublicLiabilityInsurance),
            wire(DocumentKind::Unspecified),
            EvidenceRequirement { minimum_cover: gbp(1), ..wire(DocumentKind::SafeguardingAdultsPolicy) },
        ];
        let refused = fields(parse_requirements(&mixed, "", "requirements"));
        assert_eq!(refused, ["requirements[1].kind", "requirements[2].minimum_cover"]);
    }
}
