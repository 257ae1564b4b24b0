//! A provider organisation's profile: the fields its members edit (commissioning.providers.v1.
//! Provider), validated and normalised in one pass that reports every bad field by its full path.
//! The size class and VCSE flag are derived here, never taken from the caller. Output-only fields
//! (id, members, evidence, times, etag) belong to the service and the store, not to the profile.

use std::collections::HashSet;

use platform::FieldViolation;
use proto::commissioning::common::v1::SizeClass;
use proto::commissioning::providers::v1::{IncomeBand, LegalForm, Provider, SafeguardingLead as ProtoSafeguardingLead};

use super::address::Address;
use super::contact::{Email, UkPhone, Website};
use super::size::{is_vcse, size_class};
use platform::org_id::{OrgId, scheme_prefix};
use platform::validation::{
    Violations, element, field, known_enum, non_negative, optional, optional_text, required_enum, required_text,
};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2000;
const LEGAL_FORMS: &str = "the LEGAL_FORM_* values, such as LEGAL_FORM_REGISTERED_CHARITY";
const INCOME_BANDS: &str = "the INCOME_BAND_* values, or leave it unspecified";

/// The validated, normalised editable fields of a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderProfile {
    legal_name: String,
    trading_name: String,
    description: String,
    legal_form: LegalForm,
    identifiers: Vec<OrgId>,
    registered_address: Address,
    contact_email: Email,
    contact_phone: Option<UkPhone>,
    website: Option<Website>,
    income_band: IncomeBand,
    paid_staff_count: u32,
    volunteer_count: u32,
    safeguarding_lead: Option<SafeguardingLead>,
}

impl ProviderProfile {
    /// Parses the provider at `path` (usually "provider"), collecting every violation with its full
    /// path, such as "provider.registered_address.postcode" or "provider.identifiers[1].value".
    pub fn parse(provider: &Provider, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let at = |name: &str| field(path, name);
        let legal_name = v.check(at("legal_name"), required_text(&provider.legal_name, NAME_MAX));
        let trading_name = v.check(at("trading_name"), optional_text(&provider.trading_name, NAME_MAX));
        let description = v.check(at("description"), optional_text(&provider.description, DESCRIPTION_MAX));
        let legal_form = v.check(at("legal_form"), required_enum(provider.legal_form, LEGAL_FORMS));
        let identifiers = v.nested(parse_identifiers(provider, path));
        let address =
            v.nested(Address::parse_required(provider.registered_address.as_ref(), &at("registered_address")));
        let contact_email = v.check(at("contact_email"), Email::parse(&provider.contact_email));
        let contact_phone = v.check(at("contact_phone"), optional(&provider.contact_phone, UkPhone::parse));
        let website = v.check(at("website"), optional(&provider.website, Website::parse));
        let income_band = v.check(at("income_band"), known_enum(provider.income_band, INCOME_BANDS));
        let paid_staff_count = v.check(at("paid_staff_count"), non_negative(provider.paid_staff_count));
        let volunteer_count = v.check(at("volunteer_count"), non_negative(provider.volunteer_count));
        let lead =
            v.nested(SafeguardingLead::parse_optional(provider.safeguarding_lead.as_ref(), &at("safeguarding_lead")));
        v.finish(|| {
            Some(Self {
                legal_name: legal_name?,
                trading_name: trading_name?,
                description: description?,
                legal_form: legal_form?,
                identifiers: identifiers?,
                registered_address: address?,
                contact_email: contact_email?,
                contact_phone: contact_phone?,
                website: website?,
                income_band: income_band?,
                paid_staff_count: paid_staff_count?,
                volunteer_count: volunteer_count?,
                safeguarding_lead: lead?,
            })
        })
    }

    /// The profile as a proto Provider with the derived size_class and vcse filled in; the
    /// output-only fields (id, members, evidence, times, etag) are left for the caller to fill.
    pub fn to_proto(&self) -> Provider {
        Provider {
            legal_name: self.legal_name.clone(),
            trading_name: self.trading_name.clone(),
            description: self.description.clone(),
            legal_form: self.legal_form.into(),
            identifiers: self.identifiers.iter().map(OrgId::to_proto).collect(),
            registered_address: Some(self.registered_address.to_proto()),
            contact_email: self.contact_email.to_string(),
            contact_phone: self.contact_phone.as_ref().map(UkPhone::to_string).unwrap_or_default(),
            website: self.website.as_ref().map(Website::to_string).unwrap_or_default(),
            income_band: self.income_band.into(),
            paid_staff_count: count_to_proto(self.paid_staff_count),
            volunteer_count: count_to_proto(self.volunteer_count),
            size_class: self.size_class().into(),
            vcse: self.vcse(),
            safeguarding_lead: self.safeguarding_lead.as_ref().map(SafeguardingLead::to_proto),
            ..Provider::default()
        }
    }

    /// Micro, small, medium or large, from the income band and paid staff.
    pub fn size_class(&self) -> SizeClass {
        size_class(self.income_band, self.paid_staff_count)
    }

    /// Whether the legal form is a voluntary, community or social enterprise form.
    pub fn vcse(&self) -> bool {
        is_vcse(self.legal_form)
    }

    pub fn legal_name(&self) -> &str {
        &self.legal_name
    }

    /// Empty when not given.
    pub fn trading_name(&self) -> &str {
        &self.trading_name
    }

    /// Empty when not given.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn legal_form(&self) -> LegalForm {
        self.legal_form
    }

    /// At most one per scheme, in the order given.
    pub fn identifiers(&self) -> &[OrgId] {
        &self.identifiers
    }

    pub fn registered_address(&self) -> &Address {
        &self.registered_address
    }

    pub fn contact_email(&self) -> &Email {
        &self.contact_email
    }

    pub fn contact_phone(&self) -> Option<&UkPhone> {
        self.contact_phone.as_ref()
    }

    pub fn website(&self) -> Option<&Website> {
        self.website.as_ref()
    }

    pub fn income_band(&self) -> IncomeBand {
        self.income_band
    }

    pub fn paid_staff_count(&self) -> u32 {
        self.paid_staff_count
    }

    pub fn volunteer_count(&self) -> u32 {
        self.volunteer_count
    }

    pub fn safeguarding_lead(&self) -> Option<&SafeguardingLead> {
        self.safeguarding_lead.as_ref()
    }
}

/// The person responsible for safeguarding: a name, and optionally an email and a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeguardingLead {
    name: String,
    email: Option<Email>,
    phone: Option<UkPhone>,
}

impl SafeguardingLead {
    /// `None` when no lead is given or every field is empty; otherwise the name is required and
    /// the email and phone, when given, are checked.
    pub fn parse_optional(
        lead: Option<&ProtoSafeguardingLead>,
        path: &str,
    ) -> Result<Option<Self>, Vec<FieldViolation>> {
        let Some(lead) = lead.filter(|lead| !is_blank(lead)) else {
            return Ok(None);
        };
        let mut v = Violations::new();
        let name = v.check(field(path, "name"), required_text(&lead.name, NAME_MAX));
        let email = v.check(field(path, "email"), optional(&lead.email, Email::parse));
        let phone = v.check(field(path, "phone"), optional(&lead.phone, UkPhone::parse));
        v.finish(|| Some(Some(Self { name: name?, email: email?, phone: phone? })))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    pub fn phone(&self) -> Option<&UkPhone> {
        self.phone.as_ref()
    }

    pub fn to_proto(&self) -> ProtoSafeguardingLead {
        ProtoSafeguardingLead {
            name: self.name.clone(),
            email: self.email.as_ref().map(Email::to_string).unwrap_or_default(),
            phone: self.phone.as_ref().map(UkPhone::to_string).unwrap_or_default(),
        }
    }
}

fn is_blank(lead: &ProtoSafeguardingLead) -> bool {
    [&lead.name, &lead.email, &lead.phone].iter().all(|text| text.trim().is_empty())
}

/// Each identifier checked against its scheme, and at most one per scheme.
fn parse_identifiers(provider: &Provider, path: &str) -> Result<Vec<OrgId>, Vec<FieldViolation>> {
    let mut v = Violations::new();
    let mut seen = HashSet::new();
    let mut identifiers = Vec::with_capacity(provider.identifiers.len());
    for (index, identifier) in provider.identifiers.iter().enumerate() {
        let at = element(path, "identifiers", index);
        let Some(id) = v.nested(OrgId::parse(identifier, &at)) else { continue };
        if seen.insert(id.scheme()) {
            identifiers.push(id);
        } else {
            let scheme = scheme_prefix(id.scheme());
            v.add(FieldViolation::new(
                field(&at, "scheme"),
                format!("a second {scheme} identifier: give at most one per scheme"),
            ));
        }
    }
    v.finish(|| Some(identifiers))
}

/// Counts were read from an i32 and so always fit back into one.
fn count_to_proto(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier, PostalAddress};

    use super::*;

    fn identifier(scheme: OrgIdScheme, value: &str) -> OrgIdentifier {
        OrgIdentifier { scheme: scheme.into(), value: value.into() }
    }

    fn provider() -> Provider {
        Provider {
            id: "ignored".into(),
            legal_name: "  Brixton Good Neighbours ".into(),
            trading_name: "BGN".into(),
            description: "Befriending and coffee mornings for older people in Brixton.".into(),
            legal_form: LegalForm::CharitableIncorporatedOrganisation.into(),
            identifiers: vec![
                identifier(OrgIdScheme::GbChc, "112 3456"),
                identifier(OrgIdScheme::GbPpon, "pxyz-1234-abcd"),
            ],
            registered_address: Some(PostalAddress {
                line1: "1 Acre Lane".into(),
                town: "London".into(),
                postcode: "sw2 1rw".into(),
                ..PostalAddress::default()
            }),
            contact_email: "Hello@Brixton-Neighbours.ORG.uk".into(),
            contact_phone: "+44 20 7946 0000".into(),
            website: "https://brixton-neighbours.org.uk".into(),
            income_band: IncomeBand::From10kTo100k.into(),
            paid_staff_count: 2,
            volunteer_count: 40,
            size_class: SizeClass::Large.into(),
            vcse: false,
            safeguarding_lead: Some(ProtoSafeguardingLead {
                name: "Priya Shah".into(),
                email: "priya@brixton-neighbours.org.uk".into(),
                phone: String::new(),
            }),
            etag: "ignored".into(),
            ..Provider::default()
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    #[test]
    fn a_good_provider_is_normalised_and_its_derived_fields_filled() {
        let profile = ProviderProfile::parse(&provider(), "provider").expect("valid provider");
        assert_eq!(profile.legal_name(), "Brixton Good Neighbours");
        assert_eq!(profile.contact_email().as_str(), "Hello@brixton-neighbours.org.uk");
        assert_eq!((profile.size_class(), profile.vcse()), (SizeClass::Micro, true));

        let proto = profile.to_proto();
        assert_eq!((proto.id.as_str(), proto.etag.as_str()), ("", ""), "output-only fields are not carried");
        assert_eq!(
            proto.identifiers,
            [identifier(OrgIdScheme::GbChc, "1123456"), identifier(OrgIdScheme::GbPpon, "PXYZ-1234-ABCD")]
        );
        assert_eq!(proto.registered_address.as_ref().map(|address| address.postcode.as_str()), Some("SW2 1RW"));
        assert_eq!(
            (proto.contact_phone.as_str(), proto.size_class, proto.vcse),
            ("02079460000", SizeClass::Micro.into(), true)
        );
        assert_eq!(ProviderProfile::parse(&proto, "provider"), Ok(profile), "parsing the output changes nothing");
    }

    #[test]
    fn the_least_a_provider_needs() {
        let minimal = Provider {
            trading_name: String::new(),
            description: String::new(),
            identifiers: vec![],
            contact_phone: String::new(),
            website: String::new(),
            income_band: 0,
            paid_staff_count: 0,
            volunteer_count: 0,
            safeguarding_lead: Some(ProtoSafeguardingLead::default()),
            legal_form: LegalForm::MicroEnterpriseOrSoleTrader.into(),
            ..provider()
        };
        let profile = ProviderProfile::parse(&minimal, "provider").expect("valid provider");
        assert_eq!((profile.size_class(), profile.vcse()), (SizeClass::Micro, false));
        assert!(
            profile.safeguarding_lead().is_none() && profile.website().is_none() && profile.contact_phone().is_none()
        );
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let bad = Provider {
            legal_name: " ".into(),
            trading_name: "t".repeat(201),
            description: "d".repeat(2001),
            legal_form: 0,
            identifiers: vec![identifier(OrgIdScheme::GbChc, "1123456"), identifier(OrgIdScheme::GbSc, "12")],
            registered_address: Some(PostalAddress {
                postcode: "nowhere".into(),
                ..provider().registered_address.unwrap_or_default()
            }),
            contact_email: "hello".into(),
            contact_phone: "12345".into(),
            website: "brixton.org".into(),
            income_band: 17,
            paid_staff_count: -1,
            volunteer_count: -5,
            safeguarding_lead: Some(ProtoSafeguardingLead {
                name: String::new(),
                email: "x".into(),
                phone: "1".into(),
            }),
            ..provider()
        };
        let violations = ProviderProfile::parse(&bad, "provider").expect_err("many bad fields");
        let expected = [
            "provider.legal_name",
            "provider.trading_name",
            "provider.description",
            "provider.legal_form",
            "provider.identifiers[1].value",
            "provider.registered_address.postcode",
            "provider.contact_email",
            "provider.contact_phone",
            "provider.website",
            "provider.income_band",
            "provider.paid_staff_count",
            "provider.volunteer_count",
            "provider.safeguarding_lead.name",
            "provider.safeguarding_lead.email",
            "provider.safeguarding_lead.phone",
        ];
        assert_eq!(fields(&violations), expected);
    }

    #[test]
    fn required_fields_must_be_given() {
        let empty = ProviderProfile::parse(&Provider::default(), "provider").expect_err("nothing given");
        assert_eq!(
            fields(&empty),
            ["provider.legal_name", "provider.legal_form", "provider.registered_address", "provider.contact_email"]
        );
        let unknown_form = Provider { legal_form: 99, ..provider() };
        assert_eq!(fields(&ProviderProfile::parse(&unknown_form, "p").expect_err("unknown form")), ["p.legal_form"]);
    }

    #[test]
    fn at_most_one_identifier_per_scheme() {
        let twice = Provider {
            identifiers: vec![
                identifier(OrgIdScheme::GbChc, "1123456"),
                identifier(OrgIdScheme::GbCoh, "01234567"),
                identifier(OrgIdScheme::GbChc, "212345"),
            ],
            ..provider()
        };
        let violations = ProviderProfile::parse(&twice, "provider").expect_err("two charity numbers");
        assert_eq!(fields(&violations), ["provider.identifiers[2].scheme"]);
        assert!(violations[0].description.contains("GB-CHC"));
        let no_scheme = Provider { identifiers: vec![identifier(OrgIdScheme::Unspecified, "1123456")], ..provider() };
        assert_eq!(
            fields(&ProviderProfile::parse(&no_scheme, "provider").expect_err("no scheme")),
            ["provider.identifiers[0].scheme"]
        );
    }

    #[test]
    fn a_safeguarding_lead_needs_a_name_once_anything_is_given() {
        let phone_only = ProtoSafeguardingLead { phone: "020 7946 0000".into(), ..ProtoSafeguardingLead::default() };
        let violations = SafeguardingLead::parse_optional(Some(&phone_only), "lead").expect_err("no name");
        assert_eq!(fields(&violations), ["lead.name"]);
        let blank = ProtoSafeguardingLead { name: "  ".into(), ..ProtoSafeguardingLead::default() };
        assert_eq!(SafeguardingLead::parse_optional(Some(&blank), "lead"), Ok(None));
        assert_eq!(SafeguardingLead::parse_optional(None, "lead"), Ok(None));
        let named = ProtoSafeguardingLead { name: "Priya Shah".into(), ..phone_only };
        let lead = SafeguardingLead::parse_optional(Some(&named), "lead").expect("valid").expect("given");
        assert_eq!((lead.name(), lead.phone().map(UkPhone::as_str)), ("Priya Shah", Some("02079460000")));
    }

    #[test]
    fn an_empty_path_gives_bare_field_names() {
        let bad = Provider { contact_email: "nope".into(), ..provider() };
        assert_eq!(fields(&ProviderProfile::parse(&bad, "").expect_err("bad email")), ["contact_email"]);
    }
}
