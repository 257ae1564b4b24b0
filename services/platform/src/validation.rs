//! The small pieces every service's domain parsers share: why one value was refused ([`Invalid`]), how
//! field paths are written ("provider.identifiers[1].value"), and a collector ([`Violations`]) so
//! that a caller hears of every bad field in a message at once rather than one per attempt.

use std::fmt;

use crate::FieldViolation;

/// Why one value was refused, in words that say what is expected. It does not know where the value
/// sits in a request: [`Invalid::at`] names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(String);

impl Invalid {
    pub fn new(description: impl Into<String>) -> Self {
        Self(description.into())
    }

    /// What is wrong and what is expected.
    pub fn description(&self) -> &str {
        &self.0
    }

    /// The violation of the field at `field`.
    pub fn at(self, field: impl Into<String>) -> FieldViolation {
        FieldViolation::new(field, self.0)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// The path of `name` inside the message at `path`: "provider" + "legal_name" is
/// "provider.legal_name"; an empty `path` gives "legal_name".
pub fn field(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

/// The path of the `index`-th element of the repeated field `name`: "provider.identifiers[1]".
pub fn element(path: &str, name: &str, index: usize) -> String {
    format!("{}[{index}]", field(path, name))
}

/// Every violation found in one message, gathered while its fields are parsed.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, violation: FieldViolation) {
        self.0.push(violation);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value when `result` is good; otherwise records the violation at `field` and gives `None`.
    pub fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|invalid| self.add(invalid.at(field))).ok()
    }

    /// The value when a nested message parsed; otherwise records all of its violations.
    pub fn nested<T>(&mut self, result: Result<T, Vec<FieldViolation>>) -> Option<T> {
        result.map_err(|violations| self.0.extend(violations)).ok()
    }

    /// The value `build` makes from the parsed fields, or every violation recorded. `build` yields
    /// `None` only when a field failed, and a failed field always records its violation.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldViolation>> {
        match build() {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => {
                debug_assert!(!self.0.is_empty(), "a field failed without recording why");
                Err(self.0)
            }
        }
    }
}

/// Trimmed text that must be given, of at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<String, Invalid> {
    let text = optional_text(value, max)?;
    if text.is_empty() {
        return Err(Invalid::new(format!("required: give a value of up to {max} characters")));
    }
    Ok(text)
}

/// Trimmed text of at most `max` characters; empty when not given.
pub fn optional_text(value: &str, max: usize) -> Result<String, Invalid> {
    let text = value.trim();
    let length = text.chars().count();
    if length > max {
        return Err(Invalid::new(format!("too long: {length} characters given, at most {max} allowed")));
    }
    Ok(text.to_owned())
}

/// A value that may be left empty: `None` when blank, otherwise parsed by `parse`.
pub fn optional<T>(input: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Result<Option<T>, Invalid> {
    if input.trim().is_empty() { Ok(None) } else { parse(input).map(Some) }
}

/// A count of people or places, which cannot be negative.
pub fn non_negative(value: i32) -> Result<u32, Invalid> {
    u32::try_from(value).map_err(|_| Invalid::new(format!("must be 0 or more, not {value}")))
}

/// A protobuf enum value that must be set (not its zero `*_UNSPECIFIED` value) and known.
pub fn required_enum<E: TryFrom<i32>>(value: i32, names: &str) -> Result<E, Invalid> {
    if value == 0 {
        return Err(Invalid::new(format!("required: choose one of {names}")));
    }
    known_enum(value, names)
}

/// A protobuf enum value that may be unspecified but must be one the contract defines.
pub fn known_enum<E: TryFrom<i32>>(value: i32, names: &str) -> Result<E, Invalid> {
    E::try_from(value).map_err(|_| Invalid::new(format!("unknown value {value}: choose one of {names}")))
}

/// An amount of money at `path` of a request: pence 0 or more, currency GBP (empty is read as GBP).
pub fn gbp_pence(money: &proto::commissioning::common::v1::Money, path: &str) -> Result<u64, Vec<FieldViolation>> {
    let mut v = Violations::new();
    let pence = u64::try_from(money.amount_pence)
        .map_err(|_| Invalid::new(format!("{} is negative: give 0 or more pence", money.amount_pence)));
    let pence = v.check(field(path, "amount_pence"), pence);
    let currency = money.currency.trim();
    if !(currency.is_empty() || currency == "GBP") {
        v.add(FieldViolation::new(
            field(path, "currency"),
            format!("\"{currency}\" is not accepted: only GBP (or empty)"),
        ));
    }
    v.finish(|| pence)
}

#[cfg(test)]
mod tests {
    use proto::commissioning::providers::v1::LegalForm;

    use super::*;

    #[test]
    fn paths_join_with_dots_and_index_repeated_fields() {
        assert_eq!(field("provider", "legal_name"), "provider.legal_name");
        assert_eq!(field("", "legal_name"), "legal_name");
        assert_eq!(element("provider", "identifiers", 1), "provider.identifiers[1]");
    }

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(required_text("  Brixton Good Neighbours ", 200), Ok("Brixton Good Neighbours".to_owned()));
        assert_eq!(optional_text("   ", 10), Ok(String::new()));
        assert_eq!(required_text(&"é".repeat(10), 10).map(|text| text.chars().count()), Ok(10));
        for bad in ["", "   ", "\t\n"] {
            assert!(required_text(bad, 10).is_err(), "{bad:?} should be refused");
        }
        let too_long = required_text(&"a".repeat(11), 10).expect_err("11 characters is over 10");
        assert!(too_long.description().contains("at most 10"));
    }

    #[test]
    fn counts_are_not_negative() {
        assert_eq!(non_negative(0), Ok(0));
        assert_eq!(non_negative(42), Ok(42));
        assert!(non_negative(-1).is_err());
    }

    #[test]
    fn enums_must_be_known_and_required_ones_set() {
        assert_eq!(required_enum::<LegalForm>(1, "a legal form"), Ok(LegalForm::RegisteredCharity));
        assert!(required_enum::<LegalForm>(0, "a legal form").is_err());
        assert!(required_enum::<LegalForm>(99, "a legal form").is_err());
        assert_eq!(known_enum::<LegalForm>(0, "a legal form"), Ok(LegalForm::Unspecified));
        assert!(known_enum::<LegalForm>(-3, "a legal form").is_err());
    }

    #[test]
    fn violations_collect_every_failure() {
        let mut violations = Violations::new();
        let good = violations.check("a", Ok::<_, Invalid>(1));
        let bad = violations.check("b", Err::<i32, _>(Invalid::new("wrong")));
        let nested = violations.nested(Err::<i32, _>(vec![FieldViolation::new("c.d", "also wrong")]));
        assert_eq!((good, bad, nested), (Some(1), None, None));
        let result = violations.finish(|| Some(good? + bad? + nested?));
        let fields: Vec<_> = result.expect_err("two failures").into_iter().map(|violation| violation.field).collect();
        assert_eq!(fields, ["b", "c.d"]);
        assert_eq!(Violations::new().finish(|| Some(7)), Ok(7));
    }
}
