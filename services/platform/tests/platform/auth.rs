//! Bearer tokens: a valid one is accepted; expired, wrong issuer, wrong audience, `alg: none`, a
//! bad signature, and an HS256 token where RS256 keys are configured are each refused.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::auth::{Authenticator, Claims, Role};
use platform::testing::{TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, claims};

const LEEWAY: Duration = Duration::from_secs(5);

fn hs256_authenticator() -> Authenticator {
    Authenticator::hs256(TEST_SECRET.as_bytes(), TEST_ISSUER, TEST_AUDIENCE, LEEWAY)
}

fn rs256_authenticator() -> Authenticator {
    let jwks = serde_json::from_str(include_str!("../fixtures/jwks.json")).expect("fixture JWKS");
    Authenticator::jwks(jwks, TEST_ISSUER, TEST_AUDIENCE, LEEWAY)
}

fn officer() -> Claims {
    claims("officer-1", "lambeth", &[Role::Officer])
}

fn hs256(claims: &Claims) -> String {
    platform::auth::mint_hs256(TEST_SECRET.as_bytes(), claims).expect("sign")
}

fn rs256(claims: &Claims, private_pem: &[u8]) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-key-1".into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(private_pem).expect("fixture key")).expect("sign")
}

fn assert_refused(authenticator: &Authenticator, token: &str, case: &str) {
    match authenticator.verify(token) {
        Err(platform::Error::Unauthenticated(message)) => {
            assert!(message.contains("sign in again"), "{case}: {message}")
        }
        other => panic!("{case}: expected UNAUTHENTICATED, got {other:?}"),
    }
}

#[test]
fn a_valid_token_gives_its_caller() {
    let caller = hs256_authenticator().verify(&hs256(&officer())).expect("accepted");
    assert_eq!(caller.user_id, "officer-1");
    assert_eq!(caller.organisation_id, "lambeth");
    assert_eq!(caller.organisation_name, "lambeth", "without org_name the id stands in");
    assert!(caller.has_role(Role::Officer));
    assert!(!caller.has_role(Role::Provider));
    let named = Claims { org_name: Some("London Borough of Lambeth".into()), ..officer() };
    let caller = hs256_authenticator().verify(&hs256(&named)).expect("accepted");
    assert_eq!(caller.organisation_name, "London Borough of Lambeth");

    let caller = rs256_authenticator()
        .verify(&rs256(&officer(), include_bytes!("../fixtures/rs256-private.pem")))
        .expect("RS256 accepted");
    assert_eq!(caller.organisation_id, "lambeth");
}

#[test]
fn an_expired_token_is_refused_beyond_the_leeway() {
    let mut expired = officer();
    expired.exp = chrono::Utc::now().timestamp() - 60;
    assert_refused(&hs256_authenticator(), &hs256(&expired), "expired");

    let mut just_expired = officer();
    just_expired.exp = chrono::Utc::now().timestamp() - 1;
    assert!(hs256_authenticator().verify(&hs256(&just_expired)).is_ok(), "within the leeway");
}

#[test]
fn a_wrong_issuer_or_audience_is_refused() {
    let mut wrong_issuer = officer();
    wrong_issuer.iss = "someone-else".into();
    assert_refused(&hs256_authenticator(), &hs256(&wrong_issuer), "issuer");
    let mut wrong_audience = officer();
    wrong_audience.aud = "another-app".into();
    assert_refused(&hs256_authenticator(), &hs256(&wrong_audience), "audience");
}

#[test]
fn an_unsigned_token_is_refused() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&officer()).expect("json"));
    for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
        assert_refused(&hs256_authenticator(), &token, "alg none");
        assert_refused(&rs256_authenticator(), &token, "alg none");
    }
}

#[test]
fn a_bad_signature_is_refused() {
    let token = hs256(&officer());
    let (signed, signature) = token.rsplit_once('.').expect("three parts");
    let mut forged = signature.as_bytes().to_vec();
    forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
    assert_refused(
        &hs256_authenticator(),
        &format!("{signed}.{}", String::from_utf8(forged).expect("ascii")),
        "tampered",
    );

    let mut promoted = officer();
    promoted.roles.push(Role::Admin);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&promoted).expect("json"));
    let (header, _) = signed.split_once('.').expect("header");
    assert_refused(&hs256_authenticator(), &format!("{header}.{body}.{signature}"), "claims changed");

    let stranger = rs256(&officer(), include_bytes!("../fixtures/rs256-other-private.pem"));
    assert_refused(&rs256_authenticator(), &stranger, "signed by another key");
}

#[test]
fn an_hs256_token_is_refused_where_rs256_is_configured() {
    assert_refused(&rs256_authenticator(), &hs256(&officer()), "HS256 against RS256 keys");
    // The classic confusion attack: HMAC keyed with the public key's text.
    let public_jwks = include_str!("../fixtures/jwks.json");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-key-1".into());
    let token =
        jsonwebtoken::encode(&header, &officer(), &EncodingKey::from_secret(public_jwks.as_bytes())).expect("sign");
    assert_refused(&rs256_authenticator(), &token, "HS256 keyed with the public key");
}

#[test]
fn roles_decide_what_a_caller_may_do() {
    let caller = hs256_authenticator().verify(&hs256(&officer())).expect("accepted");
    assert!(caller.require_any(&[Role::Officer, Role::Evaluator]).is_ok());
    assert!(matches!(caller.require_any(&[Role::Provider]), Err(platform::Error::PermissionDenied(_))));
    let admin = hs256_authenticator().verify(&hs256(&claims("root", "platform", &[Role::Admin]))).expect("accepted");
    assert!(admin.require_any(&[Role::Provider]).is_ok());
}

fn raw_hs256(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(TEST_SECRET.as_bytes()))
        .expect("sign")
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let now = chrono::Utc::now().timestamp();
    let early = serde_json::json!({
        "sub": "officer-1", "org": "lambeth", "roles": ["officer"], "iss": TEST_ISSUER, "aud": TEST_AUDIENCE,
        "exp": now + 3600, "iat": now, "nbf": now + 600,
    });
    assert_refused(&hs256_authenticator(), &raw_hs256(&early), "not before");
}

#[test]
fn an_identity_providers_audience_list_and_extra_roles_are_understood() {
    let now = chrono::Utc::now().timestamp();
    let from_provider = serde_json::json!({
        "sub": "officer-1", "org": "lambeth", "roles": ["offline_access", "officer"], "iss": TEST_ISSUER,
        "aud": ["account", TEST_AUDIENCE], "exp": now + 3600, "iat": now,
    });
    let caller = hs256_authenticator().verify(&raw_hs256(&from_provider)).expect("accepted");
    assert_eq!(caller.roles.len(), 1, "only the marketplace's roles count");
    assert!(caller.has_role(Role::Officer));
}

/// Serves whatever JWKS `keys` holds over plain HTTP, as an identity provider would.
async fn serve_jwks(keys: std::sync::Arc<std::sync::Mutex<String>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = keys.lock().expect("lock").clone();
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn a_key_added_by_rotation_is_fetched_when_a_token_first_names_it() {
    let served = std::sync::Arc::new(std::sync::Mutex::new(include_str!("../fixtures/jwks.json").to_owned()));
    let mut settings = platform::config::Settings::defaults(0);
    settings.auth_jwks_url = Some(serve_jwks(served.clone()).await);
    settings.auth_issuer = TEST_ISSUER.into();
    settings.auth_audience = TEST_AUDIENCE.into();
    let authenticator = Authenticator::from_settings(&settings).await.expect("keys fetched at start");
    assert!(authenticator.verify(&rs256(&officer(), include_bytes!("../fixtures/rs256-private.pem"))).is_ok());

    // The identity provider rotates: a new key appears at the same URL.
    *served.lock().expect("lock") = include_str!("../fixtures/jwks-rotated.json").to_owned();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-key-2".into());
    let rotated_key = EncodingKey::from_rsa_pem(include_bytes!("../fixtures/rs256-rotated-private.pem")).expect("key");
    let token = jsonwebtoken::encode(&header, &officer(), &rotated_key).expect("sign");
    assert_refused(&authenticator, &token, "not yet known");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while authenticator.verify(&token).is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the rotated key was never fetched");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
