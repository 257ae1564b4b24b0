//! Sealing bids: encryption of bid contents at rest (the envelope encryption of
//! `platform::sealing`, with a data key per tender), and bid receipt hashes.
//!
//! Cancelling a tender deletes its wrapped data key, and with it every bid on that tender becomes
//! unreadable at once, even in backups: the bids are destroyed unread (crypto-shredding). A sealed
//! bid is bound to its place with the associated data `"<tender_id>/<bid_id>/<version>"`, so
//! ciphertexts cannot be swapped between bids or versions.

pub use platform::sealing::{DataKey, MasterKey, SealError};
use prost::Message as _;
use proto::commissioning::tendering::v1::BidHashInput;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 lower-case hex characters (the receipt's nonce_hex).
pub fn receipt_nonce_hex() -> Result<String, SealError> {
    Ok(hex::encode(platform::sealing::random::<32>()?))
}

/// The SHA-256 (64 lower-case hex) of the protobuf encoding of `input` (prost's `encode_to_vec`), as documented on BidHashInput in proto/commissioning/tendering/v1/bid.proto.
pub fn bid_sha256(input: &BidHashInput) -> String {
    hex::encode(Sha256::digest(input.encode_to_vec()))
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::Money;
    use proto::commissioning::tendering::v1::{Answer, BidContent, LotPrice};

    use super::*;

    fn sample_input(price_pence: i64) -> BidHashInput {
        BidHashInput {
            tender_id: "0190a0d4-0000-7000-8000-000000000001".to_owned(),
            bid_id: "0190a0d4-0000-7000-8000-000000000002".to_owned(),
            provider_id: "0190a0d4-0000-7000-8000-000000000003".to_owned(),
            version: 1,
            nonce_hex: "ab".repeat(32),
            content: Some(BidContent {
                total_price: Some(Money { amount_pence: price_pence, currency: "GBP".to_owned(), vat_included: true }),
                lot_prices: vec![LotPrice {
                    lot_id: "lot-1".to_owned(),
                    price: Some(Money { amount_pence: price_pence, currency: "GBP".to_owned(), vat_included: true }),
                }],
                answers: vec![Answer { bid_question_id: "q-1".to_owned(), text: "Weekly coffee mornings.".to_owned() }],
                consortium_partners: vec![],
                evidence_declaration: true,
            }),
        }
    }

    #[test]
    fn bid_sha256_is_the_sha256_of_the_protobuf_encoding() {
        let input = sample_input(1_250_000);
        let expected = hex::encode(Sha256::digest(input.encode_to_vec()));
        let hash = bid_sha256(&input);
        assert_eq!(hash, expected);
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{hash}");
        assert_ne!(bid_sha256(&sample_input(1_250_001)), hash);
    }

    #[test]
    fn bid_sha256_matches_a_hand_encoded_message() {
        let input = BidHashInput {
            tender_id: "t".to_owned(),
            version: 1,
            content: Some(BidContent {
                total_price: Some(Money { amount_pence: 100, currency: "GBP".to_owned(), vat_included: true }),
                evidence_declaration: true,
                ..BidContent::default()
            }),
            ..BidHashInput::default()
        };
        // Field 1 "t", field 4 = 1, field 6 { field 1 { 100, "GBP", true }, field 5 = true }, in field order.
        let encoding = hex::decode("0a01742001320d0a090864120347425018012801").expect("valid hex");
        assert_eq!(input.encode_to_vec(), encoding);
        // sha256sum of those bytes, computed outside Rust.
        assert_eq!(bid_sha256(&input), "a4c012fb384f0df0c2af85be2c9a9aba79114bd229c089b764722c06b54f460a");
    }

    #[test]
    fn receipt_nonce_hex_is_64_hex_and_fresh() {
        let a = receipt_nonce_hex().expect("random works");
        let b = receipt_nonce_hex().expect("random works");
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{a}");
        assert_ne!(a, b);
    }
}
