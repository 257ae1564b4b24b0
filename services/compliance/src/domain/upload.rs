//! What a provider says about a document it uploads: the first message of an upload (or renewal),
//! checked before any byte of the file is read, with the facts its kind must carry.

use chrono::NaiveDate;
use platform::FieldViolation;
use platform::validation::{Invalid, Violations, field, optional_text, required_enum, required_text};
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::compliance::v1::{InsuranceDetails, UploadDocumentMetadata};

use super::facts::{Given, check_facts};
use platform::dates::parse_optional_date;

/// A checked upload description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub provider_id: String,
    pub kind: DocumentKind,
    pub title: String,
    pub filename: String,
    /// The size the client announced, if any: refused at once when over the cap.
    pub declared_size: Option<u64>,
    /// The SHA-256 the client computed, if any: the upload is refused unless the bytes match.
    pub declared_sha256: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub insurance: Option<InsuranceDetails>,
}

impl NewDocument {
    /// Parses the metadata at `path` uploaded on `today` (the UK date), collecting every violation.
    pub fn parse(metadata: &UploadDocumentMetadata, path: &str, today: NaiveDate) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let provider_id = v.check(field(path, "provider_id"), required_text(&metadata.provider_id, 64));
        let kind =
            v.check(field(path, "kind"), required_enum::<DocumentKind>(metadata.kind, "a DOCUMENT_KIND_* value"));
        let title = v.check(field(path, "title"), required_text(&metadata.title, 200));
        let filename = v.check(field(path, "filename"), optional_text(&metadata.filename, 255));
        let declared_size = match metadata.size_bytes {
            0 => Some(None),
            size => v.check(
                field(path, "size_bytes"),
                u64::try_from(size).map(Some).map_err(|_| Invalid::new("must be 0 (unknown) or more")),
            ),
        };
        let declared_sha256 = v.check(field(path, "sha256_hex"), sha256_hex(&metadata.sha256_hex));
        let valid_from = v.check(field(path, "valid_from"), parse_optional_date(metadata.valid_from.as_ref()));
        let expires_on = v.check(field(path, "expires_on"), parse_optional_date(metadata.expires_on.as_ref()));
        if let (Some(Some(from)), Some(Some(until))) = (valid_from, expires_on)
            && until < from
        {
            v.add(Invalid::new("must not be before valid_from").at(field(path, "expires_on")));
        }
        let given = Given { valid_from, expires_on, insurance: metadata.insurance.as_ref() };
        // Without a kind there is no knowing which facts it needs; the kind's violation says so.
        let insurance = kind.and_then(|kind| check_facts(kind, &given, today, path, &mut v));
        v.finish(|| {
            Some(Self {
                provider_id: provider_id?,
                kind: kind?,
                title: title?,
                filename: filename?,
                declared_size: declared_size?,
                declared_sha256: declared_sha256?,
                valid_from: valid_from?,
                expires_on: expires_on?,
                insurance: insurance?,
            })
        })
    }
}

fn sha256_hex(value: &str) -> Result<Option<String>, Invalid> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() != 64 || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Invalid::new("must be 64 hexadecimal digits (a SHA-256), or empty"));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Date, Money};

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).expect("a real date")
    }

    fn certificate() -> UploadDocumentMetadata {
        UploadDocumentMetadata {
            request_id: "r".into(),
            provider_id: "p-1".into(),
            kind: DocumentKind::PublicLiabilityInsurance as i32,
            title: "Public liability 2026".into(),
            filename: "pl.pdf".into(),
            valid_from: Some(Date { year: 2026, month: 4, day: 1 }),
            expires_on: Some(Date { year: 2027, month: 3, day: 31 }),
            insurance: Some(InsuranceDetails {
                insurer: "Community Mutual".into(),
                policy_number: "CM-1".into(),
                limit_of_indemnity: Some(Money {
                    amount_pence: 500_000_000,
                    currency: "GBP".into(),
                    vat_included: false,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    #[test]
    fn a_certificate_with_its_facts_is_accepted() {
        let parsed = NewDocument::parse(&certificate(), "metadata", today()).expect("valid");
        assert_eq!(parsed.kind, DocumentKind::PublicLiabilityInsurance);
        assert_eq!(parsed.declared_size, None);
        assert_eq!(parsed.insurance.map(|insurance| insurance.policy_number), Some("CM-1".into()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = UploadDocumentMetadata {
            provider_id: String::new(),
            title: " ".into(),
            size_bytes: -1,
            sha256_hex: "abc".into(),
            expires_on: Some(Date { year: 2026, month: 1, day: 1 }),
            insurance: None,
            ..certificate()
        };
        let refused = NewDocument::parse(&bad, "metadata", today()).expect_err("invalid");
        assert_eq!(
            fields(&refused),
            [
                "metadata.provider_id",
                "metadata.title",
                "metadata.size_bytes",
                "metadata.sha256_hex",
                "metadata.expires_on",
                "metadata.insurance.insurer",
                "metadata.insurance.policy_number",
                "metadata.insurance.limit_of_indemnity",
                "metadata.expires_on",
            ]
        );
    }

    #[test]
    fn a_policy_needs_no_insurance_details_and_a_kind_is_required() {
        let policy = UploadDocumentMetadata {
            kind: DocumentKind::SafeguardingAdultsPolicy as i32,
            insurance: None,
            ..certificate()
        };
        assert!(NewDocument::parse(&policy, "m", today()).is_ok());
        let unknown = UploadDocumentMetadata { kind: 0, ..certificate() };
        assert_eq!(fields(&NewDocument::parse(&unknown, "m", today()).expect_err("no kind")), ["m.kind"]);
    }
}
