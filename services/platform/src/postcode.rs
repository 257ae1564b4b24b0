//! UK postcodes and postcode districts. A postcode is checked against the Royal Mail format once,
//! when it enters, and kept in one spelling (upper case, one space before the inward code), so
//! " sw21rw" and "SW2 1RW" are the same postcode and its district ("SW2") can be matched against
//! the districts services and tenders name. A district must also exist: it is looked up in the list
//! of UK postcode districts derived from the ONS postcode directory (`data/postcode_districts.txt`,
//! Open Government Licence v3.0), read once.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use crate::validation::Invalid;

const POSTCODE_FORMAT: &str =
    "a UK postcode is an outward code, a space and an inward code, such as SW2 1RW or GU21 6BE";
const DISTRICT_FORMAT: &str =
    "a postcode district is the outward code, the part of a postcode before the space, such as SW2, GU21 or EC1A";

/// Every UK postcode district, from the vendored ONS list (lines starting with '#' are its notes).
static DISTRICTS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/postcode_districts.txt").lines().filter(|line| !line.starts_with('#')).collect()
});

/// A UK postcode in its normal form: "SW2 1RW".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    text: String,
    district: PostcodeDistrict,
}

impl Postcode {
    /// Trims, upper-cases and removes spaces, checks the format, and puts one space before the last
    /// three characters: "sw21rw" becomes "SW2 1RW".
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let compact = compact_upper(input);
        if compact.is_empty() {
            return Err(Invalid::new(format!("required: {POSTCODE_FORMAT}")));
        }
        let refuse = || Invalid::new(format!("\"{}\" is not a UK postcode: {POSTCODE_FORMAT}", input.trim()));
        if !compact.is_ascii() || compact.len() < 5 {
            return Err(refuse());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let special = outward == "GIR" && inward == "0AA";
        let well_formed = special || (is_outward_code(outward) && is_inward_code(inward));
        if !well_formed {
            return Err(refuse());
        }
        Ok(Self { text: format!("{outward} {inward}"), district: PostcodeDistrict(outward.to_owned()) })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The outward code: "SW2" for "SW2 1RW".
    pub fn district(&self) -> &PostcodeDistrict {
        &self.district
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// A postcode district, the outward code of a postcode: "SW2", "GU21", "EC1A".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostcodeDistrict(String);

impl PostcodeDistrict {
    /// Trims, upper-cases and removes spaces, then checks the outward-code format and that the
    /// district exists: "sw2", "SW 2" and " Sw2 " are all "SW2"; "SW2A" is well formed but refused.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let compact = compact_upper(input);
        if compact.is_empty() {
            return Err(Invalid::new(format!("required: {DISTRICT_FORMAT}")));
        }
        if compact != "GIR" && !is_outward_code(&compact) {
            return Err(Invalid::new(format!("\"{}\" is not a postcode district: {DISTRICT_FORMAT}", input.trim())));
        }
        if !DISTRICTS.contains(compact.as_str()) {
            return Err(Invalid::new(format!(
                "there is no UK postcode district \"{compact}\": check the postcode, or name the whole council's area \
                 by leaving the district out"
            )));
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostcodeDistrict {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

fn compact_upper(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// The outward code shapes A9, A99, AA9, AA99, A9A and AA9A (A a letter, 9 a digit), with Royal
/// Mail's letter rules: Q, V and X are never first; I, J and Z never second; a letter in third place
/// (A9A) is one of ABCDEFGHJKPSTUW and in fourth place (AA9A) one of ABEHMNPRVWXY.
fn is_outward_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    let letter_in = |index: usize, allowed: &str| allowed.as_bytes().contains(&bytes[index]);
    let first_ok = || !letter_in(0, "QVX");
    match shape(code).as_str() {
        "A9" | "A99" => first_ok(),
        "AA9" | "AA99" => first_ok() && !letter_in(1, "IJZ"),
        "A9A" => first_ok() && letter_in(2, "ABCDEFGHJKPSTUW"),
        "AA9A" => first_ok() && !letter_in(1, "IJZ") && letter_in(3, "ABEHMNPRVWXY"),
        _ => false,
    }
}

/// The inward code: a digit and two letters, none of C, I, K, M, O or V.
fn is_inward_code(code: &str) -> bool {
    shape(code) == "9AA" && !code.bytes().any(|byte| b"CIKMOV".contains(&byte))
}

/// The pattern of a code: each ASCII capital letter as 'A', each digit as '9', anything else '?'.
fn shape(code: &str) -> String {
    code.chars()
        .map(|c| match c {
            'A'..='Z' => 'A',
            '0'..='9' => '9',
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_postcodes_are_normalised() {
        let cases = [
            ("SW2 1RW", "SW2 1RW", "SW2"),
            ("sw21rw", "SW2 1RW", "SW2"),
            ("  sw2   1rw ", "SW2 1RW", "SW2"),
            ("M1 1AE", "M1 1AE", "M1"),
            ("B33 8TH", "B33 8TH", "B33"),
            ("CR2 6XH", "CR2 6XH", "CR2"),
            ("GU21 6BE", "GU21 6BE", "GU21"),
            ("W1A 0AX", "W1A 0AX", "W1A"),
            ("EC1A 1BB", "EC1A 1BB", "EC1A"),
            ("dn551pt", "DN55 1PT", "DN55"),
            ("gir0aa", "GIR 0AA", "GIR"),
        ];
        for (input, normal, district) in cases {
            let postcode = Postcode::parse(input).unwrap_or_else(|error| panic!("{input:?}: {error}"));
            assert_eq!((postcode.as_str(), postcode.district().as_str()), (normal, district));
            assert_eq!(postcode.to_string(), normal);
        }
    }

    #[test]
    fn bad_postcodes_are_refused() {
        let cases = [
            "",
            "   ",
            "SW2",
            "1RW",
            "SW21R",
            "SW2 1RWX",
            "SW2 RW1",
            "2SW 1RW",
            "SWW2 1RW",
            "SW123 1RW",
            "SW2 1CW",
            "SW2 1RI",
            "SW2 1KM",
            "SW2 1OV",
            "QW2 1RW",
            "SI2 1RW",
            "W1I 0AX",
            "EC1C 1BB",
            "SW2-1RW",
            "SW2 1RÉ",
            "ÉW2 1RW",
            "GIR 0AB",
        ];
        for input in cases {
            assert!(Postcode::parse(input).is_err(), "{input:?} should be refused");
        }
        let error = Postcode::parse("nowhere").expect_err("not a postcode");
        assert!(error.description().contains("such as SW2 1RW"), "{error}");
    }

    #[test]
    fn districts_are_outward_codes() {
        let cases =
            [("sw2", "SW2"), (" GU21 ", "GU21"), ("ec1a", "EC1A"), ("M1", "M1"), ("w1a", "W1A"), ("WN 2", "WN2")];
        for (input, normal) in cases {
            assert_eq!(PostcodeDistrict::parse(input).map(|district| district.to_string()), Ok(normal.to_owned()));
        }
        for input in ["", "SW2 1RW", "SW", "2SW", "SW123", "QW2", "S-2", "É2"] {
            assert!(PostcodeDistrict::parse(input).is_err(), "{input:?} should be refused");
        }
    }

    #[test]
    fn districts_must_exist() {
        for real in ["WN2", "SW99", "GIR", "BT1", "ZE3", "AB1"] {
            assert!(PostcodeDistrict::parse(real).is_ok(), "{real:?} exists");
        }
        for unknown in ["WN9", "SW2A", "SW21", "ZY1"] {
            let error = PostcodeDistrict::parse(unknown).expect_err("no such district");
            assert!(error.description().contains("there is no UK postcode district"), "{unknown:?}: {error}");
        }
        assert!(!DISTRICTS.contains("NPT"), "only Royal Mail-format outward codes are listed");
    }

    #[test]
    fn a_postcode_district_equals_the_parsed_district() {
        let postcode = Postcode::parse("gu21 6be").expect("valid postcode");
        assert_eq!(postcode.district(), &PostcodeDistrict::parse("gu21").expect("valid district"));
    }
}
