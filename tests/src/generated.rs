//! Generated requests for the soak: any call of the marketplace's contracts, with a body built
//! from its message's descriptor (fields filled with unknown ids, known ids, empty, long or odd
//! text, out-of-range numbers), left empty, cut short or replaced by bytes that are not protobuf,
//! and a token that is valid for some role, expired, signed with another key, garbage or missing.

use std::collections::HashMap;

use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};
use rand::Rng;
use rand::rngs::StdRng;

use platform::auth::Role;

/// How deep generated messages nest before their message fields are left out.
const MAX_DEPTH: usize = 3;

/// One call of the contracts, as the descriptor names it.
pub struct Call {
    /// `/<package>.<Service>/<Method>`.
    pub path: String,
    input_type: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
}

/// Every call and message of the contracts, and the ids that exist on the marketplace under test.
pub struct Generator {
    pub calls: Vec<Call>,
    messages: HashMap<String, DescriptorProto>,
    known_ids: Vec<String>,
}

/// A request ready to send: the call, its encoded body and its authorization header, if any.
pub struct Generated<'a> {
    pub call: &'a Call,
    pub body: Vec<u8>,
    pub authorization: Option<String>,
}

impl Generator {
    /// The calls and messages of [`proto::FILE_DESCRIPTOR_SET`]; `known_ids` are ids that exist
    /// (a tender, a council, a template), used now and then in place of made-up ones.
    pub fn new(known_ids: Vec<String>) -> anyhow::Result<Self> {
        let set = FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET)?;
        let mut calls = Vec::new();
        let mut messages = HashMap::new();
        for file in set.file {
            let package = file.package().to_owned();
            for message in file.message_type {
                collect(&format!(".{package}"), message, &mut messages);
            }
            for service in file.service {
                for method in &service.method {
                    calls.push(Call {
                        path: format!("/{package}.{}/{}", service.name(), method.name()),
                        input_type: method.input_type().to_owned(),
                        client_streaming: method.client_streaming(),
                        server_streaming: method.server_streaming(),
                    });
                }
            }
        }
        anyhow::ensure!(!calls.is_empty(), "no calls in the contracts' descriptor");
        Ok(Self { calls, messages, known_ids })
    }

    /// A request to a random call: mostly a generated body with a valid token, otherwise
    /// something a careless or hostile client sends.
    pub fn request(&self, rng: &mut StdRng) -> Generated<'_> {
        self.request_to(&self.calls[rng.random_range(0..self.calls.len())], rng)
    }

    /// A request to `call`, made as [`Generator::request`] makes one.
    pub fn request_to<'a>(&self, call: &'a Call, rng: &mut StdRng) -> Generated<'a> {
        let mut body = self.body(call, rng);
        match rng.random_range(0..100) {
            // Empty: every required field missing.
            0..10 => body.clear(),
            // Cut short, most likely inside a field.
            10..25 if !body.is_empty() => body.truncate(rng.random_range(0..body.len())),
            // Not protobuf at all.
            25..35 => body = (0..rng.random_range(1..200)).map(|_| rng.random()).collect(),
            _ => {}
        }
        Generated { call, body, authorization: authorization(rng) }
    }

    /// A well-formed body for `call`, its fields filled as [`Generator::request`] fills them.
    pub fn body(&self, call: &Call, rng: &mut StdRng) -> Vec<u8> {
        let mut body = Vec::new();
        self.encode_message(&call.input_type, 0, rng, &mut body);
        body
    }

    fn encode_message(&self, type_name: &str, depth: usize, rng: &mut StdRng, out: &mut Vec<u8>) {
        let Some(message) = self.messages.get(type_name) else {
            // A well-known type (Timestamp, Duration, FieldMask): its first two fields are numbers
            // or text; a few random bytes stand in for it.
            if type_name == ".google.protobuf.Timestamp" || type_name == ".google.protobuf.Duration" {
                encode_key(1, WireType::Varint, out);
                encode_varint(number(rng), out);
            }
            return;
        };
        for field in &message.field {
            if !rng.random_bool(0.7) {
                continue;
            }
            let repeats = match (field.label(), rng.random_range(0..30)) {
                // Now and then far more than any call allows (about 1,000 evidence kinds, say).
                (Label::Repeated, 0) if depth == 0 => rng.random_range(200..1_500),
                (Label::Repeated, _) => rng.random_range(0..4),
                _ => 1,
            };
            for _ in 0..repeats {
                self.encode_field(field, depth, rng, out);
            }
        }
    }

    fn encode_field(&self, field: &FieldDescriptorProto, depth: usize, rng: &mut StdRng, out: &mut Vec<u8>) {
        let tag = u32::try_from(field.number()).unwrap_or(1);
        match field.r#type() {
            Type::String => length_delimited(tag, self.text(rng).as_bytes(), out),
            Type::Bytes => {
                let bytes: Vec<u8> = (0..rng.random_range(0..64)).map(|_| rng.random()).collect();
                length_delimited(tag, &bytes, out);
            }
            Type::Message | Type::Group => {
                if depth < MAX_DEPTH {
                    let mut inner = Vec::new();
                    self.encode_message(field.type_name(), depth + 1, rng, &mut inner);
                    length_delimited(tag, &inner, out);
                }
            }
            Type::Double | Type::Fixed64 | Type::Sfixed64 => {
                encode_key(tag, WireType::SixtyFourBit, out);
                out.extend_from_slice(&rng.random::<u64>().to_le_bytes());
            }
            Type::Float | Type::Fixed32 | Type::Sfixed32 => {
                encode_key(tag, WireType::ThirtyTwoBit, out);
                out.extend_from_slice(&rng.random::<u32>().to_le_bytes());
            }
            Type::Bool => {
                encode_key(tag, WireType::Varint, out);
                encode_varint(rng.random_range(0..2), out);
            }
            _ => {
                encode_key(tag, WireType::Varint, out);
                encode_varint(number(rng), out);
            }
        }
    }

    /// Text a client might send: an id that exists, one that does not, nothing, too much, or
    /// characters that are hard to store.
    fn text(&self, rng: &mut StdRng) -> String {
        // Now and then, near the largest message accepted (4 MiB).
        if rng.random_ratio(1, 500) {
            return "y".repeat(rng.random_range(65_536..2_000_000));
        }
        match rng.random_range(0..11) {
            0..3 if !self.known_ids.is_empty() => self.known_ids[rng.random_range(0..self.known_ids.len())].clone(),
            0..5 => uuid::Uuid::from_u128(rng.random()).to_string(),
            5 => String::new(),
            6 => "x".repeat(rng.random_range(200..5_000)),
            7 => "Ünïcödé 'quoted' \"text\" <b>; DROP TABLE tender; --".into(),
            8 => format!("SW{}", rng.random_range(0..40)),
            9 => "a\u{0}b\u{1b}[2J".into(),
            _ => (0..rng.random_range(1..40)).map(|_| char::from(rng.random_range(b' '..=b'~'))).collect(),
        }
    }
}

/// Registers `message` and its nested messages under their full names (`.package.Outer.Inner`).
fn collect(scope: &str, mut message: DescriptorProto, messages: &mut HashMap<String, DescriptorProto>) {
    let name = format!("{scope}.{}", message.name());
    for nested in std::mem::take(&mut message.nested_type) {
        collect(&name, nested, messages);
    }
    messages.insert(name, message);
}

fn length_delimited(tag: u32, bytes: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A number a field may get: small ones (enum values, counts), zero, negative, or huge.
fn number(rng: &mut StdRng) -> u64 {
    match rng.random_range(0..6) {
        0 => 0,
        1 => u64::MAX, // -1 as int32/int64
        2 => rng.random(),
        _ => rng.random_range(1..12),
    }
}

/// The organisations a generated token may act for.
const ORGANISATIONS: [&str; 5] = ["lambeth", "wigan", "platform", "soak-provider", "nobody-knows-me"];
const ROLES: [Role; 6] = [Role::Officer, Role::Evaluator, Role::Provider, Role::Integrator, Role::Admin, Role::Service];

/// A bearer token: mostly valid for a random role and organisation (and a new user each time,
/// as many users would be), otherwise expired, signed with another key, garbage, or none.
fn authorization(rng: &mut StdRng) -> Option<String> {
    let organisation = ORGANISATIONS[rng.random_range(0..ORGANISATIONS.len())];
    let role = ROLES[rng.random_range(0..ROLES.len())];
    let user = format!("soak-user-{}", rng.random_range(0..1_000_000));
    let mut claims = platform::testing::claims(&user, organisation, &[role]);
    let secret = match rng.random_range(0..100) {
        0..70 => platform::testing::TEST_SECRET,
        70..78 => {
            claims.exp = claims.iat - 3_600;
            platform::testing::TEST_SECRET
        }
        78..86 => "another-secret-another-secret-another-0123",
        86..93 => return Some(format!("Bearer {}", uuid::Uuid::from_u128(rng.random()).simple())),
        _ => return None,
    };
    platform::auth::mint_hs256(secret.as_bytes(), &claims).ok().map(|token| format!("Bearer {token}"))
}
