//! Financial and size floors on who may bid, however an officer words them: turnover, income,
//! reserves, years trading, staff numbers, accreditations such as ISO 9001, accounts and credit
//! checks. Below threshold there is no selection stage, so a tender may not restrict who can bid by
//! assessing the bidder's suitability (Procurement Act 2023 s85), and PPN 03/24 asks that what is
//! asked be proportionate: a floor shuts out the small charities these tenders are for.
//!
//! Each pattern below is matched case-insensitively on word boundaries. A pattern's optional `ok`
//! group marks an innocent use of the same words ("volunteer turnover", "the council reserves the
//! right", "at least 65 years old"): a match in which it took part is not a floor.

use std::sync::LazyLock;

use regex::Regex;

/// A floor found in an officer's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Floor {
    /// What it puts a floor on, as the refusal says it: "turnover", "years of trading".
    pub on: &'static str,
    /// The words found, as the officer wrote them.
    pub phrase: String,
}

/// A count as people write it: "3", "three", "a few".
const COUNT: &str = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a\s+few)";
/// How a lower bound is written: "at least", "a minimum of", "no fewer than".
const AT_LEAST: &str = r"(?:at\s+least|(?:a\s+)?minimum\s+(?:of\s+)?|no\s+(?:fewer|less)\s+than|not\s+less\s+than)";
/// A sum of money: "£100k", "GBP 50,000", "100,000 pounds".
const MONEY: &str = r"(?:(?:£|gbp\s*)\d[\d,.]*\d?(?:\s*(?:k|m|million|thousand)\b)?|\d[\d,.]*\d?\s*(?:k|m|pounds)\b)";

/// (what the floor is on, pattern with COUNT, AT_LEAST and MONEY written as {count}, {at_least} and
/// {money}).
const PATTERNS: &[(&str, &str)] = &[
    // Turnover of any kind but that of volunteers, staff or tenants.
    (
        "turnover",
        r"\b(?:(?P<ok>volunteers?'?|staff|befrienders?'?|workforce|tenants?'?|residents?'?)\s+|(?:minimum|annual|yearly|total|gross)\s+)?turnovers?\b(?:\s+(?:of|above|over|exceeding)\s+(?:{at_least}\s*)?{money})?",
    ),
    // Income: the organisation's, not that of the people the service is for ("on a low income").
    (
        "income",
        r"\b(?:annual|yearly|minimum|total|gross|organisational|organisation'?s|charity'?s|group'?s|charitable)\s+incomes?\b",
    ),
    ("income", r"\bincomes?\s+(?:of|above|over|exceeding|greater\s+than|in\s+excess\s+of)\s+(?:{at_least}\s*)?{money}"),
    ("reserves", r"\breserves\b(?P<ok>\s+the\s+right)?"),
    ("reserves", r"\b(?:financial|free|unrestricted|cash|minimum)\s+reserves?\b"),
    ("reserves", r"\bmonths?'?\s+(?:of\s+)?(?:running\s+costs|expenditure)\s+in\s+reserve\b"),
    // Years of trading, existence or experience.
    ("years of trading", r"\byears?'?\s+(?:of\s+)?trading\b"),
    ("years of trading", r"\btrading\s+(?:history|record)\b"),
    (
        "years of trading",
        r"\b(?:trading|operating|operated|established|existed|in\s+existence|registered|constituted|incorporated|experience|track\s+record)\s+(?:\w+\s+){0,4}?(?:for\s+)?(?:{at_least}\s*|more\s+than\s+|over\s+)?{count}\+?\s+years?\b",
    ),
    (
        "years of trading",
        r"\b{count}\+?\s+years?'?\s+(?:of\s+)?(?:experience|track\s+record|trading|operation|operating|existence|history)\b",
    ),
    ("years of trading", r"\b{at_least}\s*{count}\+?\s+years?\b(?P<ok>\s+(?:old|of\s+age))?"),
    (
        "years of trading",
        r"\bhow\s+long\s+(?:has|have)\s+(?:your|the)\s+(?:organisation|organization|charity|group|company|business)\s+(?:been|existed|operated|traded)\b",
    ),
    // Staff numbers: the bidder's size, not the staffing of a session.
    (
        "staff numbers",
        r"\b(?:{at_least}\s*|more\s+than\s+|over\s+){count}\s+(?:paid\s+|full[-\s]time\s+|permanent\s+|salaried\s+)?(?:staff|employees|members\s+of\s+staff|workers|ftes?|full[-\s]time\s+equivalents?)\b(?P<ok>(?:\s+or\s+volunteers)?\s+(?:at|per|for|on|in)\s+(?:(?:each|every|a|the)\s+)?(?:session|visit|group|activity|outing|shift|journey))?",
    ),
    ("staff numbers", r"\bminimum\s+(?:number\s+of\s+)?(?:employees|staff\s+numbers?|headcount|workforce)\b"),
    ("staff numbers", r"\bemploy(?:s|ing)?\s+(?:{at_least}\s*|more\s+than\s+|over\s+){count}\b"),
    ("staff numbers", r"\bheadcount\b"),
    (
        "staff numbers",
        r"\bhow\s+many\s+(?:paid\s+)?(?:staff|employees)\s+(?:do\s+you|does\s+your\s+(?:organisation|organization|charity|group))\s+(?:have|employ)\b",
    ),
    ("staff numbers", r"\bnumber\s+of\s+(?:employees|staff)\s+(?:you\s+have|you\s+employ|in\s+your\s+organisation)\b"),
    // Accreditations and certifications of the organisation.
    ("accreditation", r"\b(?:iso|bs|bs\s+en|bs\s+en\s+iso)\s*\d{4,5}\b"),
    ("accreditation", r"\baccreditations?\b"),
    ("accreditation", r"\baccredited\s+(?:by|to|under|with|as)\b"),
    ("accreditation", r"\bcertified\s+(?:to|by|under)\b"),
    (
        "accreditation",
        r"\b(?:investors\s+in\s+people|investing\s+in\s+volunteers|pqasso|trusted\s+charity(?:\s+mark)?|safecontractor|constructionline|chas|cyber\s+essentials(?:\s+plus)?)\b",
    ),
    // Accounts and financial standing.
    ("accounts", r"\baudited\s+(?:annual\s+)?(?:accounts|financial\s+statements)\b"),
    ("accounts", r"\b(?:annual|published|filed|statutory|certified|independently\s+examined|latest|last)\s+accounts\b"),
    ("accounts", r"\b{count}\s+years?'?\s+(?:of\s+)?(?:audited\s+)?accounts\b"),
    (
        "financial standing",
        r"\bfinancial\s+(?:statements?|standing|stability|health|viability|capacity|strength|accounts|information|risk\s+assessments?)\b",
    ),
    (
        "financial standing",
        r"\b(?:balance\s+sheets?|profit\s+(?:and|&)\s+loss|net\s+assets|(?:current|quick|gearing|acid\s+test)\s+ratio)\b",
    ),
    ("credit rating", r"\bcredit\s+(?:ratings?|scores?|checks?|references?|history|limits?)\b"),
    ("credit rating", r"\b(?:dun\s+(?:and|&)\s+bradstreet|creditsafe|experian)\b"),
    (
        "financial standing",
        r"\b(?:parent\s+company\s+guarantees?|performance\s+bonds?|bank\s+(?:references?|guarantees?))\b",
    ),
    // The size of contracts held before.
    ("contract size", r"\bcontracts?\s+(?:of|worth|valued\s+at)\s+(?:{at_least}\s*|over\s+|more\s+than\s+)?{money}"),
    ("contract size", r"\bcontracts?\s+of\s+(?:a\s+)?(?:similar|comparable)\s+(?:value|size|scale)\b"),
];

static COMPILED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|(on, pattern)| {
            let pattern = pattern.replace("{count}", COUNT).replace("{at_least}", AT_LEAST).replace("{money}", MONEY);
            // The patterns are constants, compiled by the unit tests below; a bad one is a bug here.
            let compiled = Regex::new(&format!("(?i){pattern}")).expect("a valid floor pattern");
            (*on, compiled)
        })
        .collect()
});

/// Every floor in `text`, in the order written. Matches that overlap or touch (only spaces between)
/// are one floor, named after the one that starts first, its phrase running over all of them ("at
/// least 3 years trading", "certified to ISO 9001").
pub fn floors_in(text: &str) -> Vec<Floor> {
    let mut spans: Vec<(usize, usize, &'static str)> = COMPILED
        .iter()
        .flat_map(|(on, pattern)| {
            pattern
                .captures_iter(text)
                .filter(|captures| captures.name("ok").is_none())
                .filter_map(|captures| captures.get(0))
                .map(|whole| (whole.start(), whole.end(), *on))
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    let mut merged: Vec<(usize, usize, &'static str)> = Vec::new();
    for (start, end, on) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 || text[last.1..start].trim().is_empty() => last.1 = last.1.max(end),
            _ => merged.push((start, end, on)),
        }
    }
    merged
        .into_iter()
        .map(|(start, end, on)| Floor { on, phrase: text[start..end].split_whitespace().collect::<Vec<_>>().join(" ") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(&'static str, String)> {
        floors_in(text).into_iter().next().map(|floor| (floor.on, floor.phrase))
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
    }

    #[test]
    fn floors_are_found_however_worded() {
        let cases = [
            ("Bidders must have a minimum turnover of £100k.", "turnover", "minimum turnover of £100k"),
            ("Annual TURNOVER of at least GBP 50,000", "turnover", "Annual TURNOVER of at least GBP 50,000"),
            ("State your turnovers for the last three years.", "turnover", "turnovers"),
            ("An annual income above £25,000 is expected.", "income", "annual income above £25,000"),
            ("Organisations with income of at least £20k", "income", "income of at least £20k"),
            ("Your charity's income must exceed the contract value.", "income", "charity's income"),
            ("Show six months of free reserves.", "reserves", "free reserves"),
            ("What reserves do you hold?", "reserves", "reserves"),
            ("Minimum reserve of three months", "reserves", "Minimum reserve"),
            ("at least 3 years trading", "years of trading", "at least 3 years trading"),
            ("How many years of trading do you have?", "years of trading", "years of trading"),
            ("Three years' trading history is required", "years of trading", "Three years' trading history"),
            (
                "The provider must have been established for at least two years.",
                "years of trading",
                "established for at least two years",
            ),
            ("a track record of 5 years in befriending", "years of trading", "track record of 5 years"),
            ("5+ years experience of running groups", "years of trading", "5+ years experience"),
            ("Operating for more than 3 years", "years of trading", "Operating for more than 3 years"),
            ("How long has your organisation been running?", "years of trading", "How long has your organisation been"),
            ("A minimum of 10 staff", "staff numbers", "A minimum of 10 staff"),
            ("at least five paid employees", "staff numbers", "at least five paid employees"),
            ("The provider employs at least 3 people", "staff numbers", "employs at least 3"),
            ("Give your headcount.", "staff numbers", "headcount"),
            (
                "How many employees does your organisation have?",
                "staff numbers",
                "How many employees does your organisation have",
            ),
            ("ISO 9001 certification is required", "accreditation", "ISO 9001"),
            ("certified to ISO9001:2015", "accreditation", "certified to ISO9001"),
            ("Hold the PQASSO quality mark", "accreditation", "PQASSO"),
            ("Relevant accreditations held", "accreditation", "accreditations"),
            ("Must be accredited by a national body", "accreditation", "accredited by"),
            ("Investors in People", "accreditation", "Investors in People"),
            ("Cyber Essentials Plus", "accreditation", "Cyber Essentials Plus"),
            ("Provide audited accounts", "accounts", "audited accounts"),
            ("Your last two years of accounts", "accounts", "two years of accounts"),
            ("Copies of your annual accounts", "accounts", "annual accounts"),
            ("Financial standing", "financial standing", "Financial standing"),
            ("a healthy balance sheet", "financial standing", "balance sheet"),
            ("We will run a credit check", "credit rating", "credit check"),
            ("A Dun & Bradstreet rating of 2", "credit rating", "Dun & Bradstreet"),
            ("Provide a bank reference", "financial standing", "bank reference"),
            ("Experience of contracts worth over £50,000", "contract size", "contracts worth over £50,000"),
            ("Held contracts of a similar value", "contract size", "contracts of a similar value"),
        ];
        for (text, on, phrase) in cases {
            assert_eq!(first(text), Some((on, phrase.to_owned())), "{text}");
        }
    }

    #[test]
    fn the_same_words_used_innocently_are_not_floors() {
        let innocent = [
            "How will you reach people who have lived here for years?",
            "The annual coffee morning is in December.",
            "Older people on a low income, or who have lost income after bereavement.",
            "How will you keep volunteer turnover low?",
            "Staff turnover and how you support befrienders.",
            "The council reserves the right not to award.",
            "People aged at least 65 years old who live alone.",
            "People who have been lonely for years, or newly isolated.",
            "Take into account what matters to each person.",
            "First-hand accounts from the people you support are welcome.",
            "Volunteers receive accredited training in safeguarding.",
            "How many staff and volunteers will run each session?",
            "Say how you recruit, train and support your befrienders.",
            "Each neighbourhood has about 10,000 residents.",
            "How many people a year will the service reach?",
            "Describe your experience of running befriending.",
            "A weekly session of at least two hours.",
            "Say what difference you want to see after six months.",
            "the minimum staffing at each session",
            "At least two staff or volunteers at each session.",
            "No fewer than 2 staff per session",
        ];
        for text in innocent {
            assert_eq!(floors_in(text), [], "{text}");
        }
    }

    #[test]
    fn each_floor_in_a_text_is_named_once_in_order() {
        let found = floors_in("Turnover of £100k, three years' accounts and ISO 9001; turnover again.");
        let named: Vec<_> = found.iter().map(|floor| (floor.on, floor.phrase.as_str())).collect();
        assert_eq!(
            named,
            [
                ("turnover", "Turnover of £100k"),
                ("accounts", "three years' accounts"),
                ("accreditation", "ISO 9001"),
                ("turnover", "turnover")
            ]
        );
    }
}
