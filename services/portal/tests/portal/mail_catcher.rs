//! MailDev, a real SMTP server (npm, pinned in tests/mail and installed there by scripts/test),
//! started for one test on free ports and read through its REST API. A test that cannot start it
//! fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct MailCatcher {
    child: Child,
    api: String,
    http: reqwest::Client,
    _mail: tempfile::TempDir,
}

impl Drop for MailCatcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port()
}

impl MailCatcher {
    /// MailDev taking mail on `smtp_port`; it answers within 30 seconds or the test fails.
    pub async fn start_on(smtp_port: u16) -> Self {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/node_modules/maildev/dist/bin/maildev.js");
        assert!(
            script.exists(),
            "MailDev is not installed at {}: run `npm ci --prefix tests/mail` (scripts/test does)",
            script.display()
        );
        let web_port = free_port();
        let mail = tempfile::tempdir().expect("a folder for the mail");
        let child = Command::new("node")
            .arg(&script)
            .args(["--ip", "127.0.0.1", "--smtp", &smtp_port.to_string()])
            .args(["--web-ip", "127.0.0.1", "--web", &web_port.to_string()])
            .arg("--mail-directory")
            .arg(mail.path())
            .arg("--silent")
            .stdout(Stdio::null())
            .spawn()
            .expect("node runs MailDev");
        let catcher =
            Self { child, api: format!("http://127.0.0.1:{web_port}/api"), http: reqwest::Client::new(), _mail: mail };
        for _ in 0..300 {
            let api_up = catcher
                .http
                .get(format!("{}/healthz", catcher.api))
                .send()
                .await
                .is_ok_and(|answer| answer.status().is_success());
            if api_up && std::net::TcpStream::connect(("127.0.0.1", smtp_port)).is_ok() {
                return catcher;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("MailDev did not start on SMTP port {smtp_port} within 30 seconds");
    }

    /// Every mail it has taken, as its API describes them (subject, from, to, text, ...).
    pub async fn mails(&self) -> Vec<serde_json::Value> {
        let answer = self.http.get(format!("{}/email", self.api)).send().await.expect("MailDev answers");
        answer.json().await.expect("a list of mails")
    }

    /// The mail as it came over SMTP, headers and all.
    pub async fn source(&self, id: &str) -> String {
        let answer = self.http.get(format!("{}/email/{id}/source", self.api)).send().await.expect("MailDev answers");
        answer.text().await.expect("the mail's source")
    }

    /// The mails once there are at least `count`, waiting at most `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mails = self.mails().await;
            if mails.len() >= count {
                return mails;
            }
            assert!(tokio::time::Instant::now() < deadline, "{} mails after {within:?}, not {count}", mails.len());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
