//! The org-id identifiers a tender names its buying council and its funders by, published as their
//! OCDS party identifiers. Each is optional; one that is given must be well formed in a known
//! scheme, and the buyer's must be a local authority's code.

use platform::FieldViolation;
use platform::org_id::OrgId;
use platform::validation::{Violations, field};
use proto::commissioning::common::v1::OrgIdentifier;

/// The buying council's identifier at `path` ("tender.buyer_identifier"), when given: a UK local
/// authority's register code.
pub(crate) fn check_buyer_identifier(v: &mut Violations, identifier: Option<&OrgIdentifier>, path: &str) {
    let Some(identifier) = identifier else { return };
    let Some(id) = v.nested(OrgId::parse(identifier, path)) else { return };
    if !id.is_local_authority() {
        v.add(FieldViolation::new(
            field(path, "scheme"),
            format!(
                "{id} is not a council's identifier: give the council's local-authority code in GB-LAE (England), \
                 GB-LAS (Scotland), GB-LAN (Northern Ireland) or GB-PLA (Wales), or leave it out"
            ),
        ));
    }
}

/// An organisation's identifier at `path` ("tender.funders[1].organisation.identifier"), when
/// given: any known org-id scheme, in that scheme's format.
pub(crate) fn check_identifier(v: &mut Violations, identifier: Option<&OrgIdentifier>, path: &str) {
    if let Some(identifier) = identifier {
        v.nested(OrgId::parse(identifier, path));
    }
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::OrgIdScheme;

    use super::*;

    fn identifier(scheme: OrgIdScheme, value: &str) -> OrgIdentifier {
        OrgIdentifier { scheme: scheme.into(), value: value.into() }
    }

    fn buyer_violations(identifier: Option<&OrgIdentifier>) -> Vec<String> {
        let mut v = Violations::new();
        check_buyer_identifier(&mut v, identifier, "tender.buyer_identifier");
        v.finish(|| Some(())).err().unwrap_or_default().into_iter().map(|violation| violation.field).collect()
    }

    #[test]
    fn a_buyer_is_identified_by_a_local_authority_code_or_not_at_all() {
        assert!(buyer_violations(None).is_empty());
        for (scheme, code) in [
            (OrgIdScheme::GbLae, "LBH"),
            (OrgIdScheme::GbLas, "ABE"),
            (OrgIdScheme::GbLan, "BFS"),
            (OrgIdScheme::GbPla, "agy"),
        ] {
            assert!(buyer_violations(Some(&identifier(scheme, code))).is_empty(), "{scheme:?} {code}");
        }
        assert_eq!(buyer_violations(Some(&identifier(OrgIdScheme::GbNhs, "QKK"))), ["tender.buyer_identifier.scheme"]);
        assert_eq!(
            buyer_violations(Some(&identifier(OrgIdScheme::GbLae, "E09000022"))),
            ["tender.buyer_identifier.value"]
        );
        assert_eq!(
            buyer_violations(Some(&identifier(OrgIdScheme::Unspecified, "LBH"))),
            ["tender.buyer_identifier.scheme"]
        );
    }

    #[test]
    fn a_funder_may_be_identified_in_any_known_scheme() {
        let check = |identifier: &OrgIdentifier| {
            let mut v = Violations::new();
            check_identifier(&mut v, Some(identifier), "tender.funders[1].organisation.identifier");
            v.finish(|| Some(()))
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|violation| violation.field)
                .collect::<Vec<_>>()
        };
        assert!(check(&identifier(OrgIdScheme::GbNhs, "QKK")).is_empty());
        assert!(check(&identifier(OrgIdScheme::GbLae, "LBH")).is_empty());
        assert!(check(&identifier(OrgIdScheme::GbChc, "1123456")).is_empty());
        assert_eq!(check(&identifier(OrgIdScheme::GbNhs, "Q")), ["tender.funders[1].organisation.identifier.value"]);
    }
}
