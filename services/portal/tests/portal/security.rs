//! Every response carries the Content-Security-Policy; the session cookie is HTTP-only, Secure
//! and SameSite; a form without the session's CSRF token, or posted from another site, is refused;
//! signing in replaces the session; a service that is down gets the "try again" page. (Production
//! signing and sign-in are in sign_in.rs.)

use std::time::Duration;

use portal::TokenSigner;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, ORIGIN, SET_COOKIE};

use super::support::{SECRET, client, csrf_token, marketplace, session_cookie, start};

/// Nothing listens here: a service that is down.
const NO_SERVICES: &str = "http://127.0.0.1:9";

fn sign_in_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", csrf.to_owned()),
        ("name", "Amira Haddad".into()),
        ("email", "amira@example.org".into()),
        ("acting_as", "charity-volunteer".into()),
    ]
}

#[tokio::test]
async fn pages_carry_the_policy_and_forms_need_the_sessions_token() {
    let files = tempfile::tempdir().expect("temporary folder");
    let services = marketplace(files.path()).await;
    let running = start(&format!("http://{}", services.local_addr()), TokenSigner::development(SECRET)).await;
    let http = client();
    let page = http.get(format!("{}sign-in", running.url)).send().await.expect("the sign-in page");
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()[CONTENT_SECURITY_POLICY].to_str().expect("text").to_owned();
    assert!(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let set_cookie = page.headers()[SET_COOKIE].to_str().expect("text").to_owned();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(set_cookie.contains(flag), "{set_cookie} lacks {flag}");
    }
    let cookie = session_cookie(&page).expect("a session cookie");
    let csrf = csrf_token(&page.text().await.expect("html"));

    // Without the token, with another session's, or from another site: refused, no one signed in.
    let mut wrong = sign_in_form(&csrf);
    wrong[0].1 = "not-the-token".into();
    let refused = http.post(format!("{}sign-in", running.url)).header(COOKIE, &cookie).form(&wrong).send().await;
    assert_eq!(refused.expect("answered").status(), StatusCode::FORBIDDEN);
    let elsewhere = http
        .post(format!("{}sign-in", running.url))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "https://attacker.example")
        .form(&sign_in_form(&csrf))
        .send()
        .await;
    assert_eq!(elsewhere.expect("answered").status(), StatusCode::FORBIDDEN);
    let stranger = http.post(format!("{}sign-in", running.url)).form(&sign_in_form(&csrf)).send().await;
    assert_eq!(stranger.expect("answered").status(), StatusCode::FORBIDDEN, "a token from no session");

    // With it: signed in on a new session; the old cookie signs no one in.
    let signed_in =
        http.post(format!("{}sign-in", running.url)).header(COOKIE, &cookie).form(&sign_in_form(&csrf)).send();
    let signed_in = signed_in.await.expect("answered");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], "/dashboard");
    let new_cookie = session_cookie(&signed_in).expect("a new session");
    assert_ne!(new_cookie, cookie, "signing in replaces the session");
    let old = http.get(format!("{}dashboard", running.url)).header(COOKIE, &cookie).send().await.expect("answered");
    assert_eq!(old.status(), StatusCode::SEE_OTHER, "the old session is gone: sign in");
    let dashboard = http.get(format!("{}dashboard", running.url)).header(COOKIE, &new_cookie).send().await;
    let dashboard = dashboard.expect("answered").text().await.expect("html");
    assert!(dashboard.contains("Signed in as <strong>Amira Haddad</strong>"), "{dashboard}");

    // Every other form too, the file uploads included: without the session's token, refused
    // before anything is read from the services.
    let forms = [
        "organisation/new",
        "organisation/edit",
        "services/new",
        "tenders/some-tender/questions",
        "tenders/some-tender/bid/answers/1",
        "tenders/some-tender/bid/price",
        "tenders/some-tender/bid/check",
        "tenders/some-tender/bid/withdraw",
    ];
    for path in forms {
        let sent = http
            .post(format!("{}{path}", running.url))
            .header(COOKIE, &new_cookie)
            .form(&[("csrf_token", "not-the-token"), ("name", "x")])
            .send()
            .await;
        assert_eq!(sent.expect("answered").status(), StatusCode::FORBIDDEN, "{path}");
    }
    let upload = "--edge\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nnot-the-token\r\n\
                  --edge\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
                  Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--edge--\r\n";
    for path in ["locker/upload", "locker/some-document/renew"] {
        let sent = http
            .post(format!("{}{path}", running.url))
            .header(COOKIE, &new_cookie)
            .header(reqwest::header::CONTENT_TYPE, "multipart/form-data; boundary=edge")
            .body(upload)
            .send();
        assert_eq!(sent.await.expect("answered").status(), StatusCode::FORBIDDEN, "{path}");
    }
    running.portal.shutdown().await.expect("stops");
    services.shutdown().await.expect("stops");
}

#[tokio::test]
async fn a_service_that_is_down_gets_the_try_again_page() {
    let running = start(NO_SERVICES, TokenSigner::development(SECRET)).await;
    let http = client();
    let page = http.get(format!("{}sign-in", running.url)).send().await.expect("the sign-in page");
    let cookie = session_cookie(&page).expect("a session");
    let csrf = csrf_token(&page.text().await.expect("html"));
    // Signing in asks the providers service which charity the volunteer is a member of.
    let signed_in = http.post(format!("{}sign-in", running.url)).header(COOKIE, &cookie).form(&sign_in_form(&csrf));
    let sent = tokio::time::timeout(Duration::from_secs(60), signed_in.send()).await.expect("answered in time");
    let sent = sent.expect("answered");
    assert_eq!(sent.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = sent.text().await.expect("html");
    assert!(html.contains("Sorry, there is a problem with the service") && html.contains("Try again"), "{html}");
    assert!(!html.contains("Unavailable") && !html.contains("tonic"), "no raw gRPC code or error");
    // The portal itself is up: its health check answers without a session, whatever the services do.
    let health = http.get(format!("{}health", running.url)).send().await.expect("the health check");
    assert_eq!(health.status(), StatusCode::OK);
    assert!(session_cookie(&health).is_none(), "a probe starts no session");
    running.portal.shutdown().await.expect("stops");
}

#[tokio::test]
async fn an_address_or_form_the_portal_cannot_read_gets_a_page_not_plain_text() {
    let running = start(NO_SERVICES, TokenSigner::development(SECRET)).await;
    let http = client();
    let broken_address = http.get(format!("{}tenders/%00%ff", running.url)).send().await.expect("answered");
    let wrong_body = http
        .post(format!("{}sign-in", running.url))
        .header(reqwest::header::CONTENT_TYPE, "text/plain")
        .body("acting_as=charity-volunteer")
        .send()
        .await
        .expect("answered");
    for (response, status) in
        [(broken_address, StatusCode::BAD_REQUEST), (wrong_body, StatusCode::UNSUPPORTED_MEDIA_TYPE)]
    {
        assert_eq!(response.status(), status);
        assert!(response.headers().contains_key("content-security-policy"), "the page keeps its policy");
        let html = response.text().await.expect("html");
        assert!(html.contains("Sorry, that could not be read"), "{html}");
        assert!(!html.contains("UTF-8") && !html.contains("Content-Type"), "not axum's own words: {html}");
    }
    running.portal.shutdown().await.expect("stops");
}
