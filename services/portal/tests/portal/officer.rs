//! A procurement officer's tender pages over HTTP: each task's page states the tendering service's
//! rule as the service is configured (its minimum bid period here, not the default); a task saved
//! over a change made meanwhile (a stale etag) is refused on the form with what was typed kept;
//! the officer's pages are refused to an evaluator, and another council's officer is not shown
//! Lambeth's draft; a form without the session's CSRF token is refused.

use platform::config::Settings;
use portal::TokenSigner;
use reqwest::StatusCode;
use reqwest::header::LOCATION;

use super::support::{SECRET, csrf_token, start};

/// A client keeping its cookies, not following redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// A browser signed in on the development page as the demo's `choice`.
async fn signed_in(url: &str, choice: &str) -> reqwest::Client {
    let http = browser();
    let page = http.get(format!("{url}sign-in")).send().await.expect("answered").text().await.expect("html");
    let form = [("csrf_token", csrf_token(&page)), ("acting_as", choice.to_owned())];
    let signed_in = http.post(format!("{url}sign-in")).form(&form).send().await.expect("answered");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{choice} signs in");
    http
}

async fn html(http: &reqwest::Client, url: String) -> (StatusCode, String) {
    let response = http.get(url).send().await.expect("answered");
    (response.status(), response.text().await.expect("html"))
}

/// The hidden etag of a task's form.
fn etag(html: &str) -> String {
    let marker = "name=\"etag\" value=\"";
    let start = html.find(marker).expect("a form with the draft's etag") + marker.len();
    html[start..].split('"').next().expect("a value").to_owned()
}

#[tokio::test]
async fn the_officers_pages_state_the_services_rules_and_keep_to_its_council() {
    let files = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.grpc_listen_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    settings.auth_hs256_secret = Some(SECRET.into());
    // Not the default of 7 days: the pages must say what the service applies.
    settings.tendering_minimum_bid_period_secs = 3 * 24 * 3600;
    let services = marketplace::Marketplace::start(settings).await.expect("the marketplace starts");
    let running = start(&format!("http://{}", services.local_addr()), TokenSigner::development(SECRET)).await;
    let url = running.url.clone();

    let olu = signed_in(&url, "demo-officer").await;
    let (status, page) = html(&olu, format!("{url}officer/tenders/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("bidders get at least 3 days from publishing to the bid deadline"), "{page}");
    assert!(page.contains("at most 5 bid questions, with word limits adding up to 2500 words or fewer"), "{page}");

    // Without the session's CSRF token: refused, and nothing is created.
    let forged = [("csrf_token", "not-the-token"), ("request_id", "r1"), ("template", "befriending")];
    let refused = olu.post(format!("{url}officer/tenders/new")).form(&forged).send().await.expect("answered");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let form = [("csrf_token", csrf_token(&page)), ("request_id", "r1".into()), ("template", "befriending".into())];
    let created = olu.post(format!("{url}officer/tenders/new")).form(&form).send().await.expect("answered");
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let draft = created.headers()[LOCATION].to_str().expect("text").trim_start_matches('/').to_owned();
    assert!(draft.starts_with("officer/tenders/") && draft.ends_with("/draft"), "{draft}");
    let tender = draft.trim_end_matches("/draft").to_owned();

    let (status, dates) = html(&olu, format!("{url}{draft}/dates")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dates.contains("Bidders get at least 3 days from publishing to the bid deadline"), "{dates}");
    let (_, value) = html(&olu, format!("{url}{draft}/value")).await;
    assert!(value.contains("£30,000 or more: a notice on the Central Digital Platform"), "{value}");
    assert!(value.contains("at most 5 years with its extensions"), "{value}");

    // Two pages open on the same task: the first saves, the second is refused, what it typed kept.
    let (_, first) = html(&olu, format!("{url}{draft}/who")).await;
    let stale = etag(&first);
    let save = |open: &str, minimum_age: &str, etag: &str| {
        vec![
            ("csrf_token", csrf_token(&first)),
            ("etag", etag.to_owned()),
            ("open", open.to_owned()),
            ("minimum_age", minimum_age.to_owned()),
            ("maximum_age", String::new()),
            ("description", String::new()),
        ]
    };
    let saved = olu.post(format!("{url}{draft}/who")).form(&save("conditions", "65", &stale)).send().await;
    assert_eq!(saved.expect("answered").status(), StatusCode::SEE_OTHER);
    let overwritten = olu.post(format!("{url}{draft}/who")).form(&save("conditions", "70", &stale)).send().await;
    let overwritten = overwritten.expect("answered");
    assert_eq!(overwritten.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = overwritten.text().await.expect("html");
    assert!(page.contains("Someone else changed this tender after you opened this page"), "{page}");
    assert!(page.contains("value=\"70\""), "what was typed is kept: {page}");
    assert_ne!(etag(&page), stale, "saved again, it is checked against the draft as it is now");

    // An evaluator is refused the officer's pages; Woking's officer is not shown Lambeth's draft.
    let eve = signed_in(&url, "demo-evaluator").await;
    assert_eq!(html(&eve, format!("{url}officer/tenders/new")).await.0, StatusCode::FORBIDDEN);
    let wendy = signed_in(&url, "demo-woking-officer").await;
    for path in [
        draft.clone(),
        format!("{draft}/who"),
        format!("{tender}/check"),
        tender.clone(),
        format!("{tender}/questions"),
    ] {
        let (status, page) = html(&wendy, format!("{url}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {page}");
    }
    let (_, dashboard) = html(&wendy, format!("{url}dashboard")).await;
    assert!(dashboard.contains("Drafts (0)"), "{dashboard}");
    let (_, dashboard) = html(&olu, format!("{url}dashboard")).await;
    assert!(dashboard.contains("Drafts (1)"), "{dashboard}");

    running.portal.shutdown().await.expect("stops");
    services.shutdown().await.expect("stops");
}
