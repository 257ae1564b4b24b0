//! Each validation rule with good and bad values, through gRPC: a bad value is INVALID_ARGUMENT
//! naming the field; a good one is stored normalised.

use proto::commissioning::common::v1::{OrgIdScheme, OrgIdentifier};
use proto::commissioning::providers::v1::{CreateProviderRequest, Provider, SafeguardingLead};
use tonic::Code;
use tonic_types::StatusExt;

use super::support::client;
use super::support::{App, charity, create, from_charity_worker};

fn with_identifier(scheme: OrgIdScheme, value: &str) -> Provider {
    Provider {
        identifiers: vec![OrgIdentifier { scheme: scheme as i32, value: value.into() }],
        ..charity("Test Trust", "1123456")
    }
}

/// Sends `provider` and returns the fields the server named, or an empty list if it was accepted.
async fn refused_fields(app: &App, provider: Provider) -> Vec<String> {
    let request = CreateProviderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider: Some(provider) };
    match client(app).await.create_provider(from_charity_worker(request, "validator")).await {
        Ok(_) => Vec::new(),
        Err(status) => {
            assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
            let details = status.get_details_bad_request().expect("BadRequest details");
            details.field_violations.into_iter().map(|violation| violation.field).collect()
        }
    }
}

#[tokio::test]
async fn identifiers_are_checked_against_their_scheme() {
    let app = App::on_postgres().await;
    let field = "provider.identifiers[0].value";
    let cases = [
        (OrgIdScheme::GbChc, "1123456", true),
        (OrgIdScheme::GbChc, "223456", true),
        (OrgIdScheme::GbChc, "12345", false),
        (OrgIdScheme::GbChc, "12345678", false),
        (OrgIdScheme::GbSc, "SC012345", true),
        (OrgIdScheme::GbSc, "sc 012346", true),
        (OrgIdScheme::GbSc, "SC01234", false),
        (OrgIdScheme::GbNic, "NIC100123", true),
        (OrgIdScheme::GbNic, "NIC10012", false),
        (OrgIdScheme::GbCoh, "01234567", true),
        (OrgIdScheme::GbCoh, "SC123456", true),
        (OrgIdScheme::GbCoh, "1234567", false),
        (OrgIdScheme::GbCoh, "S1234567", false),
        (OrgIdScheme::GbPpon, "PXYZ-1234-ABCD", true),
        (OrgIdScheme::GbPpon, "XYZ-1234", false),
    ];
    for (scheme, value, good) in cases {
        let fields = refused_fields(&app, with_identifier(scheme, value)).await;
        if good {
            assert!(fields.is_empty(), "{scheme:?} {value}: refused {fields:?}");
        } else {
            assert_eq!(fields, [field], "{scheme:?} {value}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn postcodes_emails_and_counts_are_checked_and_every_bad_field_is_named() {
    let app = App::on_postgres().await;
    let mut bad = charity("Bad Trust", "1000001");
    bad.registered_address.as_mut().expect("address").postcode = "SW2".into();
    bad.contact_email = "not-an-email".into();
    bad.paid_staff_count = -1;
    bad.volunteer_count = -3;
    bad.safeguarding_lead = Some(SafeguardingLead { email: "lead@example.org".into(), ..Default::default() });
    let mut fields = refused_fields(&app, bad).await;
    fields.sort();
    assert_eq!(
        fields,
        [
            "provider.contact_email",
            "provider.paid_staff_count",
            "provider.registered_address.postcode",
            "provider.safeguarding_lead.name",
            "provider.volunteer_count",
        ]
    );

    for (index, postcode) in ["SW1A 1AA", "m1 1ae", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A1BB"].into_iter().enumerate()
    {
        let mut good = charity("Good Trust", &format!("100001{index}"));
        good.registered_address.as_mut().expect("address").postcode = postcode.into();
        assert!(refused_fields(&app, good).await.is_empty(), "{postcode} is a valid postcode");
    }
    for postcode in ["", "SW2 1", "1AB 2CD", "SW2 1CI", "HELLO"] {
        let mut bad = charity("Bad Trust", "1000003");
        bad.registered_address.as_mut().expect("address").postcode = postcode.into();
        assert_eq!(refused_fields(&app, bad).await, ["provider.registered_address.postcode"], "{postcode:?}");
    }
    for email in ["a@b", "two@@example.org", "spaces in@example.org", "@example.org"] {
        let mut bad = charity("Bad Trust", "1000004");
        bad.contact_email = email.into();
        assert_eq!(refused_fields(&app, bad).await, ["provider.contact_email"], "{email:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn values_are_stored_normalised_with_derived_size_and_vcse() {
    for app in [App::on_postgres().await, App::on_sqlite().await] {
        let mut client = client(&app).await;
        let mut profile = with_identifier(OrgIdScheme::GbSc, "sc 012345");
        profile.registered_address.as_mut().expect("address").postcode = " sw2 5sg ".into();
        let created = create(&mut client, "normaliser", profile).await;
        assert_eq!(created.registered_address.expect("address").postcode, "SW2 5SG");
        assert_eq!(created.identifiers[0].value, "SC012345");
        assert_eq!(created.size_class, proto::commissioning::common::v1::SizeClass::Micro as i32);
        assert!(created.vcse);
        assert!(!created.etag.is_empty());
        app.stop().await;
    }
}
