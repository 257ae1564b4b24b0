//! The fault suite: every call of the contracts sent requests that proptest generates from their
//! descriptors (fields with ids that exist and ids that do not, empty, long, odd or control
//! characters, numbers out of range, lists of hundreds; bodies cut short or not protobuf at all;
//! tokens valid for any role, expired, forged or missing), against the all-in-one on PostgreSQL +
//! NATS and on the embedded default. No answer may be INTERNAL or UNKNOWN (a bug, or a panic that
//! cut the call off), UNIMPLEMENTED, UNAVAILABLE or late; afterwards the process still runs, has
//! logged no panic, and every service says SERVING.

use std::collections::BTreeSet;

use e2e::all_in_one::{AllInOne, Backend, open_tender};
use e2e::generated::Generator;
use platform::testing::{ServingStatus, channel, health_status};
use proptest::prelude::any;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tonic::Code;

/// Generated requests per call, on each backend.
const CASES_PER_CALL: u32 = 32;

/// Codes that say the marketplace, not the caller, went wrong.
const NEVER: [Code; 6] =
    [Code::Internal, Code::Unknown, Code::Unimplemented, Code::Unavailable, Code::DeadlineExceeded, Code::DataLoss];

async fn no_request_breaks_the_marketplace(backend: Backend) {
    let mut server = AllInOne::start(&e2e::processes::binary("marketplace"), backend, None).await.expect("starts");
    let channel = channel(server.address).await;
    let tender = match open_tender(&channel).await {
        Ok(tender) => tender,
        Err(error) => panic!("no tender published: {error:#}\n{}", server.log()),
    };
    let mut known_ids = vec![tender.id.clone(), "lambeth".into(), "wigan".into(), "befriending".into()];
    known_ids.extend(tender.bid_questions.iter().map(|question| question.id.clone()));
    let generator = Generator::new(known_ids).expect("the contracts' calls");

    let limit = platform::config::Settings::defaults(0).grpc_max_message_bytes;
    let handle = tokio::runtime::Handle::current();
    let broken: Vec<String> = tokio::task::block_in_place(|| {
        generator
            .calls
            .iter()
            .filter_map(|call| {
                let config = Config { cases: CASES_PER_CALL, failure_persistence: None, ..Config::default() };
                let mut runner = TestRunner::new(config);
                let outcome = runner.run(&any::<u64>(), |seed| {
                    let request = generator.request_to(call, &mut StdRng::seed_from_u64(seed));
                    // The server answers a message over its limit as soon as it reads the length
                    // (OUT_OF_RANGE) and resets the rest of the stream; the client's transport,
                    // still sending, may report that reset as INTERNAL, which would be its own
                    // word, not the server's (RELIABILITY.md). Such bodies are left to the soak.
                    if request.body.len() > limit {
                        return Err(TestCaseError::reject("larger than the server's message limit"));
                    }
                    match handle.block_on(e2e::raw::send(&channel, request)) {
                        Err(status) if NEVER.contains(&status.code()) => {
                            Err(TestCaseError::fail(format!("seed {seed}: {:?}: {}", status.code(), status.message())))
                        }
                        _ => Ok(()),
                    }
                });
                outcome.err().map(|failure| format!("{}: {failure}", call.path))
            })
            .collect()
    });
    assert!(broken.is_empty(), "calls that broke:\n{}", broken.join("\n"));

    assert!(server.is_running(), "the all-in-one has stopped:\n{}", server.log());
    assert!(!server.log().contains("panicked at"), "the all-in-one panicked:\n{}", server.log());
    let services: BTreeSet<_> =
        generator.calls.iter().filter_map(|call| call.path.trim_start_matches('/').split('/').next()).collect();
    for service in services {
        assert_eq!(health_status(server.address, service).await, ServingStatus::Serving, "{service}");
    }
    server.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_breaks_the_marketplace_on_postgres_and_nats() {
    no_request_breaks_the_marketplace(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_breaks_the_marketplace_on_the_embedded_default() {
    no_request_breaks_the_marketplace(Backend::Embedded).await;
}
