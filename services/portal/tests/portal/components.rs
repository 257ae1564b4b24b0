//! The portal's GOV.UK component macros give govuk-frontend's own HTML: every fixture of each
//! component the portal uses (from the pinned package's `fixtures.json`) whose options are all
//! options the portal's macros take is rendered and compared, whitespace aside. Each component
//! must match at least its default fixture, so a macro cannot drift unnoticed.

use std::collections::BTreeSet;

use serde_json::Value;

/// Each component (govuk-frontend's folder, the portal's macro) and the options its macro takes,
/// as dotted paths (`[]` for a list's items).
const COMPONENTS: &[(&str, &str, &[&str])] = &[
    ("skip-link", "skip_link", &["text", "html", "href"]),
    ("generic-header", "generic_header", &["logoText", "homepageUrl"]),
    ("tag", "tag", &["text", "html", "classes"]),
    ("phase-banner", "phase_banner", &["text", "html", "classes", "tag", "tag.text", "tag.html"]),
    ("error-message", "error_message", &["text", "html", "visuallyHiddenText"]),
    (
        "input",
        "input",
        &[
            "id",
            "name",
            "type",
            "classes",
            "value",
            "autocomplete",
            "inputmode",
            "spellcheck",
            "label",
            "label.text",
            "label.html",
            "label.classes",
            "label.isPageHeading",
            "hint",
            "hint.text",
            "hint.html",
            "hint.classes",
            "errorMessage",
            "errorMessage.text",
            "errorMessage.html",
        ],
    ),
    (
        "textarea",
        "textarea",
        &[
            "id",
            "name",
            "rows",
            "value",
            "label",
            "label.text",
            "label.html",
            "label.classes",
            "hint",
            "hint.text",
            "hint.html",
            "errorMessage",
            "errorMessage.text",
            "errorMessage.html",
        ],
    ),
    (
        "radios",
        "radios",
        &[
            "name",
            "idPrefix",
            "classes",
            "value",
            "fieldset",
            "fieldset.legend",
            "fieldset.legend.text",
            "fieldset.legend.html",
            "fieldset.legend.classes",
            "fieldset.legend.isPageHeading",
            "hint",
            "hint.text",
            "hint.html",
            "errorMessage",
            "errorMessage.text",
            "errorMessage.html",
            "items",
            "items[]",
            "items[].value",
            "items[].text",
            "items[].html",
            "items[].checked",
            "items[].id",
            "items[].hint",
            "items[].hint.text",
            "items[].hint.html",
        ],
    ),
    (
        "checkboxes",
        "checkboxes",
        &[
            "name",
            "idPrefix",
            "classes",
            "values",
            "fieldset",
            "fieldset.legend",
            "fieldset.legend.text",
            "fieldset.legend.html",
            "fieldset.legend.classes",
            "fieldset.legend.isPageHeading",
            "hint",
            "hint.text",
            "hint.html",
            "errorMessage",
            "errorMessage.text",
            "errorMessage.html",
            "items",
            "items[]",
            "items[].value",
            "items[].text",
            "items[].html",
            "items[].checked",
            "items[].id",
            "items[].hint",
            "items[].hint.text",
            "items[].hint.html",
        ],
    ),
    ("button", "button", &["text", "html", "href", "type", "name", "value", "preventDoubleClick", "classes"]),
    (
        "error-summary",
        "error_summary",
        &[
            "titleText",
            "descriptionText",
            "errorList",
            "errorList[]",
            "errorList[].text",
            "errorList[].html",
            "errorList[].href",
        ],
    ),
    (
        "summary-list",
        "summary_list",
        &[
            "classes",
            "rows",
            "rows[]",
            "rows[].key",
            "rows[].key.text",
            "rows[].key.html",
            "rows[].value",
            "rows[].value.text",
            "rows[].value.html",
            "rows[].actions",
            "rows[].actions.items",
            "rows[].actions.items[]",
            "rows[].actions.items[].href",
            "rows[].actions.items[].text",
            "rows[].actions.items[].html",
            "rows[].actions.items[].visuallyHiddenText",
            "card",
            "card.title",
            "card.title.text",
            "card.title.html",
            "card.title.headingLevel",
            "card.actions",
            "card.actions.items",
            "card.actions.items[]",
            "card.actions.items[].href",
            "card.actions.items[].text",
            "card.actions.items[].html",
            "card.actions.items[].visuallyHiddenText",
        ],
    ),
    (
        "task-list",
        "task_list",
        &[
            "idPrefix",
            "items",
            "items[]",
            "items[].href",
            "items[].title",
            "items[].title.text",
            "items[].title.html",
            "items[].status",
            "items[].status.text",
            "items[].status.html",
            "items[].status.classes",
            "items[].status.tag",
            "items[].status.tag.text",
            "items[].status.tag.classes",
        ],
    ),
    (
        "notification-banner",
        "notification_banner",
        &["type", "role", "titleId", "titleText", "titleHtml", "titleHeadingLevel", "text", "html", "classes"],
    ),
    (
        "date-input",
        "date_input",
        &[
            "id",
            "namePrefix",
            "classes",
            "values",
            "values.day",
            "values.month",
            "values.year",
            "fieldset",
            "fieldset.legend",
            "fieldset.legend.text",
            "fieldset.legend.html",
            "fieldset.legend.classes",
            "hint",
            "hint.text",
            "errorMessage",
            "errorMessage.text",
        ],
    ),
    (
        "file-upload",
        "file_upload",
        &[
            "id",
            "name",
            "label",
            "label.text",
            "label.classes",
            "hint",
            "hint.text",
            "errorMessage",
            "errorMessage.text",
        ],
    ),
    (
        "character-count",
        "character_count",
        &[
            "id",
            "name",
            "rows",
            "value",
            "maxlength",
            "maxwords",
            "label",
            "label.text",
            "label.classes",
            "label.isPageHeading",
            "hint",
            "hint.text",
            "errorMessage",
            "errorMessage.text",
        ],
    ),
    ("panel", "panel", &["titleText", "titleHtml", "text", "html", "headingLevel", "classes"]),
    (
        "table",
        "table",
        &[
            "classes",
            "caption",
            "captionClasses",
            "firstCellIsHeader",
            "head",
            "head[]",
            "head[].text",
            "head[].html",
            "head[].format",
            "head[].classes",
            "head[].colspan",
            "head[].rowspan",
            "rows",
            "rows[]",
            "rows[][]",
            "rows[][].text",
            "rows[][].html",
            "rows[][].format",
            "rows[][].classes",
            "rows[][].colspan",
            "rows[][].rowspan",
        ],
    ),
];

/// Every option path a fixture sets.
fn paths(value: &Value, prefix: &str, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                found.insert(path.clone());
                paths(inner, &path, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                let path = format!("{prefix}[]");
                found.insert(path.clone());
                paths(item, &path, found);
            }
        }
        _ => {}
    }
}

/// HTML with whitespace between and around tags removed and runs of spaces made one.
fn normalised(html: &str) -> String {
    let collapsed = html.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace("> ", ">").replace(" <", "<").replace(" >", ">")
}

#[test]
fn the_portals_components_give_govuk_frontends_html() {
    let root = std::path::Path::new(env!("GOVUK_FRONTEND_DIR")).join("dist/govuk/components");
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (folder, component, supported) in COMPONENTS {
        let text = std::fs::read_to_string(root.join(folder).join("fixtures.json")).expect("the fixtures");
        let fixtures: Value = serde_json::from_str(&text).expect("JSON");
        let supported: BTreeSet<String> = supported.iter().map(|path| (*path).to_owned()).collect();
        let mut matched_default = false;
        for fixture in fixtures["fixtures"].as_array().expect("a list") {
            let mut used = BTreeSet::new();
            paths(&fixture["options"], "", &mut used);
            if !used.is_subset(&supported) {
                continue;
            }
            let name = fixture["name"].as_str().unwrap_or_default();
            let rendered = portal::templates::render_component(component, &fixture["options"]).expect("renders");
            let expected = fixture["html"].as_str().unwrap_or_default();
            compared += 1;
            if normalised(&rendered) == normalised(expected) {
                matched_default |= name == "default";
            } else {
                mismatches.push(format!(
                    "{folder} / {name}:\n  expected {}\n  rendered {}",
                    normalised(expected),
                    normalised(&rendered)
                ));
            }
        }
        if !matched_default {
            mismatches.push(format!("{folder}: its default fixture must match"));
        }
    }
    assert!(mismatches.is_empty(), "{} of {compared} fixtures differ:\n{}", mismatches.len(), mismatches.join("\n"));
}
