//! A contract's option to extend, on a tender and on the contract awarded from it: what the option
//! must be ([`check_extension`]), the value with every option that the Procurement Act 2023 counts
//! ([`value_with_options`]), the longest contract a micro-tender may let ([`length_problem`]), and
//! exercising the option on a contract ([`exercise`]).

use chrono::{Days, Months, NaiveDate};
use platform::FieldViolation;
use platform::dates::{date_to_proto, long_date, parse_optional_date};
use platform::validation::{Violations, field, gbp_pence, optional_text};
use proto::commissioning::common::v1::{DateRange, Money};
use proto::commissioning::tendering::v1::{Contract, ContractExtension, ContractStatus, Tender};

use super::rules::LengthLimit;
use super::tender_check::PublishProblem;

const DESCRIPTION_MAX: usize = 1_000;

/// The tender's estimated value with every option: its estimated value, plus the extension's value
/// when the estimate does not include it. Both are stated on the same VAT basis (checked by
/// [`check_extension`]); `None` until an estimated value is given.
pub fn value_with_options(tender: &Tender) -> Option<Money> {
    let estimate = tender.estimated_value.as_ref()?;
    let added = tender
        .extension
        .as_ref()
        .filter(|extension| !extension.included_in_estimated_value)
        .and_then(|extension| extension.value.as_ref())
        .filter(|value| value.vat_included == estimate.vat_included)
        .map_or(0, |value| value.amount_pence.max(0));
    Some(Money { amount_pence: estimate.amount_pence.saturating_add(added), ..estimate.clone() })
}

/// Field checks on a tender's extension, paths under `path`: a real end date after the contract's,
/// a value exactly when the estimate does not include it, on the estimate's VAT basis.
pub fn check_extension(v: &mut Violations, tender: &Tender, path: &str) {
    let Some(extension) = &tender.extension else { return };
    let path = field(path, "extension");
    let end_path = field(&path, "max_end_date");
    let max_end = v.check(&end_path, parse_optional_date(extension.max_end_date.as_ref())).flatten();
    let contract_end =
        tender.contract_period.as_ref().and_then(|period| parse_optional_date(period.end_date.as_ref()).ok().flatten());
    match (max_end, contract_end) {
        (None, _) if extension.max_end_date.is_none() => v.add(FieldViolation::new(
            &end_path,
            "required: the last day of the contract if the extension is taken, such as 2032-03-31",
        )),
        (Some(max_end), Some(contract_end)) if max_end <= contract_end => v.add(FieldViolation::new(
            &end_path,
            format!(
                "{} is not after the contract's end on {}: give the last day of the contract with the extension",
                long_date(max_end),
                long_date(contract_end)
            ),
        )),
        _ => {}
    }
    let value_path = field(&path, "value");
    match (&extension.value, extension.included_in_estimated_value) {
        (Some(_), true) => v.add(FieldViolation::new(
            &value_path,
            "the estimated value already includes the extension: leave its value unset, or set \
             included_in_estimated_value to false",
        )),
        (None, false) => v.add(FieldViolation::new(
            &value_path,
            "required: the extension's estimated value, as the estimated value does not include it (or set \
             included_in_estimated_value to true)",
        )),
        (Some(value), false) => {
            if let Some(pence) = v.nested(gbp_pence(value, &value_path))
                && pence == 0
            {
                v.add(FieldViolation::new(field(&value_path, "amount_pence"), "must be more than 0"));
            }
            if tender.estimated_value.as_ref().is_some_and(|estimate| estimate.vat_included != value.vat_included) {
                v.add(FieldViolation::new(
                    field(&value_path, "vat_included"),
                    "state the extension's value as the estimated value is stated (with or without VAT), so that \
                     they can be added up",
                ));
            }
        }
        (None, true) => {}
    }
    v.check(field(&path, "description"), optional_text(&extension.description, DESCRIPTION_MAX));
}

/// The contract's last possible day: the extension's end, or the contract's own end without one.
fn last_day(period: Option<&DateRange>, extension: Option<&ContractExtension>) -> Option<NaiveDate> {
    let extended = extension.and_then(|extension| parse_optional_date(extension.max_end_date.as_ref()).ok().flatten());
    extended.or_else(|| period.and_then(|period| parse_optional_date(period.end_date.as_ref()).ok().flatten()))
}

/// Why a tender's contract, with its extension, is longer than a micro-tender may let, if it is.
pub fn length_problem(tender: &Tender, limit: &LengthLimit) -> Option<PublishProblem> {
    let period = tender.contract_period.as_ref();
    let start = period.and_then(|period| parse_optional_date(period.start_date.as_ref()).ok().flatten())?;
    let last = last_day(period, tender.extension.as_ref())?;
    let latest = start.checked_add_months(Months::new(limit.max_months))?.checked_sub_days(Days::new(1))?;
    if last <= latest {
        return None;
    }
    let (subject, with) = if tender.extension.is_some() {
        ("extension.max_end_date", " with its extension")
    } else {
        ("contract_period.end_date", "")
    };
    Some(PublishProblem {
        kind: "CONTRACT_LENGTH",
        subject: subject.to_owned(),
        description: format!(
            "the contract would run from {} to {}{with}, longer than the {} a micro-tender may let (so at the latest \
             to {}): {}. Shorten the contract or its extension",
            long_date(start),
            long_date(last),
            months_in_words(limit.max_months),
            long_date(latest),
            limit.reason.trim().trim_end_matches('.'),
        ),
    })
}

/// "5 years", "18 months".
fn months_in_words(months: u32) -> String {
    match months {
        12 => "1 year".to_owned(),
        m if m % 12 == 0 => format!("{} years", m / 12),
        1 => "1 month".to_owned(),
        m => format!("{m} months"),
    }
}

/// The option a contract awarded from `tender` carries: the tender's, with its value only where it
/// is the contract's own (one lot, not included in the estimate).
pub fn option_for_contract(tender: &Tender) -> Option<ContractExtension> {
    let extension = tender.extension.as_ref()?;
    let value = extension.value.clone().filter(|_| tender.lots.len() <= 1 && !extension.included_in_estimated_value);
    Some(ContractExtension { value, ..extension.clone() })
}

/// Why the contract's option cannot be exercised on `today`, as (subject, what to do), if it cannot.
pub fn exercise_problem(contract: &Contract, today: NaiveDate) -> Option<(&'static str, String)> {
    if contract.extension.is_none() {
        return Some((
            "extension",
            "this contract has no option to extend: agree a new contract, or tender the service again".into(),
        ));
    }
    if let Some(done) = &contract.extension_exercise {
        return Some((
            "extension_exercise",
            format!(
                "the extension was already exercised (reference \"{}\"): a contract's option is taken once; tender the \
                 service again to go on",
                done.reference
            ),
        ));
    }
    if super::contract::contract_status(contract, today) == ContractStatus::Ended {
        return Some((
            "period.end_date",
            "the contract has ended, so it can no longer be extended: tender the service again".into(),
        ));
    }
    None
}

/// The added value checked against the contract: given (more than 0, on the contract's VAT basis),
/// or the option's own value. Paths as in ExerciseContractExtensionRequest.
pub fn added_value(contract: &Contract, given: Option<&Money>) -> Result<Money, Vec<FieldViolation>> {
    let mut v = Violations::new();
    let option_value = contract.extension.as_ref().and_then(|extension| extension.value.clone());
    let Some(value) = given.cloned().or(option_value) else {
        v.add(FieldViolation::new(
            "added_value",
            "required: the value the extension adds to the contract, as the option carries none",
        ));
        return v.finish(|| None);
    };
    if let Some(pence) = v.nested(gbp_pence(&value, "added_value"))
        && pence == 0
    {
        v.add(FieldViolation::new("added_value.amount_pence", "must be more than 0"));
    }
    if contract.value.as_ref().is_some_and(|current| current.vat_included != value.vat_included) {
        v.add(FieldViolation::new(
            "added_value.vat_included",
            "state the added value as the contract's value is stated (with or without VAT)",
        ));
    }
    v.finish(|| Some(value))
}

/// The contract with its option taken: end date moved to the option's, value grown by `added`.
/// Returns the end date it had before. Check [`exercise_problem`] and [`added_value`] first.
pub fn exercise(contract: &mut Contract, added: &Money) -> Option<NaiveDate> {
    let max_end = last_day(None, contract.extension.as_ref())?;
    let period = contract.period.get_or_insert_with(DateRange::default);
    let previous = parse_optional_date(period.end_date.as_ref()).ok().flatten();
    period.end_date = Some(date_to_proto(max_end));
    if let Some(value) = contract.value.as_mut() {
        value.amount_pence = value.amount_pence.saturating_add(added.amount_pence);
    }
    previous
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::Date;

    use super::*;
    use crate::domain::rules::Rules;
    use crate::domain::tender_check::publication_duties;

    fn pounds(pounds: i64, vat_included: bool) -> Option<Money> {
        Some(Money { amount_pence: pounds * 100, currency: "GBP".into(), vat_included })
    }

    fn date(year: i32, month: i32, day: i32) -> Option<Date> {
        Some(Date { year, month, day })
    }

    /// Three years from 1 April 2027 at GBP 165,000, plus an option to `max_end` worth GBP 110,000.
    fn wigan(max_end: Option<Date>) -> Tender {
        Tender {
            estimated_value: pounds(165_000, true),
            contract_period: Some(DateRange { start_date: date(2027, 4, 1), end_date: date(2030, 3, 31) }),
            extension: Some(ContractExtension {
                max_end_date: max_end,
                value: pounds(110_000, true),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn problems(tender: &Tender) -> Vec<FieldViolation> {
        let mut v = Violations::new();
        check_extension(&mut v, tender, "tender");
        v.finish(|| Some(())).err().unwrap_or_default()
    }

    fn limit() -> LengthLimit {
        let rules = Rules::embedded().expect("rules.toml");
        rules.length_on(NaiveDate::from_ymd_opt(2027, 4, 1).expect("a date")).cloned().expect("a limit in force")
    }

    #[test]
    fn the_value_with_options_adds_the_extension_only_when_the_estimate_leaves_it_out() {
        let tender = wigan(date(2032, 3, 31));
        assert_eq!(value_with_options(&tender), pounds(275_000, true));
        let included = Tender {
            extension: Some(ContractExtension { included_in_estimated_value: true, ..Default::default() }),
            ..tender.clone()
        };
        assert_eq!(value_with_options(&included), pounds(165_000, true));
        assert_eq!(value_with_options(&Tender { extension: None, ..tender }), pounds(165_000, true));
        assert_eq!(value_with_options(&Tender::default()), None);
    }

    #[test]
    fn thresholds_and_duties_count_the_option() {
        let rules = Rules::embedded().expect("rules.toml");
        let thresholds = rules.thresholds_on(NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date")).expect("in force");
        // GBP 25,000 alone is below the notice threshold; with a GBP 10,000 option it is not.
        let small = Tender {
            estimated_value: pounds(25_000, true),
            extension: Some(ContractExtension { value: pounds(10_000, true), ..Default::default() }),
            ..Default::default()
        };
        let duties = publication_duties(&small, thresholds, rules.vat_basis_points);
        assert!(duties.central_digital_platform_notice_required);
        assert_eq!(duties.assessed_value.map(|value| value.amount_pence), Some(3_500_000));
    }

    #[test]
    fn an_extension_has_a_later_end_and_a_value_only_when_not_included() {
        assert_eq!(problems(&wigan(date(2032, 3, 31))), []);
        let fields =
            |tender: &Tender| problems(tender).into_iter().map(|violation| violation.field).collect::<Vec<_>>();
        assert_eq!(fields(&wigan(None)), ["tender.extension.max_end_date"]);
        assert_eq!(fields(&wigan(date(2030, 3, 31))), ["tender.extension.max_end_date"], "not after the end");
        let mut included = wigan(date(2032, 3, 31));
        included.extension.as_mut().expect("extension").included_in_estimated_value = true;
        assert_eq!(fields(&included), ["tender.extension.value"]);
        let mut valueless = wigan(date(2032, 3, 31));
        valueless.extension.as_mut().expect("extension").value = None;
        assert_eq!(fields(&valueless), ["tender.extension.value"]);
        let mut without_vat = wigan(date(2032, 3, 31));
        without_vat.extension.as_mut().expect("extension").value = pounds(110_000, false);
        assert_eq!(fields(&without_vat), ["tender.extension.value.vat_included"]);
    }

    #[test]
    fn five_years_with_the_extension_is_the_longest_contract() {
        let limit = limit();
        assert_eq!(length_problem(&wigan(date(2032, 3, 31)), &limit), None, "exactly five years");
        let problem = length_problem(&wigan(date(2032, 4, 1)), &limit).expect("a day too long");
        assert_eq!(problem.subject, "extension.max_end_date");
        assert!(problem.description.contains("5 years") && problem.description.contains("31 March 2032"));
        let plain = Tender {
            extension: None,
            contract_period: Some(DateRange { start_date: date(2027, 4, 1), end_date: date(2033, 3, 31) }),
            ..wigan(None)
        };
        assert_eq!(
            length_problem(&plain, &limit).map(|problem| problem.subject),
            Some("contract_period.end_date".into())
        );
    }

    #[test]
    fn an_option_is_exercised_once_before_the_contract_ends() {
        let today = NaiveDate::from_ymd_opt(2030, 3, 1).expect("a date");
        let tender = Tender { lots: Vec::new(), ..wigan(date(2032, 3, 31)) };
        let mut contract = Contract {
            value: pounds(160_000, true),
            period: tender.contract_period,
            extension: option_for_contract(&tender),
            ..Default::default()
        };
        assert_eq!(exercise_problem(&contract, today), None);
        let added = added_value(&contract, None).expect("the option's value");
        assert_eq!(added, pounds(110_000, true).expect("money"));
        assert_eq!(exercise(&mut contract, &added), NaiveDate::from_ymd_opt(2030, 3, 31));
        assert_eq!(contract.period.and_then(|period| period.end_date), date(2032, 3, 31));
        assert_eq!(contract.value, pounds(270_000, true));
        contract.extension_exercise = Some(Default::default());
        assert_eq!(exercise_problem(&contract, today).map(|(subject, _)| subject), Some("extension_exercise"));
        let ended = NaiveDate::from_ymd_opt(2032, 4, 1).expect("a date");
        contract.extension_exercise = None;
        assert_eq!(exercise_problem(&contract, ended).map(|(subject, _)| subject), Some("period.end_date"));
        let without_vat = added_value(&contract, pounds(1_000, false).as_ref()).expect_err("another basis");
        assert_eq!(without_vat[0].field, "added_value.vat_included");
        let bare = Contract { extension: None, ..contract };
        assert_eq!(exercise_problem(&bare, today).map(|(subject, _)| subject), Some("extension"));
    }
}
