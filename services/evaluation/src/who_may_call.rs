//! Who may make each of the service's calls, checked before a handler reads the request.

use platform::auth::Role::*;
use platform::auth::Who::*;
use platform::auth::WhoMayCall;

/// Who may make each call: the buying council's officers and its panel (the calls check which
/// council and which panel), the tendering service reading results, bidders their feedback.
pub const WHO_MAY_CALL: WhoMayCall = &[
    ("GetEvaluation", Roles(&[Officer, Evaluator, Service])),
    ("ListEvaluations", Roles(&[Officer, Evaluator])),
    ("AssignEvaluator", Roles(&[Officer])),
    ("SubmitScores", Roles(&[Officer, Evaluator])),
    ("StartModeration", Roles(&[Officer, Evaluator])),
    ("ModerateScore", Roles(&[Officer, Evaluator])),
    ("CompleteEvaluation", Roles(&[Officer, Evaluator])),
    ("GetBidFeedback", Roles(&[Provider, Officer])),
];
