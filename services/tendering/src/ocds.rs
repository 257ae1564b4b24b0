//! Open data: the tendering service's records as OCDS 1.1 releases and release packages
//! (<https://standard.open-contracting.org/1.1/en/>), with no I/O.
//!
//! A published tender is one contracting process (its `ocid`); a block contract registered without a
//! tender is a process of its own. Each stage a process reaches is one release, written in the
//! compiled style (everything known at that stage, not a difference from the previous release):
//! `tender` at publishing, `tenderAmendment` per amendment, `tenderUpdate` at the close with the
//! tenderers, `tenderCancellation`, `tenderUpdate` with status `unsuccessful`, and `award` +
//! `contract` per contract. Parties carry the roles buyer, funder, tenderer (after the close) and
//! supplier (the lead and each consortium partner of an award). The buyer and funders are named by
//! their org-id identifiers where they have them (party id `<scheme>-<value>`, "GB-LAE-LBH"), else by
//! their marketplace ids or a slug of the name.
//!
//! A tender's estimated value is its `planning.budget`; with funders, the budget breakdown extension
//! splits it into one entry per funder (its share of the value, to the penny, by
//! [`split_by_shares`]) whose `sourceParty` is the funder's party, which then has the role
//! `sourceParty` too, as the extension asks.
//!
//! Bids never appear: not their contents, prices, hashes or ids. The only amounts published are the
//! tender's estimated value (its budget; with every option as `tender.value`, the upper estimate),
//! its lots' and contract values. An option to extend is a period's `maxExtentDate`. OCDS amounts
//! are numbers in pounds, so pence are divided by 100 here, at the edge; OCDS has no VAT flag, so an amount is published as
//! recorded, VAT included or not.
//!
//! Values that an amendment changed are known only as they are now, except the bid deadline, whose
//! earlier values each amendment records: releases before an amendment show the deadline as it was
//! then, and every other field as it is now.

use chrono::{DateTime, SecondsFormat, Utc};
use platform::categories::{self, category_name, cpv_description};
use platform::dates::parse_date;
use platform::org_id::{OrgId, scheme_prefix};
use platform::time::from_timestamp;
use prost_types::Timestamp;
use proto::commissioning::common::v1::{Date, DateRange, Money, OrgIdentifier, PostalAddress, ServiceCategory};
use proto::commissioning::tendering::v1::{
    Amendment, Contract, ContractExtension, ContractStatus, Criterion, CriterionKind, Funder, OpeningEntry,
    OpeningRecord, Procedure, Supplier, Tender, TenderStatus,
};
use serde::Serialize;
use serde_json::Value;

use crate::domain::categories_of;
use crate::domain::eligibility::eligibility_in_words;
use crate::domain::funding::split_by_shares;
use crate::domain::tender_check::percent;
use crate::domain::value_with_options;

/// The OCDS version the packages declare (major.minor, as the package schema wants it).
pub const OCDS_VERSION: &str = "1.1";

/// The lots extension, declared in a package whose releases publish lots (`tender.lots`,
/// `awards.relatedLots`), which core OCDS 1.1 does not have.
pub const LOTS_EXTENSION: &str =
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json";

/// The budget breakdown extension, declared in a package whose releases break a budget down by
/// funder (`planning.budget.budgetBreakdown`). The extension registry lists only its master version.
pub const BUDGET_BREAKDOWN_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/extension.json";

/// Everything known of one contracting process.
pub struct Process<'a> {
    /// The tender; never a draft (the caller filters drafts out; a draft gives no releases).
    pub tender: &'a Tender,
    /// The opening record, set once the tender has closed: its entries are the tenderers.
    pub opening: Option<&'a OpeningRecord>,
    /// The contracts awarded from this tender (route MICRO_TENDER).
    pub contracts: &'a [Contract],
}

/// A block contract registered without a tender: its own contracting process, in one release tagged
/// `award` and `contract` (OCDS wants an award for a contract's `awardID`). The buyer is the council
/// that holds it, named `publisher_name` and identified by `buyer_identifier` when it has one.
pub fn block_contract_releases(
    contract: &Contract,
    publisher_name: &str,
    buyer_identifier: Option<&OrgIdentifier>,
) -> Vec<Value> {
    let ocid = first_non_empty(&[&contract.ocid, &contract.id]);
    let date = time(contract.create_time.as_ref())
        .or_else(|| time(contract.update_time.as_ref()))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let buyer = Buyer::new(&contract.council_id, publisher_name, buyer_identifier, &contract.funders);
    let mut parties = Parties::default();
    parties.add(buyer.party());
    for funder in &contract.funders {
        parties.add(buyer.funder_party(funder));
    }
    let suppliers = award_suppliers(contract, &mut parties);
    let award = Award {
        id: award_id(contract),
        title: Some(format!("Block contract registered by {publisher_name}: {}", contract.title.trim())),
        description: Some(
            "A contract the council already held, registered on the marketplace so that its whole portfolio is \
             published; it was not tendered here."
                .into(),
        ),
        status: "active",
        date: Some(rfc3339(date)),
        value: value(contract.value.as_ref()),
        suppliers,
        contract_period: period(contract.period.as_ref()),
        related_lots: Vec::new(),
    };
    // The signing date of a contract held before it was registered is not known: the registration
    // time would be a false `dateSigned`.
    let contract = contract_release(contract, None);
    let release = Release {
        id: format!("{ocid}-contract"),
        ocid,
        date: rfc3339(date),
        tag: vec!["award", "contract"],
        initiation_type: "tender",
        language: "en",
        parties: parties.0,
        buyer: buyer.reference(),
        planning: None,
        tender: None,
        awards: vec![award],
        contracts: vec![contract],
    };
    vec![to_json(&release)]
}

/// The releases of a process, one per stage reached, oldest first: `tender` at publishing (dated
/// publish_time), `tenderAmendment` per amendment (amend_time), `tenderUpdate` at the close with the
/// tenderers (close_time), `tenderCancellation` when cancelled (update_time), `tenderUpdate` with
/// tender status `unsuccessful` when no bid was acceptable (update_time; a close with no bids is
/// itself that release), and `award` + `contract` per contract (create_time). A draft gives none.
pub fn process_releases(process: &Process<'_>) -> Vec<Value> {
    let tender = process.tender;
    let status = TenderStatus::try_from(tender.status).unwrap_or(TenderStatus::Unspecified);
    if matches!(status, TenderStatus::Unspecified | TenderStatus::Draft) {
        return Vec::new();
    }
    let published = time(tender.publish_time.as_ref())
        .or_else(|| time(tender.create_time.as_ref()))
        .or_else(|| time(tender.update_time.as_ref()))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let mut steps = vec![(published, Step::Published)];
    for (index, amendment) in tender.amendments.iter().enumerate() {
        steps.push((time(amendment.amend_time.as_ref()).unwrap_or(published), Step::Amended(index)));
    }
    let unsuccessful_at_close =
        status == TenderStatus::Unsuccessful && process.opening.is_some_and(|opening| opening.entries.is_empty());
    if let Some(opening) = process.opening {
        let closed = time(tender.close_time.as_ref())
            .or_else(|| time(opening.open_time.as_ref()))
            .or_else(|| time(opening.bid_deadline.as_ref()))
            .or_else(|| time(tender.bid_deadline.as_ref()))
            .unwrap_or(published);
        steps.push((closed, Step::Closed));
    }
    // Contracts in the order they were made; one with no time is taken as made after the others.
    let mut dated: Vec<(&Contract, Option<DateTime<Utc>>)> = process
        .contracts
        .iter()
        .map(|contract| (contract, time(contract.create_time.as_ref()).or_else(|| time(contract.update_time.as_ref()))))
        .collect();
    dated.sort_by_key(|(_, date)| (date.is_none(), *date));
    let mut latest = steps.iter().map(|(date, _)| *date).max().unwrap_or(published);
    for (index, (_, date)) in dated.iter().enumerate() {
        let date = date.unwrap_or(latest);
        latest = latest.max(date);
        steps.push((date, Step::Awarded(index)));
    }
    let contracts: Vec<&Contract> = dated.into_iter().map(|(contract, _)| contract).collect();
    let latest = steps.iter().map(|(date, _)| *date).max().unwrap_or(published);
    let ended = time(tender.update_time.as_ref()).unwrap_or(latest);
    match status {
        TenderStatus::Cancelled => steps.push((ended, Step::Cancelled)),
        TenderStatus::Unsuccessful if !unsuccessful_at_close => steps.push((ended, Step::Unsuccessful)),
        _ => {}
    }
    // Oldest first; publishing always first, and stages at the same time in the order they happen.
    steps.sort_by_key(|(date, step)| (!matches!(step, Step::Published), *date));

    let ocid = first_non_empty(&[&tender.ocid, &tender.id]);
    let compiler = Compiler { tender, opening: process.opening, ocid: &ocid, lots_published: tender.lots.len() > 1 };
    let mut state = State { amendments: Vec::new(), closed: false, status: "active", awarded: Vec::new() };
    let mut previous_id: Option<String> = None;
    let mut releases = Vec::with_capacity(steps.len());
    for (date, step) in steps {
        let (id, tag) = match step {
            Step::Published => (format!("{ocid}-tender"), vec!["tender"]),
            Step::Amended(index) => (format!("{ocid}-amendment-{}", index + 1), vec!["tenderAmendment"]),
            Step::Closed => (format!("{ocid}-closed"), vec!["tenderUpdate"]),
            Step::Cancelled => (format!("{ocid}-cancelled"), vec!["tenderCancellation"]),
            Step::Unsuccessful => (format!("{ocid}-unsuccessful"), vec!["tenderUpdate"]),
            Step::Awarded(index) => {
                let key = contract_key(contracts.get(index).copied(), index);
                (format!("{ocid}-award-{key}"), vec!["award", "contract"])
            }
        };
        match step {
            Step::Published => {}
            Step::Amended(index) => {
                if let Some(amendment) = tender.amendments.get(index) {
                    state.amendments.push(amendment_release(index, amendment, previous_id.as_deref(), &id));
                }
            }
            Step::Closed => {
                state.closed = true;
                if unsuccessful_at_close {
                    state.end("unsuccessful");
                }
            }
            Step::Cancelled => state.end("cancelled"),
            Step::Unsuccessful => state.end("unsuccessful"),
            Step::Awarded(index) => {
                if let Some(contract) = contracts.get(index).copied() {
                    state.awarded.push(contract);
                }
                let every_lot_awarded = matches!(status, TenderStatus::Awarded | TenderStatus::Complete);
                if every_lot_awarded && index + 1 == contracts.len() {
                    state.end("complete");
                }
            }
        }
        releases.push(to_json(&compiler.release(&id, date, tag, &state)));
        previous_id = Some(id);
    }
    releases
}

/// Wraps releases into a release package: `uri` (the package's own address), version "1.1",
/// `publishedDate`, the publisher's name and the releases, with the lots extension declared when
/// any release publishes lots and the budget breakdown extension when any breaks a budget down. The
/// package schema wants at least one release.
pub fn package(releases: Vec<Value>, publisher_name: &str, uri: &str, published: DateTime<Utc>) -> Value {
    let uses_lots = releases.iter().any(|release| {
        release.pointer("/tender/lots").is_some()
            || release
                .get("awards")
                .and_then(Value::as_array)
                .is_some_and(|awards| awards.iter().any(|award| award.get("relatedLots").is_some()))
    });
    let breaks_budgets_down =
        releases.iter().any(|release| release.pointer("/planning/budget/budgetBreakdown").is_some());
    let mut package = serde_json::Map::new();
    package.insert("uri".into(), uri.into());
    package.insert("version".into(), OCDS_VERSION.into());
    package.insert("publishedDate".into(), rfc3339(published).into());
    package.insert("publisher".into(), serde_json::json!({ "name": publisher_name }));
    let extensions: Vec<&str> = [(uses_lots, LOTS_EXTENSION), (breaks_budgets_down, BUDGET_BREAKDOWN_EXTENSION)]
        .into_iter()
        .filter_map(|(used, extension)| used.then_some(extension))
        .collect();
    if !extensions.is_empty() {
        package.insert("extensions".into(), serde_json::json!(extensions));
    }
    package.insert("releases".into(), Value::Array(releases));
    Value::Object(package)
}

/// One stage of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Published,
    /// The amendment at this index of `tender.amendments`.
    Amended(usize),
    Closed,
    Cancelled,
    Unsuccessful,
    /// The contract at this index of the contracts sorted by creation.
    Awarded(usize),
}

/// What is known at a stage.
struct State<'a> {
    amendments: Vec<AmendmentRelease>,
    closed: bool,
    /// The OCDS tender status: active until the process ends, then the end it came to.
    status: &'static str,
    awarded: Vec<&'a Contract>,
}

impl State<'_> {
    fn end(&mut self, status: &'static str) {
        if self.status == "active" {
            self.status = status;
        }
    }
}

/// Writes the compiled release of a tender's process at a stage.
struct Compiler<'a> {
    tender: &'a Tender,
    opening: Option<&'a OpeningRecord>,
    ocid: &'a str,
    /// Lots are published only when there are several (a tender without lots has one, made by the
    /// server); awards then name the lot they are for.
    lots_published: bool,
}

impl Compiler<'_> {
    fn release(&self, id: &str, date: DateTime<Utc>, tag: Vec<&'static str>, state: &State<'_>) -> Release {
        let tender = self.tender;
        let buyer = self.buyer();
        let mut parties = Parties::default();
        parties.add(buyer.party());
        let planning = self.planning();
        let funds_budget = planning.as_ref().is_some_and(|planning| !planning.budget.budget_breakdown.is_empty());
        for funder in &tender.funders {
            let mut party = buyer.funder_party(funder);
            if funds_budget {
                party.roles.push(SOURCE_PARTY);
            }
            parties.add(party);
        }
        let tenderers = if state.closed { self.opening.map_or(&[][..], |opening| &opening.entries[..]) } else { &[] };
        for entry in tenderers {
            parties.add(tenderer_party(entry));
        }
        let mut awards = Vec::with_capacity(state.awarded.len());
        let mut contracts = Vec::with_capacity(state.awarded.len());
        for contract in &state.awarded {
            for funder in &contract.funders {
                parties.add(buyer.funder_party(funder));
            }
            let suppliers = award_suppliers(contract, &mut parties);
            let lot = contract.lot_id.trim();
            let signed = time(contract.create_time.as_ref());
            awards.push(Award {
                id: award_id(contract),
                title: non_empty(&contract.title),
                description: None,
                status: "active",
                date: signed.map(rfc3339),
                value: value(contract.value.as_ref()),
                suppliers,
                contract_period: extended_period(contract.period.as_ref(), contract.extension.as_ref()),
                related_lots: if self.lots_published && !lot.is_empty() { vec![lot.to_owned()] } else { Vec::new() },
            });
            contracts.push(contract_release(contract, signed));
        }
        Release {
            ocid: self.ocid.to_owned(),
            id: id.to_owned(),
            date: rfc3339(date),
            tag,
            initiation_type: "tender",
            language: "en",
            parties: parties.0,
            buyer: buyer.reference(),
            planning,
            tender: Some(self.tender_release(state, tenderers)),
            awards,
            contracts,
        }
    }

    fn buyer(&self) -> Buyer<'_> {
        let tender = self.tender;
        Buyer::new(&tender.council_id, &tender.council_name, tender.buyer_identifier.as_ref(), &tender.funders)
    }

    /// The estimated value as the budget, broken down by funder when there are funders: each
    /// entry the funder's share of the value to the penny, the shares adding up to the whole.
    fn planning(&self) -> Option<Planning> {
        let tender = self.tender;
        let estimate = tender.estimated_value.as_ref()?;
        let buyer = self.buyer();
        let shares: Vec<i32> = tender.funders.iter().map(|funder| funder.share_basis_points).collect();
        let parts = split_by_shares(estimate.amount_pence, &shares);
        let budget_breakdown = tender
            .funders
            .iter()
            .zip(parts)
            .enumerate()
            .map(|(index, (funder, amount_pence))| {
                let party = buyer.funder_party(funder);
                BudgetBreakdown {
                    id: (index + 1).to_string(),
                    description: format!(
                        "{}: {} of the estimated value",
                        party.name,
                        percent(i64::from(funder.share_basis_points))
                    ),
                    amount: value(Some(&Money { amount_pence, ..estimate.clone() })),
                    source_party: OrganizationReference { id: party.id, name: party.name },
                }
            })
            .collect();
        let description = if tender.funders.len() > 1 {
            "The tender's estimated value, funded jointly in the shares of the budget breakdown"
        } else {
            "The tender's estimated value"
        };
        Some(Planning { budget: Budget { description, amount: value(Some(estimate)), budget_breakdown } })
    }

    fn tender_release(&self, state: &State<'_>, tenderers: &[OpeningEntry]) -> TenderRelease {
        let tender = self.tender;
        let open =
            Procedure::try_from(tender.procedure).unwrap_or(Procedure::Unspecified) != Procedure::RequestForQuotes;
        // The deadline as it stood at this stage: the next amendment records what it was before.
        let deadline = tender
            .amendments
            .get(state.amendments.len())
            .and_then(|next| next.previous_bid_deadline)
            .or(tender.bid_deadline);
        let (award_criteria, award_criteria_details) = award_criteria(&tender.criteria, &tender.price_weight_reason);
        TenderRelease {
            id: tender.id.clone(),
            title: non_empty(&tender.title),
            description: description(tender),
            status: state.status,
            procurement_method: if open { "open" } else { "limited" },
            procurement_method_details: if open {
                "Open micro-tender: any provider may bid"
            } else {
                "Request for quotes from invited providers"
            },
            procurement_method_rationale: (!open).then_some(
                "Below the council's notice threshold, a request for quotes from named providers is allowed",
            ),
            main_procurement_category: "services",
            value: value(value_with_options(tender).as_ref()),
            award_criteria,
            award_criteria_details,
            tender_period: Period::new(time_text(tender.enquiry_period_end.as_ref()), time_text(deadline.as_ref())),
            enquiry_period: Period::new(
                time_text(tender.publish_time.as_ref()),
                time_text(tender.enquiry_period_end.as_ref()),
            ),
            contract_period: extended_period(tender.contract_period.as_ref(), tender.extension.as_ref()),
            items: items(&tender.cpv_codes, &categories_of(tender)),
            lots: if self.lots_published {
                tender
                    .lots
                    .iter()
                    .map(|lot| LotRelease {
                        id: lot.id.clone(),
                        title: non_empty(&lot.title),
                        description: non_empty(&lot.description),
                        value: value(lot.estimated_value.as_ref()),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            number_of_tenderers: state.closed.then_some(tenderers.len()),
            tenderers: tenderers
                .iter()
                .map(|entry| OrganizationReference {
                    id: party_id(&entry.provider_id, &entry.provider_name),
                    name: entry.provider_name.clone(),
                })
                .collect(),
            amendments: state.amendments.clone(),
        }
    }
}

/// The id of a contract's release within its process: its own id, or its position when it has none.
fn contract_key(contract: Option<&Contract>, index: usize) -> String {
    contract
        .map(|contract| contract.id.trim())
        .filter(|id| !id.is_empty())
        .map_or_else(|| (index + 1).to_string(), str::to_owned)
}

fn award_id(contract: &Contract) -> String {
    format!("{}-award", contract.id)
}

fn contract_release(contract: &Contract, signed: Option<DateTime<Utc>>) -> ContractRelease {
    let category = ServiceCategory::try_from(contract.category).unwrap_or(ServiceCategory::Unspecified);
    ContractRelease {
        id: contract.id.clone(),
        award_id: award_id(contract),
        title: non_empty(&contract.title),
        description: non_empty(&contract.description),
        status: match ContractStatus::try_from(contract.status) {
            Ok(ContractStatus::Pending) => Some("pending"),
            Ok(ContractStatus::Active) => Some("active"),
            Ok(ContractStatus::Ended) => Some("terminated"),
            Ok(ContractStatus::Unspecified) | Err(_) => None,
        },
        period: extended_period(contract.period.as_ref(), contract.extension.as_ref()),
        value: value(contract.value.as_ref()),
        items: items(&contract.cpv_codes, &[category]),
        date_signed: signed.map(rfc3339),
    }
}

fn amendment_release(index: usize, amendment: &Amendment, amends: Option<&str>, release_id: &str) -> AmendmentRelease {
    let mut description = if amendment.changed_fields.is_empty() {
        "The tender was changed.".to_owned()
    } else {
        format!("Changed: {}.", amendment.changed_fields.join(", "))
    };
    if amendment.material {
        description.push_str(" A material change.");
    }
    let previous = time(amendment.previous_bid_deadline.as_ref());
    let new = time(amendment.new_bid_deadline.as_ref());
    if let (Some(previous), Some(new)) = (previous, new)
        && previous != new
    {
        description.push_str(&format!(" The bid deadline moved from {} to {}.", rfc3339(previous), rfc3339(new)));
    }
    AmendmentRelease {
        id: (index + 1).to_string(),
        date: time_text(amendment.amend_time.as_ref()),
        rationale: non_empty(&amendment.reason),
        description,
        amends_release_id: amends.map(str::to_owned),
        release_id: release_id.to_owned(),
    }
}

/// The summary, then each section with a body under its heading, then who the service is for
/// (OCDS has no field for the people a service serves: its eligibilityCriteria are for bidders),
/// separated by blank lines.
fn description(tender: &Tender) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if !tender.summary.trim().is_empty() {
        parts.push(tender.summary.trim().to_owned());
    }
    for section in &tender.description_sections {
        let (heading, body) = (section.heading.trim(), section.body.trim());
        match (heading.is_empty(), body.is_empty()) {
            (_, true) => {}
            (true, false) => parts.push(body.to_owned()),
            (false, false) => parts.push(format!("{heading}\n{body}")),
        }
    }
    if let Some(eligibility) = tender.eligibility.as_ref().and_then(eligibility_in_words) {
        parts.push(format!("Eligibility\n{eligibility}"));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The OCDS award criteria from the evaluation criteria: rated when price and quality are both
/// weighted, with each criterion and its weight in the details, and the officer's reason beside a
/// price weighted above the limit.
fn award_criteria(criteria: &[Criterion], price_weight_reason: &str) -> (Option<&'static str>, Option<String>) {
    let kind = |criterion: &Criterion| CriterionKind::try_from(criterion.kind).unwrap_or(CriterionKind::Unspecified);
    let price = criteria.iter().any(|criterion| kind(criterion) == CriterionKind::Price && criterion.weight > 0);
    let quality = criteria.iter().any(|criterion| {
        matches!(kind(criterion), CriterionKind::Quality | CriterionKind::SocialValue) && criterion.weight > 0
    });
    let code = match (price, quality) {
        (true, true) => Some("ratedCriteria"),
        (true, false) => Some("priceOnly"),
        (false, true) => Some("qualityOnly"),
        (false, false) => None,
    };
    let details: Vec<String> = criteria
        .iter()
        .filter(|criterion| !criterion.name.trim().is_empty())
        .map(|criterion| match kind(criterion) {
            CriterionKind::PassFail => format!("{} (pass or fail)", criterion.name.trim()),
            CriterionKind::Price if !price_weight_reason.trim().is_empty() => {
                format!("{} {}% ({})", criterion.name.trim(), criterion.weight, price_weight_reason.trim())
            }
            _ => format!("{} {}%", criterion.name.trim(), criterion.weight),
        })
        .collect();
    (code, (!details.is_empty()).then(|| details.join("; ")))
}

/// One item per CPV code (without its check digit), or per code of the categories when none is
/// given, described by the categories bought.
fn items(cpv_codes: &[String], bought: &[ServiceCategory]) -> Vec<Item> {
    let mut codes: Vec<String> = Vec::new();
    let given = cpv_codes.iter().map(|code| code.trim().split('-').next().unwrap_or_default().to_owned());
    let defaults = bought.iter().flat_map(|category| categories::cpv_codes(*category)).map(|code| (*code).to_owned());
    let all: Vec<String> =
        if cpv_codes.iter().any(|code| !code.trim().is_empty()) { given.collect() } else { defaults.collect() };
    for code in all {
        if !code.is_empty() && !codes.contains(&code) {
            codes.push(code);
        }
    }
    let names: Vec<&str> = bought
        .iter()
        .filter(|category| **category != ServiceCategory::Unspecified)
        .map(|category| category_name(*category))
        .collect();
    let description = (!names.is_empty()).then(|| names.join("; "));
    codes
        .into_iter()
        .enumerate()
        .map(|(index, code)| Item {
            id: (index + 1).to_string(),
            description: description.clone(),
            classification: Classification { scheme: "CPV", description: cpv_description(&code), id: code },
        })
        .collect()
}

const BUYER: &str = "buyer";
const FUNDER: &str = "funder";
/// The budget breakdown extension's role for the party a budget entry comes from.
const SOURCE_PARTY: &str = "sourceParty";
const TENDERER: &str = "tenderer";
const SUPPLIER: &str = "supplier";

/// The buying council of a process.
struct Buyer<'a> {
    council_id: &'a str,
    name: &'a str,
    identifier: Option<&'a OrgIdentifier>,
}

impl<'a> Buyer<'a> {
    /// The council `council_id`, identified by `identifier`, or else by the identifier its own
    /// entry among the `funders` gives, so that it is one party whichever names it.
    fn new(council_id: &'a str, name: &'a str, identifier: Option<&'a OrgIdentifier>, funders: &'a [Funder]) -> Self {
        let own = || {
            funders
                .iter()
                .filter_map(|funder| funder.organisation.as_ref())
                .find(|organisation| organisation.organisation_id.trim() == council_id.trim())
                .and_then(|organisation| organisation.identifier.as_ref())
        };
        Self { council_id, name, identifier: identifier.or_else(own) }
    }

    fn party(&self) -> Party {
        organisation_party(self.council_id, self.name, self.identifier, BUYER)
    }

    fn reference(&self) -> OrganizationReference {
        let party = self.party();
        OrganizationReference { id: party.id, name: party.name }
    }

    /// A funder's party. The buying council funding its own tender is the buyer's party, even when
    /// only the buyer's identifier is given.
    fn funder_party(&self, funder: &Funder) -> Party {
        let Some(organisation) = funder.organisation.as_ref() else { return Party::new(&slug(""), "", FUNDER) };
        let id = organisation.organisation_id.trim();
        let identifier = organisation.identifier.as_ref().or(self.identifier.filter(|_| id == self.council_id.trim()));
        organisation_party(id, &organisation.name, identifier, FUNDER)
    }
}

/// An organisation's party: identified by its org-id identifier (party id `<scheme>-<value>`) when
/// it has a well-formed one, else by its marketplace id, else by a slug of its name.
fn organisation_party(id: &str, name: &str, identifier: Option<&OrgIdentifier>, role: &'static str) -> Party {
    let identifier = identifier.and_then(|identifier| OrgId::parse(identifier, "").ok());
    let Some(identifier) = identifier else { return Party::new(&party_id(id, name), name, role) };
    let mut party = Party::new(&identifier.org_id(), name, role);
    party.identifier = Some(Identifier {
        scheme: scheme_prefix(identifier.scheme()),
        id: identifier.value().to_owned(),
        legal_name: None,
    });
    party
}

fn tenderer_party(entry: &OpeningEntry) -> Party {
    Party::new(&party_id(&entry.provider_id, &entry.provider_name), &entry.provider_name, TENDERER)
}

/// An award's suppliers: the lead, then each consortium partner (OCDS's way of publishing a joint
/// award), each added to the parties as a supplier with its identifiers.
fn award_suppliers(contract: &Contract, parties: &mut Parties) -> Vec<OrganizationReference> {
    std::iter::once(contract.supplier.as_ref())
        .chain(contract.partners.iter().map(Some))
        .map(|supplier| {
            let party = supplier_party(supplier);
            let reference = OrganizationReference { id: party.id.clone(), name: party.name.clone() };
            parties.add(party);
            reference
        })
        .collect()
}

/// The supplier with its org-id identifiers (the first as `identifier`) and registered address.
fn supplier_party(supplier: Option<&Supplier>) -> Party {
    let Some(supplier) = supplier else { return Party::new(&slug(""), "", SUPPLIER) };
    let mut party = Party::new(&party_id(&supplier.provider_id, &supplier.name), &supplier.name, SUPPLIER);
    let mut identifiers = supplier.identifiers.iter().filter_map(|identifier| {
        let scheme = scheme_prefix(identifier.scheme());
        let id = identifier.value.trim();
        (!scheme.is_empty() && !id.is_empty()).then(|| Identifier {
            scheme,
            id: id.to_owned(),
            legal_name: non_empty(&supplier.name),
        })
    });
    party.identifier = identifiers.next();
    party.additional_identifiers = identifiers.collect();
    party.address = supplier.address.as_ref().map(address);
    party
}

fn address(address: &PostalAddress) -> Address {
    let street: Vec<&str> =
        [address.line1.trim(), address.line2.trim()].into_iter().filter(|line| !line.is_empty()).collect();
    let country = address.country_code.trim();
    Address {
        street_address: (!street.is_empty()).then(|| street.join(", ")),
        locality: non_empty(&address.town),
        region: non_empty(&address.county),
        postal_code: non_empty(&address.postcode),
        country_name: (country.is_empty() || country.eq_ignore_ascii_case("GB")).then(|| "United Kingdom".to_owned()),
    }
}

/// A party's id: the marketplace id, or a slug of the name for a body not on the marketplace.
fn party_id(id: &str, name: &str) -> String {
    let id = id.trim();
    if id.is_empty() { slug(name) } else { id.to_owned() }
}

/// "NHS South East London ICB" as "nhs-south-east-london-icb".
fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "unnamed-organisation".to_owned() } else { slug.to_owned() }
}

/// OCDS amounts are numbers: pence / 100, exact to the penny for any amount below 2^53 pence.
fn value(money: Option<&Money>) -> Option<ValueRelease> {
    let money = money?;
    let currency = money.currency.trim();
    #[allow(clippy::cast_precision_loss)]
    let amount = money.amount_pence as f64 / 100.0;
    Some(ValueRelease {
        amount,
        currency: if currency.is_empty() { "GBP".to_owned() } else { currency.to_ascii_uppercase() },
    })
}

/// Midnight UTC of a day.
fn day(date: Option<&Date>) -> Option<String> {
    date.and_then(|date| parse_date(date).ok()).map(|date| format!("{date}T00:00:00Z"))
}

/// A date range as a period from midnight UTC of its first day to midnight UTC of its last.
fn period(range: Option<&DateRange>) -> Option<Period> {
    let range = range?;
    Period::new(day(range.start_date.as_ref()), day(range.end_date.as_ref()))
}

/// A contract period with its option to extend as `maxExtentDate`, the day it cannot be extended
/// beyond (OCDS 1.1 core).
fn extended_period(range: Option<&DateRange>, extension: Option<&ContractExtension>) -> Option<Period> {
    let mut period = period(range)?;
    period.max_extent_date = day(extension.and_then(|extension| extension.max_end_date.as_ref()));
    Some(period)
}

fn time(timestamp: Option<&Timestamp>) -> Option<DateTime<Utc>> {
    timestamp.and_then(from_timestamp)
}

fn time_text(timestamp: Option<&Timestamp>) -> Option<String> {
    time(timestamp).map(rfc3339)
}

/// "2027-01-31T12:00:00Z", with fractions of a second only when there are any.
fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn first_non_empty(texts: &[&str]) -> String {
    texts.iter().map(|text| text.trim()).find(|text| !text.is_empty()).unwrap_or("unknown").to_owned()
}

fn to_json(release: &Release) -> Value {
    // Plain structs with string keys: serialising them cannot fail.
    serde_json::to_value(release).unwrap_or(Value::Null)
}

/// The parties of a release, one per id, with the roles of every mention merged.
#[derive(Default)]
struct Parties(Vec<Party>);

impl Parties {
    fn add(&mut self, party: Party) {
        let Some(known) = self.0.iter_mut().find(|known| known.id == party.id) else {
            self.0.push(party);
            return;
        };
        for role in party.roles {
            if !known.roles.contains(&role) {
                known.roles.push(role);
            }
        }
        if known.name.is_empty() {
            known.name = party.name;
        }
        if known.identifier.is_none() {
            known.identifier = party.identifier;
            known.additional_identifiers = party.additional_identifiers;
        }
        if known.address.is_none() {
            known.address = party.address;
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Release {
    ocid: String,
    id: String,
    date: String,
    tag: Vec<&'static str>,
    initiation_type: &'static str,
    language: &'static str,
    parties: Vec<Party>,
    buyer: OrganizationReference,
    #[serde(skip_serializing_if = "Option::is_none")]
    planning: Option<Planning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tender: Option<TenderRelease>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    awards: Vec<Award>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contracts: Vec<ContractRelease>,
}

#[derive(Serialize)]
struct Planning {
    budget: Budget,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Budget {
    description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<ValueRelease>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    budget_breakdown: Vec<BudgetBreakdown>,
}

/// One funder's part of a budget (the budget breakdown extension).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BudgetBreakdown {
    id: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<ValueRelease>,
    source_party: OrganizationReference,
}

#[derive(Serialize, Clone)]
struct OrganizationReference {
    id: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Party {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    additional_identifiers: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
    roles: Vec<&'static str>,
}

impl Party {
    fn new(id: &str, name: &str, role: &'static str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.trim().to_owned(),
            identifier: None,
            additional_identifiers: Vec::new(),
            address: None,
            roles: vec![role],
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identifier {
    scheme: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    legal_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    street_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TenderRelease {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    status: &'static str,
    procurement_method: &'static str,
    procurement_method_details: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    procurement_method_rationale: Option<&'static str>,
    main_procurement_category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<ValueRelease>,
    #[serde(skip_serializing_if = "Option::is_none")]
    award_criteria: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    award_criteria_details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tender_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enquiry_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<Item>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lots: Vec<LotRelease>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_of_tenderers: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tenderers: Vec<OrganizationReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    amendments: Vec<AmendmentRelease>,
}

#[derive(Serialize)]
struct ValueRelease {
    amount: f64,
    currency: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
    /// The last day the period may be extended to (the option to extend's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    max_extent_date: Option<String>,
}

impl Period {
    fn new(start_date: Option<String>, end_date: Option<String>) -> Option<Self> {
        (start_date.is_some() || end_date.is_some()).then_some(Self { start_date, end_date, max_extent_date: None })
    }
}

#[derive(Serialize)]
struct Item {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    classification: Classification,
}

#[derive(Serialize)]
struct Classification {
    scheme: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'static str>,
}

#[derive(Serialize)]
struct LotRelease {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<ValueRelease>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct AmendmentRelease {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
    description: String,
    #[serde(rename = "amendsReleaseID", skip_serializing_if = "Option::is_none")]
    amends_release_id: Option<String>,
    #[serde(rename = "releaseID")]
    release_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Award {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<ValueRelease>,
    suppliers: Vec<OrganizationReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract_period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_lots: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContractRelease {
    id: String,
    #[serde(rename = "awardID")]
    award_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<ValueRelease>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_signed: Option<String>,
}

#[cfg(test)]
#[path = "../tests/tendering/ocds_schema.rs"]
mod ocds_schema;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use platform::time::to_timestamp;
    use proto::commissioning::common::v1::{OrgIdScheme, OrganisationKind, OrganisationRef, SizeClass};
    use proto::commissioning::tendering::v1::{ContractRoute, DescriptionSection, Lot};
    use serde_json::json;

    use super::ocds_schema::schema_errors;
    use super::*;

    const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ocds-1.1.5");
    const OCID: &str = "ocds-cmkt01-tender-1";
    const LAMBETH: &str = "London Borough of Lambeth";

    /// The codes of an OCDS codelist (the first column of its CSV; descriptions may hold quoted
    /// commas and line breaks).
    fn codes(file: &str) -> HashSet<String> {
        let text = std::fs::read_to_string(format!("{SCHEMAS}/codelists/{file}")).expect("codelist");
        let (mut codes, mut field, mut column, mut quoted) = (HashSet::new(), String::new(), 0, false);
        for character in text.chars() {
            match character {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    if column == 0 {
                        codes.insert(std::mem::take(&mut field));
                    }
                    column += 1;
                }
                '\n' if !quoted => {
                    if column == 0 && !field.is_empty() {
                        codes.insert(std::mem::take(&mut field));
                    }
                    (column, field) = (0, String::new());
                }
                '\r' => {}
                _ if column == 0 => field.push(character),
                _ => {}
            }
        }
        codes.remove("Code");
        codes
    }

    fn strings(values: &Value) -> Vec<String> {
        values.as_array().into_iter().flatten().map(|value| value.as_str().expect("a string").to_owned()).collect()
    }

    fn currencies(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if key == "currency" {
                        found.push(inner.as_str().expect("currency is a code").to_owned());
                    }
                    currencies(inner, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| currencies(item, found)),
            _ => {}
        }
    }

    /// Valid against the official release package schema (with the budget breakdown extension),
    /// with every coded value in its codelist and every release id unique within its process.
    fn assert_valid(package: &Value) {
        let errors = schema_errors(package);
        assert!(errors.is_empty(), "invalid OCDS release package {package:#}: {errors:#?}");
        let in_codelist = |file: &str, values: Vec<String>| {
            let codes = codes(file);
            assert!(!codes.is_empty(), "{file} read");
            for value in values {
                assert!(codes.contains(&value), "{value:?} is not in {file}");
            }
        };
        let mut ids = HashSet::new();
        for release in package["releases"].as_array().expect("releases") {
            let id = (release["ocid"].as_str().expect("ocid"), release["id"].as_str().expect("id"));
            assert!(ids.insert(id), "release id {id:?} repeated");
            assert!(!id.1.contains('#'), "a release id has no #");
            in_codelist("releaseTag.csv", strings(&release["tag"]));
            in_codelist("initiationType.csv", vec![release["initiationType"].as_str().expect("initiationType").into()]);
            for party in release["parties"].as_array().expect("parties") {
                // The budget breakdown extension adds the role of a budget entry's source.
                let roles = strings(&party["roles"]).into_iter().filter(|role| role != SOURCE_PARTY).collect();
                in_codelist("partyRole.csv", roles);
            }
            let tender = &release["tender"];
            if tender.is_object() {
                in_codelist("tenderStatus.csv", vec![tender["status"].as_str().expect("tender status").into()]);
                in_codelist("method.csv", vec![tender["procurementMethod"].as_str().expect("method").into()]);
                in_codelist(
                    "procurementCategory.csv",
                    vec![tender["mainProcurementCategory"].as_str().expect("category").into()],
                );
                if let Some(criteria) = tender["awardCriteria"].as_str() {
                    in_codelist("awardCriteria.csv", vec![criteria.into()]);
                }
                for item in tender["items"].as_array().into_iter().flatten() {
                    in_codelist(
                        "itemClassificationScheme.csv",
                        vec![item["classification"]["scheme"].as_str().expect("scheme").into()],
                    );
                }
            }
            for award in release["awards"].as_array().into_iter().flatten() {
                in_codelist("awardStatus.csv", vec![award["status"].as_str().expect("award status").into()]);
            }
            for contract in release["contracts"].as_array().into_iter().flatten() {
                in_codelist("contractStatus.csv", vec![contract["status"].as_str().expect("contract status").into()]);
            }
        }
        let mut found = Vec::new();
        currencies(package, &mut found);
        in_codelist("currency.csv", found);
    }

    fn published() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-03-01T08:00:00Z").expect("time").with_timezone(&Utc)
    }

    fn packaged(releases: &[Value]) -> Value {
        package(releases.to_vec(), LAMBETH, "https://lambeth.example.org/ocds/packages/1.json", published())
    }

    /// A process's releases, checked as a package.
    fn releases_of(tender: &Tender, opening: Option<&OpeningRecord>, contracts: &[Contract]) -> Vec<Value> {
        let releases = process_releases(&Process { tender, opening, contracts });
        assert_valid(&packaged(&releases));
        releases
    }

    fn tags(releases: &[Value]) -> Vec<Value> {
        releases.iter().map(|release| release["tag"].clone()).collect()
    }

    fn statuses(releases: &[Value]) -> Vec<&str> {
        releases.iter().map(|release| release["tender"]["status"].as_str().expect("tender status")).collect()
    }

    fn party<'a>(release: &'a Value, id: &str) -> &'a Value {
        release["parties"]
            .as_array()
            .expect("parties")
            .iter()
            .find(|party| party["id"] == id)
            .unwrap_or_else(|| panic!("no party {id} in {:#}", release["parties"]))
    }

    fn at(text: &str) -> Option<Timestamp> {
        Some(to_timestamp(DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)))
    }

    fn pence(amount_pence: i64) -> Option<Money> {
        Some(Money { amount_pence, currency: "GBP".into(), vat_included: true })
    }

    fn day(year: i32, month: i32, day: i32) -> Option<Date> {
        Some(Date { year, month, day })
    }

    fn published_tender() -> Tender {
        Tender {
            id: "tender-1".into(),
            council_id: "lambeth".into(),
            council_name: LAMBETH.into(),
            status: TenderStatus::ActiveEnquiries as i32,
            title: "Community connector service, Brixton".into(),
            summary: "A community connector to help isolated older people in Brixton find local activities.".into(),
            description_sections: vec![
                DescriptionSection { heading: "Who it is for".into(), body: "People over 65 who live alone.".into() },
                DescriptionSection { heading: "Outcomes we are looking for".into(), body: String::new() },
            ],
            category: ServiceCategory::CommunityConnector as i32,
            cpv_codes: vec!["85312000-9".into(), "85322000".into()],
            estimated_value: pence(800_000),
            contract_period: Some(DateRange { start_date: day(2027, 4, 1), end_date: day(2028, 3, 31) }),
            procedure: Procedure::OpenMicroTender as i32,
            criteria: vec![
                Criterion { name: "Price".into(), kind: CriterionKind::Price as i32, weight: 40, ..Default::default() },
                Criterion {
                    name: "Reaching isolated people".into(),
                    kind: CriterionKind::Quality as i32,
                    weight: 60,
                    max_score: 10,
                    ..Default::default()
                },
            ],
            lots: vec![Lot {
                id: "lot-1".into(),
                title: "Brixton".into(),
                estimated_value: pence(800_000),
                ..Default::default()
            }],
            enquiry_period_end: at("2027-01-15T12:00:00Z"),
            bid_deadline: at("2027-02-01T12:00:00Z"),
            ocid: OCID.into(),
            publish_time: at("2027-01-04T09:30:00Z"),
            create_time: at("2027-01-03T16:00:00Z"),
            update_time: at("2027-01-04T09:30:00Z"),
            ..Default::default()
        }
    }

    fn closed_tender() -> Tender {
        let mut tender = published_tender();
        tender.status = TenderStatus::ActiveEvaluation as i32;
        tender.close_time = at("2027-02-01T12:00:05Z");
        tender.update_time = at("2027-02-01T12:00:05Z");
        tender
    }

    fn opening(bidders: &[(&str, &str)]) -> OpeningRecord {
        OpeningRecord {
            tender_id: "tender-1".into(),
            council_id: "lambeth".into(),
            bid_deadline: at("2027-02-01T12:00:00Z"),
            open_time: at("2027-02-01T12:00:05Z"),
            entries: bidders
                .iter()
                .enumerate()
                .map(|(index, (provider_id, provider_name))| OpeningEntry {
                    bid_id: format!("bid-{index}"),
                    provider_id: (*provider_id).into(),
                    provider_name: (*provider_name).into(),
                    version: 1,
                    sha256_hex: format!("{index}").repeat(64),
                    receive_time: at("2027-01-20T10:00:00Z"),
                    ..Default::default()
                })
                .collect(),
        }
    }

    fn two_bidders() -> OpeningRecord {
        opening(&[("brixton-befrienders", "Brixton Befrienders"), ("stockwell-friends", "Stockwell Friends")])
    }

    fn funders() -> Vec<Funder> {
        vec![
            Funder {
                organisation: Some(OrganisationRef {
                    organisation_id: "lambeth".into(),
                    kind: OrganisationKind::Council as i32,
                    name: LAMBETH.into(),
                    ..Default::default()
                }),
                share_basis_points: 7500,
            },
            Funder {
                organisation: Some(OrganisationRef {
                    organisation_id: String::new(),
                    kind: OrganisationKind::IntegratedCareBoard as i32,
                    name: "NHS South East London ICB".into(),
                    ..Default::default()
                }),
                share_basis_points: 2500,
            },
        ]
    }

    fn charity_contract() -> Contract {
        Contract {
            id: "contract-1".into(),
            council_id: "lambeth".into(),
            route: ContractRoute::MicroTender as i32,
            status: ContractStatus::Pending as i32,
            title: "Community connector service, Brixton".into(),
            description: "A community connector for isolated older people in Brixton.".into(),
            supplier: Some(Supplier {
                provider_id: "brixton-befrienders".into(),
                name: "Brixton Befrienders".into(),
                identifiers: vec![
                    OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: "1123456".into() },
                    OrgIdentifier { scheme: OrgIdScheme::GbCoh as i32, value: "09876543".into() },
                ],
                address: Some(PostalAddress {
                    line1: "12 Acre Lane".into(),
                    town: "London".into(),
                    postcode: "SW2 5SG".into(),
                    ..Default::default()
                }),
                size_class: SizeClass::Small as i32,
                vcse: true,
            }),
            value: pence(780_000),
            period: Some(DateRange { start_date: day(2027, 4, 1), end_date: day(2028, 3, 31) }),
            category: ServiceCategory::CommunityConnector as i32,
            cpv_codes: vec!["85312000".into()],
            funders: funders(),
            tender_id: "tender-1".into(),
            lot_id: "lot-1".into(),
            bid_id: "bid-0".into(),
            ocid: OCID.into(),
            create_time: at("2027-02-20T15:00:00Z"),
            update_time: at("2027-02-20T15:00:00Z"),
            ..Default::default()
        }
    }

    fn awarded_tender() -> Tender {
        let mut tender = closed_tender();
        tender.status = TenderStatus::Awarded as i32;
        tender.funders = funders();
        tender.award_time = at("2027-02-20T15:00:00Z");
        tender.update_time = at("2027-02-20T15:00:00Z");
        tender
    }

    fn block_contract() -> Contract {
        Contract {
            id: "block-1".into(),
            council_id: "lambeth".into(),
            route: ContractRoute::Block as i32,
            status: ContractStatus::Active as i32,
            title: "Day opportunities for older people".into(),
            supplier: Some(Supplier {
                name: "Carewell Services Ltd".into(),
                identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbCoh as i32, value: "01234567".into() }],
                size_class: SizeClass::Large as i32,
                ..Default::default()
            }),
            value: pence(120_000_000),
            period: Some(DateRange { start_date: day(2025, 4, 1), end_date: day(2028, 3, 31) }),
            category: ServiceCategory::GroupActivities as i32,
            external_reference: "LBL-2025-017".into(),
            ocid: "ocds-cmkt01-block-1".into(),
            create_time: at("2026-11-02T10:15:00Z"),
            update_time: at("2026-11-02T10:15:00Z"),
            ..Default::default()
        }
    }

    #[test]
    fn a_published_tender_is_one_active_open_tender_release() {
        let releases = releases_of(&published_tender(), None, &[]);
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release["ocid"], OCID);
        assert_eq!(release["id"], "ocds-cmkt01-tender-1-tender");
        assert_eq!(release["tag"], json!(["tender"]));
        assert_eq!(release["date"], "2027-01-04T09:30:00Z");
        assert_eq!((&release["initiationType"], &release["language"]), (&json!("tender"), &json!("en")));
        assert_eq!(release["buyer"], json!({ "id": "lambeth", "name": LAMBETH }));
        assert_eq!(release["parties"], json!([{ "id": "lambeth", "name": LAMBETH, "roles": ["buyer"] }]));
        let tender = &release["tender"];
        assert_eq!(tender["id"], "tender-1");
        assert_eq!(tender["title"], "Community connector service, Brixton");
        assert_eq!(tender["status"], "active");
        assert_eq!(tender["procurementMethod"], "open");
        assert_eq!(tender["mainProcurementCategory"], "services");
        assert_eq!(tender["value"], json!({ "amount": 8000.0, "currency": "GBP" }));
        assert_eq!(
            tender["tenderPeriod"],
            json!({ "startDate": "2027-01-15T12:00:00Z", "endDate": "2027-02-01T12:00:00Z" })
        );
        assert_eq!(
            tender["enquiryPeriod"],
            json!({ "startDate": "2027-01-04T09:30:00Z", "endDate": "2027-01-15T12:00:00Z" })
        );
        assert_eq!(
            tender["contractPeriod"],
            json!({ "startDate": "2027-04-01T00:00:00Z", "endDate": "2028-03-31T00:00:00Z" })
        );
        let description = tender["description"].as_str().expect("description");
        assert!(description.starts_with("A community connector to help"), "{description}");
        assert!(description.contains("\n\nWho it is for\nPeople over 65 who live alone."), "{description}");
        assert!(!description.contains("Outcomes"), "a heading with no body is left out: {description}");
        let classifications: Vec<&Value> =
            tender["items"].as_array().expect("items").iter().map(|item| &item["classification"]).collect();
        assert_eq!(classifications[0]["scheme"], "CPV");
        assert_eq!(classifications[0]["id"], "85312000", "the check digit is dropped");
        assert_eq!(classifications[1]["id"], "85322000");
        assert_eq!(tender["awardCriteria"], "ratedCriteria");
        assert_eq!(tender["awardCriteriaDetails"], "Price 40%; Reaching isolated people 60%");
        for absent in ["lots", "numberOfTenderers", "tenderers", "amendments"] {
            assert!(tender.get(absent).is_none(), "{absent} before the close or with one lot");
        }
        assert!(release.get("awards").is_none() && release.get("contracts").is_none());
    }

    #[test]
    fn an_amended_tender_has_one_release_per_amendment_and_keeps_each_deadline_as_it_was() {
        let mut tender = published_tender();
        tender.status = TenderStatus::ActiveTendering as i32;
        tender.bid_deadline = at("2027-02-01T12:00:00Z");
        tender.amendments = vec![
            Amendment {
                amend_time: at("2027-01-10T11:00:00Z"),
                reason: "Added a question on safeguarding".into(),
                changed_fields: vec!["bid_questions".into(), "bid_deadline".into()],
                material: true,
                previous_bid_deadline: at("2027-01-25T12:00:00Z"),
                new_bid_deadline: at("2027-02-01T12:00:00Z"),
                amended_by_user_id: "olu".into(),
            },
            Amendment {
                amend_time: at("2027-01-12T09:00:00Z"),
                reason: "Corrected a typo".into(),
                changed_fields: vec!["title".into()],
                material: false,
                previous_bid_deadline: at("2027-02-01T12:00:00Z"),
                new_bid_deadline: at("2027-02-01T12:00:00Z"),
                amended_by_user_id: "olu".into(),
            },
        ];
        let releases = releases_of(&tender, None, &[]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderAmendment"]), json!(["tenderAmendment"])]);
        assert_eq!(statuses(&releases), ["active", "active", "active"]);
        let deadlines: Vec<&Value> =
            releases.iter().map(|release| &release["tender"]["tenderPeriod"]["endDate"]).collect();
        assert_eq!(
            deadlines,
            [&json!("2027-01-25T12:00:00Z"), &json!("2027-02-01T12:00:00Z"), &json!("2027-02-01T12:00:00Z")]
        );
        assert!(releases[0]["tender"].get("amendments").is_none());
        assert_eq!(releases[1]["id"], "ocds-cmkt01-tender-1-amendment-1");
        assert_eq!(releases[1]["date"], "2027-01-10T11:00:00Z");
        let first = &releases[1]["tender"]["amendments"][0];
        assert_eq!(first["date"], "2027-01-10T11:00:00Z");
        assert_eq!(first["rationale"], "Added a question on safeguarding");
        assert_eq!(
            first["description"],
            "Changed: bid_questions, bid_deadline. A material change. The bid deadline moved from \
             2027-01-25T12:00:00Z to 2027-02-01T12:00:00Z."
        );
        assert_eq!(first["amendsReleaseID"], "ocds-cmkt01-tender-1-tender");
        assert_eq!(first["releaseID"], "ocds-cmkt01-tender-1-amendment-1");
        let amendments = releases[2]["tender"]["amendments"].as_array().expect("both amendments");
        assert_eq!(amendments.len(), 2, "compiled: every amendment so far");
        assert_eq!(amendments[1]["description"], "Changed: title.");
        assert_eq!(amendments[1]["amendsReleaseID"], "ocds-cmkt01-tender-1-amendment-1");
    }

    #[test]
    fn a_closed_tender_names_its_two_tenderers_and_nothing_of_their_bids() {
        let opening = two_bidders();
        let releases = releases_of(&closed_tender(), Some(&opening), &[]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderUpdate"])]);
        assert_eq!(statuses(&releases), ["active", "active"]);
        let closed = &releases[1];
        assert_eq!(closed["id"], "ocds-cmkt01-tender-1-closed");
        assert_eq!(closed["date"], "2027-02-01T12:00:05Z");
        assert_eq!(closed["tender"]["numberOfTenderers"], 2);
        assert_eq!(
            closed["tender"]["tenderers"],
            json!([
                { "id": "brixton-befrienders", "name": "Brixton Befrienders" },
                { "id": "stockwell-friends", "name": "Stockwell Friends" },
            ])
        );
        assert_eq!(party(closed, "lambeth")["roles"], json!(["buyer"]));
        assert_eq!(party(closed, "brixton-befrienders")["roles"], json!(["tenderer"]));
        assert_eq!(party(closed, "stockwell-friends")["roles"], json!(["tenderer"]));
        assert!(releases[0]["tender"].get("numberOfTenderers").is_none(), "not known before the close");
        assert_eq!(releases[0]["parties"].as_array().map(Vec::len), Some(1));
        let text = serde_json::to_string(&releases).expect("JSON");
        for secret in ["bid-0", "bid-1", &"0".repeat(64), &"1".repeat(64)] {
            assert!(!text.contains(secret), "{secret} published");
        }
    }

    #[test]
    fn a_cancelled_tender_ends_with_a_cancellation_release() {
        let mut tender = published_tender();
        tender.status = TenderStatus::Cancelled as i32;
        tender.status_reason = "The budget was withdrawn".into();
        tender.update_time = at("2027-01-12T08:00:00Z");
        let releases = releases_of(&tender, None, &[]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderCancellation"])]);
        assert_eq!(statuses(&releases), ["active", "cancelled"]);
        assert_eq!(releases[1]["id"], "ocds-cmkt01-tender-1-cancelled");
        assert_eq!(releases[1]["date"], "2027-01-12T08:00:00Z");
    }

    #[test]
    fn an_unsuccessful_tender_ends_with_status_unsuccessful() {
        // No bids by the deadline: the close is the end.
        let mut tender = closed_tender();
        tender.status = TenderStatus::Unsuccessful as i32;
        tender.status_reason = "no bids were received by the deadline".into();
        let nobody = opening(&[]);
        let releases = releases_of(&tender, Some(&nobody), &[]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderUpdate"])]);
        assert_eq!(statuses(&releases), ["active", "unsuccessful"]);
        assert_eq!(releases[1]["id"], "ocds-cmkt01-tender-1-closed");
        assert_eq!(releases[1]["tender"]["numberOfTenderers"], 0);

        // A bid, found unacceptable after the close.
        tender.update_time = at("2027-02-10T16:00:00Z");
        let one = opening(&[("stockwell-friends", "Stockwell Friends")]);
        let releases = releases_of(&tender, Some(&one), &[]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderUpdate"]), json!(["tenderUpdate"])]);
        assert_eq!(statuses(&releases), ["active", "active", "unsuccessful"]);
        assert_eq!(releases[2]["id"], "ocds-cmkt01-tender-1-unsuccessful");
        assert_eq!(releases[2]["date"], "2027-02-10T16:00:00Z");
        assert_eq!(releases[2]["tender"]["numberOfTenderers"], 1);
        assert_eq!(party(&releases[2], "stockwell-friends")["roles"], json!(["tenderer"]));
        assert!(releases[2].get("awards").is_none());
    }

    #[test]
    fn an_awarded_tender_names_the_buyer_the_funders_the_tenderers_and_the_charity_supplier() {
        let opening = two_bidders();
        let releases = releases_of(&awarded_tender(), Some(&opening), &[charity_contract()]);
        assert_eq!(tags(&releases), [json!(["tender"]), json!(["tenderUpdate"]), json!(["award", "contract"])]);
        assert_eq!(statuses(&releases), ["active", "active", "complete"]);
        let awarded = &releases[2];
        assert_eq!(awarded["id"], "ocds-cmkt01-tender-1-award-contract-1");
        assert_eq!(awarded["date"], "2027-02-20T15:00:00Z");
        assert_eq!(awarded["ocid"], OCID);
        assert_eq!(awarded["tender"]["numberOfTenderers"], 2);
        assert_eq!(awarded["tender"]["value"]["amount"], json!(8000.0), "the estimate, not a bid");

        let award = &awarded["awards"][0];
        assert_eq!(award["id"], "contract-1-award");
        assert_eq!(award["status"], "active");
        assert_eq!(award["date"], "2027-02-20T15:00:00Z");
        assert_eq!(award["value"], json!({ "amount": 7800.0, "currency": "GBP" }));
        assert_eq!(award["suppliers"], json!([{ "id": "brixton-befrienders", "name": "Brixton Befrienders" }]));
        assert!(award.get("relatedLots").is_none(), "a tender with one lot publishes no lots");
        let contract = &awarded["contracts"][0];
        assert_eq!(contract["id"], "contract-1");
        assert_eq!(contract["awardID"], "contract-1-award");
        assert_eq!(contract["status"], "pending");
        assert_eq!(contract["value"]["amount"], json!(7800.0));
        assert_eq!(
            contract["period"],
            json!({ "startDate": "2027-04-01T00:00:00Z", "endDate": "2028-03-31T00:00:00Z" })
        );
        assert_eq!(contract["dateSigned"], "2027-02-20T15:00:00Z");

        assert_eq!(awarded["parties"].as_array().map(Vec::len), Some(4));
        assert_eq!(party(awarded, "lambeth")["roles"], json!(["buyer", "funder", "sourceParty"]));
        let icb = party(awarded, "nhs-south-east-london-icb");
        assert_eq!(
            (&icb["name"], &icb["roles"]),
            (&json!("NHS South East London ICB"), &json!(["funder", "sourceParty"]))
        );
        let charity = party(awarded, "brixton-befrienders");
        assert_eq!(charity["roles"], json!(["tenderer", "supplier"]));
        assert_eq!(
            charity["identifier"],
            json!({ "scheme": "GB-CHC", "id": "1123456", "legalName": "Brixton Befrienders" })
        );
        assert_eq!(charity["additionalIdentifiers"][0]["scheme"], "GB-COH");
        assert_eq!(
            charity["address"],
            json!({ "streetAddress": "12 Acre Lane", "locality": "London", "postalCode": "SW2 5SG", "countryName": "United Kingdom" })
        );
        assert_eq!(party(awarded, "stockwell-friends")["roles"], json!(["tenderer"]));
        // Funders are parties from publishing on; tenderers only from the close.
        assert_eq!(party(&releases[0], "nhs-south-east-london-icb")["roles"], json!(["funder", "sourceParty"]));
        assert!(
            releases[0]["parties"]
                .as_array()
                .expect("parties")
                .iter()
                .all(|party| party["id"] != "brixton-befrienders")
        );
    }

    #[test]
    fn a_consortium_award_lists_the_lead_and_every_partner_as_suppliers_each_a_party_with_identifiers() {
        let mut contract = charity_contract();
        contract.partners = vec![Supplier {
            provider_id: "knaphill-friends".into(),
            name: "Knaphill Friends".into(),
            identifiers: vec![OrgIdentifier { scheme: OrgIdScheme::GbChc as i32, value: "1170002".into() }],
            address: Some(PostalAddress {
                line1: "Village Hall".into(),
                town: "Woking".into(),
                postcode: "GU21 2EP".into(),
                ..Default::default()
            }),
            size_class: SizeClass::Micro as i32,
            vcse: true,
        }];
        let releases = releases_of(&awarded_tender(), Some(&two_bidders()), &[contract]);
        let awarded = &releases[2];
        assert_eq!(
            awarded["awards"][0]["suppliers"],
            json!([
                { "id": "brixton-befrienders", "name": "Brixton Befrienders" },
                { "id": "knaphill-friends", "name": "Knaphill Friends" }
            ])
        );
        let partner = party(awarded, "knaphill-friends");
        assert_eq!(partner["roles"], json!(["supplier"]));
        assert_eq!(
            partner["identifier"],
            json!({ "scheme": "GB-CHC", "id": "1170002", "legalName": "Knaphill Friends" })
        );
        assert_eq!(partner["address"]["postalCode"], "GU21 2EP");
        assert_eq!(party(awarded, "brixton-befrienders")["roles"], json!(["tenderer", "supplier"]));
        assert_valid(&packaged(&releases));
    }

    #[test]
    fn a_request_for_quotes_is_a_limited_procedure() {
        let mut tender = published_tender();
        tender.procedure = Procedure::RequestForQuotes as i32;
        tender.invited_provider_ids = vec!["brixton-befrienders".into()];
        tender.estimated_value = pence(1_234_550);
        let releases = releases_of(&tender, None, &[]);
        let tender = &releases[0]["tender"];
        assert_eq!(tender["procurementMethod"], "limited");
        assert_eq!(tender["procurementMethodDetails"], "Request for quotes from invited providers");
        assert!(tender["procurementMethodRationale"].as_str().is_some_and(|text| text.contains("notice threshold")));
        assert_eq!(tender["value"]["amount"], json!(12345.5));
    }

    #[test]
    fn a_block_contract_is_its_own_process_with_an_award_and_a_contract() {
        let releases = block_contract_releases(&block_contract(), LAMBETH, None);
        assert_valid(&packaged(&releases));
        assert_eq!(releases.len(), 1);
        let release = &releases[0];
        assert_eq!(release["ocid"], "ocds-cmkt01-block-1");
        assert_eq!(release["id"], "ocds-cmkt01-block-1-contract");
        assert_eq!(release["tag"], json!(["award", "contract"]));
        assert_eq!(release["date"], "2026-11-02T10:15:00Z");
        assert_eq!(release["buyer"], json!({ "id": "lambeth", "name": LAMBETH }));
        assert!(release.get("tender").is_none(), "a block contract was not tendered here");
        assert_eq!(party(release, "lambeth")["roles"], json!(["buyer"]));
        let supplier = party(release, "carewell-services-ltd");
        assert_eq!(supplier["roles"], json!(["supplier"]));
        assert_eq!(supplier["identifier"]["scheme"], "GB-COH");
        assert_eq!(supplier["identifier"]["id"], "01234567");
        let award = &release["awards"][0];
        assert_eq!(award["id"], "block-1-award");
        assert_eq!(award["status"], "active");
        assert_eq!(
            award["title"],
            "Block contract registered by London Borough of Lambeth: Day opportunities for older people"
        );
        assert_eq!(award["suppliers"], json!([{ "id": "carewell-services-ltd", "name": "Carewell Services Ltd" }]));
        let contract = &release["contracts"][0];
        assert_eq!(contract["awardID"], "block-1-award");
        assert_eq!(contract["status"], "active");
        assert_eq!(contract["value"], json!({ "amount": 1_200_000.0, "currency": "GBP" }));
        assert_eq!(contract["period"]["startDate"], "2025-04-01T00:00:00Z");
        assert!(contract.get("dateSigned").is_none(), "registration is not signing");
        let cpv: Vec<&Value> =
            contract["items"].as_array().expect("items").iter().map(|item| &item["classification"]["id"]).collect();
        assert_eq!(cpv, [&json!("85320000"), &json!("85311100")], "the category's codes when none are given");
    }

    #[test]
    fn a_package_mixes_processes_and_declares_lots_only_when_it_publishes_them() {
        let mut lotted = closed_tender();
        lotted.id = "tender-2".into();
        lotted.ocid = "ocds-cmkt01-tender-2".into();
        lotted.lots = vec![
            Lot { id: "lot-1".into(), title: "Brixton".into(), estimated_value: pence(500_000), ..Default::default() },
            Lot {
                id: "lot-2".into(),
                title: "Stockwell".into(),
                estimated_value: pence(300_000),
                ..Default::default()
            },
        ];
        let mut part = charity_contract();
        (part.id, part.lot_id, part.ocid, part.tender_id) =
            ("contract-2".into(), "lot-2".into(), "ocds-cmkt01-tender-2".into(), "tender-2".into());
        part.value = pence(290_000);
        let bidders = two_bidders();
        let lotted = releases_of(&lotted, Some(&bidders), &[part]);
        let last = lotted.last().expect("releases");
        assert_eq!(last["tender"]["status"], "active", "one of two lots awarded");
        assert_eq!(
            last["tender"]["lots"][1],
            json!({ "id": "lot-2", "title": "Stockwell", "value": { "amount": 3000.0, "currency": "GBP" } })
        );
        assert_eq!(last["awards"][0]["relatedLots"], json!(["lot-2"]));

        let plain = releases_of(&published_tender(), None, &[]);
        let without_lots = packaged(&plain);
        assert!(without_lots.get("extensions").is_none());

        let awarded = releases_of(&awarded_tender(), Some(&bidders), &[charity_contract()]);
        let mut cancelled = published_tender();
        (cancelled.id, cancelled.ocid, cancelled.status) =
            ("tender-3".into(), "ocds-cmkt01-tender-3".into(), TenderStatus::Cancelled as i32);
        let cancelled = releases_of(&cancelled, None, &[]);
        let block = block_contract_releases(&block_contract(), LAMBETH, None);
        let all: Vec<Value> = [&awarded, &lotted, &cancelled, &block].into_iter().flatten().cloned().collect();
        let count = all.len();
        let mixed = package(all, LAMBETH, "https://lambeth.example.org/ocds/packages/2.json", published());
        assert_valid(&mixed);
        assert_eq!(mixed["uri"], "https://lambeth.example.org/ocds/packages/2.json");
        assert_eq!(mixed["version"], "1.1");
        assert_eq!(mixed["publishedDate"], "2027-03-01T08:00:00Z");
        assert_eq!(mixed["publisher"], json!({ "name": LAMBETH }));
        assert_eq!(
            mixed["extensions"],
            json!([LOTS_EXTENSION, BUDGET_BREAKDOWN_EXTENSION]),
            "the awarded one's funders"
        );
        assert_eq!(mixed["releases"].as_array().map(Vec::len), Some(count));
        assert_eq!(count, 3 + 3 + 2 + 1);
        let ocids: HashSet<&str> = mixed["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .filter_map(|release| release["ocid"].as_str())
            .collect();
        assert_eq!(ocids, HashSet::from([OCID, "ocds-cmkt01-tender-2", "ocds-cmkt01-tender-3", "ocds-cmkt01-block-1"]));
    }

    fn identifier(scheme: OrgIdScheme, value: &str) -> Option<OrgIdentifier> {
        Some(OrgIdentifier { scheme: scheme.into(), value: value.into() })
    }

    /// Lambeth (GB-LAE LBH, given on the tender) funds 60% and its ICB (GB-NHS QKK) 40%.
    fn jointly_funded_tender() -> Tender {
        let mut tender = published_tender();
        tender.buyer_identifier = identifier(OrgIdScheme::GbLae, "lbh");
        tender.funders = funders();
        (tender.funders[0].share_basis_points, tender.funders[1].share_basis_points) = (6000, 4000);
        if let Some(icb) = tender.funders[1].organisation.as_mut() {
            icb.identifier = identifier(OrgIdScheme::GbNhs, "QKK");
        }
        tender
    }

    #[test]
    fn a_joint_funding_breaks_the_budget_down_by_funder_party() {
        let releases = releases_of(&jointly_funded_tender(), None, &[]);
        let release = &releases[0];
        let budget = &release["planning"]["budget"];
        assert_eq!(budget["amount"], json!({ "amount": 8000.0, "currency": "GBP" }), "the estimated value");
        assert_eq!(
            budget["budgetBreakdown"],
            json!([
                {
                    "id": "1",
                    "description": "London Borough of Lambeth: 60% of the estimated value",
                    "amount": { "amount": 4800.0, "currency": "GBP" },
                    "sourceParty": { "id": "GB-LAE-LBH", "name": LAMBETH }
                },
                {
                    "id": "2",
                    "description": "NHS South East London ICB: 40% of the estimated value",
                    "amount": { "amount": 3200.0, "currency": "GBP" },
                    "sourceParty": { "id": "GB-NHS-QKK", "name": "NHS South East London ICB" }
                }
            ])
        );
        assert_eq!(release["buyer"], json!({ "id": "GB-LAE-LBH", "name": LAMBETH }));
        let council = party(release, "GB-LAE-LBH");
        assert_eq!(council["roles"], json!(["buyer", "funder", "sourceParty"]), "one party for the council");
        assert_eq!(council["identifier"], json!({ "scheme": "GB-LAE", "id": "LBH" }));
        let icb = party(release, "GB-NHS-QKK");
        assert_eq!(icb["roles"], json!(["funder", "sourceParty"]));
        assert_eq!(icb["identifier"], json!({ "scheme": "GB-NHS", "id": "QKK" }));
        assert_eq!(release["parties"].as_array().map(Vec::len), Some(2));
        assert_eq!(packaged(&releases)["extensions"], json!([BUDGET_BREAKDOWN_EXTENSION]));
    }

    #[test]
    fn the_funders_amounts_add_up_to_the_estimate_to_the_penny() {
        let mut tender = jointly_funded_tender();
        tender.estimated_value = pence(10_001);
        let third = |organisation_id: &str, share_basis_points| Funder {
            organisation: Some(OrganisationRef {
                organisation_id: organisation_id.into(),
                kind: OrganisationKind::Council as i32,
                name: organisation_id.into(),
                ..Default::default()
            }),
            share_basis_points,
        };
        tender.funders = vec![third("lambeth", 3333), third("southwark", 3333), third("lewisham", 3334)];
        let releases = releases_of(&tender, None, &[]);
        let amounts: Vec<f64> = releases[0]["planning"]["budget"]["budgetBreakdown"]
            .as_array()
            .expect("breakdown")
            .iter()
            .map(|entry| entry["amount"]["amount"].as_f64().expect("an amount"))
            .collect();
        assert_eq!(amounts, [33.33, 33.33, 33.35], "the left-over penny to the largest loss in rounding");
        assert_eq!(party(&releases[0], "southwark")["roles"], json!(["funder", "sourceParty"]));
    }

    #[test]
    fn without_funders_the_budget_is_the_estimate_and_no_extension_is_declared() {
        let releases = releases_of(&published_tender(), None, &[]);
        assert_eq!(
            releases[0]["planning"],
            json!({ "budget": { "description": "The tender's estimated value", "amount": { "amount": 8000.0, "currency": "GBP" } } })
        );
        assert_eq!(releases[0]["buyer"], json!({ "id": "lambeth", "name": LAMBETH }), "no identifier given");
        assert!(party(&releases[0], "lambeth").get("identifier").is_none());
        assert!(packaged(&releases).get("extensions").is_none());
    }

    #[test]
    fn a_council_identified_only_as_a_funder_is_still_one_party() {
        let mut tender = jointly_funded_tender();
        tender.buyer_identifier = None;
        if let Some(council) = tender.funders[0].organisation.as_mut() {
            council.identifier = identifier(OrgIdScheme::GbLae, "LBH");
        }
        let releases = releases_of(&tender, None, &[]);
        assert_eq!(releases[0]["buyer"]["id"], "GB-LAE-LBH");
        assert_eq!(party(&releases[0], "GB-LAE-LBH")["roles"], json!(["buyer", "funder", "sourceParty"]));
        assert_eq!(releases[0]["parties"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn a_block_contract_names_its_buyer_by_the_identifier_of_the_councils_tenders() {
        let lbh = identifier(OrgIdScheme::GbLae, "LBH");
        let releases = block_contract_releases(&block_contract(), LAMBETH, lbh.as_ref());
        assert_valid(&packaged(&releases));
        assert_eq!(releases[0]["buyer"], json!({ "id": "GB-LAE-LBH", "name": LAMBETH }));
        assert_eq!(party(&releases[0], "GB-LAE-LBH")["roles"], json!(["buyer"]));
        assert!(releases[0].get("planning").is_none(), "a block contract was not tendered here");
    }

    #[test]
    fn a_draft_has_no_releases() {
        let mut draft = published_tender();
        draft.status = TenderStatus::Draft as i32;
        assert!(process_releases(&Process { tender: &draft, opening: None, contracts: &[] }).is_empty());
    }

    #[test]
    fn the_schema_check_refuses_what_ocds_refuses() {
        let releases = process_releases(&Process { tender: &published_tender(), opening: None, contracts: &[] });
        let mut undated = packaged(&releases);
        undated["releases"][0].as_object_mut().expect("release").remove("date");
        assert!(!schema_errors(&undated).is_empty(), "a release without a date is refused");
        let mut loose_date = packaged(&releases);
        loose_date["releases"][0]["date"] = json!("4 January 2027");
        assert!(!schema_errors(&loose_date).is_empty(), "a date that is not RFC 3339 is refused");
        let mut text_amount = packaged(&releases);
        text_amount["releases"][0]["tender"]["value"]["amount"] = json!("8000.00");
        assert!(!schema_errors(&text_amount).is_empty(), "an amount as text is refused");
        let mut bad_status = packaged(&releases);
        bad_status["releases"][0]["tender"]["status"] = json!("awarded");
        assert!(!schema_errors(&bad_status).is_empty(), "a status outside the codelist is refused");
        assert!(!schema_errors(&packaged(&[])).is_empty(), "a package needs a release");

        // The budget breakdown extension's schema is applied too.
        let funded = process_releases(&Process { tender: &jointly_funded_tender(), opening: None, contracts: &[] });
        assert!(schema_errors(&packaged(&funded)).is_empty());
        let mut unnamed = packaged(&funded);
        unnamed["releases"][0]["planning"]["budget"]["budgetBreakdown"][0].as_object_mut().expect("entry").remove("id");
        assert!(!schema_errors(&unnamed).is_empty(), "a budget entry without an id is refused");
        let mut text_share = packaged(&funded);
        text_share["releases"][0]["planning"]["budget"]["budgetBreakdown"][1]["amount"]["amount"] = json!("3200");
        assert!(!schema_errors(&text_share).is_empty(), "a share as text is refused");
        let mut empty = packaged(&funded);
        empty["releases"][0]["planning"]["budget"]["budgetBreakdown"] = json!([]);
        assert!(!schema_errors(&empty).is_empty(), "an empty breakdown is refused");
    }
}
