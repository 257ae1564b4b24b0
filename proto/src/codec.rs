//! The codec every generated service and client uses: prost's, except that a message that does not
//! decode, or a request that fails the [`edge`] checks, is INVALID_ARGUMENT, not INTERNAL (or a
//! database's refusal later). A request that is not a valid protobuf message (cut short, a bad
//! varint, a string that is not UTF-8) is the caller's mistake, and says so.

use std::collections::HashMap;

use prost::bytes::Buf;
use prost::{Message, Name};
use tonic::codec::{BufferSettings, DecodeBuf, Decoder};
use tonic::{Code, Status};
use tonic_prost::{ProstCodec, ProstEncoder};
use tonic_types::{ErrorDetails, StatusExt};

use crate::edge;

/// The `ErrorInfo.domain` of every error the marketplace returns.
pub const ERROR_DOMAIN: &str = "commissioning.marketplace";

/// prost's codec with decoding failures reported as INVALID_ARGUMENT.
pub struct Codec<T, U>(ProstCodec<T, U>);

impl<T, U> Default for Codec<T, U> {
    fn default() -> Self {
        Self(ProstCodec::default())
    }
}

impl<T, U> tonic::codec::Codec for Codec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Name + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = InvalidArgumentDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.0.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        InvalidArgumentDecoder(std::marker::PhantomData)
    }
}

/// prost's decoder, its failures INVALID_ARGUMENT, followed by the [`edge`] checks.
pub struct InvalidArgumentDecoder<U>(std::marker::PhantomData<U>);

impl<U: Message + Name + Default> Decoder for InvalidArgumentDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        let encoded = buf.copy_to_bytes(buf.remaining());
        let message = U::decode(encoded.clone()).map_err(|error| {
            Status::invalid_argument(format!(
                "the message could not be decoded as protobuf ({error}): send a valid message of the call's request type"
            ))
        })?;
        if let Some(violation) = edge::first_violation(&U::full_name(), encoded) {
            return Err(invalid_field(&violation));
        }
        Ok(Some(message))
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

/// INVALID_ARGUMENT naming the field, in the shape of every other bad field (google.rpc.BadRequest).
fn invalid_field(violation: &edge::Violation) -> Status {
    let edge::Violation { field, description } = violation;
    let mut details = ErrorDetails::with_bad_request_violation(field, *description);
    details.set_error_info("INVALID_ARGUMENT", ERROR_DOMAIN, HashMap::new());
    let message = format!("invalid request: {field}: {description}; correct these fields and retry");
    Status::with_error_details(Code::InvalidArgument, message, details)
}
