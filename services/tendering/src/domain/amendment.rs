//! Which fields of a tender an UpdateTender may change (its field mask), copying them, and whether a
//! change to a published tender is material. A material amendment changes what bidders must do or
//! may win, so it extends the bid deadline; the caller decides by how much.

use platform::FieldViolation;
use proto::commissioning::tendering::v1::Tender;

/// The Tender fields a caller may set, by their field-mask paths. Repeated fields are replaced
/// whole; nested paths ("criteria.weight") are not accepted.
pub const UPDATABLE_PATHS: &[&str] = &[
    "title",
    "summary",
    "description_sections",
    "category",
    "cpv_codes",
    "areas",
    "estimated_value",
    "maximum_budget",
    "contract_period",
    "funders",
    "procedure",
    "invited_provider_ids",
    "evidence_requirements",
    "bid_questions",
    "criteria",
    "lots",
    "enquiry_period_end",
    "bid_deadline",
    "tie_break_rule",
    "buyer_identifier",
    "categories",
    "price_weight_reason",
    "extension",
    "eligibility",
];

/// Fields the server sets; naming one in a mask is a mistake worth telling the caller about.
const OUTPUT_ONLY_PATHS: &[&str] = &[
    "id",
    "council_id",
    "council_name",
    "status",
    "template_id",
    "publication_duties",
    "amendments",
    "status_reason",
    "bid_count",
    "ocid",
    "publish_time",
    "close_time",
    "award_time",
    "create_time",
    "update_time",
    "etag",
    "estimated_value_with_options",
];

/// Fixed once bidders have seen the tender: who may bid cannot change after publishing.
const FIXED_ONCE_PUBLISHED: &[&str] = &["procedure", "invited_provider_ids"];

/// Changes that alter what bidders must offer, prove or may win: always material.
const ALWAYS_MATERIAL: &[&str] = &[
    "criteria",
    "bid_questions",
    "evidence_requirements",
    "lots",
    "areas",
    "estimated_value",
    "maximum_budget",
    "contract_period",
    "category",
    "categories",
    "extension",
    "eligibility",
];

/// Every path of an UpdateTender mask that may not be used, each as a violation on "update_mask".
pub fn check_mask(paths: &[String], published: bool) -> Vec<FieldViolation> {
    paths
        .iter()
        .filter_map(|path| {
            let path = path.as_str();
            let description = if OUTPUT_ONLY_PATHS.contains(&path) {
                format!("\"{path}\" is output only: the server sets it; remove it from the mask")
            } else if !UPDATABLE_PATHS.contains(&path) {
                format!(
                    "\"{path}\" is not a field that can be updated: name whole fields, from {}",
                    UPDATABLE_PATHS.join(", ")
                )
            } else if published && FIXED_ONCE_PUBLISHED.contains(&path) {
                format!(
                    "\"{path}\" cannot change once the tender is published: bidders have seen who may bid; \
                     cancel and publish a new tender to change it"
                )
            } else {
                return None;
            };
            Some(FieldViolation::new("update_mask", description))
        })
        .collect()
}

/// The mask an UpdateTender without one means: every updatable field `tender` sets (a non-empty
/// string or list, a message present, an enum other than unspecified).
pub fn paths_set_in(tender: &Tender) -> Vec<String> {
    let set = [
        !tender.title.is_empty(),
        !tender.summary.is_empty(),
        !tender.description_sections.is_empty(),
        tender.category != 0,
        !tender.cpv_codes.is_empty(),
        !tender.areas.is_empty(),
        tender.estimated_value.is_some(),
        tender.maximum_budget.is_some(),
        tender.contract_period.is_some(),
        !tender.funders.is_empty(),
        tender.procedure != 0,
        !tender.invited_provider_ids.is_empty(),
        !tender.evidence_requirements.is_empty(),
        !tender.bid_questions.is_empty(),
        !tender.criteria.is_empty(),
        !tender.lots.is_empty(),
        tender.enquiry_period_end.is_some(),
        tender.bid_deadline.is_some(),
        tender.tie_break_rule != 0,
        tender.buyer_identifier.is_some(),
        !tender.categories.is_empty(),
        !tender.price_weight_reason.is_empty(),
        tender.extension.is_some(),
        tender.eligibility.is_some(),
    ];
    UPDATABLE_PATHS.iter().zip(set).filter(|(_, set)| *set).map(|(path, _)| (*path).to_owned()).collect()
}

/// Copies the field at each path from `source` to `target`; paths that are not updatable are
/// ignored (check them first with [`check_mask`]). `categories` is the list of what the tender buys
/// and `category` its first, kept for older clients: setting `category` alone replaces the list with
/// that one category, and when both are set `categories` wins.
pub fn apply(target: &mut Tender, source: &Tender, paths: &[String]) {
    for path in paths {
        match path.as_str() {
            "title" => target.title.clone_from(&source.title),
            "summary" => target.summary.clone_from(&source.summary),
            "description_sections" => target.description_sections.clone_from(&source.description_sections),
            "category" if !paths.iter().any(|path| path == "categories") => {
                target.categories = if source.category == 0 { Vec::new() } else { vec![source.category] };
            }
            "categories" => target.categories.clone_from(&source.categories),
            "cpv_codes" => target.cpv_codes.clone_from(&source.cpv_codes),
            "areas" => target.areas.clone_from(&source.areas),
            "estimated_value" => target.estimated_value.clone_from(&source.estimated_value),
            "maximum_budget" => target.maximum_budget.clone_from(&source.maximum_budget),
            "contract_period" => target.contract_period = source.contract_period,
            "funders" => target.funders.clone_from(&source.funders),
            "procedure" => target.procedure = source.procedure,
            "invited_provider_ids" => target.invited_provider_ids.clone_from(&source.invited_provider_ids),
            "evidence_requirements" => target.evidence_requirements.clone_from(&source.evidence_requirements),
            "bid_questions" => target.bid_questions.clone_from(&source.bid_questions),
            "criteria" => target.criteria.clone_from(&source.criteria),
            "lots" => target.lots.clone_from(&source.lots),
            "enquiry_period_end" => target.enquiry_period_end = source.enquiry_period_end,
            "bid_deadline" => target.bid_deadline = source.bid_deadline,
            "tie_break_rule" => target.tie_break_rule = source.tie_break_rule,
            "buyer_identifier" => target.buyer_identifier.clone_from(&source.buyer_identifier),
            "price_weight_reason" => target.price_weight_reason.clone_from(&source.price_weight_reason),
            "extension" => target.extension.clone_from(&source.extension),
            "eligibility" => target.eligibility.clone_from(&source.eligibility),
            _ => {}
        }
    }
    target.category = target.categories.first().copied().unwrap_or_default();
}

/// Whether an amendment changing `paths` is material: the officer flagged it so, or it changes
/// what bidders must offer, prove or may win.
pub fn is_material(paths: &[String], flagged_material: bool) -> bool {
    flagged_material || paths.iter().any(|path| ALWAYS_MATERIAL.contains(&path.as_str()))
}

#[cfg(test)]
mod tests {
    use proto::commissioning::common::v1::{Money, ServiceCategory};
    use proto::commissioning::tendering::v1::{Criterion, Procedure};

    use super::*;

    fn paths(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_mask_may_name_only_updatable_fields() {
        assert!(check_mask(&paths(UPDATABLE_PATHS), false).is_empty());
        let refused = check_mask(&paths(&["id", "title", "status", "criteria.weight"]), false);
        assert_eq!(refused.len(), 3);
        assert!(refused.iter().all(|violation| violation.field == "update_mask"));
        assert!(refused[0].description.contains("\"id\" is output only"), "{refused:?}");
        assert!(refused[1].description.contains("\"status\" is output only"), "{refused:?}");
        assert!(refused[2].description.contains("\"criteria.weight\" is not a field"), "{refused:?}");
    }

    #[test]
    fn who_may_bid_is_fixed_once_published() {
        let mask = paths(&["procedure", "invited_provider_ids", "bid_deadline"]);
        assert!(check_mask(&mask, false).is_empty());
        let refused = check_mask(&mask, true);
        let described: Vec<_> = refused.iter().map(|violation| violation.description.as_str()).collect();
        assert_eq!(described.len(), 2, "{described:?}");
        assert!(described[0].starts_with("\"procedure\" cannot change once the tender is published"));
        assert!(described[1].starts_with("\"invited_provider_ids\" cannot change"));
    }

    #[test]
    fn an_empty_mask_means_every_field_given_and_apply_copies_them() {
        let source = Tender {
            id: "ignored".into(),
            title: "Coffee mornings in Knaphill".into(),
            category: ServiceCategory::GroupActivities.into(),
            estimated_value: Some(Money { amount_pence: 800_000, currency: "GBP".into(), vat_included: true }),
            criteria: vec![Criterion { name: "Price".into(), ..Default::default() }],
            ..Default::default()
        };
        let mask = paths_set_in(&source);
        assert_eq!(mask, ["title", "category", "estimated_value", "criteria"]);

        let mut target = Tender {
            id: "t-1".into(),
            summary: "kept".into(),
            criteria: vec![Criterion::default(), Criterion::default()],
            procedure: Procedure::OpenMicroTender.into(),
            ..Default::default()
        };
        apply(&mut target, &source, &mask);
        assert_eq!(target.id, "t-1", "output-only fields are not copied");
        assert_eq!(target.title, source.title);
        assert_eq!(target.summary, "kept");
        assert_eq!(target.criteria, source.criteria, "repeated fields are replaced whole");
        assert_eq!(target.estimated_value, source.estimated_value);

        apply(&mut target, &Tender::default(), &paths(&["summary", "procedure"]));
        assert_eq!((target.summary.as_str(), target.procedure), ("", 0), "a masked field can be cleared");
    }

    #[test]
    fn categories_is_the_list_and_category_its_first_for_older_clients() {
        let befriending = i32::from(ServiceCategory::BefriendingFaceToFace);
        let coffee = i32::from(ServiceCategory::GroupActivities);
        let transport = i32::from(ServiceCategory::Transport);
        let mut tender = Tender::default();
        let both = Tender { categories: vec![coffee, befriending], ..Default::default() };
        apply(&mut tender, &both, &paths_set_in(&both));
        assert_eq!((tender.category, tender.categories.clone()), (coffee, vec![coffee, befriending]));

        let older = Tender { category: transport, ..Default::default() };
        apply(&mut tender, &older, &paths(&["category"]));
        assert_eq!((tender.category, tender.categories.clone()), (transport, vec![transport]), "replaced by one");

        let conflicting = Tender { category: befriending, categories: vec![coffee], ..Default::default() };
        apply(&mut tender, &conflicting, &paths(&["category", "categories"]));
        assert_eq!((tender.category, tender.categories.clone()), (coffee, vec![coffee]), "categories wins");

        apply(&mut tender, &Tender::default(), &paths(&["categories"]));
        assert_eq!((tender.category, tender.categories.clone()), (0, vec![]), "cleared");
    }

    #[test]
    fn changes_to_what_bidders_offer_or_prove_are_material() {
        for path in ALWAYS_MATERIAL {
            assert!(is_material(&paths(&[path]), false), "{path}");
        }
        assert!(!is_material(&paths(&["title", "summary", "bid_deadline", "description_sections"]), false));
        assert!(is_material(&paths(&["summary"]), true), "the officer may flag any change as material");
        assert!(!is_material(&[], false));
    }
}
