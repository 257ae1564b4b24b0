//! What a bid must be to be accepted against its tender: a price, one answer per question within its
//! word limit, well-formed consortium partners, and the evidence declaration.
//!
//! Bids are sealed, and a refusal's words can reach logs and traces, so no description here ever
//! quotes a bid's text, prices or partners: only counts, limits and the tender's own ids.

use std::collections::HashSet;

use platform::FieldViolation;
use platform::validation::{Violations, element, field, required_text};
use proto::commissioning::common::v1::Money;
use proto::commissioning::tendering::v1::{BidContent, Tender};

const CONTENT: &str = "content";
const PARTNER_ID_MAX: usize = 64;
const PARTNER_NAME_MAX: usize = 200;
const PARTNER_ROLE_MAX: usize = 500;

/// The words in `text`, counted as runs of non-whitespace characters (the contract's rule).
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Checks a bid's contents against its tender, for the provider `bidder_provider_id`. Paths are under
/// "content": "content.answers[2].text", "content.lot_prices[0].lot_id", "content.total_price",
/// "content.evidence_declaration", "content.consortium_partners[1].role".
pub fn check_bid(content: &BidContent, tender: &Tender, bidder_provider_id: &str) -> Vec<FieldViolation> {
    let mut v = Violations::new();
    let total = price(
        &mut v,
        content.total_price.as_ref(),
        &field(CONTENT, "total_price"),
        "the total price for every lot you bid for, for the whole contract period",
    );
    check_lot_prices(&mut v, content, tender, total);
    check_answers(&mut v, content, tender);
    check_partners(&mut v, content, bidder_provider_id);
    if !content.evidence_declaration {
        v.add(FieldViolation::new(
            field(CONTENT, "evidence_declaration"),
            "required: declare that you hold, or will obtain before award, the evidence the tender asks for. It is \
             a declaration, not proof: no documents are needed to bid (Procurement Act 2023 s22(3)(b)); the \
             winner shows them before award",
        ));
    }
    v.finish(|| Some(())).err().unwrap_or_default()
}

/// A price that is given, in GBP and more than 0 pence: its pence and VAT flag.
fn price(v: &mut Violations, money: Option<&Money>, path: &str, what: &str) -> Option<(u64, bool)> {
    let Some(money) = money else {
        v.add(FieldViolation::new(path, format!("required: give {what}, in pence, more than 0")));
        return None;
    };
    let currency = money.currency.trim();
    let in_gbp = currency.is_empty() || currency == "GBP";
    if !in_gbp {
        v.add(FieldViolation::new(field(path, "currency"), "only GBP is accepted (or leave it empty)"));
    }
    let pence = u64::try_from(money.amount_pence).ok().filter(|pence| *pence > 0);
    if pence.is_none() {
        v.add(FieldViolation::new(field(path, "amount_pence"), "must be more than 0 pence"));
    }
    pence.filter(|_| in_gbp).map(|pence| (pence, money.vat_included))
}

fn check_lot_prices(v: &mut Violations, content: &BidContent, tender: &Tender, total: Option<(u64, bool)>) {
    let lot_count = tender.lots.len();
    if lot_count > 1 && content.lot_prices.is_empty() {
        v.add(FieldViolation::new(
            field(CONTENT, "lot_prices"),
            format!("required: this tender has {lot_count} lots; give a price for each lot you bid for"),
        ));
    }
    let lot_ids: HashSet<&str> = tender.lots.iter().map(|lot| lot.id.trim()).collect();
    let mut priced = HashSet::new();
    let mut sum: Option<u64> = Some(0);
    for (index, lot_price) in content.lot_prices.iter().enumerate() {
        let path = element(CONTENT, "lot_prices", index);
        let lot_id = lot_price.lot_id.trim();
        let lot_problem = if lot_id.is_empty() {
            Some("required: the id of one of the tender's lots")
        } else if !lot_ids.contains(lot_id) {
            Some("not one of the tender's lots: use a lot id from the tender")
        } else if !priced.insert(lot_id) {
            Some("a second price for the same lot: give one price per lot")
        } else {
            None
        };
        if let Some(problem) = lot_problem {
            v.add(FieldViolation::new(field(&path, "lot_id"), problem));
        }
        let price_path = field(&path, "price");
        let lot_total = price(v, lot_price.price.as_ref(), &price_path, "the price for this lot");
        if let (Some((_, lot_vat)), Some((_, total_vat))) = (lot_total, total)
            && lot_vat != total_vat
        {
            v.add(FieldViolation::new(
                field(&price_path, "vat_included"),
                "state every lot price as the total price is stated (with or without VAT)",
            ));
        }
        sum = sum.zip(lot_total).map(|(sum, (pence, _))| sum.saturating_add(pence));
    }
    if let (Some(sum), Some((total, _))) = (sum, total)
        && !content.lot_prices.is_empty()
        && sum != total
    {
        v.add(FieldViolation::new(
            field(CONTENT, "total_price"),
            "is not the sum of the lot prices: make the total price the lot prices added up",
        ));
    }
}

fn check_answers(v: &mut Violations, content: &BidContent, tender: &Tender) {
    let mut answered = HashSet::new();
    for (index, answer) in content.answers.iter().enumerate() {
        let path = element(CONTENT, "answers", index);
        let question_id = answer.bid_question_id.trim();
        let question = tender.bid_questions.iter().find(|question| question.id.trim() == question_id);
        let Some(question) = question.filter(|_| !question_id.is_empty()) else {
            let problem = if question_id.is_empty() {
                "required: the id of the bid question this answers"
            } else {
                "not one of the tender's bid questions: answer each of its questions by its id"
            };
            v.add(FieldViolation::new(field(&path, "bid_question_id"), problem));
            continue;
        };
        if !answered.insert(question_id) {
            v.add(FieldViolation::new(
                field(&path, "bid_question_id"),
                "a second answer to the same question: give one answer per question",
            ));
            continue;
        }
        let limit = usize::try_from(question.word_limit).unwrap_or(0);
        let words = word_count(&answer.text);
        if words == 0 {
            v.add(FieldViolation::new(
                field(&path, "text"),
                format!("required: answer the question in up to {limit} words"),
            ));
        } else if words > limit {
            v.add(FieldViolation::new(field(&path, "text"), format!("{words} words; the limit is {limit}")));
        }
    }
    for (index, question) in tender.bid_questions.iter().enumerate() {
        if !answered.contains(question.id.trim()) {
            v.add(FieldViolation::new(
                field(CONTENT, "answers"),
                format!(
                    "no answer to question {} (id \"{}\"): answer every question of the tender",
                    index + 1,
                    question.id.trim()
                ),
            ));
        }
    }
}

fn check_partners(v: &mut Violations, content: &BidContent, bidder_provider_id: &str) {
    let bidder = bidder_provider_id.trim();
    let mut listed = HashSet::new();
    for (index, partner) in content.consortium_partners.iter().enumerate() {
        let path = element(CONTENT, "consortium_partners", index);
        let id = partner.provider_id.trim();
        let id_problem = if id.is_empty() {
            Some("required: the partner's provider id on the marketplace")
        } else if id.len() > PARTNER_ID_MAX
            || !id.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
        {
            Some("not a provider id: up to 64 letters, digits, '_' or '-'")
        } else if id == bidder {
            Some("this is the bidding provider, which leads the bid: list only its partners")
        } else if !listed.insert(id) {
            Some("this partner is already listed: list each partner once")
        } else {
            None
        };
        if let Some(problem) = id_problem {
            v.add(FieldViolation::new(field(&path, "provider_id"), problem));
        }
        v.check(field(&path, "name"), required_text(&partner.name, PARTNER_NAME_MAX));
        v.check(field(&path, "role"), required_text(&partner.role, PARTNER_ROLE_MAX));
    }
}

#[cfg(test)]
mod tests {
    use proto::commissioning::tendering::v1::{Answer, BidQuestion, ConsortiumPartner, Lot, LotPrice};

    use super::*;

    const CANARY: &str = "marmalade";

    fn gbp(amount_pence: i64) -> Option<Money> {
        Some(Money { amount_pence, currency: "GBP".into(), vat_included: true })
    }

    fn question(id: &str, word_limit: i32) -> BidQuestion {
        BidQuestion { id: id.into(), text: format!("Question {id}?"), word_limit, ..Default::default() }
    }

    fn lot(id: &str) -> Lot {
        Lot { id: id.into(), title: format!("Lot {id}"), ..Default::default() }
    }

    fn tender() -> Tender {
        Tender {
            bid_questions: vec![question("q1", 300), question("q2", 500)],
            lots: vec![lot("lot-1")],
            ..Default::default()
        }
    }

    fn words(count: usize) -> String {
        vec![CANARY; count].join(" ")
    }

    fn answer(id: &str, text: String) -> Answer {
        Answer { bid_question_id: id.into(), text }
    }

    fn content() -> BidContent {
        BidContent {
            total_price: gbp(2_400_000),
            answers: vec![answer("q1", words(300)), answer("q2", words(12))],
            evidence_declaration: true,
            ..Default::default()
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|violation| violation.field.as_str()).collect()
    }

    fn assert_nothing_quoted(violations: &[FieldViolation]) {
        for violation in violations {
            let description = violation.description.to_lowercase();
            for secret in [CANARY, "2400000", "24,000", "1200000", "12,000", "partner-x", "knaphill"] {
                assert!(!description.contains(secret), "{violation:?} quotes the bid");
            }
        }
    }

    #[test]
    fn words_are_runs_of_non_whitespace() {
        assert_eq!(word_count(""), 0);
        assert_eq!(word_count("  \n\t "), 0);
        assert_eq!(word_count("one"), 1);
        assert_eq!(word_count(" we  visit\nweekly,\tin\u{a0}Brixton — always "), 7);
    }

    #[test]
    fn a_complete_bid_is_accepted() {
        assert_eq!(check_bid(&content(), &tender(), "brixton-good-neighbours"), []);
    }

    #[test]
    fn an_answer_at_its_limit_is_accepted_and_one_word_over_refused_without_quoting_it() {
        let mut over = content();
        over.answers[0].text = words(301);
        let violations = check_bid(&over, &tender(), "bidder");
        assert_eq!(fields(&violations), ["content.answers[0].text"]);
        assert_eq!(violations[0].description, "301 words; the limit is 300");
        assert_nothing_quoted(&violations);
    }

    #[test]
    fn every_question_is_answered_once() {
        let mut bid = content();
        bid.answers = vec![
            answer("q1", words(5)),
            answer("q1", words(5)),
            answer("q9", words(5)),
            answer("", words(5)),
            answer("q3", "   ".into()),
        ];
        let mut with_empty = tender();
        with_empty.bid_questions.push(question("q3", 100));
        let violations = check_bid(&bid, &with_empty, "bidder");
        assert_eq!(
            fields(&violations),
            [
                "content.answers[1].bid_question_id",
                "content.answers[2].bid_question_id",
                "content.answers[3].bid_question_id",
                "content.answers[4].text",
                "content.answers",
            ]
        );
        assert!(violations[4].description.contains("question 2 (id \"q2\")"), "{violations:?}");
        assert_nothing_quoted(&violations);
    }

    #[test]
    fn prices_are_required_in_gbp_and_above_zero() {
        let mut bid = content();
        bid.total_price = None;
        assert_eq!(fields(&check_bid(&bid, &tender(), "bidder")), ["content.total_price"]);
        bid.total_price = Some(Money { amount_pence: 0, currency: "EUR".into(), vat_included: true });
        let violations = check_bid(&bid, &tender(), "bidder");
        assert_eq!(fields(&violations), ["content.total_price.currency", "content.total_price.amount_pence"]);
        bid.total_price = gbp(-2_400_000);
        let violations = check_bid(&bid, &tender(), "bidder");
        assert_eq!(fields(&violations), ["content.total_price.amount_pence"]);
        assert_nothing_quoted(&violations);
    }

    #[test]
    fn lot_prices_are_for_known_lots_once_each_and_add_up_to_the_total() {
        let mut two_lots = tender();
        two_lots.lots.push(lot("lot-2"));
        let mut bid = content();
        assert_eq!(fields(&check_bid(&bid, &two_lots, "bidder")), ["content.lot_prices"]);

        bid.lot_prices = vec![
            LotPrice { lot_id: "lot-1".into(), price: gbp(1_200_000) },
            LotPrice { lot_id: "lot-2".into(), price: gbp(1_200_000) },
        ];
        assert_eq!(check_bid(&bid, &two_lots, "bidder"), []);

        bid.lot_prices[1].price = gbp(1_100_000);
        let violations = check_bid(&bid, &two_lots, "bidder");
        assert_eq!(fields(&violations), ["content.total_price"]);
        assert_nothing_quoted(&violations);

        bid.lot_prices = vec![
            LotPrice { lot_id: "lot-1".into(), price: gbp(1_200_000) },
            LotPrice { lot_id: "lot-1".into(), price: gbp(1_200_000) },
            LotPrice { lot_id: "lot-7".into(), price: gbp(0) },
            LotPrice {
                lot_id: "lot-2".into(),
                price: Some(Money { amount_pence: 1, currency: "GBP".into(), vat_included: false }),
            },
        ];
        let violations = check_bid(&bid, &two_lots, "bidder");
        assert_eq!(
            fields(&violations),
            [
                "content.lot_prices[1].lot_id",
                "content.lot_prices[2].lot_id",
                "content.lot_prices[2].price.amount_pence",
                "content.lot_prices[3].price.vat_included",
            ]
        );
        assert_nothing_quoted(&violations);
    }

    #[test]
    fn consortium_partners_are_named_once_and_exclude_the_bidder() {
        let partner = |provider_id: &str, name: &str, role: &str| ConsortiumPartner {
            provider_id: provider_id.into(),
            name: name.into(),
            role: role.into(),
        };
        let mut bid = content();
        bid.consortium_partners = vec![
            partner("partner-x", "Knaphill Lunch Club", "runs the coffee mornings in Knaphill"),
            partner("partner-x", "Knaphill Lunch Club", "runs the coffee mornings in Knaphill"),
            partner("bidder", "Us", "leads"),
            partner("", "", &"x".repeat(501)),
            partner("partner x!", "Knaphill", "drives"),
        ];
        let violations = check_bid(&bid, &tender(), "bidder");
        assert_eq!(
            fields(&violations),
            [
                "content.consortium_partners[1].provider_id",
                "content.consortium_partners[2].provider_id",
                "content.consortium_partners[3].provider_id",
                "content.consortium_partners[3].name",
                "content.consortium_partners[3].role",
                "content.consortium_partners[4].provider_id",
            ]
        );
        assert_nothing_quoted(&violations);
    }

    #[test]
    fn the_evidence_declaration_is_required_and_explained() {
        let mut bid = content();
        bid.evidence_declaration = false;
        let violations = check_bid(&bid, &tender(), "bidder");
        assert_eq!(fields(&violations), ["content.evidence_declaration"]);
        assert!(violations[0].description.contains("declaration, not proof"));
        assert!(violations[0].description.contains("s22(3)(b)"));
    }
}
