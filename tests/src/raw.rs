//! A client that sends any bytes to any call, so that a request may be anything at all: what the
//! generated requests of the soak and the fault suite go through.

use std::time::Duration;

use prost::bytes::{Buf, BufMut};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;
use tonic::{Request, Status};

use crate::generated::Generated;

/// Sends one generated request: its answer's status, or `Ok` when it was answered.
pub async fn send(channel: &Channel, generated: Generated<'_>) -> Result<(), Status> {
    let Generated { call, body, authorization } = generated;
    let outcome = async {
        let path = http::uri::PathAndQuery::try_from(call.path.as_str()).map_err(|_| Status::internal("bad path"))?;
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.map_err(|error| Status::unavailable(error.to_string()))?;
        if call.client_streaming {
            let chunks = futures::stream::iter(vec![body.clone(), body]);
            grpc.client_streaming(dressed(chunks, authorization.as_deref()), path, Raw).await.map(|_| ())
        } else if call.server_streaming {
            let mut stream =
                grpc.server_streaming(dressed(body, authorization.as_deref()), path, Raw).await?.into_inner();
            while stream.message().await?.is_some() {}
            Ok(())
        } else {
            grpc.unary(dressed(body, authorization.as_deref()), path, Raw).await.map(|_| ())
        }
    };
    outcome.await
}

/// A request with a deadline and, if given, the authorization header.
fn dressed<T>(message: T, authorization: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(Duration::from_secs(10));
    if let Some(value) = authorization.and_then(|value| value.parse().ok()) {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// Bodies sent and received as they are, so that a request may be anything at all.
#[derive(Clone, Copy)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}
