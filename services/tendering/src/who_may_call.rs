//! Who may make each of the service's calls, checked before a handler reads the request.

use platform::auth::Role::*;
use platform::auth::Who::*;
use platform::auth::WhoMayCall;

/// Who may make each call: tenders are changed by officers (the calls check which council), bid
/// for by providers; published tenders, their answered questions and the OCDS releases are open
/// data, read by anyone without a token (drafts by their council's officers only).
pub const WHO_MAY_CALL: WhoMayCall = &[
    ("CreateTender", Roles(&[Officer])),
    ("UpdateTender", Roles(&[Officer])),
    ("PublishTender", Roles(&[Officer])),
    ("CancelTender", Roles(&[Officer])),
    ("GetTender", Anyone),
    ("ListTenders", Anyone),
    ("ListTemplates", AnyCaller),
    ("AskQuestion", Roles(&[Provider])),
    ("AnswerQuestion", Roles(&[Officer])),
    ("ListQuestions", Anyone),
    ("SubmitBid", Roles(&[Provider])),
    ("WithdrawBid", Roles(&[Provider])),
    ("SaveBidDraft", Roles(&[Provider])),
    ("GetBidDraft", Roles(&[Provider])),
    ("GetMyBid", Roles(&[Provider])),
    ("ConfirmConsortiumPartner", Roles(&[Provider])),
    ("DeclineConsortiumPartner", Roles(&[Provider])),
    ("GetOpeningRecord", AnyCaller),
    ("ListOpenedBids", Roles(&[Service])),
    ("AwardTender", Roles(&[Officer])),
    ("DeclareTenderUnsuccessful", Roles(&[Officer])),
    ("RegisterContract", Roles(&[Officer])),
    ("GetContract", Roles(&[Officer, Integrator, Provider])),
    ("ListContracts", Roles(&[Officer, Integrator, Provider])),
    ("GetCommissioningSummary", Roles(&[Officer])),
    ("RecordFinanceReference", Roles(&[Integrator])),
    ("ExerciseContractExtension", Roles(&[Officer])),
    ("GetOcdsReleasePackage", Anyone),
];
