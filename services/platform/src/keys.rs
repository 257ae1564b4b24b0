//! PKCS#8 private keys as files: DER, or PEM with a "PRIVATE KEY" block.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const END: &str = "-----END PRIVATE KEY-----";

/// The DER of a key file's contents: the body of its PEM block, or the bytes as they are.
pub fn pkcs8_der(bytes: &[u8]) -> Vec<u8> {
    pem_body(bytes).unwrap_or_else(|| bytes.to_vec())
}

fn pem_body(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.split(BEGIN).nth(1)?.split(END).next()?;
    let joined: String = body.split_whitespace().collect();
    STANDARD.decode(joined).ok()
}

/// `der` as a PEM "PRIVATE KEY" block, lines of 64 characters.
pub fn pkcs8_pem(der: &[u8]) -> String {
    let encoded = STANDARD.encode(der);
    let lines: Vec<&str> =
        encoded.as_bytes().chunks(64).map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()).collect();
    format!("{BEGIN}\n{}\n{END}\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_and_der_read_alike() {
        let der: Vec<u8> = (0..=200).collect();
        assert_eq!(pkcs8_der(pkcs8_pem(&der).as_bytes()), der);
        assert_eq!(pkcs8_der(&der), der);
    }
}
