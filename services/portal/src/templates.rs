//! The page templates and the GOV.UK component macros, compiled into the binary and loaded once.

use std::sync::LazyLock;

use base64::Engine;
use minijinja::Environment;
use sha2::{Digest, Sha256};

/// The GOV.UK page template's first script: it marks the page as having JavaScript before it
/// paints. The Content-Security-Policy allows exactly this text, by its hash.
pub const JS_ENABLED_SNIPPET: &str = "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');";

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // As in the Nunjucks originals, an option left out reads as empty, however deep.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_formatter(escape_as_nunjucks);
    let sources = [
        ("govuk.html", include_str!("../templates/govuk.html")),
        ("layout.html", include_str!("../templates/layout.html")),
        ("start.html", include_str!("../templates/pages/start.html")),
        ("sign_in.html", include_str!("../templates/pages/sign_in.html")),
        ("dashboard.html", include_str!("../templates/pages/dashboard.html")),
        ("staff_dashboard.html", include_str!("../templates/pages/staff_dashboard.html")),
        ("organisation_new.html", include_str!("../templates/pages/organisation_new.html")),
        ("service.html", include_str!("../templates/pages/service.html")),
        ("service_remove.html", include_str!("../templates/pages/service_remove.html")),
        ("profile.html", include_str!("../templates/pages/profile.html")),
        ("locker.html", include_str!("../templates/pages/locker.html")),
        ("tender_facts.html", include_str!("../templates/pages/tender_facts.html")),
        ("bid_contents.html", include_str!("../templates/pages/bid_contents.html")),
        ("tenders.html", include_str!("../templates/pages/tenders.html")),
        ("tender.html", include_str!("../templates/pages/tender.html")),
        ("bid.html", include_str!("../templates/pages/bid.html")),
        ("bid_answer.html", include_str!("../templates/pages/bid_answer.html")),
        ("bid_price.html", include_str!("../templates/pages/bid_price.html")),
        ("bid_partners.html", include_str!("../templates/pages/bid_partners.html")),
        ("bid_check.html", include_str!("../templates/pages/bid_check.html")),
        ("bid_receipt.html", include_str!("../templates/pages/bid_receipt.html")),
        ("outcome.html", include_str!("../templates/pages/outcome.html")),
        ("locker_upload.html", include_str!("../templates/pages/locker_upload.html")),
        ("notifications.html", include_str!("../templates/pages/notifications.html")),
        ("problem.html", include_str!("../templates/pages/problem.html")),
        ("officer_dashboard.html", include_str!("../templates/pages/officer_dashboard.html")),
        ("officer_new_tender.html", include_str!("../templates/pages/officer_new_tender.html")),
        ("officer_draft.html", include_str!("../templates/pages/officer_draft.html")),
        ("officer_what.html", include_str!("../templates/pages/officer_what.html")),
        ("officer_who.html", include_str!("../templates/pages/officer_who.html")),
        ("officer_where.html", include_str!("../templates/pages/officer_where.html")),
        ("officer_value.html", include_str!("../templates/pages/officer_value.html")),
        ("officer_funders.html", include_str!("../templates/pages/officer_funders.html")),
        ("officer_questions.html", include_str!("../templates/pages/officer_questions.html")),
        ("officer_criteria.html", include_str!("../templates/pages/officer_criteria.html")),
        ("officer_evidence.html", include_str!("../templates/pages/officer_evidence.html")),
        ("officer_dates.html", include_str!("../templates/pages/officer_dates.html")),
        ("officer_check.html", include_str!("../templates/pages/officer_check.html")),
        ("officer_tender.html", include_str!("../templates/pages/officer_tender.html")),
        ("officer_questions_answers.html", include_str!("../templates/pages/officer_questions_answers.html")),
        ("officer_amend.html", include_str!("../templates/pages/officer_amend.html")),
        ("officer_cancel.html", include_str!("../templates/pages/officer_cancel.html")),
        ("panel_opening.html", include_str!("../templates/pages/panel_opening.html")),
        ("panel.html", include_str!("../templates/pages/panel.html")),
        ("scoring.html", include_str!("../templates/pages/scoring.html")),
        ("scoring_bid.html", include_str!("../templates/pages/scoring_bid.html")),
        ("moderation.html", include_str!("../templates/pages/moderation.html")),
        ("moderation_bid.html", include_str!("../templates/pages/moderation_bid.html")),
        ("ranking.html", include_str!("../templates/pages/ranking.html")),
        ("award.html", include_str!("../templates/pages/award.html")),
        ("unsuccessful.html", include_str!("../templates/pages/unsuccessful.html")),
        ("contracts.html", include_str!("../templates/pages/contracts.html")),
        ("contract.html", include_str!("../templates/pages/contract.html")),
        ("contract_new.html", include_str!("../templates/pages/contract_new.html")),
        ("contract_finance.html", include_str!("../templates/pages/contract_finance.html")),
        ("portfolio.html", include_str!("../templates/pages/portfolio.html")),
        ("verification.html", include_str!("../templates/pages/verification.html")),
        ("verification_documents.html", include_str!("../templates/pages/verification_documents.html")),
        ("integrator_events.html", include_str!("../templates/pages/integrator_events.html")),
        ("integrator_subjects.html", include_str!("../templates/pages/integrator_subjects.html")),
        ("open_tenders.html", include_str!("../templates/pages/open_tenders.html")),
        ("open_tender.html", include_str!("../templates/pages/open_tender.html")),
        ("open_contracts.html", include_str!("../templates/pages/open_contracts.html")),
    ];
    for (name, source) in sources {
        if let Err(error) = env.add_template(name, source) {
            // The templates are part of the binary: a broken one is a build mistake, caught by tests.
            tracing::error!(%error, name, "a portal template does not compile");
        }
    }
    env
});

/// Escapes text as govuk-frontend's Nunjucks templates do (`&`, `<`, `>`, `"` and `'`), so that the
/// portal's HTML is theirs; everything else is minijinja's own formatting.
fn escape_as_nunjucks(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let Some(text) = value.as_str().filter(|_| !value.is_safe() && *state.auto_escape() != minijinja::AutoEscape::None)
    else {
        return minijinja::escape_formatter(out, state, value);
    };
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    out.write_str(&escaped)
        .map_err(|error| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, error.to_string()))
}

/// Renders page template `name` with `context`.
pub fn render(name: &str, context: minijinja::Value) -> Result<String, minijinja::Error> {
    TEMPLATES.get_template(name)?.render(context)
}

/// Renders the GOV.UK component macro `component` (such as "input") with govuk-frontend's own
/// options, as the pages do; for checking the macros against govuk-frontend's fixtures.
pub fn render_component(component: &str, params: &serde_json::Value) -> Result<String, minijinja::Error> {
    let source = format!("{{% import \"govuk.html\" as govuk %}}{{{{ govuk.{component}(params) }}}}");
    let template = TEMPLATES.template_from_named_str("component.html", &source)?;
    template.render(minijinja::context! { params => minijinja::Value::from(minijinja::value::Serde(params)) })
}

/// `'sha256-...'` of the JavaScript snippet, for the Content-Security-Policy.
pub fn js_enabled_snippet_source() -> String {
    let digest = Sha256::digest(JS_ENABLED_SNIPPET.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}
