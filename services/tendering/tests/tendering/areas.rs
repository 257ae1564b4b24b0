//! A tender's areas: postcode districts in the one spelling the providers service uses, a district
//! that does not exist refused by its field, the whole council's area in one entry, and ListTenders
//! finding the tenders in a council's area (a neighbouring council's tender that reaches it too).

use std::time::Duration;

use platform::testing::with_token;
use proto::commissioning::common::v1::Area;
use proto::commissioning::common::v1::area::Part;
use proto::commissioning::tendering::v1::*;
use tonic::Code;

use super::support::*;

fn district(council: &str, code: &str) -> Area {
    Area { council_id: council.into(), part: Some(Part::PostcodeDistrict(code.into())), ..Default::default() }
}

fn whole(council: &str) -> Area {
    Area { council_id: council.into(), ..Default::default() }
}

async fn create(app: &App, areas: Vec<Area>) -> Result<Tender, tonic::Status> {
    let tender = Tender { areas, ..befriending(Duration::from_secs(60), Duration::from_secs(120)) };
    let create = CreateTenderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        template_id: "befriending".into(),
        tender: Some(tender),
    };
    let created = client(app).await.create_tender(with_token(create, &lambeth_officer())).await?;
    Ok(created.into_inner().tender.expect("tender"))
}

async fn districts_are_normalised_and_must_exist(app: App) {
    let areas = vec![district("lambeth", " sw2 "), district("lambeth", "SW 9"), district("lambeth", "se11")];
    let created = create(&app, areas).await.expect("created");
    let shown = get(&app, &created.id, &lambeth_officer()).await.expect("shown");
    let expected = vec![district("lambeth", "SW2"), district("lambeth", "SW9"), district("lambeth", "SE11")];
    assert_eq!(shown.areas, expected, "GetTender shows each district in its one spelling");

    // Well formed but no such district (Wigan's run WN1 to WN8), at creation and on an update.
    let refused = create(&app, vec![district("lambeth", "SW2"), district("lambeth", "wn9")]).await;
    let refused = refused.expect_err("no district WN9");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(fields(&refused), ["tender.areas[1].postcode_district"]);
    assert!(refused.message().contains("WN9"), "{}", refused.message());
    let update = UpdateTenderRequest {
        tender: Some(Tender { id: created.id.clone(), areas: vec![district("lambeth", "SW2A")], ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["areas".into()] }),
        ..Default::default()
    };
    let refused = client(&app).await.update_tender(with_token(update, &lambeth_officer())).await;
    assert_eq!(fields(&refused.expect_err("no district SW2A")), ["tender.areas[0].postcode_district"]);
    let unchanged = get(&app, &created.id, &lambeth_officer()).await.expect("shown");
    assert_eq!(unchanged.areas, expected, "a refused update changes nothing");
}

async fn a_tender_may_cover_the_whole_council(app: App) {
    let update_to = |id: &str, areas: Vec<Area>| UpdateTenderRequest {
        tender: Some(Tender { id: id.into(), areas, ..Default::default() }),
        update_mask: Some(prost_types::FieldMask { paths: vec!["areas".into()] }),
        ..Default::default()
    };
    let created = create(&app, vec![district("lambeth", "SW2")]).await.expect("created");
    let update = update_to(&created.id, vec![whole("lambeth"), district("lambeth", "Sw 4")]);
    let updated = client(&app).await.update_tender(with_token(update, &lambeth_officer())).await.expect("updated");
    let updated = updated.into_inner().tender.expect("tender");
    assert_eq!(updated.areas, [whole("lambeth"), district("lambeth", "SW4")]);

    let tender = published(
        &app,
        Tender { areas: vec![whole("lambeth")], ..befriending(Duration::from_secs(60), Duration::from_secs(120)) },
    )
    .await;
    assert_eq!(tender.status, TenderStatus::ActiveEnquiries as i32);
    assert_eq!(get(&app, &tender.id, &woking_officer()).await.expect("public").areas, [whole("lambeth")]);

    // A tender Lambeth and Southwark fund together, over the border, is found in either area.
    let council = |id: &str, name: &str| proto::commissioning::common::v1::OrganisationRef {
        organisation_id: id.into(),
        kind: proto::commissioning::common::v1::OrganisationKind::Council.into(),
        name: name.into(),
        identifier: None,
    };
    let both = Tender {
        areas: vec![whole("lambeth"), district("southwark", "SE5")],
        funders: vec![
            Funder { organisation: Some(council("lambeth", "Lambeth")), share_basis_points: 5_000 },
            Funder { organisation: Some(council("southwark", "Southwark")), share_basis_points: 5_000 },
        ],
        ..befriending(Duration::from_secs(60), Duration::from_secs(120))
    };
    let both = published(&app, both).await;
    let in_area = async |council: &str| {
        let request = ListTendersRequest { area_council_id: council.into(), ..Default::default() };
        let listed = client(&app).await.list_tenders(with_token(request, &member_of("anyone"))).await.expect("listed");
        let mut ids: Vec<_> = listed.into_inner().tenders.into_iter().map(|tender| tender.id).collect();
        ids.sort();
        ids
    };
    let mut lambeths = vec![tender.id.clone(), both.id.clone()];
    lambeths.sort();
    assert_eq!(in_area("lambeth").await, lambeths);
    assert_eq!(in_area("southwark").await, [both.id.as_str()]);
    assert!(in_area("woking").await.is_empty(), "no tender reaches Woking");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn districts_are_normalised_and_must_exist_on_postgres() {
    districts_are_normalised_and_must_exist(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn districts_are_normalised_and_must_exist_on_sqlite() {
    districts_are_normalised_and_must_exist(on_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tender_may_cover_the_whole_council_on_postgres() {
    a_tender_may_cover_the_whole_council(on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tender_may_cover_the_whole_council_on_sqlite() {
    a_tender_may_cover_the_whole_council(on_sqlite().await).await;
}
