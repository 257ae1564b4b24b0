//! The panel is told of a consortium bid whose partner had not confirmed by the deadline: the
//! evaluation's bid carries each partner's answer and a flag, set only when one is unconfirmed.

use platform::testing::{publish_event, with_token};
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::events::v1::{ProviderProfile, ProviderRegistered};
use proto::commissioning::tendering::v1::{ConfirmConsortiumPartnerRequest, PartnerStatus};

use super::support::*;

async fn the_panel_sees_which_consortium_partners_had_not_confirmed(market: Marketplace) {
    for provider in ["knaphill-friends", "byfleet-club"] {
        let profile =
            ProviderProfile { provider_id: provider.into(), legal_name: provider.into(), ..Default::default() };
        let registered = ProviderRegistered { provider: Some(profile), ..Default::default() };
        publish_event(&market.compliance.bus, "providers.provider_registered", "platform", provider, registered).await;
    }
    let tender = published_tender(&market).await;
    let confirmed = consortium_bid(&market, &tender, "brixton-friends", 7_500, &["knaphill-friends"]).await;
    let unconfirmed = consortium_bid(&market, &tender, "tulse-hill-club", 7_200, &["byfleet-club"]).await;
    let confirm = ConfirmConsortiumPartnerRequest { bid_id: confirmed.bid_id.clone() };
    market
        .tenders()
        .await
        .confirm_consortium_partner(with_token(confirm, &member_of("knaphill-friends")))
        .await
        .expect("confirmed");

    let officer = lambeth_officer();
    let evaluation = eventually("the evaluation opening", || async {
        let request = GetEvaluationRequest { tender_id: tender.id.clone(), ..Default::default() };
        let response = market.evaluations().await.get_evaluation(with_token(request, &officer)).await.ok()?;
        response.into_inner().evaluation
    })
    .await;
    let seen = |bid_id: &str| evaluation.bids.iter().find(|bid| bid.bid_id == bid_id).expect("the bid").clone();
    let flagged = seen(&unconfirmed.bid_id);
    assert!(flagged.partner_unconfirmed, "an unconfirmed partner is flagged to the panel");
    assert_eq!(
        flagged.partners.iter().map(|partner| (partner.provider_id.as_str(), partner.status())).collect::<Vec<_>>(),
        [("byfleet-club", PartnerStatus::Unconfirmed)]
    );
    let clear = seen(&confirmed.bid_id);
    assert!(!clear.partner_unconfirmed, "a consortium whose partner confirmed is not flagged");
    assert_eq!(clear.partners[0].status(), PartnerStatus::Confirmed);
    market.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_sees_which_consortium_partners_had_not_confirmed_on_postgres() {
    the_panel_sees_which_consortium_partners_had_not_confirmed(Marketplace::on_postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_sees_which_consortium_partners_had_not_confirmed_on_sqlite() {
    the_panel_sees_which_consortium_partners_had_not_confirmed(Marketplace::on_sqlite().await).await;
}
