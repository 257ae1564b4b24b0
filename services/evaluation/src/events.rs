//! The events the evaluation service publishes, through the outbox, to the buying council's tenant.
//! They carry rankings and ids, never bid contents.

use platform::Error;
use platform::events::outbox::enqueue;
use proto::commissioning::evaluation::v1::Evaluation;
use proto::commissioning::events::v1::EvaluationOpened;
use sea_orm::ConnectionTrait;

pub async fn opened<C: ConnectionTrait>(txn: &C, evaluation: &Evaluation) -> Result<(), Error> {
    let event = EvaluationOpened {
        evaluation_id: evaluation.id.clone(),
        tender_id: evaluation.tender_id.clone(),
        council_id: evaluation.council_id.clone(),
        bid_count: i32::try_from(evaluation.bids.len()).unwrap_or(i32::MAX),
        open_time: evaluation.open_time,
    };
    enqueue(txn, "evaluation.opened", &evaluation.council_id, &evaluation.id, &event).await.map(|_| ())
}

pub async fn completed<C: ConnectionTrait>(txn: &C, evaluation: &Evaluation) -> Result<(), Error> {
    let event = platform::rankings::completed(evaluation);
    enqueue(txn, "evaluation.completed", &evaluation.council_id, &evaluation.id, &event).await.map(|_| ())
}
