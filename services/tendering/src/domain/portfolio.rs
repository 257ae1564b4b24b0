//! A council's commissioning portfolio over a period (`CommissioningSummary`): the figures it needs
//! for its Care Act 2014 market-shaping duty. Contracts and value by route and category, the value
//! with micro and small suppliers and with VCSE suppliers and their shares, distinct suppliers, and
//! the median time from publishing a micro-tender to its award.
//!
//! Values are added in whole pence as integers, never as floats; a total's `vat_included` flag is
//! true only when every value counted in it included VAT (and true for a total of nothing).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use platform::dates::{date_to_proto, parse_date};
use platform::money::Pence;
use proto::commissioning::common::v1::{DateRange, Money, SizeClass};
use proto::commissioning::tendering::v1::{
    CategoryTotal, CommissioningSummary, Contract, ContractRoute, RouteTotal, Supplier,
};

/// A whole share, in basis points.
const WHOLE_SHARE: u128 = 10_000;
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// A council's portfolio over `period` (inclusive dates): contracts whose start date falls in the
/// period count. `publish_to_award` lists, for micro-tenders awarded in the period, the time from
/// publishing to award (one entry per awarded tender).
///
/// Contracts of another council and contracts without a real start date are skipped. A contract
/// whose route is unspecified counts in the totals but in neither route's row; a contract without a
/// value counts as a contract adding no value (and leaves the VAT flags as they are). Only the lead
/// supplier's size class and VCSE flag count; partners count only among the distinct suppliers.
pub fn summarise(
    council_id: &str,
    period: (NaiveDate, NaiveDate),
    contracts: &[Contract],
    publish_to_award: &[chrono::Duration],
) -> CommissioningSummary {
    let (first_day, last_day) = period;
    let mut total = Tally::default();
    let mut block = Tally::default();
    let mut micro_tender = Tally::default();
    let mut by_category: BTreeMap<i32, Tally> = BTreeMap::new();
    let mut micro_and_small = Tally::default();
    let mut vcse = Tally::default();
    let mut size_unknown = Tally::default();
    let mut suppliers: HashSet<SupplierIdentity> = HashSet::new();

    let counted = contracts.iter().filter(|contract| {
        contract.council_id == council_id
            && start_date(contract).is_some_and(|start| first_day <= start && start <= last_day)
    });
    for contract in counted {
        let value = contract.value.as_ref();
        total.add(value);
        match contract.route() {
            ContractRoute::Block => block.add(value),
            ContractRoute::MicroTender => micro_tender.add(value),
            ContractRoute::Unspecified => {}
        }
        by_category.entry(contract.category).or_default().add(value);

        let lead = contract.supplier.as_ref();
        match lead.map_or(SizeClass::Unspecified, Supplier::size_class) {
            SizeClass::Micro | SizeClass::Small => micro_and_small.add(value),
            SizeClass::Unspecified => size_unknown.add(value),
            SizeClass::Medium | SizeClass::Large => {}
        }
        if lead.is_some_and(|supplier| supplier.vcse) {
            vcse.add(value);
        }
        suppliers.extend(lead.into_iter().chain(&contract.partners).filter_map(SupplierIdentity::of));
    }

    CommissioningSummary {
        council_id: council_id.to_owned(),
        period: Some(DateRange { start_date: Some(date_to_proto(first_day)), end_date: Some(date_to_proto(last_day)) }),
        contract_count: total.count(),
        total_value: Some(total.money()),
        by_route: [(ContractRoute::Block, block), (ContractRoute::MicroTender, micro_tender)]
            .into_iter()
            .map(|(route, tally)| RouteTotal {
                route: route.into(),
                contract_count: tally.count(),
                total_value: Some(tally.money()),
            })
            .collect(),
        by_category: by_category
            .into_iter()
            .map(|(category, tally)| CategoryTotal {
                category,
                contract_count: tally.count(),
                total_value: Some(tally.money()),
            })
            .collect(),
        micro_and_small_value: Some(micro_and_small.money()),
        micro_and_small_share_basis_points: share_basis_points(micro_and_small.pence, total.pence),
        vcse_value: Some(vcse.money()),
        vcse_share_basis_points: share_basis_points(vcse.pence, total.pence),
        size_unknown_value: Some(size_unknown.money()),
        distinct_supplier_count: saturating_i32(suppliers.len()),
        median_publish_to_award: median(publish_to_award),
        awarded_tender_count: saturating_i32(publish_to_award.len()),
    }
}

/// Contracts and their value added up, with whether every value added included VAT.
#[derive(Debug, Clone, Copy)]
struct Tally {
    contracts: usize,
    pence: Pence,
    vat_included: bool,
}

impl Default for Tally {
    fn default() -> Self {
        Self { contracts: 0, pence: Pence::new(0), vat_included: true }
    }
}

impl Tally {
    /// Counts one contract with its value (none when the contract has none; a negative amount adds 0).
    fn add(&mut self, value: Option<&Money>) {
        self.contracts = self.contracts.saturating_add(1);
        if let Some(money) = value {
            let pence = u64::try_from(money.amount_pence).unwrap_or(0);
            self.pence = Pence::new(self.pence.get().saturating_add(pence));
            self.vat_included &= money.vat_included;
        }
    }

    fn count(&self) -> i32 {
        saturating_i32(self.contracts)
    }

    fn money(&self) -> Money {
        Money { vat_included: self.vat_included, ..self.pence.to_proto() }
    }
}

/// Who a supplier is, for counting distinct suppliers: its marketplace provider id when it has one,
/// otherwise its name trimmed and lower-cased.
#[derive(Debug, PartialEq, Eq, Hash)]
enum SupplierIdentity {
    Provider(String),
    Name(String),
}

impl SupplierIdentity {
    /// None for a supplier with neither a provider id nor a name: there is no telling who it is.
    fn of(supplier: &Supplier) -> Option<Self> {
        let provider_id = supplier.provider_id.trim();
        if !provider_id.is_empty() {
            return Some(Self::Provider(provider_id.to_owned()));
        }
        let name = supplier.name.trim().to_lowercase();
        (!name.is_empty()).then_some(Self::Name(name))
    }
}

/// The contract's start date, when it has a real one.
fn start_date(contract: &Contract) -> Option<NaiveDate> {
    let start = contract.period.as_ref()?.start_date.as_ref()?;
    parse_date(start).ok()
}

/// `part` as a share of `whole` in basis points, rounded half up; 0 when the whole is 0.
fn share_basis_points(part: Pence, whole: Pence) -> i32 {
    let whole = u128::from(whole.get());
    if whole == 0 {
        return 0;
    }
    let part = u128::from(part.get()).min(whole);
    // part / whole * 10,000 + 1/2, rounded down, in integers: (2 * part * 10,000 + whole) / (2 * whole).
    let basis_points = (2 * part * WHOLE_SHARE + whole) / (2 * whole);
    i32::try_from(basis_points).unwrap_or(i32::MAX)
}

/// The median of `durations`, the mean of the two middle ones for an even count, rounded down to
/// whole seconds; None when there are none.
fn median(durations: &[chrono::Duration]) -> Option<prost_types::Duration> {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    let upper = nanos(*sorted.get(middle)?);
    let median = if sorted.len().is_multiple_of(2) {
        let lower = nanos(*sorted.get(middle - 1)?);
        (lower + upper).div_euclid(2)
    } else {
        upper
    };
    let seconds = median.div_euclid(NANOS_PER_SECOND);
    Some(prost_types::Duration {
        seconds: i64::try_from(seconds).unwrap_or(if seconds < 0 { i64::MIN } else { i64::MAX }),
        nanos: 0,
    })
}

/// The whole duration in nanoseconds (an i128 holds any chrono duration).
fn nanos(duration: chrono::Duration) -> i128 {
    i128::from(duration.num_seconds()) * NANOS_PER_SECOND + i128::from(duration.subsec_nanos())
}

fn saturating_i32(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proto::commissioning::common::v1::{Date, ServiceCategory};

    use super::*;

    const LAMBETH: &str = "lambeth";

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    /// Lambeth's financial year 2026/27.
    fn year_2026_27() -> (NaiveDate, NaiveDate) {
        (ymd(2026, 4, 1), ymd(2027, 3, 31))
    }

    fn supplier(provider_id: &str, name: &str, size_class: SizeClass, vcse: bool) -> Supplier {
        Supplier {
            provider_id: provider_id.into(),
            name: name.into(),
            size_class: size_class.into(),
            vcse,
            ..Default::default()
        }
    }

    fn gbp(amount_pence: i64, vat_included: bool) -> Option<Money> {
        Some(Money { amount_pence, currency: "GBP".into(), vat_included })
    }

    /// A Lambeth contract starting on `start` (year, month, day) and running a year, value without VAT.
    fn contract(
        route: ContractRoute,
        category: ServiceCategory,
        lead: Supplier,
        amount_pence: i64,
        start: (i32, i32, i32),
    ) -> Contract {
        let (year, month, day) = start;
        Contract {
            council_id: LAMBETH.into(),
            route: route.into(),
            title: format!("{} with {}", category.as_str_name(), lead.name),
            supplier: Some(lead),
            value: gbp(amount_pence, false),
            period: Some(DateRange {
                start_date: Some(Date { year, month, day }),
                end_date: Some(Date { year: year + 1, month, day: day.min(28) }),
            }),
            category: category.into(),
            ..Default::default()
        }
    }

    fn carewell() -> Supplier {
        // A large home-care provider holding a block contract, not registered on the marketplace.
        supplier("", "Carewell Homecare Ltd", SizeClass::Large, false)
    }

    /// Lambeth's 2026/27 portfolio, with a contract that started the day before the year, one of
    /// Southwark's, and one with an impossible start date (none of those three count).
    fn lambeth_portfolio() -> Vec<Contract> {
        use ContractRoute::{Block, MicroTender};
        use ServiceCategory::{BefriendingTelephone, GroupActivities, LocalAreaCoordination, Transport};
        let age_concern = supplier("prov-age-concern", "Age Concern Lambeth", SizeClass::Small, true);
        let lunch_club = supplier("prov-stockwell-lunch", "Stockwell Lunch Club", SizeClass::Micro, true);
        vec![
            // GBP 450,000 block, large provider, starting on the first day of the year.
            contract(Block, LocalAreaCoordination, carewell(), 45_000_000, (2026, 4, 1)),
            // GBP 120,000 block, medium provider, starting on the last day of the year.
            contract(
                Block,
                Transport,
                supplier("", "Metro Community Transport Ltd", SizeClass::Medium, false),
                12_000_000,
                (2027, 3, 31),
            ),
            // GBP 8,000 micro-tender, micro VCSE.
            contract(
                MicroTender,
                BefriendingTelephone,
                supplier("prov-brixton-befrienders", "Brixton Befrienders", SizeClass::Micro, true),
                800_000,
                (2026, 6, 1),
            ),
            // GBP 25,000 micro-tender, small VCSE leading a consortium with a micro VCSE partner.
            Contract {
                partners: vec![lunch_club],
                ..contract(MicroTender, GroupActivities, age_concern, 2_500_000, (2026, 9, 1))
            },
            // GBP 12,500 micro-tender, a VCSE whose size is not known.
            contract(
                MicroTender,
                BefriendingTelephone,
                supplier("prov-tulse-hill", "Tulse Hill Good Neighbours", SizeClass::Unspecified, true),
                1_250_000,
                (2026, 11, 16),
            ),
            // Started on 31 March 2026, the day before the year: not counted.
            contract(
                MicroTender,
                Transport,
                supplier("prov-outside", "Last Year's Drivers", SizeClass::Micro, true),
                3_000_000,
                (2026, 3, 31),
            ),
            // Southwark's: not counted.
            Contract {
                council_id: "southwark".into(),
                ..contract(
                    MicroTender,
                    BefriendingTelephone,
                    supplier("prov-peckham", "Peckham Pals", SizeClass::Micro, true),
                    9_900_000,
                    (2026, 5, 1),
                )
            },
            // 30 February: not a date, not counted.
            contract(
                Block,
                Transport,
                supplier("", "Nowhere Coaches", SizeClass::Large, false),
                50_000_000,
                (2027, 2, 30),
            ),
        ]
    }

    fn route_total(route: ContractRoute, contract_count: i32, amount_pence: i64, vat_included: bool) -> RouteTotal {
        RouteTotal { route: route.into(), contract_count, total_value: gbp(amount_pence, vat_included) }
    }

    fn category_total(
        category: ServiceCategory,
        contract_count: i32,
        amount_pence: i64,
        vat_included: bool,
    ) -> CategoryTotal {
        CategoryTotal { category: category.into(), contract_count, total_value: gbp(amount_pence, vat_included) }
    }

    fn seconds(seconds: i64) -> Option<prost_types::Duration> {
        Some(prost_types::Duration { seconds, nanos: 0 })
    }

    #[test]
    fn a_councils_year_is_summarised_by_route_category_supplier_size_and_vcse() {
        let publish_to_award = [Duration::days(21), Duration::days(9) + Duration::hours(6), Duration::days(12)];
        let summary = summarise(LAMBETH, year_2026_27(), &lambeth_portfolio(), &publish_to_award);

        assert_eq!(summary.council_id, LAMBETH);
        assert_eq!(
            summary.period,
            Some(DateRange {
                start_date: Some(Date { year: 2026, month: 4, day: 1 }),
                end_date: Some(Date { year: 2027, month: 3, day: 31 }),
            })
        );
        // 450,000 + 120,000 + 8,000 + 25,000 + 12,500 = GBP 615,500.
        assert_eq!(summary.contract_count, 5);
        assert_eq!(summary.total_value, gbp(61_550_000, false));
        assert_eq!(
            summary.by_route,
            [
                // 450,000 + 120,000 = GBP 570,000.
                route_total(ContractRoute::Block, 2, 57_000_000, false),
                // 8,000 + 25,000 + 12,500 = GBP 45,500.
                route_total(ContractRoute::MicroTender, 3, 4_550_000, false),
            ]
        );
        assert_eq!(
            summary.by_category,
            [
                // 8,000 + 12,500 = GBP 20,500.
                category_total(ServiceCategory::BefriendingTelephone, 2, 2_050_000, false),
                category_total(ServiceCategory::GroupActivities, 1, 2_500_000, false),
                category_total(ServiceCategory::LocalAreaCoordination, 1, 45_000_000, false),
                category_total(ServiceCategory::Transport, 1, 12_000_000, false),
            ]
        );
        // Micro and small: 8,000 + 25,000 = GBP 33,000; 33,000 / 615,500 = 536.15 bp, rounded to 536.
        assert_eq!(summary.micro_and_small_value, gbp(3_300_000, false));
        assert_eq!(summary.micro_and_small_share_basis_points, 536);
        // VCSE: 8,000 + 25,000 + 12,500 = GBP 45,500; 45,500 / 615,500 = 739.24 bp, rounded to 739.
        assert_eq!(summary.vcse_value, gbp(4_550_000, false));
        assert_eq!(summary.vcse_share_basis_points, 739);
        // Size unknown: Tulse Hill Good Neighbours' GBP 12,500, in neither share's numerator.
        assert_eq!(summary.size_unknown_value, gbp(1_250_000, false));
        // Carewell, Metro, Brixton Befrienders, Age Concern, Tulse Hill, and the partner Stockwell Lunch Club.
        assert_eq!(summary.distinct_supplier_count, 6);
        // 9 days 6 hours, 12 days, 21 days: the median is 12 days.
        assert_eq!(summary.median_publish_to_award, seconds(12 * 86_400));
        assert_eq!(summary.awarded_tender_count, 3);
    }

    #[test]
    fn an_empty_portfolio_has_zeros_both_routes_and_no_median() {
        let summary = summarise(LAMBETH, year_2026_27(), &[], &[]);
        let zero = gbp(0, true);
        assert_eq!(summary.council_id, LAMBETH);
        assert_eq!(summary.contract_count, 0);
        assert_eq!(summary.total_value, zero);
        assert_eq!(
            summary.by_route,
            [route_total(ContractRoute::Block, 0, 0, true), route_total(ContractRoute::MicroTender, 0, 0, true)]
        );
        assert!(summary.by_category.is_empty());
        assert_eq!(summary.micro_and_small_value, zero);
        assert_eq!(summary.micro_and_small_share_basis_points, 0);
        assert_eq!(summary.vcse_value, zero);
        assert_eq!(summary.vcse_share_basis_points, 0);
        assert_eq!(summary.size_unknown_value, zero);
        assert_eq!(summary.distinct_supplier_count, 0);
        assert_eq!(summary.median_publish_to_award, None);
        assert_eq!(summary.awarded_tender_count, 0);
    }

    #[test]
    fn a_portfolio_with_only_other_councils_and_other_years_is_empty() {
        let others: Vec<Contract> = lambeth_portfolio().into_iter().skip(5).collect();
        assert_eq!(others.len(), 3);
        let summary = summarise(LAMBETH, year_2026_27(), &others, &[]);
        assert_eq!(summary, summarise(LAMBETH, year_2026_27(), &[], &[]));
    }

    #[test]
    fn a_total_includes_vat_only_when_every_value_counted_did() {
        use ContractRoute::{Block, MicroTender};
        use ServiceCategory::{BefriendingTelephone, PeerSupport, Transport};
        let contracts = [
            // GBP 100,000 with VAT.
            Contract { value: gbp(10_000_000, true), ..contract(Block, Transport, carewell(), 0, (2026, 4, 1)) },
            // GBP 10,000 without VAT.
            contract(
                MicroTender,
                BefriendingTelephone,
                supplier("prov-brixton-befrienders", "Brixton Befrienders", SizeClass::Micro, true),
                1_000_000,
                (2026, 5, 1),
            ),
            // GBP 6,000 with VAT.
            Contract {
                value: gbp(600_000, true),
                ..contract(
                    MicroTender,
                    PeerSupport,
                    supplier("prov-carers", "Lambeth Carers Circle", SizeClass::Unspecified, false),
                    0,
                    (2026, 6, 1),
                )
            },
            // Without VAT but outside the year: it does not spoil the totals it is not counted in.
            contract(Block, Transport, carewell(), 5_000_000, (2027, 4, 1)),
        ];
        let summary = summarise(LAMBETH, year_2026_27(), &contracts, &[]);
        assert_eq!(summary.contract_count, 3);
        assert_eq!(summary.total_value, gbp(11_600_000, false));
        assert_eq!(
            summary.by_route,
            [route_total(Block, 1, 10_000_000, true), route_total(MicroTender, 2, 1_600_000, false)]
        );
        assert_eq!(
            summary.by_category,
            [
                category_total(BefriendingTelephone, 1, 1_000_000, false),
                category_total(Transport, 1, 10_000_000, true),
                category_total(PeerSupport, 1, 600_000, true),
            ]
        );
        assert_eq!(summary.micro_and_small_value, gbp(1_000_000, false));
        assert_eq!(summary.vcse_value, gbp(1_000_000, false));
        assert_eq!(summary.size_unknown_value, gbp(600_000, true));
        // 10,000 / 116,000 = 862.07 bp, rounded to 862.
        assert_eq!(summary.micro_and_small_share_basis_points, 862);
        assert_eq!(summary.vcse_share_basis_points, 862);
    }

    #[test]
    fn shares_round_half_a_basis_point_up() {
        let share = |part, whole| share_basis_points(Pence::new(part), Pence::new(whole));
        assert_eq!(share(1, 20_000), 1, "0.5 bp rounds up");
        assert_eq!(share(1, 20_001), 0, "0.49998 bp rounds down");
        assert_eq!(share(2, 3), 6667, "6666.67 bp rounds up");
        assert_eq!(share(1, 3), 3333, "3333.33 bp rounds down");
        assert_eq!(share(0, 0), 0, "no total, no share");
        assert_eq!(share(5, 5), 10_000);
        assert_eq!(share(u64::MAX, u64::MAX), 10_000, "no overflow");

        // Through the summary: GBP 1 with a micro charity out of GBP 200 in all is 50 bp exactly;
        // GBP 1.01 out of GBP 200.02 is 50.495 bp, rounded to 50; GBP 1.01 out of 200 is 50.5, rounded to 51.
        let two_contracts = |micro_pence, large_pence| {
            [
                contract(
                    ContractRoute::MicroTender,
                    ServiceCategory::PeerSupport,
                    supplier("prov-carers", "Lambeth Carers Circle", SizeClass::Micro, true),
                    micro_pence,
                    (2026, 4, 1),
                ),
                contract(ContractRoute::Block, ServiceCategory::Transport, carewell(), large_pence, (2026, 4, 1)),
            ]
        };
        for (micro_pence, large_pence, basis_points) in [(100, 19_900, 50), (101, 19_901, 50), (101, 19_899, 51)] {
            let summary = summarise(LAMBETH, year_2026_27(), &two_contracts(micro_pence, large_pence), &[]);
            assert_eq!(summary.micro_and_small_share_basis_points, basis_points, "{micro_pence} of the total");
            assert_eq!(summary.vcse_share_basis_points, basis_points, "{micro_pence} of the total");
        }
    }

    #[test]
    fn a_consortium_counts_its_lead_suppliers_size_and_vcse_only() {
        let led_by_a_large_provider = Contract {
            partners: vec![supplier("prov-brixton-befrienders", "Brixton Befrienders", SizeClass::Micro, true)],
            ..contract(
                ContractRoute::MicroTender,
                ServiceCategory::CommunityConnector,
                carewell(),
                2_000_000,
                (2026, 7, 1),
            )
        };
        let summary = summarise(LAMBETH, year_2026_27(), &[led_by_a_large_provider], &[]);
        assert_eq!(summary.micro_and_small_value, gbp(0, true));
        assert_eq!(summary.vcse_value, gbp(0, true));
        assert_eq!(summary.size_unknown_value, gbp(0, true));
        assert_eq!((summary.micro_and_small_share_basis_points, summary.vcse_share_basis_points), (0, 0));
        assert_eq!(summary.distinct_supplier_count, 2, "the partner is a supplier too");
    }

    #[test]
    fn suppliers_are_told_apart_by_provider_id_else_by_trimmed_lower_cased_name() {
        let with = |lead: Supplier, partners: Vec<Supplier>| Contract {
            partners,
            ..contract(ContractRoute::Block, ServiceCategory::Transport, lead, 100_000, (2026, 4, 1))
        };
        let contracts = [
            with(carewell(), vec![]),
            // The same provider by name: trimmed and lower-cased.
            with(supplier("", "  CAREWELL HOMECARE LTD ", SizeClass::Large, false), vec![]),
            // Registered providers by id, whatever their names: one supplier under two names.
            with(
                supplier("prov-age-concern", "Age Concern Lambeth", SizeClass::Small, true),
                vec![supplier("prov-stockwell-lunch", "Stockwell Lunch Club", SizeClass::Micro, true)],
            ),
            with(supplier("prov-age-concern", "Age UK Lambeth", SizeClass::Small, true), vec![]),
            // The lunch club again, leading this time.
            with(
                supplier("prov-stockwell-lunch", "Stockwell Lunch Club", SizeClass::Micro, true),
                vec![supplier("", "Carewell Homecare Ltd", SizeClass::Large, false)],
            ),
            // Two providers with the same name but different ids are two suppliers.
            with(supplier("prov-good-neighbours-2", "Age Concern Lambeth", SizeClass::Micro, true), vec![]),
            // No lead supplier at all, and a partner with neither id nor name: nobody to count.
            Contract { supplier: None, ..with(Supplier::default(), vec![Supplier::default()]) },
        ];
        let summary = summarise(LAMBETH, year_2026_27(), &contracts, &[]);
        assert_eq!(summary.contract_count, 7);
        // Carewell, Age Concern (prov-age-concern), Stockwell Lunch Club, prov-good-neighbours-2.
        assert_eq!(summary.distinct_supplier_count, 4);
        // The contract without a supplier is of unknown size.
        assert_eq!(summary.size_unknown_value, gbp(100_000, false));
    }

    #[test]
    fn the_median_is_the_middle_time_or_the_mean_of_the_two_middle_times_in_whole_seconds() {
        let median_of = |durations: &[Duration]| summarise(LAMBETH, year_2026_27(), &[], durations);

        // Four tenders: 5 days, 12 days, 13 days and 1 second, 40 days (given out of order). The
        // mean of 12 days and 13 days 1 second is 12 days 12 hours and half a second: 1,080,000.5
        // seconds, rounded down to 1,080,000.
        let four =
            [Duration::days(40), Duration::days(12), Duration::days(5), Duration::days(13) + Duration::seconds(1)];
        let summary = median_of(&four);
        assert_eq!(summary.median_publish_to_award, seconds(1_080_000));
        assert_eq!(summary.awarded_tender_count, 4);

        // Three tenders: 9 days 6 hours, 12 days, 21 days.
        let three = [Duration::days(12), Duration::days(21), Duration::days(9) + Duration::hours(6)];
        let summary = median_of(&three);
        assert_eq!(summary.median_publish_to_award, seconds(1_036_800));
        assert_eq!(summary.awarded_tender_count, 3);

        // One tender of 3 days and 0.9 seconds: whole seconds, rounded down.
        let one = [Duration::days(3) + Duration::milliseconds(900)];
        let summary = median_of(&one);
        assert_eq!(summary.median_publish_to_award, seconds(259_200));
        assert_eq!(summary.awarded_tender_count, 1);

        // Two identical tenders.
        let summary = median_of(&[Duration::days(7), Duration::days(7)]);
        assert_eq!((summary.median_publish_to_award, summary.awarded_tender_count), (seconds(604_800), 2));

        let summary = median_of(&[]);
        assert_eq!((summary.median_publish_to_award, summary.awarded_tender_count), (None, 0));
    }

    #[test]
    fn a_contract_without_a_route_or_a_value_still_counts() {
        let without_route = Contract {
            route: ContractRoute::Unspecified.into(),
            ..contract(ContractRoute::Block, ServiceCategory::Other, carewell(), 300_000, (2026, 4, 1))
        };
        let without_value = Contract {
            value: None,
            ..contract(ContractRoute::Block, ServiceCategory::Other, carewell(), 0, (2026, 4, 2))
        };
        let negative = contract(ContractRoute::Block, ServiceCategory::Other, carewell(), -500, (2026, 4, 3));
        let summary = summarise(LAMBETH, year_2026_27(), &[without_route, without_value, negative], &[]);
        assert_eq!(summary.contract_count, 3);
        assert_eq!(summary.total_value, gbp(300_000, false));
        assert_eq!(
            summary.by_route,
            [route_total(ContractRoute::Block, 2, 0, false), route_total(ContractRoute::MicroTender, 0, 0, true)]
        );
        assert_eq!(summary.by_category, [category_total(ServiceCategory::Other, 3, 300_000, false)]);
    }
}
