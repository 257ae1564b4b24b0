//! GetOcdsReleasePackage: one tender's contracting process, or a council's processes and block
//! contracts, as an OCDS 1.1 release package. Drafts and bids never appear.
//!
//! It is open data, the one call that needs no token (`crate::who_may_call`): what it returns depends on
//! nothing about the caller, so the public, a stranger and the buying council's own officers all
//! read the same published releases.

use platform::Error;
use platform::paging::Page;
use platform::time::from_timestamp;
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response};

use super::tenders::required_id;
use super::{Answer, TenderingApi};
use crate::ocds::{Process, block_contract_releases, package, process_releases};
use crate::store::{contracts, openings, tenders};

impl TenderingApi {
    pub(super) async fn open_data(
        &self,
        request: Request<GetOcdsReleasePackageRequest>,
    ) -> Answer<GetOcdsReleasePackageResponse> {
        let page = Page::of(request.get_ref())?;
        let request = request.into_inner();
        let (publisher, subject, mut releases) = match (request.tender_id.trim(), request.council_id.trim()) {
            (tender_id, "") if !tender_id.is_empty() => {
                let id = required_id(tender_id)?;
                let stored = tenders::find(self.db.conn(), &id).await?.ok_or(Error::NotFound { kind: "tender", id })?;
                if stored.tender.status == TenderStatus::Draft as i32 {
                    return Err(Error::NotFound { kind: "tender", id: stored.tender.id }.into());
                }
                let releases = self.releases_of(&stored.tender).await?;
                (stored.tender.council_name.clone(), stored.tender.ocid.clone(), releases)
            }
            ("", council_id) if !council_id.is_empty() => {
                let published = tenders::published_of(self.db.conn(), council_id).await?;
                let publisher =
                    published.first().map_or_else(|| council_id.to_owned(), |tender| tender.council_name.clone());
                // The council's identifier as its officers last gave it on a tender.
                let identifier = published.iter().rev().find_map(|tender| tender.buyer_identifier.as_ref());
                let mut releases = Vec::new();
                for tender in &published {
                    releases.extend(self.releases_of(tender).await?);
                }
                for contract in contracts::block_of(self.db.conn(), council_id).await? {
                    releases.extend(block_contract_releases(&contract, &publisher, identifier));
                }
                (publisher, format!("council/{council_id}"), releases)
            }
            _ => {
                return Err(Error::invalid(
                    "tender_id",
                    "give either tender_id or council_id, not both and not neither",
                )
                .into());
            }
        };
        if let Some(since) = request.since.as_ref().and_then(from_timestamp) {
            releases.retain(|release| {
                release["date"]
                    .as_str()
                    .and_then(|date| chrono::DateTime::parse_from_rfc3339(date).ok())
                    .is_some_and(|date| date >= since)
            });
        }
        releases.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
        let shown: Vec<_> = releases.into_iter().skip(page.offset as usize).take(page.limit as usize).collect();
        if shown.is_empty() {
            return Err(Error::NotFound { kind: "OCDS releases", id: subject }.into());
        }
        let next_page_token = page.next_token(shown.len());
        let uri = format!("urn:ocds:package:{subject}:{}", page.offset);
        let body = package(shown, &publisher, &uri, chrono::Utc::now());
        Ok(Response::new(GetOcdsReleasePackageResponse { release_package_json: body.to_string(), next_page_token }))
    }

    async fn releases_of(&self, tender: &Tender) -> Result<Vec<serde_json::Value>, Error> {
        let opening = openings::find(self.db.conn(), &tender.id).await?;
        let awarded = contracts::of_tender(self.db.conn(), &tender.id).await?;
        Ok(process_releases(&Process { tender, opening: opening.as_ref(), contracts: &awarded }))
    }
}
