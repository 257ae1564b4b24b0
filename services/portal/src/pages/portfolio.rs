//! A council's commissioning portfolio for a financial year (GetCommissioningSummary, its own
//! officers only): value by route and by kind of service, and the shares with micro and small
//! providers and with voluntary, community and social enterprises, the figures of its Care Act
//! market-shaping duty. The chart is an SVG drawn on the server, so it needs no JavaScript, with
//! the same numbers in tables beside it.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use minijinja::{HtmlEscape, context};
use platform::auth::Role;
use proto::commissioning::common::v1::{Date, DateRange, Money};
use proto::commissioning::tendering::v1::{CommissioningSummary, ContractRoute, GetCommissioningSummaryRequest};
use serde::Deserialize;

use super::tenders::{category_name, pounds};
use super::{FormErrors, PageError, page};
use crate::PortalState;
use crate::visitor::StaffVisit;

#[derive(Debug, Default, Deserialize)]
pub struct PortfolioQuery {
    /// The financial year, by the year it starts in (2026 is 1 April 2026 to 31 March 2027).
    #[serde(default)]
    year: Option<i32>,
}

/// The financial year today is in, by the year it starts in.
fn this_financial_year() -> i32 {
    let today = platform::time::london_today();
    if today.month() >= 4 { today.year() } else { today.year() - 1 }
}

/// "2026 to 2027".
fn year_name(year: i32) -> String {
    format!("{year} to {}", year + 1)
}

/// "42.5%" from basis points.
fn percent(basis_points: i32) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => format!("{whole}%"),
        hundredths if hundredths % 10 == 0 => format!("{whole}.{}%", hundredths / 10),
        hundredths => format!("{whole}.{hundredths:02}%"),
    }
}

fn route_name(route: ContractRoute) -> &'static str {
    match route {
        ContractRoute::Block => "Block contracts",
        ContractRoute::MicroTender => "Micro-tenders",
        ContractRoute::Unspecified => "Other",
    }
}

fn pence(money: Option<&Money>) -> i64 {
    money.map_or(0, |money| money.amount_pence)
}

/// GET /portfolio?year=2026
pub async fn portfolio(
    State(state): State<PortalState>,
    Query(query): Query<PortfolioQuery>,
    visit: StaffVisit,
) -> Result<Response, PageError> {
    let StaffVisit { session, jar, person } = visit.with_role(Role::Officer)?;
    let current = this_financial_year();
    let year = query.year.filter(|year| (current - 10..=current + 10).contains(year)).unwrap_or(current);
    let request = GetCommissioningSummaryRequest {
        council_id: person.organisation_id.clone(),
        period: Some(DateRange {
            start_date: Some(Date { year, month: 4, day: 1 }),
            end_date: Some(Date { year: year + 1, month: 3, day: 31 }),
        }),
    };
    let summary = state.tendering().get_commissioning_summary(state.as_person(&person, request)?).await?;
    let summary = summary.into_inner().summary.unwrap_or_default();
    let cell = |text: String| context! { text };
    let number = |text: String| context! { text, format => "numeric" };
    let routes: Vec<_> = summary
        .by_route
        .iter()
        .map(|route| {
            vec![
                cell(route_name(route.route()).to_owned()),
                number(route.contract_count.to_string()),
                number(pounds(route.total_value.as_ref())),
            ]
        })
        .collect();
    let categories: Vec<_> = summary
        .by_category
        .iter()
        .map(|category| {
            vec![
                cell(category_name(category.category).to_owned()),
                number(category.contract_count.to_string()),
                number(pounds(category.total_value.as_ref())),
            ]
        })
        .collect();
    let shares = vec![
        vec![
            cell("Micro and small providers".into()),
            number(pounds(summary.micro_and_small_value.as_ref())),
            number(percent(summary.micro_and_small_share_basis_points)),
        ],
        vec![
            cell("Voluntary, community and social enterprises".into()),
            number(pounds(summary.vcse_value.as_ref())),
            number(percent(summary.vcse_share_basis_points)),
        ],
    ];
    let median_days = summary.median_publish_to_award.as_ref().map(|median| median.seconds as f64 / 86_400.0);
    let years: Vec<_> = (current - 2..=current + 2)
        .map(|choice| context! { year => choice, name => year_name(choice), current => choice == year })
        .collect();
    let values = context! {
        council => &person.organisation_name,
        council_id => &person.organisation_id,
        year => year_name(year),
        years,
        contract_count => summary.contract_count,
        total => pounds(summary.total_value.as_ref()),
        suppliers => summary.distinct_supplier_count,
        size_unknown => (pence(summary.size_unknown_value.as_ref()) > 0).then(|| pounds(summary.size_unknown_value.as_ref())),
        median => median_days.map(|days| format!("{days:.1} days")),
        awarded => summary.awarded_tender_count,
        chart => (summary.contract_count > 0).then(|| chart(&summary, &year_name(year))),
        routes,
        categories,
        shares,
    };
    Ok(page(&state, &session, jar, "portfolio.html", "Portfolio", &FormErrors::default(), values))
}

/// One bar of the chart: its label, the value it shows and the text written beside it.
struct Bar {
    label: String,
    value: i64,
    text: String,
}

/// The chart: the value by route, by kind of service, and the two shares, as horizontal bars in
/// groups, each bar labelled with its figure, in an SVG with its title and a description that
/// says what it shows (the numbers are in the tables beside it too).
fn chart(summary: &CommissioningSummary, year: &str) -> String {
    let value_bars = |bars: Vec<(String, Option<&Money>)>| -> Vec<Bar> {
        bars.into_iter().map(|(label, money)| Bar { label, value: pence(money), text: pounds(money) }).collect()
    };
    let routes = value_bars(
        summary
            .by_route
            .iter()
            .map(|route| (route_name(route.route()).to_owned(), route.total_value.as_ref()))
            .collect(),
    );
    let categories = value_bars(
        summary
            .by_category
            .iter()
            .map(|category| (category_name(category.category).to_owned(), category.total_value.as_ref()))
            .collect(),
    );
    let share = |label: &str, basis_points: i32| Bar {
        label: label.to_owned(),
        value: i64::from(basis_points),
        text: percent(basis_points),
    };
    let shares = vec![
        share("Micro and small providers", summary.micro_and_small_share_basis_points),
        share("Voluntary, community and social enterprises", summary.vcse_share_basis_points),
    ];
    let groups = [
        ("Value by route", routes, pence(summary.total_value.as_ref())),
        ("Value by kind of service", categories, pence(summary.total_value.as_ref())),
        ("Share of the value", shares, 10_000),
    ];
    const WIDTH: i64 = 460;
    const BAR_SPACE: i64 = 330;
    let mut body = String::new();
    let mut y = 0;
    for (heading, bars, whole) in &groups {
        y += 28;
        body.push_str(&format!(
            "<text x=\"0\" y=\"{y}\" font-size=\"18\" font-weight=\"bold\" fill=\"#0b0c0c\">{}</text>",
            HtmlEscape(heading)
        ));
        for bar in bars {
            y += 26;
            body.push_str(&format!(
                "<text x=\"0\" y=\"{y}\" font-size=\"16\" fill=\"#0b0c0c\">{}</text>",
                HtmlEscape(&bar.label)
            ));
            y += 8;
            let length = if *whole > 0 { (bar.value.clamp(0, *whole) * BAR_SPACE) / whole } else { 0 };
            body.push_str(&format!(
                "<rect x=\"0\" y=\"{y}\" width=\"{}\" height=\"20\" fill=\"#0b5d5b\"/>",
                length.max(2)
            ));
            body.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"16\" fill=\"#0b0c0c\">{}</text>",
                length.max(2) + 8,
                y + 16,
                HtmlEscape(&bar.text)
            ));
            y += 20;
        }
        y += 12;
    }
    let description = format!(
        "{} contracts worth {} start in {year}. {} with micro and small providers, {} with voluntary, community \
         and social enterprises. The tables beside the chart give every figure.",
        summary.contract_count,
        pounds(summary.total_value.as_ref()),
        percent(summary.micro_and_small_share_basis_points),
        percent(summary.vcse_share_basis_points),
    );
    format!(
        "<svg class=\"portal-chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" \
         xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         font-family=\"system-ui, sans-serif\"><title id=\"chart-title\">The portfolio for {year}</title>\
         <desc id=\"chart-desc\">{}</desc>{body}</svg>",
        HtmlEscape(&description),
        height = y + 8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(10_000), "100%");
        assert_eq!(percent(4_250), "42.5%");
        assert_eq!(percent(1_234), "12.34%");
        assert_eq!(percent(5), "0.05%");
    }
}
