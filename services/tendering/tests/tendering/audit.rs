//! A damaged audit log is reported loudly and does not stop the service taking bids: with its
//! head row deleted, the next bid is still accepted, the self-check publishes
//! `tendering.audit_chain_broken` naming the first bad row and logs an error, and `audit verify`
//! names the same row. Before that, each grown chain is vouched for by a signed checkpoint on the
//! bus.

use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use platform::audit::checkpoint::AuditSigner;
use platform::audit::watch::BREAKS_METRIC;
use platform::audit::{VerifyError, command};
use platform::runtime::Service;
use prost::Message;
use proto::commissioning::events::v1::{AuditChainBroken, AuditCheckpoint};
use sea_orm::ConnectionTrait;

use super::support::*;

/// Waits up to 15 s for an event of `event_type` on the bus that `wanted` accepts.
async fn published<M: Message + Default>(app: &App, event_type: &str, wanted: impl Fn(&M) -> bool) -> M {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let events = app.bus.replay(&format!("platform.{event_type}")).await.expect("the bus answers");
        let found = events.iter().filter_map(|event| M::decode(event.payload.as_slice()).ok()).find(|m| wanted(m));
        if let Some(found) = found {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "no {event_type} event as expected");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many breaks `recorder` has counted for the tendering service.
fn breaks_counted(snapshotter: &Snapshotter) -> u64 {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| {
            key.key().name() == BREAKS_METRIC && key.key().labels().any(|label| label.value() == "tendering")
        })
        .map(|(.., value)| match value {
            DebugValue::Counter(count) => count,
            _ => 0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_audit_log_is_reported_loudly_and_bids_are_still_taken() {
    // The only test of this binary that installs a metrics recorder.
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("no other recorder");
    let app = App::on_postgres_with(|settings| {
        short_periods(settings);
        settings.audit_check_interval_secs = 1;
    })
    .await;
    let tender = super::support::published(&app, befriending(Duration::from_secs(1), Duration::from_secs(60))).await;
    run_scheduler_after(&app, tender.enquiry_period_end.as_ref().expect("end")).await;
    submit(&app, bid(&tender, "brixton-friends", 4_000, "We visit weekly.")).await.expect("a bid");
    let rows = app.audit_rows().await;
    let checkpoint: AuditCheckpoint =
        published(&app, "tendering.audit_checkpoint", |checkpoint: &AuditCheckpoint| checkpoint.seq == rows).await;
    let key = AuditSigner::from_settings(&app.service.runtime().settings).expect("the key").public_key().clone();
    assert!(key.signed(&checkpoint), "signed with the service's audit key");

    let db = app.database().await;
    for statement in ["ALTER TABLE audit_head DISABLE TRIGGER USER", "DELETE FROM audit_head"] {
        db.conn().execute_unprepared(statement).await.expect("tampered");
    }
    let receipt = submit(&app, bid(&tender, "tulse-hill-club", 3_500, "We meet on Tuesdays.")).await;
    assert!(receipt.is_ok(), "the bid is still taken: {receipt:?}");

    let alarm: AuditChainBroken =
        published(&app, "tendering.audit_chain_broken", |alarm: &AuditChainBroken| alarm.first_bad_seq == rows + 1)
            .await;
    assert_eq!(alarm.service, "tendering");
    assert!(alarm.problem.contains("head row was missing"), "{}", alarm.problem);
    assert!(platform::testing::captured_logs().contains("the audit log is damaged"), "an error is logged");
    assert_eq!(breaks_counted(&snapshotter), 1, "counted once in metrics, however often it is checked");
    match command::verify_service("tendering", &db, &app.bus, &key).await {
        Err(VerifyError::Broken(broken)) => assert_eq!(broken.seq, rows + 1, "{}", broken.problem),
        other => panic!("verify missed the damage: {other:?}"),
    }
    app.stop().await;
}
