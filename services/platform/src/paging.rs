//! Pagination as Google's AIP-158 describes it: `page_size` (0 means the default, large values
//! are capped, negative is an error) and an opaque `page_token` that only fits the request it came
//! from. The token carries the offset and a fingerprint of the request's filters, so a token
//! replayed with other filters is INVALID_ARGUMENT rather than a silently wrong page.

use sha2::{Digest, Sha256};

use crate::Error;

/// Page size when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page returned.
pub const MAX_PAGE_SIZE: u64 = 200;
/// Furthest a token may lead.
const MAX_OFFSET: u64 = 100_000_000;

/// Which slice of the results a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
    fingerprint: [u8; 8],
}

/// A List or Search request: its page fields, and a way to clear them, so its other fields make
/// the fingerprint its page tokens must match.
pub trait Paged: prost::Message + Clone {
    fn page_size(&self) -> i32;
    fn page_token(&self) -> &str;
    fn clear_page(&mut self);
}

/// Implements [`Paged`] for request messages with `page_size` and `page_token` fields.
macro_rules! paged {
    ($($request:ty),+ $(,)?) => {$(
        impl Paged for $request {
            fn page_size(&self) -> i32 {
                self.page_size
            }
            fn page_token(&self) -> &str {
                &self.page_token
            }
            fn clear_page(&mut self) {
                self.page_size = 0;
                self.page_token.clear();
            }
        }
    )+};
}

// Every List and Search request of the contracts (the trait and the messages live in other
// crates than the services, so the implementations live here).
paged!(
    proto::commissioning::providers::v1::ListServicesRequest,
    proto::commissioning::providers::v1::SearchProvidersRequest,
    proto::commissioning::providers::v1::ExportOpenReferralRequest,
    proto::commissioning::providers::v1::ListTenderMatchesRequest,
    proto::commissioning::compliance::v1::ListDocumentsRequest,
    proto::commissioning::tendering::v1::ListTendersRequest,
    proto::commissioning::tendering::v1::ListTemplatesRequest,
    proto::commissioning::tendering::v1::ListQuestionsRequest,
    proto::commissioning::tendering::v1::ListOpenedBidsRequest,
    proto::commissioning::tendering::v1::ListContractsRequest,
    proto::commissioning::tendering::v1::GetOcdsReleasePackageRequest,
    proto::commissioning::evaluation::v1::ListEvaluationsRequest,
);

impl Page {
    /// The page a paged request asks for.
    pub fn of<R: Paged>(request: &R) -> Result<Self, Error> {
        let mut filters = request.clone();
        filters.clear_page();
        Self::parse(request.page_size(), request.page_token(), &filters.encode_to_vec())
    }

    /// Reads `page_size` and `page_token`; `filters` are the request's filter fields encoded (the
    /// request with its page fields cleared does well).
    pub fn parse(page_size: i32, page_token: &str, filters: &[u8]) -> Result<Self, Error> {
        let limit = match page_size {
            size if size < 0 => return Err(Error::invalid("page_size", "must be 0 (the default) or more")),
            0 => DEFAULT_PAGE_SIZE,
            size => u64::try_from(size).unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE),
        };
        let fingerprint = fingerprint(filters);
        if page_token.is_empty() {
            return Ok(Self { offset: 0, limit, fingerprint });
        }
        let bad_token =
            || Error::invalid("page_token", "not a token from this search; start again from the first page");
        let bytes = hex::decode(page_token).map_err(|_| bad_token())?;
        let (offset, token_fingerprint) = bytes.split_at_checked(8).ok_or_else(bad_token)?;
        if token_fingerprint != fingerprint {
            return Err(bad_token());
        }
        let offset = u64::from_be_bytes(offset.try_into().map_err(|_| bad_token())?);
        // A forged token could ask for any offset; no real listing is this long.
        if offset > MAX_OFFSET {
            return Err(bad_token());
        }
        Ok(Self { offset, limit, fingerprint })
    }

    /// The token of the page after this one, or empty when `returned` shows this was the last.
    pub fn next_token(&self, returned: usize) -> String {
        if (returned as u64) < self.limit {
            return String::new();
        }
        let mut bytes = (self.offset + self.limit).to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.fingerprint);
        hex::encode(bytes)
    }
}

fn fingerprint(filters: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(filters);
    let mut fingerprint = [0; 8];
    fingerprint.copy_from_slice(&digest[..8]);
    fingerprint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_cap_and_refuse_negatives() {
        assert_eq!(Page::parse(0, "", b"f").expect("default").limit, DEFAULT_PAGE_SIZE);
        assert_eq!(Page::parse(10_000, "", b"f").expect("capped").limit, MAX_PAGE_SIZE);
        assert!(matches!(Page::parse(-1, "", b"f"), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn a_token_leads_to_the_next_page_of_the_same_request_only() {
        let first = Page::parse(2, "", b"filters").expect("first page");
        let token = first.next_token(2);
        let second = Page::parse(2, &token, b"filters").expect("second page");
        assert_eq!(second.offset, 2);
        assert_eq!(first.next_token(1), "", "a short page is the last");
        assert!(Page::parse(2, &token, b"other filters").is_err());
        assert!(Page::parse(2, "not hex", b"filters").is_err());
        assert!(Page::parse(2, "00", b"filters").is_err());
        let mut forged = u64::MAX.to_be_bytes().to_vec();
        forged.extend_from_slice(&fingerprint(b"filters"));
        assert!(Page::parse(2, &hex::encode(forged), b"filters").is_err(), "an absurd offset is refused");
    }
}
