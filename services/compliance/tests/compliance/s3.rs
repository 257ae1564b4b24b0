//! An S3-compatible server for one test: moto, from the test tools `scripts/test` installs (or the
//! `moto_server` named by `MOTO_SERVER`), on a free loopback port, with one empty bucket.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BUCKET: &str = "compliance-documents";

pub struct S3Server {
    endpoint: String,
    process: Child,
}

impl S3Server {
    pub async fn start() -> Self {
        let program = std::env::var_os("MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/tools/venv/bin/moto_server"));
        assert!(
            program.exists(),
            "{} is missing: run scripts/test, which installs the test tools, or set MOTO_SERVER",
            program.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|free| free.local_addr()).expect("port").port();
        let process = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
        let server = Self { endpoint: format!("http://127.0.0.1:{port}"), process };
        server.create_bucket(port).await;
        server
    }

    /// Points the documents store at this server's bucket.
    pub fn configure(&self, settings: &mut platform::config::Settings) {
        settings.documents_s3_bucket = Some(BUCKET.into());
        settings.documents_s3_endpoint = Some(self.endpoint.clone());
        settings.documents_s3_access_key_id = Some("test-key".into());
        settings.documents_s3_secret_access_key = Some("test-secret".into());
    }

    /// Creates the bucket once the server answers (moto takes a second or two to start).
    async fn create_bucket(&self, port: u16) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut connection) = TcpStream::connect(("127.0.0.1", port)).await {
                let request = format!(
                    "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                connection.write_all(request.as_bytes()).await.expect("request sent");
                let mut reply = String::new();
                connection.read_to_string(&mut reply).await.expect("reply");
                assert!(reply.starts_with("HTTP/1.1 200"), "moto refused the bucket: {reply}");
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "moto did not start on port {port}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
