//! Organisation identifiers in org-id schemes (https://org-id.guide): charity numbers, company
//! numbers, the Central Digital Platform's PPON, UK local authorities' register codes and NHS ODS
//! codes. Each scheme has its own format; a value is normalised (upper case, no spaces) and checked
//! once, so an [`OrgId`] always holds a well-formed identifier and two spellings of one identifier
//! compare equal.

use std::fmt;

use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier};

use crate::FieldViolation;
use crate::validation::{Invalid, Violations, field, required_enum};

/// A well-formed identifier in a known org-id scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgId {
    scheme: OrgIdScheme,
    value: String,
}

impl OrgId {
    /// Checks `value` against the format of `scheme` after removing spaces and upper-casing it.
    pub fn new(scheme: OrgIdScheme, value: &str) -> Result<Self, Invalid> {
        let expected = format_of(scheme).ok_or_else(|| Invalid::new(SCHEME_REQUIRED))?;
        let normalised: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if normalised.is_empty() {
            return Err(Invalid::new(format!("required: {expected}")));
        }
        if !matches_format(scheme, &normalised) {
            return Err(Invalid::new(format!("\"{normalised}\" is not in the right format: {expected}")));
        }
        Ok(Self { scheme, value: normalised })
    }

    /// Parses the identifier at `path` (for example "provider.identifiers[1]"), naming its `scheme`
    /// or `value` field when either is wrong.
    pub fn parse(identifier: &OrgIdentifier, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut violations = Violations::new();
        let scheme = violations.check(field(path, "scheme"), required_enum::<OrgIdScheme>(identifier.scheme, SCHEMES));
        let id = scheme.and_then(|scheme| violations.check(field(path, "value"), Self::new(scheme, &identifier.value)));
        violations.finish(|| id)
    }

    pub fn scheme(&self) -> OrgIdScheme {
        self.scheme
    }

    /// Whether it is a UK local authority's code (GB-LAE, GB-LAS, GB-LAN or GB-PLA).
    pub fn is_local_authority(&self) -> bool {
        LOCAL_AUTHORITY_SCHEMES.contains(&self.scheme)
    }

    /// The normalised value within the scheme, without its prefix: "1123456".
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The org-id string used in OCDS party ids and Open Referral: "GB-CHC-1123456".
    pub fn org_id(&self) -> String {
        format!("{}-{}", scheme_prefix(self.scheme), self.value)
    }

    pub fn to_proto(&self) -> OrgIdentifier {
        OrgIdentifier { scheme: self.scheme.into(), value: self.value.clone() }
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}-{}", scheme_prefix(self.scheme), self.value)
    }
}

/// The org-id prefix of a scheme, "GB-CHC"; empty for the unspecified scheme.
pub fn scheme_prefix(scheme: OrgIdScheme) -> &'static str {
    match scheme {
        OrgIdScheme::Unspecified => "",
        OrgIdScheme::GbChc => "GB-CHC",
        OrgIdScheme::GbSc => "GB-SC",
        OrgIdScheme::GbNic => "GB-NIC",
        OrgIdScheme::GbCoh => "GB-COH",
        OrgIdScheme::GbPpon => "GB-PPON",
        OrgIdScheme::GbLae => "GB-LAE",
        OrgIdScheme::GbLas => "GB-LAS",
        OrgIdScheme::GbLan => "GB-LAN",
        OrgIdScheme::GbPla => "GB-PLA",
        OrgIdScheme::GbNhs => "GB-NHS",
    }
}

/// The schemes of UK local authorities' register codes, England, Scotland, Northern Ireland, Wales.
pub const LOCAL_AUTHORITY_SCHEMES: [OrgIdScheme; 4] =
    [OrgIdScheme::GbLae, OrgIdScheme::GbLas, OrgIdScheme::GbLan, OrgIdScheme::GbPla];

const SCHEMES: &str = "GB-CHC, GB-SC, GB-NIC, GB-COH, GB-PPON, GB-LAE, GB-LAS, GB-LAN, GB-PLA or GB-NHS";
const SCHEME_REQUIRED: &str = "required: choose the scheme, one of GB-CHC, GB-SC, GB-NIC, GB-COH, GB-PPON, GB-LAE, GB-LAS, GB-LAN, GB-PLA or GB-NHS";

/// What a value in `scheme` looks like, in words for the person who typed it.
fn format_of(scheme: OrgIdScheme) -> Option<&'static str> {
    match scheme {
        OrgIdScheme::Unspecified => None,
        OrgIdScheme::GbChc => Some("a charity number in England and Wales is 6 or 7 digits, such as 1123456"),
        OrgIdScheme::GbSc => Some("a Scottish charity number is SC and 6 digits, such as SC012345"),
        OrgIdScheme::GbNic => Some("a Northern Ireland charity number is NIC and 6 digits, such as NIC100123"),
        OrgIdScheme::GbCoh => Some(
            "a Companies House company number is 8 digits, such as 01234567, or 2 letters and 6 digits, such as SC123456",
        ),
        OrgIdScheme::GbPpon => Some(
            "a PPON from the Central Digital Platform is P and 3 letters or digits, then 2 groups of 4 letters or \
             digits, joined by hyphens, such as PXYZ-1234-ABCD",
        ),
        OrgIdScheme::GbLae => Some("an English local authority's register code is 3 letters, such as LBH for Lambeth"),
        OrgIdScheme::GbLas => {
            Some("a Scottish local authority's register code is 3 letters, such as ABE for Aberdeen City")
        }
        OrgIdScheme::GbLan => {
            Some("a Northern Irish council's register code is 3 letters, such as BFS for Belfast City")
        }
        OrgIdScheme::GbPla => {
            Some("a Welsh principal local authority's register code is 3 letters, such as AGY for Isle of Anglesey")
        }
        OrgIdScheme::GbNhs => Some(
            "an NHS organisation's ODS code is 3 to 6 letters and digits, such as QKK for NHS South East London ICB",
        ),
    }
}

fn matches_format(scheme: OrgIdScheme, value: &str) -> bool {
    match scheme {
        OrgIdScheme::Unspecified => false,
        OrgIdScheme::GbChc => (6..=7).contains(&value.len()) && all_digits(value),
        OrgIdScheme::GbSc => prefixed_digits(value, "SC", 6),
        OrgIdScheme::GbNic => prefixed_digits(value, "NIC", 6),
        OrgIdScheme::GbCoh => is_company_number(value),
        OrgIdScheme::GbPpon => is_ppon(value),
        OrgIdScheme::GbLae | OrgIdScheme::GbLas | OrgIdScheme::GbLan | OrgIdScheme::GbPla => {
            value.len() == 3 && value.bytes().all(|byte| byte.is_ascii_uppercase())
        }
        OrgIdScheme::GbNhs => {
            (3..=6).contains(&value.len())
                && value.bytes().all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
        }
    }
}

fn all_digits(value: &str) -> bool {
    value.bytes().all(|byte| byte.is_ascii_digit())
}

fn prefixed_digits(value: &str, prefix: &str, digits: usize) -> bool {
    value.strip_prefix(prefix).is_some_and(|rest| rest.len() == digits && all_digits(rest))
}

/// Companies House: 8 digits, or 2 letters (SC, NI, OC, ...) and 6 digits.
fn is_company_number(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 8 || !bytes[2..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let prefix = &bytes[..2];
    prefix.iter().all(u8::is_ascii_digit) || prefix.iter().all(u8::is_ascii_uppercase)
}

/// The Central Digital Platform's PPON: "P" and 3, then 4, then 4 upper-case letters or digits,
/// the groups joined by hyphens: "PXYZ-1234-ABCD".
fn is_ppon(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    let alphanumeric = |group: &str| group.bytes().all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit());
    matches!(groups.as_slice(), [first, second, third]
        if first.len() == 4 && first.starts_with('P') && second.len() == 4 && third.len() == 4
            && groups.iter().all(|group| alphanumeric(group)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(scheme: OrgIdScheme, value: &str) -> Result<String, Invalid> {
        OrgId::new(scheme, value).map(|id| id.to_string())
    }

    #[test]
    fn good_identifiers_are_normalised() {
        let cases = [
            (OrgIdScheme::GbChc, "1123456", "GB-CHC-1123456"),
            (OrgIdScheme::GbChc, " 212 345 ", "GB-CHC-212345"),
            (OrgIdScheme::GbSc, "sc012345", "GB-SC-SC012345"),
            (OrgIdScheme::GbSc, "SC 012345", "GB-SC-SC012345"),
            (OrgIdScheme::GbNic, "nic100123", "GB-NIC-NIC100123"),
            (OrgIdScheme::GbCoh, "01234567", "GB-COH-01234567"),
            (OrgIdScheme::GbCoh, "sc123456", "GB-COH-SC123456"),
            (OrgIdScheme::GbCoh, "NI012345", "GB-COH-NI012345"),
            (OrgIdScheme::GbPpon, "PXYZ-1234-ABCD", "GB-PPON-PXYZ-1234-ABCD"),
            (OrgIdScheme::GbPpon, "p1a2-b3c4-d5e6", "GB-PPON-P1A2-B3C4-D5E6"),
            (OrgIdScheme::GbLae, "lbh", "GB-LAE-LBH"),
            (OrgIdScheme::GbLas, "ABE", "GB-LAS-ABE"),
            (OrgIdScheme::GbLan, " bfs ", "GB-LAN-BFS"),
            (OrgIdScheme::GbPla, "AGY", "GB-PLA-AGY"),
            (OrgIdScheme::GbNhs, "qkk", "GB-NHS-QKK"),
            (OrgIdScheme::GbNhs, "RJ1", "GB-NHS-RJ1"),
            (OrgIdScheme::GbNhs, "A81001", "GB-NHS-A81001"),
        ];
        for (scheme, value, expected) in cases {
            assert_eq!(id(scheme, value).as_deref(), Ok(expected), "{value:?}");
        }
    }

    #[test]
    fn bad_identifiers_are_refused() {
        let cases = [
            (OrgIdScheme::GbChc, ""),
            (OrgIdScheme::GbChc, "12345"),
            (OrgIdScheme::GbChc, "12345678"),
            (OrgIdScheme::GbChc, "112345A"),
            (OrgIdScheme::GbChc, "1123456-1"),
            (OrgIdScheme::GbSc, "012345"),
            (OrgIdScheme::GbSc, "SC01234"),
            (OrgIdScheme::GbSc, "SC0123456"),
            (OrgIdScheme::GbSc, "NIC100123"),
            (OrgIdScheme::GbNic, "NI100123"),
            (OrgIdScheme::GbNic, "NIC10012"),
            (OrgIdScheme::GbCoh, "1234567"),
            (OrgIdScheme::GbCoh, "123456789"),
            (OrgIdScheme::GbCoh, "S1234567"),
            (OrgIdScheme::GbCoh, "SCO12345"),
            (OrgIdScheme::GbCoh, "1C123456"),
            (OrgIdScheme::GbPpon, "XXYZ-1234-ABCD"),
            (OrgIdScheme::GbPpon, "PXYZ1234ABCD"),
            (OrgIdScheme::GbPpon, "PXY-1234-ABCD"),
            (OrgIdScheme::GbPpon, "PXYZ-1234-ABCD-1"),
            (OrgIdScheme::GbPpon, "PXYZ-12_4-ABCD"),
            (OrgIdScheme::GbPpon, "PÉYZ-1234-ABCD"),
            (OrgIdScheme::GbLae, "LB"),
            (OrgIdScheme::GbLae, "LBHX"),
            (OrgIdScheme::GbLae, "E09000022"),
            (OrgIdScheme::GbLas, "AB1"),
            (OrgIdScheme::GbLan, "B-S"),
            (OrgIdScheme::GbPla, ""),
            (OrgIdScheme::GbNhs, "QK"),
            (OrgIdScheme::GbNhs, "A810012"),
            (OrgIdScheme::GbNhs, "QK-K"),
            (OrgIdScheme::Unspecified, "1123456"),
        ];
        for (scheme, value) in cases {
            assert!(OrgId::new(scheme, value).is_err(), "{scheme:?} {value:?} should be refused");
        }
    }

    #[test]
    fn local_authority_codes_are_told_apart_from_other_bodies() {
        let council = OrgId::new(OrgIdScheme::GbLae, "LBH").expect("Lambeth");
        let icb = OrgId::new(OrgIdScheme::GbNhs, "QKK").expect("an ICB");
        let charity = OrgId::new(OrgIdScheme::GbChc, "1123456").expect("a charity");
        assert!(council.is_local_authority());
        assert!(!icb.is_local_authority() && !charity.is_local_authority());
    }

    #[test]
    fn errors_say_what_the_format_is() {
        let error = OrgId::new(OrgIdScheme::GbChc, "12345").expect_err("too short");
        assert!(error.description().contains("6 or 7 digits, such as 1123456"), "{error}");
        let error = OrgId::new(OrgIdScheme::GbPpon, "").expect_err("empty");
        assert!(error.description().starts_with("required"), "{error}");
    }

    #[test]
    fn parse_names_the_bad_field() {
        let bad_value = OrgIdentifier { scheme: OrgIdScheme::GbSc.into(), value: "12".into() };
        let violations = OrgId::parse(&bad_value, "provider.identifiers[1]").expect_err("bad value");
        assert_eq!(violations[0].field, "provider.identifiers[1].value");

        let no_scheme = OrgIdentifier { scheme: 0, value: "1123456".into() };
        let violations = OrgId::parse(&no_scheme, "provider.identifiers[0]").expect_err("no scheme");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].field, "provider.identifiers[0].scheme");

        let unknown = OrgIdentifier { scheme: 42, value: "1123456".into() };
        assert!(OrgId::parse(&unknown, "id").is_err());

        let good = OrgIdentifier { scheme: OrgIdScheme::GbChc.into(), value: "1123456".into() };
        let parsed = OrgId::parse(&good, "id").expect("good identifier");
        assert_eq!(
            (parsed.scheme(), parsed.value(), parsed.org_id()),
            (OrgIdScheme::GbChc, "1123456", "GB-CHC-1123456".into())
        );
        assert_eq!(parsed.to_proto(), good);
    }
}
