//! Where a service is delivered, or where a tender's service is wanted: a council's area, perhaps
//! narrowed to a postcode district or an electoral ward (commissioning.common.v1.Area). Both sides
//! use the same type, parsed here once for every service (so "wn2" is "WN2" in a tender as in a
//! service), so that [`ServiceArea::covers`] can match a provider to a tender by the rule written in
//! area.proto.

use std::fmt;

use proto::commissioning::common::v1::{Area, area::Part};

use crate::FieldViolation;
use crate::postcode::PostcodeDistrict;
use crate::validation::{Invalid, Violations, field, optional_text};

const COUNCIL_ID_MAX: usize = 64;
const LABEL_MAX: usize = 200;
const WARD_FORMAT: &str = "a ward is its ONS GSS code, a letter and 8 digits, such as E05014016";

/// A council's organisation id. It becomes a NATS subject token (the tenant of events), so it holds
/// only letters, digits, '_' and '-', at most 64 of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouncilId(String);

impl CouncilId {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let id = input.trim();
        let expected = "a council id is up to 64 letters, digits, '_' or '-', such as lambeth";
        if id.is_empty() {
            return Err(Invalid::new(format!("required: {expected}")));
        }
        let token = id.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-');
        if !token || id.len() > COUNCIL_ID_MAX {
            return Err(Invalid::new(format!("\"{id}\" is not a council id: {expected}")));
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CouncilId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An electoral ward's ONS GSS code: a letter and 8 digits, upper case ("E05014016").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WardCode(String);

impl WardCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let code = input.trim().to_uppercase();
        if code.is_empty() {
            return Err(Invalid::new(format!("required: {WARD_FORMAT}")));
        }
        let bytes = code.as_bytes();
        let well_formed =
            bytes.len() == 9 && bytes[0].is_ascii_uppercase() && bytes[1..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(Invalid::new(format!("\"{}\" is not a ward code: {WARD_FORMAT}", input.trim())));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WardCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The part of a council's area an area names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AreaPart {
    /// The whole of the council's area.
    WholeCouncil,
    /// One postcode district in it.
    District(PostcodeDistrict),
    /// One electoral ward in it.
    Ward(WardCode),
}

/// A validated area: a council, and the whole of its area or one district or ward in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceArea {
    council: CouncilId,
    part: AreaPart,
    label: String,
}

impl ServiceArea {
    /// An area made of already-valid parts, with no label (a search filter, a tender's area).
    pub fn new(council: CouncilId, part: AreaPart) -> Self {
        Self { council, part, label: String::new() }
    }

    /// Parses the area at `path` (for example "service.areas[0]"), naming each bad field.
    pub fn parse(area: &Area, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut violations = Violations::new();
        let council = violations.check(field(path, "council_id"), CouncilId::parse(&area.council_id));
        let part = match &area.part {
            None => Some(AreaPart::WholeCouncil),
            Some(Part::PostcodeDistrict(district)) => violations
                .check(field(path, "postcode_district"), PostcodeDistrict::parse(district).map(AreaPart::District)),
            Some(Part::WardCode(ward)) => {
                violations.check(field(path, "ward_code"), WardCode::parse(ward).map(AreaPart::Ward))
            }
        };
        let label = violations.check(field(path, "label"), optional_text(&area.label, LABEL_MAX));
        violations.finish(|| Some(Self { council: council?, part: part?, label: label? }))
    }

    pub fn council(&self) -> &CouncilId {
        &self.council
    }

    /// The council's id as text, "lambeth".
    pub fn council_id(&self) -> &str {
        self.council.as_str()
    }

    pub fn part(&self) -> &AreaPart {
        &self.part
    }

    /// A human-readable label such as "Lambeth: Brixton Acre Lane ward"; empty when none was given.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether a service delivered in this area serves the `wanted` area (area.proto's rule): the
    /// same council, and either of them covers the whole council area, or both name the same
    /// postcode district, or both name the same ward. The rule is symmetric; labels do not count.
    pub fn covers(&self, wanted: &ServiceArea) -> bool {
        if self.council != wanted.council {
            return false;
        }
        match (&self.part, &wanted.part) {
            (AreaPart::WholeCouncil, _) | (_, AreaPart::WholeCouncil) => true,
            (AreaPart::District(ours), AreaPart::District(theirs)) => ours == theirs,
            (AreaPart::Ward(ours), AreaPart::Ward(theirs)) => ours == theirs,
            (AreaPart::District(_), AreaPart::Ward(_)) | (AreaPart::Ward(_), AreaPart::District(_)) => false,
        }
    }

    pub fn to_proto(&self) -> Area {
        let part = match &self.part {
            AreaPart::WholeCouncil => None,
            AreaPart::District(district) => Some(Part::PostcodeDistrict(district.to_string())),
            AreaPart::Ward(ward) => Some(Part::WardCode(ward.to_string())),
        };
        Area { council_id: self.council.to_string(), part, label: self.label.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(council: &str, part: Option<Part>) -> Area {
        Area { council_id: council.into(), part, label: String::new() }
    }

    fn parsed(council: &str, part: Option<Part>) -> ServiceArea {
        ServiceArea::parse(&area(council, part), "area").expect("valid area")
    }

    fn district(code: &str) -> Option<Part> {
        Some(Part::PostcodeDistrict(code.into()))
    }

    fn ward(code: &str) -> Option<Part> {
        Some(Part::WardCode(code.into()))
    }

    #[test]
    fn council_ids_are_subject_safe_tokens() {
        for good in ["lambeth", "LB-Lambeth_01", " woking ", &"a".repeat(64)] {
            assert!(CouncilId::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["", "  ", "lam beth", "lambeth.gov", "lambeth>", "lambeth*", "café", &"a".repeat(65)] {
            assert!(CouncilId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn ward_codes_are_a_letter_and_eight_digits() {
        assert_eq!(WardCode::parse(" e05014016 ").map(|code| code.to_string()), Ok("E05014016".into()));
        assert!(WardCode::parse("W05000001").is_ok());
        for bad in ["", "E0501401", "E050140160", "05014016E", "EE5014016", "E0501401X", "É05014016"] {
            assert!(WardCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn parse_normalises_and_round_trips() {
        let whole = parsed("lambeth", None);
        assert_eq!(whole.part(), &AreaPart::WholeCouncil);
        let sw2 = parsed("lambeth", district(" sw2 "));
        assert_eq!(sw2.to_proto(), area("lambeth", district("SW2")));
        let labelled = Area { label: "  Lambeth: Brixton  ".into(), ..area("lambeth", ward("e05014016")) };
        let round_trip = ServiceArea::parse(&labelled, "").expect("valid").to_proto();
        assert_eq!(round_trip, Area { label: "Lambeth: Brixton".into(), ..area("lambeth", ward("E05014016")) });
    }

    #[test]
    fn parse_names_every_bad_field() {
        let bad = Area { label: "x".repeat(201), ..area("lam beth", district("SW2 1RW")) };
        let violations = ServiceArea::parse(&bad, "service.areas[2]").expect_err("three bad fields");
        let fields: Vec<_> = violations.iter().map(|violation| violation.field.as_str()).collect();
        assert_eq!(
            fields,
            ["service.areas[2].council_id", "service.areas[2].postcode_district", "service.areas[2].label"]
        );

        let violations = ServiceArea::parse(&area("", ward("E123")), "a").expect_err("two bad fields");
        let fields: Vec<_> = violations.iter().map(|violation| violation.field.as_str()).collect();
        assert_eq!(fields, ["a.council_id", "a.ward_code"]);

        assert!(ServiceArea::parse(&area("lambeth", district("")), "a").is_err(), "an empty district is refused");
    }

    #[test]
    fn covers_follows_the_matching_rule() {
        let whole = parsed("lambeth", None);
        let sw2 = parsed("lambeth", district("SW2"));
        let sw9 = parsed("lambeth", district("SW9"));
        let brixton = parsed("lambeth", ward("E05014016"));
        let stockwell = parsed("lambeth", ward("E05014020"));
        let southwark = parsed("southwark", None);
        let southwark_sw2 = parsed("southwark", district("SW2"));

        let matches = [
            (&whole, &sw2),
            (&sw2, &whole),
            (&whole, &whole),
            (&brixton, &whole),
            (&sw2, &parsed("lambeth", district("sw2"))),
            (&brixton, &parsed("lambeth", ward("e05014016"))),
        ];
        for (ours, wanted) in matches {
            assert!(ours.covers(wanted), "{ours:?} covers {wanted:?}");
        }
        let misses = [
            (&sw2, &sw9),
            (&brixton, &stockwell),
            (&sw2, &brixton),
            (&brixton, &sw2),
            (&whole, &southwark),
            (&sw2, &southwark_sw2),
            (&southwark, &sw2),
        ];
        for (ours, wanted) in misses {
            assert!(!ours.covers(wanted), "{ours:?} does not cover {wanted:?}");
        }
    }

    #[test]
    fn labels_do_not_change_matching() {
        let labelled = ServiceArea::parse(&Area { label: "Brixton".into(), ..area("lambeth", district("SW2")) }, "")
            .expect("valid");
        let plain = ServiceArea::new(
            CouncilId::parse("lambeth").expect("valid"),
            AreaPart::District(PostcodeDistrict::parse("SW2").expect("valid")),
        );
        assert!(labelled.covers(&plain) && plain.covers(&labelled));
    }
}
