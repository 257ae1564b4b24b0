//! Logging and tracing: `tracing` with human-readable or JSON lines, OpenTelemetry spans exported
//! over OTLP/gRPC when an endpoint is configured, and W3C trace context carried across gRPC
//! metadata, the outbox and NATS headers so one request is one trace across services.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// The W3C header (and NATS header, and outbox column) that carries trace context.
pub const TRACEPARENT: &str = "traceparent";

/// sqlx logs every statement, and the migrator every step, at INFO; keep them to warnings unless
/// `RUST_LOG` says otherwise.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm_migration=warn";

/// Keeps the tracer provider alive; flushes spans when dropped.
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // Flushing can fail when the collector is gone; nothing more can be done at exit.
        let _ = self.provider.shutdown();
    }
}

/// Installs the global subscriber for a service. Spans get OpenTelemetry ids even without an
/// exporter, so trace context still flows from caller to consumer.
pub fn init(service_name: &str, format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<TelemetryGuard> {
    install(service_name, format, otlp_endpoint, false, None)
}

/// Log lines kept in memory (see [`install`]).
#[derive(Clone, Default)]
pub struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl LogCapture {
    /// Everything written so far.
    pub fn text(&self) -> String {
        self.0.lock().map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("log capture poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// As [`init`]; with `test_writer`, lines go through the test harness, which shows them only
/// for a failing test; with `capture`, every line and every closed span with its fields is also
/// kept in memory, for tests that check what reaches the logs.
pub(crate) fn install(
    service_name: &str,
    format: LogFormat,
    otlp_endpoint: Option<&str>,
    test_writer: bool,
    capture: Option<LogCapture>,
) -> anyhow::Result<TelemetryGuard> {
    let provider = tracer_provider(service_name, otlp_endpoint)?;
    let otel = tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name.to_owned()));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let captured = capture.map(|capture| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(capture)
    });
    let registry = tracing_subscriber::registry().with(filter).with(otel).with(captured);
    match (format, test_writer) {
        (LogFormat::Text, false) => registry.with(tracing_subscriber::fmt::layer()).try_init()?,
        (LogFormat::Text, true) => registry.with(tracing_subscriber::fmt::layer().with_test_writer()).try_init()?,
        (LogFormat::Json, _) => registry.with(tracing_subscriber::fmt::layer().json()).try_init()?,
    }
    Ok(TelemetryGuard { provider })
}

fn tracer_provider(service_name: &str, otlp_endpoint: Option<&str>) -> anyhow::Result<SdkTracerProvider> {
    let resource = opentelemetry_sdk::Resource::builder_empty().with_service_name(service_name.to_owned()).build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let builder = match otlp_endpoint {
        Some(endpoint) => {
            use opentelemetry_otlp::WithExportConfig;
            let exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint).build()?;
            builder.with_batch_exporter(exporter)
        }
        None => builder,
    };
    Ok(builder.build())
}

/// The `traceparent` of the current span, to store beside an event or send with a call.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove(TRACEPARENT)
}

/// Makes `span` a child of the remote span named by `traceparent`, when there is a valid one.
pub fn set_remote_parent(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else { return };
    let carrier = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    let context = TraceContextPropagator::new().extract(&carrier);
    if context.span().span_context().is_valid() {
        // Fails only when no OpenTelemetry layer is installed; then there is no trace to join.
        let _ = span.set_parent(context);
    }
}

/// The trace id (32 hex digits) of a `traceparent` value.
pub fn trace_id_of(traceparent: &str) -> Option<&str> {
    traceparent.split('-').nth(1).filter(|id| id.len() == 32)
}

/// The trace id of the current span, if it belongs to a trace.
pub fn current_trace_id() -> Option<String> {
    let context = tracing::Span::current().context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| span_context.trace_id().to_string())
}

/// Writes the current span's `traceparent` into an outgoing call's metadata, so the called
/// service joins this trace.
pub fn inject_traceparent(metadata: &mut tonic::metadata::MetadataMap) {
    if let Some(value) = current_traceparent().and_then(|traceparent| traceparent.parse().ok()) {
        metadata.insert(TRACEPARENT, value);
    }
}

/// A span for one gRPC request, joined to the caller's trace when it sent a `traceparent`.
pub fn grpc_request_span(request: &http::Request<()>) -> tracing::Span {
    let span = tracing::info_span!("grpc.request", rpc = %request.uri().path());
    let traceparent = request.headers().get(TRACEPARENT).and_then(|value| value.to_str().ok());
    set_remote_parent(&span, traceparent);
    span
}
