//! The tendering rules, with no I/O: the configuration of thresholds, evidence bands, guardrails and
//! proportionate evidence with their effective dates (`rules`), the templates a tender starts from
//! (`templates`), what a tender must be to be saved and to be published, and what it obliges the
//! council to publish (`tender_check`), the guardrails that keep it open to small charities
//! (`guardrails`, with the financial and size floors it may not set in `floors`), what a bid must be
//! (`bid_check`), what a consortium partner's answer does (`consortium`), which changes an update may
//! make and which are material (`amendment`), how a joint funding splits an amount (`funding`), the
//! identifiers a tender names its buyer and funders by (`identifiers`), a contract's option to
//! extend and the longest contract (`extension`), and who the service is for (`eligibility`).

pub mod amendment;
pub mod bid_check;
pub mod consortium;
pub mod contract;
pub mod eligibility;
pub mod extension;
pub mod floors;
pub mod funding;
pub mod guardrails;
pub mod identifiers;
pub mod portfolio;
pub mod rules;
pub mod templates;
pub mod tender_check;

pub use amendment::{UPDATABLE_PATHS, apply, check_mask, is_material, paths_set_in};
pub use bid_check::{check_bid, word_count};
pub use consortium::{PartnerAnswer, answer_refusal, kept_when_dropped, status_when_named, without_partner};
pub use contract::{check_block_contract, contract_status};
pub use extension::{length_problem, option_for_contract, value_with_options};
pub use guardrails::guardrail_problems;
pub use portfolio::summarise;
pub use rules::{Band, BandSet, InForce, LengthLimit, Rules, RulesError, ThresholdSet};
pub use templates::{BLANK, create_from_template, evidence_for, rules_in_force, templates};
pub use tender_check::{
    PublishProblem, categories_of, check_fields, fill_ids, normalise_areas, publication_duties, publish_problems,
};
