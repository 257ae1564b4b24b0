//! The event as it travels: a CloudEvents 1.0 message in binary content mode. Attributes are
//! headers (`ce-id`, `ce-type`, ...), the protobuf payload is the body, `Nats-Msg-Id` is the event
//! id for de-duplication, and `traceparent` joins the consumer to the producer's trace.

use chrono::{DateTime, SecondsFormat, Utc};

use super::HandlerError;

pub const CE_SPECVERSION: &str = "ce-specversion";
pub const CE_ID: &str = "ce-id";
pub const CE_SOURCE: &str = "ce-source";
pub const CE_TYPE: &str = "ce-type";
pub const CE_TIME: &str = "ce-time";
pub const CE_SUBJECT: &str = "ce-subject";
pub const CONTENT_TYPE: &str = "content-type";
pub const NATS_MSG_ID: &str = "Nats-Msg-Id";
pub const PROTOBUF_CONTENT_TYPE: &str = "application/protobuf";

/// An event leaving a service (read from its outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEvent {
    /// Unique id (UUID v7): `ce-id` and `Nats-Msg-Id`.
    pub id: String,
    /// `<service>.<event>`, such as `tendering.contract_awarded`.
    pub event_type: String,
    /// The council it belongs to, or `platform`.
    pub tenant: String,
    /// The resource it is about (`ce-subject`), such as a tender id; events of one resource are
    /// published in the order they were written.
    pub aggregate_id: String,
    /// When it happened.
    pub time: DateTime<Utc>,
    /// The trace of the request that caused it.
    pub traceparent: Option<String>,
    /// The protobuf-encoded payload (`commissioning.events.v1`).
    pub payload: Vec<u8>,
}

impl OutboundEvent {
    /// `<root>.<tenant>.<service>.<event>`.
    pub fn subject(&self, root: &str) -> String {
        format!("{root}.{}.{}", self.tenant, self.event_type)
    }

    /// `ce-source`: the producing service.
    pub fn source(&self) -> String {
        let service = self.event_type.split('.').next().unwrap_or_default();
        format!("/commissioning/{service}")
    }

    /// Every header the event travels with.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            (CE_SPECVERSION, "1.0".to_owned()),
            (CE_ID, self.id.clone()),
            (CE_SOURCE, self.source()),
            (CE_TYPE, self.event_type.clone()),
            (CE_TIME, self.time.to_rfc3339_opts(SecondsFormat::Micros, true)),
            (CE_SUBJECT, self.aggregate_id.clone()),
            (CONTENT_TYPE, PROTOBUF_CONTENT_TYPE.to_owned()),
            (NATS_MSG_ID, self.id.clone()),
        ];
        if let Some(traceparent) = &self.traceparent {
            headers.push((crate::telemetry::TRACEPARENT, traceparent.clone()));
        }
        headers
    }
}

/// An event delivered to a consumer.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    pub id: String,
    pub event_type: String,
    pub source: String,
    /// The tenant token of the subject.
    pub tenant: String,
    pub aggregate_id: String,
    pub time: DateTime<Utc>,
    pub traceparent: Option<String>,
    pub subject: String,
    pub payload: Vec<u8>,
    /// 1 on first delivery, then 2, 3, ...
    pub delivery: u32,
}

impl InboundEvent {
    /// Reads an event from its subject, headers and body; `Err` names what is missing, and such a
    /// message can never be handled.
    pub fn parse(
        root: &str,
        subject: &str,
        header: impl Fn(&str) -> Option<String>,
        payload: Vec<u8>,
        delivery: u32,
    ) -> Result<Self, String> {
        let required = |name: &str| header(name).ok_or_else(|| format!("header {name} is missing"));
        if required(CE_SPECVERSION)? != "1.0" {
            return Err("only CloudEvents 1.0 is understood".into());
        }
        let time = DateTime::parse_from_rfc3339(&required(CE_TIME)?)
            .map_err(|error| format!("header {CE_TIME} is not RFC 3339: {error}"))?
            .with_timezone(&Utc);
        let tenant = subject
            .strip_prefix(root)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split('.').next())
            .ok_or_else(|| format!("subject {subject} is not under {root}"))?
            .to_owned();
        Ok(Self {
            id: required(CE_ID)?,
            event_type: required(CE_TYPE)?,
            source: required(CE_SOURCE)?,
            tenant,
            aggregate_id: header(CE_SUBJECT).unwrap_or_default(),
            time,
            traceparent: header(crate::telemetry::TRACEPARENT),
            subject: subject.to_owned(),
            payload,
            delivery,
        })
    }

    /// Decodes the protobuf payload; a payload that does not decode never will, so it is rejected.
    pub fn decode<M: prost::Message + Default>(&self) -> Result<M, HandlerError> {
        M::decode(self.payload.as_slice())
            .map_err(|error| HandlerError::Reject(format!("{} payload does not decode: {error}", self.event_type)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OutboundEvent {
        OutboundEvent {
            id: "0193-id".into(),
            event_type: "tendering.contract_awarded".into(),
            tenant: "lambeth".into(),
            aggregate_id: "tender-1".into(),
            time: Utc::now(),
            traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into()),
            payload: vec![1, 2, 3],
        }
    }

    #[test]
    fn headers_round_trip_into_an_inbound_event() {
        let event = sample();
        let headers = event.headers();
        let header = |name: &str| headers.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone());
        let subject = event.subject("commissioning");
        assert_eq!(subject, "commissioning.lambeth.tendering.contract_awarded");
        let inbound = InboundEvent::parse("commissioning", &subject, header, event.payload.clone(), 1).expect("parses");
        assert_eq!(inbound.id, event.id);
        assert_eq!(inbound.source, "/commissioning/tendering");
        assert_eq!(inbound.tenant, "lambeth");
        assert_eq!(inbound.aggregate_id, "tender-1");
        assert_eq!(inbound.traceparent, event.traceparent);
        assert_eq!(inbound.time.timestamp_micros(), event.time.timestamp_micros());
    }

    #[test]
    fn a_message_without_cloudevents_headers_is_refused() {
        let error = InboundEvent::parse("c", "c.t.s.e", |_| None, vec![], 1).expect_err("no headers");
        assert!(error.contains("ce-specversion"));
    }
}
