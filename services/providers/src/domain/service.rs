//! A service a provider offers (commissioning.providers.v1.Service, Open Referral UK's service),
//! validated and normalised in one pass that reports every bad field by its full path. Its CPV
//! codes are derived from its category here, never taken from the caller; the contract's defaults
//! (unspecified status is active, capacity 0 is "not stated") are applied here too.

use platform::FieldViolation;
use platform::ages::AgeRange;
use proto::commissioning::common::v1::{Money, ServiceCategory};
use proto::commissioning::providers::v1::{
    CostOption, DeliveryMode, Eligibility as ProtoEligibility, Service, ServiceLocation, ServiceStatus,
};

use super::address::Address;
use super::area::ServiceArea;
use super::contact::{Email, Website};
use super::schedule::Schedule;
use platform::categories::cpv_codes;
use platform::validation::{
    Violations, element, field, known_enum, non_negative, optional, optional_text, required_enum, required_text,
};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 4000;
const ELIGIBILITY_MAX: usize = 500;
const COST_DESCRIPTION_MAX: usize = 200;
const LOCATION_DESCRIPTION_MAX: usize = 500;
const CATEGORIES: &str = "the SERVICE_CATEGORY_* values, such as SERVICE_CATEGORY_GROUP_ACTIVITIES";
const DELIVERY_MODES: &str = "DELIVERY_MODE_IN_PERSON, DELIVERY_MODE_TELEPHONE or DELIVERY_MODE_ONLINE";
const STATUSES: &str = "SERVICE_STATUS_ACTIVE, SERVICE_STATUS_TEMPORARILY_CLOSED or SERVICE_STATUS_INACTIVE";

/// The validated, normalised editable fields of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedService {
    name: String,
    description: String,
    category: ServiceCategory,
    areas: Vec<ServiceArea>,
    delivery_modes: Vec<DeliveryMode>,
    capacity_per_week: Option<u32>,
    schedules: Vec<Schedule>,
    eligibility: Eligibility,
    cost_options: Vec<Cost>,
    status: ServiceStatus,
    locations: Vec<Location>,
    url: Option<Website>,
    email: Option<Email>,
}

impl OfferedService {
    /// Parses the service at `path` (usually "service"), collecting every violation with its full
    /// path, such as "service.areas[0].postcode_district" or "service.schedules[1].closes_at".
    pub fn parse(service: &Service, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let at = |name: &str| field(path, name);
        let name = v.check(at("name"), required_text(&service.name, NAME_MAX));
        let description = v.check(at("description"), required_text(&service.description, DESCRIPTION_MAX));
        let category = v.check(at("category"), required_enum(service.category, CATEGORIES));
        let areas = v.nested(parse_areas(service, path));
        let delivery_modes = v.nested(parse_delivery_modes(service, path));
        let capacity = v.check(at("capacity_per_week"), non_negative(service.capacity_per_week));
        let schedules = v.nested(parse_each(&service.schedules, path, "schedules", Schedule::parse));
        let eligibility = v.nested(Eligibility::parse(service.eligibility.as_ref(), &at("eligibility")));
        let cost_options = v.nested(parse_each(&service.cost_options, path, "cost_options", Cost::parse));
        let status = v.check(at("status"), known_enum(service.status, STATUSES));
        let locations = v.nested(parse_each(&service.locations, path, "locations", Location::parse));
        let url = v.check(at("url"), optional(&service.url, Website::parse));
        let email = v.check(at("email"), optional(&service.email, Email::parse));
        v.finish(|| {
            Some(Self {
                name: name?,
                description: description?,
                category: category?,
                areas: areas?,
                delivery_modes: delivery_modes?,
                capacity_per_week: capacity.map(|capacity| (capacity > 0).then_some(capacity))?,
                schedules: schedules?,
                eligibility: eligibility?,
                cost_options: cost_options?,
                status: status.map(active_when_unspecified)?,
                locations: locations?,
                url: url?,
                email: email?,
            })
        })
    }

    /// The service as a proto Service with its CPV codes filled in from the category; the
    /// output-only id, provider_id and times are left for the caller to fill.
    pub fn to_proto(&self) -> Service {
        Service {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.into(),
            cpv_codes: self.cpv_codes().iter().map(|code| (*code).to_owned()).collect(),
            areas: self.areas.iter().map(ServiceArea::to_proto).collect(),
            delivery_modes: self.delivery_modes.iter().map(|mode| (*mode).into()).collect(),
            capacity_per_week: self.capacity_per_week.map_or(0, |capacity| i32::try_from(capacity).unwrap_or(i32::MAX)),
            schedules: self.schedules.iter().map(Schedule::to_proto).collect(),
            eligibility: Some(self.eligibility.to_proto()),
            cost_options: self.cost_options.iter().map(Cost::to_proto).collect(),
            status: self.status.into(),
            locations: self.locations.iter().map(Location::to_proto).collect(),
            url: self.url.as_ref().map(Website::to_string).unwrap_or_default(),
            email: self.email.as_ref().map(Email::to_string).unwrap_or_default(),
            ..Service::default()
        }
    }

    /// Whether one of the service's areas serves the `wanted` area (see [`ServiceArea::covers`]).
    pub fn serves(&self, wanted: &ServiceArea) -> bool {
        self.areas.iter().any(|area| area.covers(wanted))
    }

    /// Only active services are matched to tenders and exported.
    pub fn is_active(&self) -> bool {
        self.status == ServiceStatus::Active
    }

    /// Location ids are the server's to give: a location keeps its id only if it is one of
    /// `existing` (and not a duplicate); every other location gets a fresh one from `next_id`.
    pub fn reassign_location_ids(&mut self, existing: &[String], mut next_id: impl FnMut() -> String) {
        let mut kept: Vec<String> = Vec::new();
        for location in &mut self.locations {
            if existing.contains(&location.id) && !kept.contains(&location.id) {
                kept.push(location.id.clone());
            } else {
                location.id = next_id();
            }
        }
    }

    pub fn cpv_codes(&self) -> &'static [&'static str] {
        cpv_codes(self.category)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn category(&self) -> ServiceCategory {
        self.category
    }

    /// At least one.
    pub fn areas(&self) -> &[ServiceArea] {
        &self.areas
    }

    /// At least one, each once, none unspecified.
    pub fn delivery_modes(&self) -> &[DeliveryMode] {
        &self.delivery_modes
    }

    /// People a week; `None` when not stated.
    pub fn capacity_per_week(&self) -> Option<u32> {
        self.capacity_per_week
    }

    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    pub fn eligibility(&self) -> &Eligibility {
        &self.eligibility
    }

    /// Empty when the service is free.
    pub fn cost_options(&self) -> &[Cost] {
        &self.cost_options
    }

    /// Never unspecified.
    pub fn status(&self) -> ServiceStatus {
        self.status
    }

    pub fn locations(&self) -> &[Location] {
        &self.locations
    }

    pub fn url(&self) -> Option<&Website> {
        self.url.as_ref()
    }

    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }
}

/// Who a service is for: an age range (either end open) and any other condition in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eligibility {
    ages: AgeRange,
    description: String,
}

impl Eligibility {
    /// No eligibility given means anyone. Ages are 0 to 120 years, 0 meaning no limit; when both
    /// are given the maximum is not below the minimum.
    pub fn parse(eligibility: Option<&ProtoEligibility>, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let Some(eligibility) = eligibility else {
            return Ok(Self::default());
        };
        let mut v = Violations::new();
        let ages = v.nested(AgeRange::parse(eligibility.minimum_age, eligibility.maximum_age, path));
        let description = v.check(field(path, "description"), optional_text(&eligibility.description, ELIGIBILITY_MAX));
        v.finish(|| Some(Self { ages: ages?, description: description? }))
    }

    /// The youngest age served; `None` for no lower limit.
    pub fn minimum_age(&self) -> Option<u8> {
        self.ages.minimum()
    }

    /// The oldest age served; `None` for no upper limit.
    pub fn maximum_age(&self) -> Option<u8> {
        self.ages.maximum()
    }

    /// Empty when not given.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn to_proto(&self) -> ProtoEligibility {
        ProtoEligibility {
            minimum_age: self.ages.minimum().map_or(0, i32::from),
            maximum_age: self.ages.maximum().map_or(0, i32::from),
            description: self.description.clone(),
        }
    }
}

/// What a person pays: a non-negative amount in pence, in GBP, for what the description says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    amount_pence: u64,
    vat_included: bool,
    description: String,
}

impl Cost {
    pub fn parse(option: &CostOption, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let amount = v.nested(parse_money(option.amount.as_ref(), &field(path, "amount")));
        let description = v.check(field(path, "description"), required_text(&option.description, COST_DESCRIPTION_MAX));
        v.finish(|| {
            let (amount_pence, vat_included) = amount?;
            Some(Self { amount_pence, vat_included, description: description? })
        })
    }

    pub fn amount_pence(&self) -> u64 {
        self.amount_pence
    }

    pub fn vat_included(&self) -> bool {
        self.vat_included
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn to_proto(&self) -> CostOption {
        let amount_pence = i64::try_from(self.amount_pence).unwrap_or(i64::MAX);
        CostOption {
            amount: Some(Money { amount_pence, currency: "GBP".to_owned(), vat_included: self.vat_included }),
            description: self.description.clone(),
        }
    }
}

/// A required amount of money: pence 0 or more, currency GBP (empty is read as GBP).
fn parse_money(money: Option<&Money>, path: &str) -> Result<(u64, bool), Vec<FieldViolation>> {
    let Some(money) = money else {
        return Err(vec![FieldViolation::new(path, "required: give amount_pence, 0 or more, in GBP")]);
    };
    platform::validation::gbp_pence(money, path).map(|pence| (pence, money.vat_included))
}

/// A place where a service is delivered: a named venue with a validated address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    id: String,
    name: String,
    description: String,
    address: Address,
}

impl Location {
    /// The id is kept as given (the server assigns it; see [`OfferedService::reassign_location_ids`]).
    pub fn parse(location: &ServiceLocation, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let name = v.check(field(path, "name"), required_text(&location.name, NAME_MAX));
        let description =
            v.check(field(path, "description"), optional_text(&location.description, LOCATION_DESCRIPTION_MAX));
        let address = v.nested(Address::parse_required(location.address.as_ref(), &field(path, "address")));
        let id = location.id.trim().to_owned();
        v.finish(|| Some(Self { id, name: name?, description: description?, address: address? }))
    }

    /// Empty until the server assigns one.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Empty when not given.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn address(&self) -> &Address {
        &self.address
    }

    pub fn to_proto(&self) -> ServiceLocation {
        ServiceLocation {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            address: Some(self.address.to_proto()),
        }
    }
}

fn active_when_unspecified(status: ServiceStatus) -> ServiceStatus {
    match status {
        ServiceStatus::Unspecified => ServiceStatus::Active,
        other => other,
    }
}

/// Parses each element of a repeated field with its indexed path.
fn parse_each<P, T>(
    items: &[P],
    path: &str,
    name: &str,
    parse: impl Fn(&P, &str) -> Result<T, Vec<FieldViolation>>,
) -> Result<Vec<T>, Vec<FieldViolation>> {
    let mut v = Violations::new();
    let parsed: Vec<Option<T>> =
        items.iter().enumerate().map(|(index, item)| v.nested(parse(item, &element(path, name, index)))).collect();
    v.finish(|| parsed.into_iter().collect())
}

fn parse_areas(service: &Service, path: &str) -> Result<Vec<ServiceArea>, Vec<FieldViolation>> {
    if service.areas.is_empty() {
        let description = "required: give at least one area, a council id and optionally a postcode district or ward";
        return Err(vec![FieldViolation::new(field(path, "areas"), description)]);
    }
    parse_each(&service.areas, path, "areas", ServiceArea::parse)
}

/// At least one mode, each known and not unspecified; a mode given twice counts once.
fn parse_delivery_modes(service: &Service, path: &str) -> Result<Vec<DeliveryMode>, Vec<FieldViolation>> {
    if service.delivery_modes.is_empty() {
        let description = format!("required: give at least one of {DELIVERY_MODES}");
        return Err(vec![FieldViolation::new(field(path, "delivery_modes"), description)]);
    }
    let mut v = Violations::new();
    let mut modes = Vec::new();
    for (index, mode) in service.delivery_modes.iter().enumerate() {
        let mode = v.check(element(path, "delivery_modes", index), required_enum(*mode, DELIVERY_MODES));
        if let Some(mode) = mode.filter(|mode| !modes.contains(mode)) {
            modes.push(mode);
        }
    }
    v.finish(|| Some(modes))
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Area, PostalAddress, area::Part};
    use proto::commissioning::providers::v1::{RegularSchedule, TimeOfDay, Weekday};

    use super::*;
    use crate::domain::area::{AreaPart, CouncilId};
    use crate::domain::postcode::PostcodeDistrict;

    fn area(council: &str, district: Option<&str>) -> Area {
        Area {
            council_id: council.into(),
            part: district.map(|d| Part::PostcodeDistrict(d.into())),
            label: String::new(),
        }
    }

    fn venue() -> ServiceLocation {
        ServiceLocation {
            id: String::new(),
            name: "St Saviour's Church Hall".into(),
            description: "Step-free entrance".into(),
            address: Some(PostalAddress {
                line1: "2 Herne Hill Road".into(),
                town: "London".into(),
                postcode: "se24 0aw".into(),
                ..PostalAddress::default()
            }),
        }
    }

    fn coffee_morning() -> Service {
        Service {
            id: "ignored".into(),
            name: " Tuesday Coffee Morning ".into(),
            description: "A weekly coffee morning for older people living alone.".into(),
            category: ServiceCategory::GroupActivities.into(),
            cpv_codes: vec!["ignored".into()],
            areas: vec![area("lambeth", Some("sw2"))],
            delivery_modes: vec![DeliveryMode::InPerson.into(), DeliveryMode::InPerson.into()],
            capacity_per_week: 25,
            schedules: vec![RegularSchedule {
                weekday: Weekday::Tuesday.into(),
                opens_at: Some(TimeOfDay { hours: 10, minutes: 0 }),
                closes_at: Some(TimeOfDay { hours: 12, minutes: 0 }),
                ..RegularSchedule::default()
            }],
            eligibility: Some(ProtoEligibility { minimum_age: 65, maximum_age: 0, description: String::new() }),
            cost_options: vec![CostOption {
                amount: Some(Money { amount_pence: 150, currency: String::new(), vat_included: false }),
                description: "per session, including cake".into(),
            }],
            status: ServiceStatus::Unspecified.into(),
            locations: vec![venue()],
            url: "https://brixton-neighbours.org.uk/coffee".into(),
            email: "coffee@brixton-neighbours.org.uk".into(),
            ..Service::default()
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    fn errors(service: Service) -> Vec<String> {
        let violations = OfferedService::parse(&service, "service").expect_err("should be refused");
        violations.into_iter().map(|violation| violation.field).collect()
    }

    #[test]
    fn a_good_service_is_normalised_with_defaults_and_cpv_codes() {
        let service = OfferedService::parse(&coffee_morning(), "service").expect("valid service");
        assert_eq!(service.name(), "Tuesday Coffee Morning");
        assert_eq!(service.status(), ServiceStatus::Active, "unspecified status is read as active");
        assert_eq!(service.delivery_modes(), [DeliveryMode::InPerson], "a mode given twice counts once");
        assert_eq!((service.capacity_per_week(), service.eligibility().minimum_age()), (Some(25), Some(65)));
        assert_eq!(service.eligibility().maximum_age(), None);

        let proto = service.to_proto();
        assert_eq!(proto.cpv_codes, ["85320000", "85311100"]);
        assert_eq!(proto.id, "", "output-only fields are not carried");
        assert_eq!(proto.areas[0].part, Some(Part::PostcodeDistrict("SW2".into())));
        assert_eq!(proto.cost_options[0].amount.as_ref().map(|money| money.currency.as_str()), Some("GBP"));
        assert_eq!(proto.locations[0].address.as_ref().map(|address| address.postcode.as_str()), Some("SE24 0AW"));
        assert_eq!(OfferedService::parse(&proto, "service"), Ok(service), "parsing the output changes nothing");
    }

    #[test]
    fn the_least_a_service_needs() {
        let minimal = Service {
            capacity_per_week: 0,
            schedules: vec![],
            eligibility: None,
            cost_options: vec![],
            locations: vec![],
            url: String::new(),
            email: String::new(),
            status: ServiceStatus::TemporarilyClosed.into(),
            ..coffee_morning()
        };
        let service = OfferedService::parse(&minimal, "service").expect("valid service");
        assert_eq!(service.capacity_per_week(), None);
        assert_eq!(service.eligibility(), &Eligibility::default());
        assert!(!service.is_active());
    }

    #[test]
    fn required_fields_must_be_given() {
        let expected =
            ["service.name", "service.description", "service.category", "service.areas", "service.delivery_modes"];
        assert_eq!(errors(Service::default()), expected);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let bad = Service {
            name: "n".repeat(201),
            description: "d".repeat(4001),
            category: 99,
            areas: vec![area("lambeth", None), area("lam beth", Some("SW2 1RW"))],
            delivery_modes: vec![DeliveryMode::Telephone.into(), 0, 9],
            capacity_per_week: -1,
            schedules: vec![RegularSchedule { weekday: 0, ..coffee_morning().schedules[0].clone() }],
            eligibility: Some(ProtoEligibility { minimum_age: 121, maximum_age: -1, description: "e".repeat(501) }),
            cost_options: vec![CostOption {
                amount: Some(Money { amount_pence: -1, currency: "EUR".into(), vat_included: false }),
                description: String::new(),
            }],
            status: 12,
            locations: vec![ServiceLocation { name: String::new(), address: None, ..venue() }],
            url: "brixton.org".into(),
            email: "coffee".into(),
            ..coffee_morning()
        };
        let expected = [
            "service.name",
            "service.description",
            "service.category",
            "service.areas[1].council_id",
            "service.areas[1].postcode_district",
            "service.delivery_modes[1]",
            "service.delivery_modes[2]",
            "service.capacity_per_week",
            "service.schedules[0].weekday",
            "service.eligibility.minimum_age",
            "service.eligibility.maximum_age",
            "service.eligibility.description",
            "service.cost_options[0].amount.amount_pence",
            "service.cost_options[0].amount.currency",
            "service.cost_options[0].description",
            "service.status",
            "service.locations[0].name",
            "service.locations[0].address",
            "service.url",
            "service.email",
        ];
        assert_eq!(errors(bad), expected);
    }

    #[test]
    fn eligibility_ages() {
        let parse = |minimum_age, maximum_age| {
            let eligibility = ProtoEligibility { minimum_age, maximum_age, description: String::new() };
            Eligibility::parse(Some(&eligibility), "e").map(|e| (e.minimum_age(), e.maximum_age()))
        };
        assert_eq!(parse(0, 0), Ok((None, None)));
        assert_eq!(parse(65, 0), Ok((Some(65), None)));
        assert_eq!(parse(0, 25), Ok((None, Some(25))));
        assert_eq!(parse(18, 18), Ok((Some(18), Some(18))));
        assert_eq!(parse(0, 120), Ok((None, Some(120))));
        assert_eq!(fields(&parse(65, 18).expect_err("max below min")), ["e.maximum_age"]);
        assert_eq!(fields(&parse(-1, 121).expect_err("out of range")), ["e.minimum_age", "e.maximum_age"]);
    }

    #[test]
    fn costs_are_pence_in_gbp() {
        let cost = |amount: Option<Money>| CostOption { amount, description: "per session".into() };
        let money =
            |amount_pence, currency: &str| Some(Money { amount_pence, currency: currency.into(), vat_included: true });
        let free = Cost::parse(&cost(money(0, "GBP")), "c").expect("free is fine");
        assert_eq!((free.amount_pence(), free.vat_included()), (0, true));
        assert!(Cost::parse(&cost(money(350, " GBP ")), "c").is_ok());
        assert_eq!(fields(&Cost::parse(&cost(None), "c").expect_err("no amount")), ["c.amount"]);
        assert_eq!(fields(&Cost::parse(&cost(money(100, "gbp")), "c").expect_err("lower case")), ["c.amount.currency"]);
        assert_eq!(
            fields(&Cost::parse(&cost(money(i64::MIN, "")), "c").expect_err("negative")),
            ["c.amount.amount_pence"]
        );
    }

    #[test]
    fn location_addresses_are_validated_like_registered_ones() {
        let bad = ServiceLocation {
            address: Some(PostalAddress {
                postcode: "SE24".into(),
                country_code: "IE".into(),
                ..venue().address.unwrap_or_default()
            }),
            ..venue()
        };
        assert_eq!(
            fields(&Location::parse(&bad, "l").expect_err("bad address")),
            ["l.address.postcode", "l.address.country_code"]
        );
    }

    #[test]
    fn only_known_location_ids_are_kept_and_others_are_assigned() {
        let known = ServiceLocation { id: "loc-1".into(), ..venue() };
        let invented = ServiceLocation { id: "made-up".into(), ..venue() };
        let locations = vec![known.clone(), invented, venue(), known];
        let mut service = OfferedService::parse(&Service { locations, ..coffee_morning() }, "s").expect("valid");
        let mut next = 1;
        service.reassign_location_ids(&["loc-1".to_owned()], || {
            next += 1;
            format!("loc-{next}")
        });
        let ids: Vec<_> = service.locations().iter().map(Location::id).collect();
        assert_eq!(ids, ["loc-1", "loc-2", "loc-3", "loc-4"], "a repeated id is not kept twice");
    }

    #[test]
    fn serves_any_of_its_areas() {
        let service = OfferedService::parse(
            &Service { areas: vec![area("lambeth", Some("SW2")), area("southwark", None)], ..coffee_morning() },
            "s",
        )
        .expect("valid");
        let wanted = |council: &str, part| ServiceArea::new(CouncilId::parse(council).expect("valid"), part);
        let district = |code: &str| AreaPart::District(PostcodeDistrict::parse(code).expect("valid"));
        assert!(service.serves(&wanted("lambeth", district("SW2"))));
        assert!(service.serves(&wanted("lambeth", AreaPart::WholeCouncil)));
        assert!(service.serves(&wanted("southwark", district("SE1"))));
        assert!(!service.serves(&wanted("lambeth", district("SW9"))));
        assert!(!service.serves(&wanted("croydon", AreaPart::WholeCouncil)));
    }
}
