//! A UK postal address (commissioning.common.v1.PostalAddress), checked once: a first line, a town
//! and a valid postcode are required, lines are trimmed and bounded, the postcode is in its normal
//! form, and the country is GB, the only one accepted today. Used for a provider's registered
//! address and for the venues where its services run.

use platform::FieldViolation;
use proto::commissioning::common::v1::PostalAddress;

use super::postcode::Postcode;
use platform::validation::{Invalid, Violations, field, optional_text, required_text};

const LINE_MAX: usize = 200;
const TOWN_MAX: usize = 100;
const COUNTRY: &str = "GB";

/// A validated UK address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    line1: String,
    line2: String,
    town: String,
    county: String,
    postcode: Postcode,
}

impl Address {
    /// Parses the address at `path` (for example "provider.registered_address"), naming each bad
    /// field: "provider.registered_address.postcode".
    pub fn parse(address: &PostalAddress, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut violations = Violations::new();
        let line1 = violations.check(field(path, "line1"), required_text(&address.line1, LINE_MAX));
        let line2 = violations.check(field(path, "line2"), optional_text(&address.line2, LINE_MAX));
        let town = violations.check(field(path, "town"), required_text(&address.town, TOWN_MAX));
        let county = violations.check(field(path, "county"), optional_text(&address.county, TOWN_MAX));
        let postcode = violations.check(field(path, "postcode"), Postcode::parse(&address.postcode));
        violations.check(field(path, "country_code"), check_country(&address.country_code));
        violations
            .finish(|| Some(Self { line1: line1?, line2: line2?, town: town?, county: county?, postcode: postcode? }))
    }

    /// Parses an address that must be given: an absent one is a violation at `path` itself.
    pub fn parse_required(address: Option<&PostalAddress>, path: &str) -> Result<Self, Vec<FieldViolation>> {
        match address {
            Some(address) => Self::parse(address, path),
            None => Err(vec![FieldViolation::new(path, "required: give an address with line1, town and postcode")]),
        }
    }

    pub fn line1(&self) -> &str {
        &self.line1
    }

    /// Empty when not given.
    pub fn line2(&self) -> &str {
        &self.line2
    }

    pub fn town(&self) -> &str {
        &self.town
    }

    /// Empty when not given.
    pub fn county(&self) -> &str {
        &self.county
    }

    pub fn postcode(&self) -> &Postcode {
        &self.postcode
    }

    /// Always "GB" today.
    pub fn country_code(&self) -> &str {
        COUNTRY
    }

    pub fn to_proto(&self) -> PostalAddress {
        PostalAddress {
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            town: self.town.clone(),
            county: self.county.clone(),
            postcode: self.postcode.to_string(),
            country_code: COUNTRY.to_owned(),
        }
    }
}

/// Empty is read as GB, the only country accepted today.
fn check_country(code: &str) -> Result<(), Invalid> {
    let code = code.trim();
    if code.is_empty() || code.eq_ignore_ascii_case(COUNTRY) {
        return Ok(());
    }
    Err(Invalid::new(format!(
        "\"{code}\" is not accepted: only UK addresses (GB, or leave it empty) are accepted today"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> PostalAddress {
        PostalAddress {
            line1: " 1 Acre Lane ".into(),
            line2: String::new(),
            town: "London".into(),
            county: String::new(),
            postcode: "sw21rw".into(),
            country_code: String::new(),
        }
    }

    #[test]
    fn a_good_address_is_trimmed_and_normalised() {
        let parsed = Address::parse(&address(), "a").expect("valid address");
        assert_eq!((parsed.line1(), parsed.town(), parsed.postcode().as_str()), ("1 Acre Lane", "London", "SW2 1RW"));
        let proto = parsed.to_proto();
        assert_eq!((proto.postcode.as_str(), proto.country_code.as_str()), ("SW2 1RW", "GB"));
        for country in ["GB", "gb", " GB "] {
            assert!(Address::parse(&PostalAddress { country_code: country.into(), ..address() }, "a").is_ok());
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = PostalAddress {
            line1: "  ".into(),
            line2: "x".repeat(201),
            town: String::new(),
            county: "y".repeat(101),
            postcode: "SW2 1CC".into(),
            country_code: "FR".into(),
        };
        let violations = Address::parse(&bad, "provider.registered_address").expect_err("all bad");
        let fields: Vec<_> = violations.iter().map(|violation| violation.field.as_str()).collect();
        let expected = ["line1", "line2", "town", "county", "postcode", "country_code"]
            .map(|name| format!("provider.registered_address.{name}"));
        assert_eq!(fields, expected);
    }

    #[test]
    fn a_required_address_must_be_given() {
        let violations = Address::parse_required(None, "provider.registered_address").expect_err("missing");
        assert_eq!(violations[0].field, "provider.registered_address");
        assert!(Address::parse_required(Some(&address()), "x").is_ok());
    }
}
