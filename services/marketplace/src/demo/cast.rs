//! The people and organisations of the demo: two councils, three small charities, a large provider
//! holding a block contract, and what each of them fills in.

use proto::commissioning::common::v1::{
    Area, Date, DateRange, DocumentKind, Money, OrgIdScheme, OrgIdentifier, OrganisationKind, OrganisationRef,
    PostalAddress, ServiceCategory, SizeClass, area,
};
use proto::commissioning::compliance::v1::{InsuranceDetails, UploadDocumentMetadata};
use proto::commissioning::providers::v1::{DeliveryMode, IncomeBand, LegalForm, Provider, Service, ServiceStatus};
use proto::commissioning::tendering::v1::{Contract, DescriptionSection, Funder, Supplier, Tender, TenderEligibility};

/// A charity of the story.
pub struct Charity {
    pub name: &'static str,
    pub number: &'static str,
    pub postcode: &'static str,
    pub paid_staff: i32,
    pub public_liability_pounds: i64,
}

/// Tulse Hill's cover is too low for Lambeth's tender until it renews.
pub const CHARITIES: [Charity; 3] = [
    Charity {
        name: "Tulse Hill Friendship Club",
        number: "1090001",
        postcode: "SE27 0AB",
        paid_staff: 0,
        public_liability_pounds: 2_000_000,
    },
    Charity {
        name: "Brixton Good Neighbours",
        number: "1123456",
        postcode: "SW2 5SG",
        paid_staff: 2,
        public_liability_pounds: 5_000_000,
    },
    Charity {
        name: "Stockwell Community Connect",
        number: "1170002",
        postcode: "SW9 9SL",
        paid_staff: 0,
        public_liability_pounds: 5_000_000,
    },
];

pub fn gbp(pounds: i64) -> Money {
    Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: true }
}

fn lambeth_area(district: &str, label: &str) -> Area {
    Area {
        council_id: "lambeth".into(),
        part: Some(area::Part::PostcodeDistrict(district.into())),
        label: label.into(),
    }
}

fn year_from_april_2027() -> DateRange {
    DateRange {
        start_date: Some(Date { year: 2027, month: 4, day: 1 }),
        end_date: Some(Date { year: 2028, month: 3, day: 31 }),
    }
}

pub fn profile(charity: &Charity) -> Provider {
    Provider {
        legal_name: charity.name.into(),
        description: format!("{} keeps older people in touch with their neighbours", charity.name),
        legal_form: LegalForm::RegisteredCharity as i32,
        identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: charity.number.into() }],
        registered_address: Some(PostalAddress {
            line1: "Community Hall".into(),
            town: "London".into(),
            postcode: charity.postcode.into(),
            ..Default::default()
        }),
        contact_email: "hello@example.org".into(),
        income_band: IncomeBand::From10kTo100k as i32,
        paid_staff_count: charity.paid_staff,
        volunteer_count: 25,
        ..Default::default()
    }
}

/// The community connector service each charity offers in Brixton and Stockwell.
pub fn connector_service(charity: &Charity) -> Service {
    Service {
        name: format!("{} community connectors", charity.name),
        description: "Volunteers who help isolated older people find groups, clubs and support nearby".into(),
        category: ServiceCategory::CommunityConnector as i32,
        areas: vec![lambeth_area("SW2", "Brixton"), lambeth_area("SW9", "Stockwell")],
        delivery_modes: vec![DeliveryMode::InPerson as i32],
        capacity_per_week: 40,
        status: ServiceStatus::Active as i32,
        ..Default::default()
    }
}

/// A public liability certificate (or employer's liability, with `kind`) for `provider_id`.
pub fn certificate(provider_id: &str, kind: DocumentKind, pounds: i64, request_id: &str) -> UploadDocumentMetadata {
    UploadDocumentMetadata {
        request_id: request_id.into(),
        provider_id: provider_id.into(),
        kind: kind as i32,
        title: "Insurance certificate 2026-28".into(),
        filename: "certificate.pdf".into(),
        valid_from: Some(Date { year: 2026, month: 1, day: 1 }),
        expires_on: Some(Date { year: 2028, month: 12, day: 31 }),
        insurance: Some(InsuranceDetails {
            insurer: "Community Mutual".into(),
            policy_number: format!("CM-{request_id}"),
            limit_of_indemnity: Some(Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included: false }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A small but real PDF, as a certificate's scan would be.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// What the officer writes under a template's four headings, in place of its guidance.
fn sections(what: &str, who: &str, place: &str, outcomes: &str) -> Vec<DescriptionSection> {
    [("What we want", what), ("Who it is for", who), ("Where", place), ("Outcomes we are looking for", outcomes)]
        .map(|(heading, body)| DescriptionSection { heading: heading.into(), body: body.into() })
        .to_vec()
}

/// Lambeth's community connector micro-tender, funded jointly with its NHS integrated care board.
pub fn lambeth_tender() -> Tender {
    Tender {
        title: "Community connectors for isolated older people, Brixton and Stockwell".into(),
        summary: "Volunteer-led connectors who help people over 65 living alone find company and support nearby."
            .into(),
        description_sections: sections(
            "Connectors who meet about 120 people a year up to six times each, go with them to a first activity \
             and work alongside the social prescribing link workers of the Brixton and Stockwell practices.",
            "People over 65 who live alone and are lonely or isolated, referred by GP practices, adult social care \
             or themselves; carers are welcome too.",
            "Brixton (SW2) and Stockwell (SW9).",
            "People still going to an activity they chose after three months, wellbeing measured with ONS4 at the \
             start and the end, and a note each quarter of gaps in local activities.",
        ),
        areas: vec![lambeth_area("SW2", "Brixton"), lambeth_area("SW9", "Stockwell")],
        estimated_value: Some(gbp(24_000)),
        contract_period: Some(year_from_april_2027()),
        funders: vec![
            Funder {
                organisation: Some(OrganisationRef {
                    organisation_id: "lambeth".into(),
                    kind: OrganisationKind::Council as i32,
                    name: "Lambeth".into(),
                    identifier: Some(OrgIdentifier { scheme: OrgIdScheme::GbLae as i32, value: "LBH".into() }),
                }),
                share_basis_points: 6_000,
            },
            Funder {
                organisation: Some(OrganisationRef {
                    organisation_id: String::new(),
                    kind: OrganisationKind::IntegratedCareBoard as i32,
                    name: "NHS South East London Integrated Care Board".into(),
                    identifier: Some(OrgIdentifier { scheme: OrgIdScheme::GbNhs as i32, value: "QKK".into() }),
                }),
                share_basis_points: 4_000,
            },
        ],
        buyer_identifier: Some(OrgIdentifier { scheme: OrgIdScheme::GbLae as i32, value: "LBH".into() }),
        eligibility: Some(TenderEligibility {
            minimum_age: 65,
            description: "living alone and lonely or isolated".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Woking recommissions befriending and coffee mornings at a sheltered housing scheme: one tender
/// buying both kinds of service.
pub fn woking_tender() -> Tender {
    Tender {
        title: "Befriending and coffee mornings at Hale End Court sheltered housing".into(),
        summary: "Weekly coffee mornings and visits for residents of Hale End Court who rarely go out.".into(),
        categories: vec![ServiceCategory::GroupActivities as i32, ServiceCategory::BefriendingFaceToFace as i32],
        description_sections: sections(
            "A coffee morning every Tuesday in the residents' lounge for about 20 people, and a weekly visit for \
             residents who cannot come down.",
            "Residents of Hale End Court who live alone and rarely go out, and the carers who come with them.",
            "Hale End Court, Woking (GU21): the lounge is step-free.",
            "Residents coming regularly, new friendships, and fewer residents saying they often feel lonely.",
        ),
        areas: vec![Area {
            council_id: "woking".into(),
            part: Some(area::Part::PostcodeDistrict("GU21".into())),
            label: "Hale End Court".into(),
        }],
        estimated_value: Some(gbp(9_000)),
        contract_period: Some(year_from_april_2027()),
        eligibility: Some(TenderEligibility {
            description: "residents of Hale End Court, and the carers who come with them".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The day opportunities block contract Lambeth already holds with a large provider.
pub fn block_contract() -> Contract {
    Contract {
        title: "Day opportunities, borough-wide".into(),
        description: "Day centres for older people across Lambeth".into(),
        supplier: Some(Supplier {
            name: "Large Care Group plc".into(),
            size_class: SizeClass::Large as i32,
            ..Default::default()
        }),
        value: Some(gbp(450_000)),
        period: Some(DateRange {
            start_date: Some(Date { year: 2026, month: 4, day: 1 }),
            end_date: Some(Date { year: 2029, month: 3, day: 31 }),
        }),
        category: ServiceCategory::GroupActivities as i32,
        external_reference: "LBL-ASC-0042".into(),
        ..Default::default()
    }
}
