//! A portal on a free port, over a fresh SQLite file, calling services at `grpc_url`.

use platform::config::Settings;
use portal::{Portal, TokenSigner};

pub const SECRET: &str = "a development secret of at least 32 characters";

pub struct Running {
    pub portal: Portal,
    pub url: String,
    _files: tempfile::TempDir,
}

pub async fn start(grpc_url: &str, signer: TokenSigner) -> Running {
    let files = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.path().to_path_buf();
    settings.portal_listen_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    // The embedded event log in the same folder: no events come, so there are no notifications.
    let bus = platform::runtime::connect_bus(&settings).await.expect("the embedded event log");
    let portal = Portal::start(&settings, grpc_url, signer, bus).await.expect("the portal starts");
    let url = portal.url();
    Running { portal, url, _files: files }
}

/// A client that does not follow redirects, so each response can be checked.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("portal_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
}

/// The value of the hidden `csrf_token` field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().expect("a value").to_owned()
}

/// The whole marketplace on a free port under `files`, trusting the development secret the
/// portal signs with.
pub async fn marketplace(files: &std::path::Path) -> marketplace::Marketplace {
    let mut settings = Settings::defaults(0);
    settings.data_dir = files.to_path_buf();
    settings.grpc_listen_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    settings.auth_hs256_secret = Some(SECRET.into());
    marketplace::Marketplace::start(settings).await.expect("the marketplace starts")
}
