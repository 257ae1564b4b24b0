//! The malware scan: clamd's INSTREAM command over TCP. It fails closed: when the scanner cannot
//! be reached or cannot answer, a document is kept as PENDING_SCAN and never counts until a later
//! scan passes it.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes per INSTREAM chunk; clamd's default `StreamMaxLength` is far larger than a chunk.
const CHUNK: usize = 64 * 1024;

/// Longest a whole scan may take before the scanner counts as unreachable.
const SCAN_TIMEOUT: Duration = Duration::from_secs(30);

/// What the scanner said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No malware found.
    Clean,
    /// Malware found; the signature's name.
    Infected(String),
    /// No answer: the scanner is down, timed out or failed. The file stays unscanned.
    Unavailable(String),
}

/// The scanner the settings name, or none.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    address: Option<String>,
}

impl Scanner {
    /// A clamd at `address` (`host:port`), or no scanning at all when `None`.
    pub fn new(address: Option<String>) -> Self {
        Self { address }
    }

    /// The verdict on `bytes`. Without a configured scanner every file is clean.
    pub async fn scan(&self, bytes: &[u8]) -> Verdict {
        let Some(address) = &self.address else {
            return Verdict::Clean;
        };
        match tokio::time::timeout(SCAN_TIMEOUT, instream(address, bytes)).await {
            Ok(Ok(reply)) => parse_reply(&reply),
            Ok(Err(error)) => Verdict::Unavailable(format!("clamd at {address}: {error}")),
            Err(_) => Verdict::Unavailable(format!("clamd at {address} did not answer within {SCAN_TIMEOUT:?}")),
        }
    }
}

/// Sends `bytes` with INSTREAM and returns clamd's reply.
async fn instream(address: &str, bytes: &[u8]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in bytes.chunks(CHUNK) {
        // A chunk is at most CHUNK bytes, so its length always fits the 4-byte prefix.
        let length = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        stream.write_all(&length.to_be_bytes()).await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    Ok(String::from_utf8_lossy(&reply).trim_end_matches(['\0', '\n']).to_owned())
}

/// Reads `stream: OK`, `stream: <signature> FOUND` or an error reply.
fn parse_reply(reply: &str) -> Verdict {
    let answer = reply.strip_prefix("stream:").map(str::trim);
    match answer {
        Some("OK") => Verdict::Clean,
        Some(found) if found.ends_with(" FOUND") => {
            Verdict::Infected(found.trim_end_matches(" FOUND").trim().to_owned())
        }
        _ if reply.is_empty() => Verdict::Unavailable("clamd closed the connection without a verdict".into()),
        _ => Verdict::Unavailable(format!("clamd could not scan the file: {reply}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_as_clamd_writes_them() {
        assert_eq!(parse_reply("stream: OK"), Verdict::Clean);
        assert_eq!(parse_reply("stream: Win.Test.EICAR_HDB-1 FOUND"), Verdict::Infected("Win.Test.EICAR_HDB-1".into()));
        assert!(matches!(parse_reply("INSTREAM size limit exceeded. ERROR"), Verdict::Unavailable(_)));
        assert!(matches!(parse_reply(""), Verdict::Unavailable(_)));
    }

    #[tokio::test]
    async fn no_scanner_configured_passes_every_file() {
        assert_eq!(Scanner::default().scan(b"%PDF-1.7").await, Verdict::Clean);
    }

    #[tokio::test]
    async fn a_scanner_that_is_down_fails_closed() {
        // Nothing listens on a port just released; the scan must not pass.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("bound").to_string();
        drop(listener);
        assert!(matches!(Scanner::new(Some(address)).scan(b"%PDF-1.7").await, Verdict::Unavailable(_)));
    }
}
