//! Ways to reach an organisation or a person: an email address, a UK phone number and a website.
//! Each is checked and normalised once when it enters, so a stored one is always usable and two
//! spellings of the same address or number compare equal.

use std::fmt;

use platform::validation::Invalid;

const EMAIL_FORMAT: &str = "an email address is a name, one @ and a domain with a dot, such as info@example.org.uk";
const PHONE_FORMAT: &str =
    "a UK phone number is 10 or 11 digits starting with 0, or +44 and the number, such as 020 7946 0000";
const WEBSITE_FORMAT: &str = "a website is an absolute http:// or https:// address, such as https://example.org.uk";

const EMAIL_MAX: usize = 254;
const WEBSITE_MAX: usize = 2048;

/// An email address: one @, a non-empty local part, a domain with a dot, no spaces, at most 254
/// characters. Trimmed, and its domain lower-cased (the local part is the mail server's business).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let text = input.trim();
        let refuse = |reason: &str| Invalid::new(format!("{reason}: {EMAIL_FORMAT}"));
        if text.is_empty() {
            return Err(refuse("required"));
        }
        if text.chars().count() > EMAIL_MAX {
            return Err(refuse(&format!("too long, at most {EMAIL_MAX} characters")));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("it contains a space"));
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err(refuse("it has no @"));
        };
        if domain.contains('@') {
            return Err(refuse("it has more than one @"));
        }
        if local.is_empty() {
            return Err(refuse("it has nothing before the @"));
        }
        if !is_dotted_name(domain) {
            return Err(refuse("its domain, after the @, is not a name with a dot"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A UK phone number as its national digits with the leading 0: "02079460000". Spaces, hyphens and
/// brackets are dropped and "+44" (also "+44 (0)") becomes the leading 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UkPhone(String);

impl UkPhone {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let compact: String = input.chars().filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')'))).collect();
        if compact.is_empty() {
            return Err(Invalid::new(format!("required: {PHONE_FORMAT}")));
        }
        let national = match compact.strip_prefix("+44") {
            Some(rest) if rest.starts_with('0') => rest.to_owned(),
            Some(rest) => format!("0{rest}"),
            None => compact,
        };
        let digits_ok = national.bytes().all(|byte| byte.is_ascii_digit());
        let length_ok = (10..=11).contains(&national.len());
        // "00" starts an international number, not a UK one.
        let start_ok = national.starts_with('0') && !national.starts_with("00");
        if !(digits_ok && length_ok && start_ok) {
            return Err(Invalid::new(format!("\"{}\" is not a UK phone number: {PHONE_FORMAT}", input.trim())));
        }
        Ok(Self(national))
    }

    /// The national digits, "02079460000".
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UkPhone {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A public web address: absolute http:// or https://, a host name with a dot, no spaces, at most
/// 2048 characters. The scheme and host are lower-cased; the path is kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Website(String);

impl Website {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let text = input.trim();
        let refuse = |reason: &str| Invalid::new(format!("{reason}: {WEBSITE_FORMAT}"));
        if text.is_empty() {
            return Err(refuse("required"));
        }
        if text.chars().count() > WEBSITE_MAX {
            return Err(refuse(&format!("too long, at most {WEBSITE_MAX} characters")));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("it contains a space"));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(refuse("it does not start with http:// or https://"));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(refuse("it does not start with http:// or https://"));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let host =
            host_of(authority).ok_or_else(|| refuse("it has no host name with a dot, such as example.org.uk"))?;
        let port = &authority[host.len()..];
        Ok(Self(format!("{scheme}://{}{port}{tail}", host.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Website {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The host of an authority ("example.org:8080" gives "example.org"), when it is a dotted name and
/// any port is digits. A user name ("user@host") is refused.
fn host_of(authority: &str) -> Option<&str> {
    let host = match authority.split_once(':') {
        Some((host, port)) if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return None,
        None => authority,
    };
    let host_characters = host.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    (host_characters && is_dotted_name(host)).then_some(host)
}

/// A name of at least two non-empty labels joined by dots: "example.org", not "example", ".org" or
/// "example..org".
fn is_dotted_name(name: &str) -> bool {
    name.contains('.') && name.split('.').all(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_emails_are_trimmed_with_lower_case_domains() {
        let cases = [
            ("info@example.org.uk", "info@example.org.uk"),
            ("  Priya.Shah@Example.ORG ", "Priya.Shah@example.org"),
            ("a+tag@b.co", "a+tag@b.co"),
        ];
        for (input, normal) in cases {
            assert_eq!(Email::parse(input).map(|email| email.to_string()), Ok(normal.to_owned()), "{input:?}");
        }
        let longest = format!("{}@example.org", "a".repeat(EMAIL_MAX - "@example.org".len()));
        assert!(Email::parse(&longest).is_ok());
    }

    #[test]
    fn bad_emails_are_refused() {
        let too_long = format!("{}@example.org", "a".repeat(EMAIL_MAX));
        let cases = [
            "",
            "info",
            "info.example.org",
            "@example.org",
            "info@",
            "info@example",
            "info@@example.org",
            "in@fo@example.org",
            "info@example.org.",
            "info@.example.org",
            "info@example..org",
            "in fo@example.org",
            "info@exa mple.org",
            too_long.as_str(),
        ];
        for input in cases {
            assert!(Email::parse(input).is_err(), "{input:?} should be refused");
        }
        assert!(Email::parse("info@exam\u{0007}ple.org").is_err());
        let error = Email::parse("nope").expect_err("no @");
        assert!(error.description().contains("such as info@example.org.uk"), "{error}");
    }

    #[test]
    fn good_phones_are_national_digits() {
        let cases = [
            ("020 7946 0000", "02079460000"),
            ("(020) 7946-0000", "02079460000"),
            ("+44 20 7946 0000", "02079460000"),
            ("+44 (0)20 7946 0000", "02079460000"),
            ("07700 900123", "07700900123"),
            ("01632 96011", "0163296011"),
            ("+447700900123", "07700900123"),
        ];
        for (input, normal) in cases {
            assert_eq!(UkPhone::parse(input).map(|phone| phone.to_string()), Ok(normal.to_owned()), "{input:?}");
        }
    }

    #[test]
    fn bad_phones_are_refused() {
        let cases = [
            "",
            "  ",
            "2079460000",
            "020 794 600",
            "020 7946 00000",
            "020 7946 OOOO",
            "+1 202 555 0100",
            "+33 1 23 45 67 89",
            "0044 20 7946 0000",
            "00 20 7946 0000",
            "020.7946.0000",
            "+44",
            "020 7946 0000 ext 12",
        ];
        for input in cases {
            assert!(UkPhone::parse(input).is_err(), "{input:?} should be refused");
        }
    }

    #[test]
    fn good_websites_are_kept_with_lower_case_scheme_and_host() {
        let cases = [
            ("https://example.org.uk", "https://example.org.uk"),
            (" http://Example.ORG/About-Us?x=1#Top ", "http://example.org/About-Us?x=1#Top"),
            ("HTTPS://www.example.org:8443/path", "https://www.example.org:8443/path"),
            ("https://brixton-neighbours.org.uk/", "https://brixton-neighbours.org.uk/"),
        ];
        for (input, normal) in cases {
            assert_eq!(Website::parse(input).map(|site| site.to_string()), Ok(normal.to_owned()), "{input:?}");
        }
    }

    #[test]
    fn bad_websites_are_refused() {
        let too_long = format!("https://example.org/{}", "a".repeat(WEBSITE_MAX));
        let cases = [
            "",
            "example.org",
            "www.example.org/page",
            "ftp://example.org",
            "https://",
            "https://localhost",
            "https://example",
            "https://.org",
            "https://example..org",
            "https://exa mple.org",
            "https://example.org/a page",
            "https://user:pw@example.org",
            "https://example.org:port",
            "https://example.org:",
            "https://[::1]/",
            "javascript:alert(1)",
            too_long.as_str(),
        ];
        for input in cases {
            assert!(Website::parse(input).is_err(), "{input:?} should be refused");
        }
    }
}
