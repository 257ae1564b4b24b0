//! The checks every request passes at the edge, before any handler sees it:
//!
//! - no text field, at any depth, holds a control character other than tab, line feed and
//!   carriage return: PostgreSQL cannot store a NUL at all, and no id, name or free text of the
//!   marketplace needs the others, so a stray byte is refused alike on every backend;
//! - no repeated field holds more than [`MAX_REPEATED`] entries, so no request builds a query or
//!   a loop that grows without bound.
//!
//! Only requests are checked (every call's input type ends in `Request`, which the contracts'
//! lint enforces); what the marketplace's own services answer is not checked again.

use std::sync::LazyLock;

use prost_reflect::{DescriptorPool, DynamicMessage, MapKey, Value};

/// The most entries any repeated field of a request may hold.
pub const MAX_REPEATED: usize = 100;

static POOL: LazyLock<Option<DescriptorPool>> =
    LazyLock::new(|| DescriptorPool::decode(crate::FILE_DESCRIPTOR_SET).ok());

/// One field of a request that fails the edge checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Its path, such as "changes.title" or "services[2].name".
    pub field: String,
    pub description: &'static str,
}

const CONTROL_CHARACTER: &str = "holds a control character (such as NUL, \\0), which no field may hold \
                                 (tab and line breaks are allowed): remove it";
const TOO_MANY: &str = "holds more than 100 entries, the most a list in a request may hold: send fewer";

/// The first field of `encoded` (a message of type `full_name`) that fails the checks; `None`
/// when all pass, or when the message is not a request of the contracts.
pub fn first_violation(full_name: &str, encoded: prost::bytes::Bytes) -> Option<Violation> {
    if !full_name.ends_with("Request") {
        return None;
    }
    let descriptor = POOL.as_ref()?.get_message_by_name(full_name)?;
    let message = DynamicMessage::decode(descriptor, encoded).ok()?;
    find_in_message(&message).map(|(field, description)| Violation { field, description })
}

/// Whether `c` is a control character other than tab, line feed and carriage return.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

type Found = (String, &'static str);

// Each returns the rest of the path below the value, built only once a violation is found.
fn find_in_message(message: &DynamicMessage) -> Option<Found> {
    message.fields().find_map(|(field, value)| {
        find_in_value(value).map(|(rest, description)| (format!("{}{rest}", field.name()), description))
    })
}

fn find_in_value(value: &Value) -> Option<Found> {
    match value {
        Value::String(text) => text.chars().any(is_forbidden).then(|| (String::new(), CONTROL_CHARACTER)),
        Value::Message(message) => {
            find_in_message(message).map(|(rest, description)| (format!(".{rest}"), description))
        }
        Value::List(values) if values.len() > MAX_REPEATED => Some((String::new(), TOO_MANY)),
        Value::List(values) => values.iter().enumerate().find_map(|(index, value)| {
            find_in_value(value).map(|(rest, description)| (format!("[{index}]{rest}"), description))
        }),
        Value::Map(entries) if entries.len() > MAX_REPEATED => Some((String::new(), TOO_MANY)),
        Value::Map(entries) => entries.iter().find_map(|(key, value)| match key {
            MapKey::String(text) if text.chars().any(is_forbidden) => Some((String::new(), CONTROL_CHARACTER)),
            _ => find_in_value(value),
        }),
        _ => None,
    }
}
