//! Production sign-in against a real OpenID provider (panva's certified `oidc-provider`, from
//! tests/oidc, started by each test; it must start: these tests fail, never skip): the whole
//! redirect, the provider's own login and consent pages, the callback and the dashboard over
//! HTTP, with the whole marketplace behind the portal trusting only the portal's ES256 tokens
//! (`AUTH_JWKS_URL` at the portal's JWKS). Tampered state and nonce, a sign-in finished in another
//! browser or twice, and refused consent each get a plain page; the development sign-in is
//! refused; council staff are known by their roles and verified email, charities' volunteers by
//! the providers service's members. The development sign-in acts as the demo's people.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use marketplace::Marketplace;
use platform::auth::{Claims, Role};
use platform::config::Settings;
use portal::{Portal, TokenSigner};
use proto::commissioning::common::v1::PostalAddress;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{CreateProviderRequest, LegalForm, ListMyMembershipsRequest, Provider};
use reqwest::header::LOCATION;
use reqwest::{StatusCode, Url};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::support::{SECRET, csrf_token, marketplace};

const CLIENT_ID: &str = "marketplace-portal";
const CLIENT_SECRET: &str = "the secret the portal and the identity provider share";

/// A free address on 127.0.0.1, for a server another must know the address of before it starts.
fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port")
}

/// tests/oidc/provider.mjs, running.
struct IdentityProvider {
    issuer: String,
    _process: Child,
    _output: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl IdentityProvider {
    async fn start(portal: SocketAddr, files: &Path) -> Self {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc");
        assert!(
            folder.join("node_modules/oidc-provider").is_dir(),
            "the test identity provider is not installed: run `npm ci --prefix tests/oidc` (scripts/test does)"
        );
        let errors = files.join("identity-provider.log");
        let mut process = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&folder)
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URI", format!("http://{portal}/sign-in/callback"))
            .env("OIDC_POST_LOGOUT_REDIRECT_URI", format!("http://{portal}/"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&errors).expect("a log file"))
            .kill_on_drop(true)
            .spawn()
            .expect("node runs tests/oidc/provider.mjs (Node.js must be installed)");
        let mut output = BufReader::new(process.stdout.take().expect("its output")).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = output.next_line().await {
                if let Some(issuer) = line.strip_prefix("issuer: ") {
                    return Some(issuer.to_owned());
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(issuer) = issuer else {
            panic!("the identity provider did not start: {}", std::fs::read_to_string(&errors).unwrap_or_default());
        };
        Self { issuer, _process: process, _output: output }
    }
}

/// The identity provider, the portal signing ES256 tokens and signing people in through it, and
/// the marketplace behind it trusting the portal's JWKS only.
struct World {
    url: String,
    portal: Portal,
    marketplace: Marketplace,
    /// Signs as the portal does (the same key), to set up what a test needs in the services.
    signer: TokenSigner,
    _identity_provider: IdentityProvider,
    _files: tempfile::TempDir,
}

fn portal_settings(files: &Path, portal: SocketAddr) -> Settings {
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.join("portal");
    settings.portal_listen_addr = portal;
    settings.portal_public_url = Some(format!("http://{portal}"));
    settings
}

impl World {
    async fn start() -> Self {
        let files = tempfile::tempdir().expect("temporary folder");
        let (portal_address, grpc_address) = (free_address(), free_address());
        let identity_provider = IdentityProvider::start(portal_address, files.path()).await;
        let key = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring::rand::SystemRandom::new());
        let key_file = files.path().join("portal-signing.p8");
        std::fs::write(&key_file, key.expect("a key").as_ref()).expect("written");

        let mut settings = portal_settings(files.path(), portal_address);
        settings.portal_oidc_issuer_url = Some(identity_provider.issuer.clone());
        settings.portal_oidc_client_id = Some(CLIENT_ID.into());
        settings.portal_oidc_client_secret = Some(CLIENT_SECRET.into());
        settings.portal_oidc_scopes = "email profile roles".into();
        settings.portal_council_domains = "lambeth.gov.uk=lambeth".into();
        let signer = TokenSigner::from_key_file(&key_file).expect("the key");
        let bus = platform::runtime::connect_bus(&settings).await.expect("the portal's bus");
        let portal = Portal::start(&settings, &format!("http://{grpc_address}"), signer, bus)
            .await
            .expect("the portal starts with production sign-in");

        let mut services = Settings::defaults(0);
        services.data_dir = files.path().join("marketplace");
        services.grpc_listen_addr = grpc_address;
        services.auth_jwks_url = Some(format!("http://{portal_address}/.well-known/jwks.json"));
        let marketplace = Marketplace::start(services).await.expect("the marketplace starts on the portal's JWKS");
        Self {
            url: portal.url(),
            portal,
            marketplace,
            signer: TokenSigner::from_key_file(&key_file).expect("the key"),
            _identity_provider: identity_provider,
            _files: files,
        }
    }

    async fn stop(self) {
        self.portal.shutdown().await.expect("the portal stops");
        self.marketplace.shutdown().await.expect("the marketplace stops");
    }

    async fn providers(&self) -> ProvidersServiceClient<tonic::transport::Channel> {
        ProvidersServiceClient::new(platform::testing::channel(self.marketplace.local_addr()).await)
    }

    /// A token for charity volunteer `user`, signed with the portal's key.
    fn token(&self, user: &str) -> String {
        self.signer.sign(&volunteer(user)).expect("signed")
    }
}

/// The claims of `user` acting as a charity's volunteer before their charity is known.
fn volunteer(user: &str) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user.into(),
        org: "platform".into(),
        org_name: None,
        roles: vec![Role::Provider],
        iss: "commissioning-marketplace".into(),
        aud: "commissioning".into(),
        exp: now + 300,
        iat: now,
    }
}

/// A browser: a cookie jar, redirects followed one by one so that a test can stop at any.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// Follows `response`'s redirects until one would go to a URL for which `stop` holds: the final
/// response, or the URL it stopped before.
async fn follow(
    http: &reqwest::Client,
    mut response: reqwest::Response,
    stop: impl Fn(&Url) -> bool,
) -> Result<reqwest::Response, Url> {
    for _ in 0..20 {
        if !response.status().is_redirection() {
            return Ok(response);
        }
        let location = response.headers()[LOCATION].to_str().expect("text").to_owned();
        let next = response.url().join(&location).expect("a URL");
        if stop(&next) {
            return Err(next);
        }
        response = http.get(next).send().await.expect("answered");
    }
    panic!("too many redirects");
}

async fn follow_all(http: &reqwest::Client, response: reqwest::Response) -> reqwest::Response {
    follow(http, response, |_| false).await.expect("no stop")
}

/// The first form of an identity provider's page: where it posts, and its hidden fields.
fn form_of(html: &str) -> (String, Vec<(String, String)>) {
    let form = &html[html.find("<form").expect("a form")..];
    let attribute = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        tag.find(&marker).map(|start| tag[start + marker.len()..].split('"').next().unwrap_or_default().to_owned())
    };
    let action = attribute(form, "action").expect("an action");
    let end = form.find("</form>").unwrap_or(form.len());
    let hidden = form[..end]
        .split("<input")
        .skip(1)
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value").unwrap_or_default())))
        .collect();
    (action.replace("&#x2F;", "/"), hidden)
}

/// Posts the identity provider's form on `page` with `fields` beside its hidden ones.
async fn submit(http: &reqwest::Client, page: reqwest::Response, fields: &[(&str, &str)]) -> reqwest::Response {
    let base = page.url().clone();
    let html = page.text().await.expect("html");
    let (action, mut values) = form_of(&html);
    values.extend(fields.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())));
    http.post(base.join(&action).expect("a URL")).form(&values).send().await.expect("answered")
}

fn is_callback(url: &Url) -> bool {
    url.path() == "/sign-in/callback"
}

/// Starts signing in at the portal and goes through the provider's login (as `login`) and consent
/// pages, stopping before the portal's callback: its URL.
async fn through_the_provider(http: &reqwest::Client, world: &World, login: &str) -> Url {
    let start = http.get(format!("{}sign-in", world.url)).send().await.expect("answered");
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "off to the identity provider");
    let login_page = follow_all(http, start).await;
    assert!(login_page.url().as_str().starts_with(&world._identity_provider.issuer), "{}", login_page.url());
    let signed_in = submit(http, login_page, &[("login", login), ("password", "any password")]).await;
    let consent_page = match follow(http, signed_in, is_callback).await {
        Ok(page) => page,
        Err(callback) => return callback,
    };
    let consented = submit(http, consent_page, &[]).await;
    follow(http, consented, is_callback).await.expect_err("sent back to the portal")
}

/// Signs in as `login` through the provider: the page the portal lands on.
async fn sign_in_as(http: &reqwest::Client, world: &World, login: &str) -> reqwest::Response {
    let callback = through_the_provider(http, world, login).await;
    let response = http.get(callback).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
    assert_eq!(response.headers()[LOCATION], "/dashboard");
    follow_all(http, response).await
}

/// A plain page for a person: never an error's debug text or a stack trace.
async fn plain_page(response: reqwest::Response, status: StatusCode, heading: &str) -> String {
    assert_eq!(response.status(), status);
    let html = response.text().await.expect("html");
    assert!(html.contains(&format!("<h1 class=\"govuk-heading-l\">{heading}</h1>")), "{html}");
    for raw in ["Error", "panicked", "ClaimsVerification", "RequestToken", "invalid_grant", "at src/"] {
        assert!(!html.contains(raw), "{raw} in {html}");
    }
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_signs_in_through_the_identity_provider_and_out_again() {
    let world = World::start().await;
    let http = browser();
    let dashboard = sign_in_as(&http, &world, "newcomer").await;
    assert_eq!(dashboard.url().path(), "/dashboard");
    let html = dashboard.text().await.expect("html");
    assert!(html.contains("Signed in as <strong>Nia Newcomer</strong>"), "{html}");
    assert!(html.contains("Register your organisation"), "a person of no charity registers one: {html}");
    assert!(!html.contains("Development"), "no development banner in production: {html}");

    // Signing out ends the session here and sends the person to the provider's end_session_endpoint.
    let csrf = csrf_token(&html);
    let signed_out = http.post(format!("{}sign-out", world.url)).form(&[("csrf_token", csrf)]).send().await;
    let signed_out = signed_out.expect("answered");
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let location = Url::parse(signed_out.headers()[LOCATION].to_str().expect("text")).expect("a URL");
    assert!(location.as_str().starts_with(&world._identity_provider.issuer), "{location}");
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(query.contains(&("client_id".into(), CLIENT_ID.into())), "{location}");
    assert!(query.contains(&("post_logout_redirect_uri".into(), world.url.clone())), "{location}");
    let after = http.get(format!("{}dashboard", world.url)).send().await.expect("answered");
    assert_eq!(after.headers()[LOCATION], "/sign-in", "the session is over");
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charity_member_lands_on_their_charity_and_the_services_take_only_the_portals_tokens() {
    let world = World::start().await;
    let provider = Provider {
        legal_name: "Brixton Good Neighbours".into(),
        legal_form: LegalForm::UnincorporatedCommunityGroup as i32,
        registered_address: Some(PostalAddress {
            line1: "1 Acre Lane".into(),
            town: "London".into(),
            postcode: "SW2 5SG".into(),
            ..Default::default()
        }),
        contact_email: "hello@example.org".into(),
        volunteer_count: 12,
        ..Default::default()
    };
    let request = CreateProviderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider: Some(provider) };
    let token = world.token("amira");
    let created = world.providers().await.create_provider(platform::testing::with_token(request, &token)).await;
    let provider =
        created.expect("registered with the portal's ES256 token").into_inner().provider.expect("a provider");

    let http = browser();
    let dashboard = sign_in_as(&http, &world, "amira").await;
    let html = dashboard.text().await.expect("html");
    assert!(html.contains("Signed in as <strong>Amira Haddad</strong>, Brixton Good Neighbours"), "{html}");
    assert!(html.contains("<h1 class=\"govuk-heading-l\">Brixton Good Neighbours</h1>"), "their charity: {html}");

    // The portal's JWKS has its one P-256 key; the services take a token signed with it and refuse
    // a development token and one from any other key.
    let jwks = http.get(format!("{}.well-known/jwks.json", world.url)).send().await.expect("answered");
    let jwks: serde_json::Value = jwks.json().await.expect("a JWKS");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1), "{jwks}");
    assert_eq!((jwks["keys"][0]["kty"].as_str(), jwks["keys"][0]["alg"].as_str()), (Some("EC"), Some("ES256")));
    let mut providers = world.providers().await;
    let mine = providers.list_my_memberships(platform::testing::with_token(ListMyMembershipsRequest {}, &token));
    let mine = mine.await.expect("the portal's token is taken").into_inner().memberships;
    assert_eq!(
        mine.iter().map(|membership| membership.provider_id.as_str()).collect::<Vec<_>>(),
        [provider.id.as_str()]
    );
    let development = platform::testing::token("amira", "platform", &[Role::Provider]);
    let other_key = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring::rand::SystemRandom::new());
    let other_file = world._files.path().join("other.p8");
    std::fs::write(&other_file, other_key.expect("a key").as_ref()).expect("written");
    let claims = volunteer("amira");
    let forged = TokenSigner::from_key_file(&other_file).expect("the key").sign(&claims).expect("signed");
    for token in [development, forged] {
        let refused = providers.list_my_memberships(platform::testing::with_token(ListMyMembershipsRequest {}, &token));
        assert_eq!(refused.await.expect_err("refused").code(), tonic::Code::Unauthenticated);
    }
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_state_and_nonce_a_second_use_another_browser_and_refused_consent_get_plain_pages() {
    let world = World::start().await;
    let http = browser();

    // A state the portal did not send: refused; the real one still finishes, once.
    let callback = through_the_provider(&http, &world, "newcomer").await;
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    tampered.query_pairs_mut().clear().extend_pairs(
        pairs.iter().map(|(key, value)| (key.as_str(), if key == "state" { "not-the-state" } else { value.as_str() })),
    );
    let refused = http.get(tampered).send().await.expect("answered");
    plain_page(refused, StatusCode::BAD_REQUEST, "Your sign-in did not finish").await;
    let mut no_state = callback.clone();
    no_state.set_query(Some("code=anything"));
    plain_page(
        http.get(no_state).send().await.expect("answered"),
        StatusCode::BAD_REQUEST,
        "Your sign-in did not finish",
    )
    .await;
    // In another browser (another session), the same callback finishes nothing.
    let other = browser();
    let elsewhere = other.get(callback.clone()).send().await.expect("answered");
    plain_page(elsewhere, StatusCode::BAD_REQUEST, "Your sign-in did not finish").await;
    let finished = http.get(callback.clone()).send().await.expect("answered");
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    assert_eq!(finished.headers()[LOCATION], "/dashboard");
    let again = http.get(callback).send().await.expect("answered");
    plain_page(again, StatusCode::BAD_REQUEST, "Your sign-in did not finish").await;

    // A nonce changed on the way to the provider: its ID token is refused.
    let http = browser();
    let start = http.get(format!("{}sign-in", world.url)).send().await.expect("answered");
    let mut authorize = Url::parse(start.headers()[LOCATION].to_str().expect("text")).expect("a URL");
    let pairs: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    assert!(pairs.iter().any(|(key, _)| key == "code_challenge"), "PKCE: {authorize}");
    assert!(pairs.iter().any(|(key, _)| key == "nonce"), "a nonce: {authorize}");
    authorize.query_pairs_mut().clear().extend_pairs(
        pairs
            .iter()
            .map(|(key, value)| (key.as_str(), if key == "nonce" { "a-nonce-of-my-own" } else { value.as_str() })),
    );
    let login_page = follow_all(&http, http.get(authorize).send().await.expect("answered")).await;
    let signed_in = submit(&http, login_page, &[("login", "newcomer"), ("password", "x")]).await;
    let consent_page = follow(&http, signed_in, is_callback).await.expect("the consent page");
    let callback = follow(&http, submit(&http, consent_page, &[]).await, is_callback).await.expect_err("back");
    let refused = http.get(callback).send().await.expect("answered");
    plain_page(refused, StatusCode::BAD_REQUEST, "Sorry, we could not sign you in").await;

    // Consent refused at the provider: the person is told, and offered to sign in again.
    let http = browser();
    let start = http.get(format!("{}sign-in", world.url)).send().await.expect("answered");
    let login_page = follow_all(&http, start).await;
    let signed_in = submit(&http, login_page, &[("login", "newcomer"), ("password", "x")]).await;
    let consent_page = follow(&http, signed_in, is_callback).await.expect("the consent page");
    let base = consent_page.url().clone();
    let html = consent_page.text().await.expect("html");
    let cancel =
        html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).find(|href| href.contains("abort"));
    let cancelled = http.get(base.join(cancel.expect("a cancel link")).expect("a URL")).send().await.expect("answered");
    let callback = follow(&http, cancelled, is_callback).await.expect_err("back with the refusal");
    assert!(callback.query_pairs().any(|(key, value)| key == "error" && value == "access_denied"), "{callback}");
    let page =
        plain_page(http.get(callback).send().await.expect("answered"), StatusCode::FORBIDDEN, "You did not sign in")
            .await;
    assert!(page.contains("href=\"/sign-in\""), "the way back: {page}");
    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn council_staff_are_known_by_their_roles_and_verified_email_and_the_development_sign_in_is_refused() {
    let world = World::start().await;
    let http = browser();
    let dashboard = sign_in_as(&http, &world, "olu").await;
    let html = dashboard.text().await.expect("html");
    assert!(html.contains("Signed in as <strong>Olu Adeyemi</strong>, Lambeth"), "{html}");
    assert!(html.contains("You are signed in as procurement officer"), "{html}");
    // A charity's pages are not an officer's.
    let locker = http.get(format!("{}locker", world.url)).send().await.expect("answered");
    assert_eq!(locker.headers()[LOCATION], "/dashboard");

    // The development sign-in's form is refused, even with the session's own CSRF token; /sign-in
    // only goes to the identity provider.
    let form = [
        ("csrf_token", csrf_token(&html)),
        ("name", "Olu Adeyemi".into()),
        ("email", "olu.adeyemi@lambeth.gov.uk".into()),
        ("acting_as", "demo-officer".into()),
    ];
    let refused = http.post(format!("{}sign-in", world.url)).form(&form).send().await.expect("answered");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let page = browser().get(format!("{}sign-in", world.url)).send().await.expect("answered");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(page.headers()[LOCATION].to_str().expect("text").starts_with(&world._identity_provider.issuer));
    for (login, reason) in [("elsewhere", "is not one of a council"), ("unverified", "did not confirm your email")] {
        let http = browser();
        let callback = through_the_provider(&http, &world, login).await;
        let refused = http.get(callback).send().await.expect("answered");
        let page = plain_page(refused, StatusCode::FORBIDDEN, "You cannot sign in as a member of a council yet").await;
        assert!(page.contains(reason), "{login}: {page}");
    }

    world.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_signing_without_production_sign_in_does_not_start() {
    let files = tempfile::tempdir().expect("temporary folder");
    let key = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring::rand::SystemRandom::new());
    let key_file = files.path().join("portal-signing.p8");
    std::fs::write(&key_file, key.expect("a key").as_ref()).expect("written");
    let settings = portal_settings(files.path(), free_address());
    let bus = platform::runtime::connect_bus(&settings).await.expect("a bus");
    let signer = TokenSigner::from_key_file(&key_file).expect("the key");
    let refused = Portal::start(&settings, "http://127.0.0.1:9", signer, bus).await;
    let Err(error) = refused else { panic!("the portal started with production signing and no sign-in") };
    let error = error.to_string();
    assert!(error.contains("PORTAL_OIDC_ISSUER_URL") && error.contains("PORTAL_SIGNING_KEY_FILE"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_sign_in_acts_as_the_demos_people() {
    let files = tempfile::tempdir().expect("temporary folder");
    let marketplace = marketplace(&files.path().join("marketplace")).await;
    let settings = portal_settings(files.path(), SocketAddr::from(([127, 0, 0, 1], 0)));
    let bus = platform::runtime::connect_bus(&settings).await.expect("a bus");
    let grpc_url = format!("http://{}", marketplace.local_addr());
    let portal = Portal::start(&settings, &grpc_url, TokenSigner::development(SECRET), bus).await.expect("starts");
    let url = portal.url();
    let http = browser();

    // Before the demo: no charity of it to act for, and the page says so.
    let page = http.get(format!("{url}sign-in")).send().await.expect("answered").text().await.expect("html");
    assert!(page.contains("Development only.") && page.contains("No demo charity is here yet"), "{page}");
    for choice in ["charity-volunteer", "demo-officer", "demo-evaluator", "demo-integrator"] {
        assert!(page.contains(&format!("value=\"{choice}\"")), "{choice}: {page}");
    }
    let csrf = csrf_token(&page);
    let refused =
        http.post(format!("{url}sign-in")).form(&[("csrf_token", csrf.as_str()), ("acting_as", "demo-charity-1")]);
    let refused = refused.send().await.expect("answered");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.expect("html").contains("Run marketplace demo first"));

    // The demo registers its charities as its workers; one of them is then offered.
    let request = CreateProviderRequest {
        request_id: uuid::Uuid::new_v4().to_string(),
        provider: Some(Provider {
            legal_name: "Stockwell Community Connect".into(),
            legal_form: LegalForm::UnincorporatedCommunityGroup as i32,
            registered_address: Some(PostalAddress {
                line1: "Community Hall".into(),
                town: "London".into(),
                postcode: "SW9 9SL".into(),
                ..Default::default()
            }),
            contact_email: "hello@example.org".into(),
            ..Default::default()
        }),
    };
    // The marketplace here trusts the portal's development secret, as `marketplace serve` does.
    let claims = volunteer("charity-worker-2");
    let token = TokenSigner::development(SECRET).sign(&claims).expect("signed");
    let mut providers = ProvidersServiceClient::new(platform::testing::channel(marketplace.local_addr()).await);
    providers
        .create_provider(platform::testing::with_token(request, &token))
        .await
        .expect("registered as the demo does");
    let page = http.get(format!("{url}sign-in")).send().await.expect("answered").text().await.expect("html");
    assert!(page.contains("A volunteer at Stockwell Community Connect (from the demo)"), "{page}");
    assert!(!page.contains("No demo charity is here yet"), "{page}");
    let csrf = csrf_token(&page);
    let signed_in =
        http.post(format!("{url}sign-in")).form(&[("csrf_token", csrf.as_str()), ("acting_as", "demo-charity-2")]);
    let dashboard = follow_all(&http, signed_in.send().await.expect("answered")).await.text().await.expect("html");
    assert!(dashboard.contains("<h1 class=\"govuk-heading-l\">Stockwell Community Connect</h1>"), "{dashboard}");

    // Lambeth's officer, from the demo story.
    let csrf = csrf_token(&dashboard);
    http.post(format!("{url}sign-out")).form(&[("csrf_token", csrf.as_str())]).send().await.expect("signed out");
    let page = http.get(format!("{url}sign-in")).send().await.expect("answered").text().await.expect("html");
    let csrf = csrf_token(&page);
    let signed_in =
        http.post(format!("{url}sign-in")).form(&[("csrf_token", csrf.as_str()), ("acting_as", "demo-officer")]);
    let dashboard = follow_all(&http, signed_in.send().await.expect("answered")).await.text().await.expect("html");
    assert!(dashboard.contains("Signed in as <strong>Olu Adeyemi</strong>, Lambeth"), "{dashboard}");
    assert!(dashboard.contains("You are signed in as procurement officer"), "{dashboard}");

    // Another council's officer acts for that council.
    let csrf = csrf_token(&dashboard);
    http.post(format!("{url}sign-out")).form(&[("csrf_token", csrf.as_str())]).send().await.expect("signed out");
    let page = http.get(format!("{url}sign-in")).send().await.expect("answered").text().await.expect("html");
    assert!(page.contains("Wendy Hart, procurement officer at Woking (from the demo)"), "{page}");
    let csrf = csrf_token(&page);
    let signed_in =
        http.post(format!("{url}sign-in")).form(&[("csrf_token", csrf.as_str()), ("acting_as", "demo-woking-officer")]);
    let dashboard = follow_all(&http, signed_in.send().await.expect("answered")).await.text().await.expect("html");
    assert!(dashboard.contains("Signed in as <strong>Wendy Hart</strong>, Woking"), "{dashboard}");
    portal.shutdown().await.expect("stops");
    marketplace.shutdown().await.expect("stops");
}
