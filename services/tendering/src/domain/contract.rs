//! What a registered block contract must be, and where any contract is in its life by its dates.

use chrono::NaiveDate;
use platform::FieldViolation;
use platform::dates::parse_optional_date;
use platform::validation::{Violations, field, optional_text, required_enum, required_text};
use proto::commissioning::common::v1::{Money, ServiceCategory};
use proto::commissioning::tendering::v1::{Contract, ContractStatus};

use super::tender_check::check_funders;

const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2_000;
const NAME_MAX: usize = 200;
const REFERENCE_MAX: usize = 100;
const CATEGORIES: &str = "the SERVICE_CATEGORY_* values, such as SERVICE_CATEGORY_BEFRIENDING_FACE_TO_FACE";

/// Pending before its start date, active until its end date, ended after it (UK dates).
pub fn contract_status(contract: &Contract, today: NaiveDate) -> ContractStatus {
    let period = contract.period.as_ref();
    let start = period.and_then(|period| parse_optional_date(period.start_date.as_ref()).ok().flatten());
    let end = period.and_then(|period| parse_optional_date(period.end_date.as_ref()).ok().flatten());
    match (start, end) {
        (Some(start), _) if today < start => ContractStatus::Pending,
        (_, Some(end)) if today > end => ContractStatus::Ended,
        _ => ContractStatus::Active,
    }
}

/// Checks a block contract for RegisterContract and returns its start date; paths under `path`.
pub fn check_block_contract(contract: &Contract, path: &str) -> Result<NaiveDate, Vec<FieldViolation>> {
    let mut v = Violations::new();
    v.check(field(path, "title"), required_text(&contract.title, TITLE_MAX));
    v.check(field(path, "description"), optional_text(&contract.description, DESCRIPTION_MAX));
    let supplier_path = field(path, "supplier");
    match &contract.supplier {
        Some(supplier) => {
            v.check(field(&supplier_path, "name"), required_text(&supplier.name, NAME_MAX));
        }
        None => v.add(FieldViolation::new(&supplier_path, "required: who delivers the contract (its name at least)")),
    }
    check_value(&mut v, contract.value.as_ref(), &field(path, "value"));
    let start = check_period(&mut v, contract, &field(path, "period"));
    v.check(field(path, "category"), required_enum::<ServiceCategory>(contract.category, CATEGORIES));
    check_funders(&mut v, &contract.funders, path);
    v.check(field(path, "cost_centre"), optional_text(&contract.cost_centre, REFERENCE_MAX));
    v.check(field(path, "external_reference"), optional_text(&contract.external_reference, REFERENCE_MAX));
    v.finish(|| start)
}

fn check_value(v: &mut Violations, value: Option<&Money>, path: &str) {
    match value {
        None => v.add(FieldViolation::new(path, "required: the contract's total value for its whole period")),
        Some(money) => {
            if let Some(pence) = v.nested(platform::validation::gbp_pence(money, path))
                && pence == 0
            {
                v.add(FieldViolation::new(field(path, "amount_pence"), "must be more than 0"));
            }
        }
    }
}

fn check_period(v: &mut Violations, contract: &Contract, path: &str) -> Option<NaiveDate> {
    let Some(period) = &contract.period else {
        v.add(FieldViolation::new(path, "required: the contract's start and end dates"));
        return None;
    };
    let start_path = field(path, "start_date");
    let end_path = field(path, "end_date");
    let start = v.check(&start_path, parse_optional_date(period.start_date.as_ref())).flatten();
    let end = v.check(&end_path, parse_optional_date(period.end_date.as_ref())).flatten();
    if period.start_date.is_none() {
        v.add(FieldViolation::new(&start_path, "required: the first day of the contract"));
    }
    if period.end_date.is_none() {
        v.add(FieldViolation::new(&end_path, "required: the last day of the contract"));
    }
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        v.add(FieldViolation::new(
            &end_path,
            "the contract would end before it starts: give an end on or after the start",
        ));
    }
    start
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Date, DateRange};
    use proto::commissioning::tendering::v1::Supplier;

    use super::*;

    fn block() -> Contract {
        Contract {
            title: "Day opportunities, borough-wide".into(),
            supplier: Some(Supplier { name: "Large Care Group plc".into(), ..Default::default() }),
            value: Some(Money { amount_pence: 45_000_000, currency: "GBP".into(), vat_included: true }),
            period: Some(DateRange {
                start_date: Some(Date { year: 2026, month: 4, day: 1 }),
                end_date: Some(Date { year: 2029, month: 3, day: 31 }),
            }),
            category: ServiceCategory::GroupActivities as i32,
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_block_contract_is_accepted_with_its_start() {
        assert_eq!(
            check_block_contract(&block(), "contract"),
            NaiveDate::from_ymd_opt(2026, 4, 1).ok_or_else(Vec::new)
        );
    }

    #[test]
    fn missing_and_bad_fields_are_named() {
        let bad = Contract {
            title: String::new(),
            supplier: None,
            value: Some(Money { amount_pence: 0, currency: "GBP".into(), vat_included: true }),
            period: Some(DateRange {
                start_date: Some(Date { year: 2027, month: 1, day: 1 }),
                end_date: Some(Date { year: 2026, month: 1, day: 1 }),
            }),
            category: 0,
            ..Default::default()
        };
        let fields: Vec<_> = check_block_contract(&bad, "contract")
            .expect_err("refused")
            .into_iter()
            .map(|violation| violation.field)
            .collect();
        for expected in [
            "contract.title",
            "contract.supplier",
            "contract.value.amount_pence",
            "contract.period.end_date",
            "contract.category",
        ] {
            assert!(fields.contains(&expected.to_owned()), "{expected} missing from {fields:?}");
        }
    }

    #[test]
    fn the_status_follows_the_dates() {
        let contract = block();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        assert_eq!(contract_status(&contract, day(2026, 3, 31)), ContractStatus::Pending);
        assert_eq!(contract_status(&contract, day(2026, 4, 1)), ContractStatus::Active);
        assert_eq!(contract_status(&contract, day(2029, 3, 31)), ContractStatus::Active);
        assert_eq!(contract_status(&contract, day(2029, 4, 1)), ContractStatus::Ended);
    }
}
