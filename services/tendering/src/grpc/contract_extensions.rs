//! ExerciseContractExtension: the council takes a contract's option to extend, once, before the
//! contract ends; audited, and told to its finance integration (`tendering.contract_extended`).

use chrono::Utc;
use platform::auth::Caller;
use platform::dates::{date_to_proto, parse_optional_date};
use platform::db::database_now;
use platform::time::{london_date, to_timestamp};
use platform::validation::required_text;
use platform::{Error, PreconditionViolation, audit, idempotency};
use proto::commissioning::tendering::v1::*;
use tonic::{Request, Response};

use super::{Answer, TenderingApi};
use crate::domain::extension::{added_value, exercise, exercise_problem};
use crate::events;
use crate::store::contracts;

const REFERENCE_MAX: usize = 100;

impl TenderingApi {
    pub(super) async fn exercise_contract_extension(
        &self,
        request: Request<ExerciseContractExtensionRequest>,
    ) -> Answer<ExerciseContractExtensionResponse> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        if request.contract_id.trim().is_empty() {
            return Err(Error::invalid("contract_id", "required: the contract's id").into());
        }
        let id = self
            .db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let not_found = || Error::NotFound { kind: "contract", id: request.contract_id.clone() };
                    let mut contract = contracts::lock(txn, &request.contract_id).await?.ok_or_else(not_found)?;
                    if caller.organisation_id != contract.council_id {
                        return Err(Error::PermissionDenied(
                            "only officers of the council that holds the contract may extend it".into(),
                        ));
                    }
                    // Who may call before what they sent.
                    idempotency::check_request_id("request_id", &request.request_id)?;
                    let reference = required_text(&request.reference, REFERENCE_MAX)
                        .map_err(|invalid| Error::InvalidArgument(vec![invalid.at("reference")]))?;
                    if let Some(earlier) = idempotency::claim(
                        txn,
                        &caller.user_id,
                        "ExerciseContractExtension",
                        &request.request_id,
                        &contract.id,
                    )
                    .await?
                    {
                        return Ok(earlier);
                    }
                    let now = database_now(txn).await?;
                    if let Some((subject, description)) = exercise_problem(&contract, london_date(now)) {
                        return Err(Error::FailedPreconditions {
                            message: "the contract cannot be extended".into(),
                            reason: "CONTRACT_NOT_EXTENDABLE",
                            violations: vec![PreconditionViolation {
                                kind: "EXTENSION".into(),
                                subject: subject.into(),
                                description,
                            }],
                        });
                    }
                    let added = added_value(&contract, request.added_value.as_ref()).map_err(Error::InvalidArgument)?;
                    let previous_end = exercise(&mut contract, &added).map(date_to_proto);
                    contract.extension_exercise = Some(ExtensionExercise {
                        reference,
                        previous_end_date: previous_end,
                        added_value: Some(added),
                        exercised_by_user_id: caller.user_id.clone(),
                        exercise_time: Some(to_timestamp(now)),
                    });
                    contracts::save(txn, &contract, Utc::now()).await?;
                    let exercised = contract.extension_exercise.as_ref();
                    let details = serde_json::json!({
                        "reference": exercised.map(|done| done.reference.clone()),
                        "new_end_date": contract.period.and_then(|period| parse_optional_date(period.end_date.as_ref()).ok().flatten()).map(|date| date.to_string()),
                        "added_value_pence": exercised.and_then(|done| done.added_value.as_ref()).map(|value| value.amount_pence),
                    });
                    audit::record_by(txn, &caller, "contract.extended", ("contract", &contract.id), details).await?;
                    events::contract_extended(txn, &contract).await?;
                    Ok::<_, Error>(contract.id)
                })
            })
            .await?;
        Ok(Response::new(ExerciseContractExtensionResponse { contract: Some(self.contract(&id).await?) }))
    }
}
