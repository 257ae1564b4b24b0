//! The rules that change with the law, as configuration with effective dates: the VAT rate used to
//! compare values with thresholds, the thresholds (notice, transparency, light-touch), the
//! evidence levels proposed by value band, the longest contract a micro-tender may let, the
//! guardrails that keep a tender open to small charities (questions, words, price weight) and the
//! evidence proportionate to each service category and value band. They are never literals in code: a new set takes over
//! from its own date, and a tender keeps the set in force when it was published.
//!
//! `rules.toml` beside the crate is embedded as the default; `TENDERING_RULES_FILE` names a
//! replacement. Both are checked when loaded, so a bad file stops the service at start-up with the
//! file and the problem named, not at the first tender.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use figment::Figment;
use figment::providers::{Format, Toml};
use platform::categories::CATEGORIES;
use platform::evidence::is_insurance;
use proto::commissioning::common::v1::{DocumentKind, ServiceCategory};
use serde::{Deserialize, Deserializer};

/// The default rules, compiled in.
const EMBEDDED: &str = include_str!("../../rules.toml");

/// Everything configurable about thresholds and evidence levels.
#[derive(Debug, Clone, Deserialize)]
pub struct Rules {
    /// The standard VAT rate in basis points (2000 is 20%), to gross up values given without VAT.
    pub vat_basis_points: u64,
    /// Threshold sets, each from its own date.
    pub thresholds: Vec<ThresholdSet>,
    /// Evidence band sets, each from its own date.
    pub evidence_bands: Vec<BandSet>,
    /// Guardrail sets, each from its own date.
    pub guardrails: Vec<GuardrailSet>,
    /// Proportionate evidence sets, each from its own date.
    pub proportionate_evidence: Vec<EvidenceRuleSet>,
    /// Contract length limits, each from its own date.
    pub contract_length: Vec<LengthLimit>,
}

/// The longest contract, extensions included, a micro-tender may let from a date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LengthLimit {
    #[serde(deserialize_with = "toml_date")]
    pub effective_from: NaiveDate,
    /// From the contract's start to its last possible day, in whole months.
    pub max_months: u32,
    /// Why, in plain English, shown when publishing a longer contract is refused.
    pub reason: String,
}

/// The thresholds in force from a date, in pence with VAT included.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ThresholdSet {
    #[serde(deserialize_with = "toml_date")]
    pub effective_from: NaiveDate,
    /// At or above it a Central Digital Platform notice and a contract details notice are required,
    /// and a request for quotes is not allowed.
    pub notice_pence: u64,
    /// At or above it the Local Government Transparency Code asks for publication.
    pub transparency_pence: u64,
    /// At or above it a tender is not below-threshold and is refused.
    pub light_touch_pence: u64,
}

/// The evidence bands in force from a date.
#[derive(Debug, Clone, Deserialize)]
pub struct BandSet {
    #[serde(deserialize_with = "toml_date")]
    pub effective_from: NaiveDate,
    /// Lowest first; only the last has no upper bound.
    pub bands: Vec<Band>,
}

/// The evidence proposed for tenders valued up to `up_to_pence` (VAT included, inclusive).
#[derive(Debug, Clone, Deserialize)]
pub struct Band {
    /// `None` for the top band, which covers everything above the others.
    pub up_to_pence: Option<u64>,
    pub public_liability_pence: u64,
    /// Applies only where the provider employs staff.
    pub employers_liability_pence: u64,
    /// Why the public liability level is proportionate; shown to providers beside it.
    pub reason: String,
}

/// The sets a tender published on one date is checked against.
#[derive(Debug, Clone, Copy)]
pub struct InForce<'a> {
    pub thresholds: &'a ThresholdSet,
    pub guardrails: &'a GuardrailSet,
    pub evidence: &'a EvidenceRuleSet,
    pub length: &'a LengthLimit,
}

/// The limits that keep a tender answerable by a small charity, in force from a date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GuardrailSet {
    #[serde(deserialize_with = "toml_date")]
    pub effective_from: NaiveDate,
    /// The most bid questions a tender may ask.
    pub max_bid_questions: usize,
    /// The most words the questions' word limits may add up to.
    pub max_total_words: u32,
    /// The highest weight, in percent, price may have without a reason given to bidders.
    pub max_price_weight_without_reason: u32,
}

/// Which evidence is proportionate to which service categories and values, in force from a date.
#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceRuleSet {
    #[serde(deserialize_with = "toml_date")]
    pub effective_from: NaiveDate,
    /// Each category appears in exactly one entry.
    pub categories: Vec<CategoryEvidence>,
}

/// The evidence a tender of these categories may ask, by value band.
#[derive(Debug, Clone, Deserialize)]
pub struct CategoryEvidence {
    /// SERVICE_CATEGORY_* names.
    #[serde(deserialize_with = "service_categories")]
    pub categories: Vec<ServiceCategory>,
    /// Lowest first; only the last has no upper bound.
    pub bands: Vec<EvidenceAllowance>,
}

/// What a tender valued up to `up_to_pence` (VAT included, inclusive) may ask its winner to hold.
#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceAllowance {
    /// `None` for the top band.
    pub up_to_pence: Option<u64>,
    /// Documents other than insurance that may be asked, as DOCUMENT_KIND_* names.
    #[serde(default, deserialize_with = "document_kinds")]
    pub documents: Vec<DocumentKind>,
    /// Insurance that may be asked, each kind (a DOCUMENT_KIND_* name) with the highest minimum
    /// cover in pence a tender may set.
    #[serde(default, deserialize_with = "insurance_cover")]
    pub cover: Vec<(DocumentKind, u64)>,
}

/// Why a rules file could not be used; names the file and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RulesError(pub String);

impl Rules {
    /// The rules compiled in from `rules.toml`.
    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(EMBEDDED, "the embedded rules.toml")
    }

    /// The rules in the TOML file at `path` (TENDERING_RULES_FILE).
    pub fn from_file(path: &Path) -> Result<Self, RulesError> {
        let source = format!("rules file {}", path.display());
        let text = std::fs::read_to_string(path).map_err(|error| RulesError(format!("{source}: {error}")))?;
        Self::parse(&text, &source)
    }

    /// Parses and checks rules written as TOML; `source` names them in errors.
    pub fn parse(text: &str, source: &str) -> Result<Self, RulesError> {
        let rules: Self =
            Figment::from(Toml::string(text)).extract().map_err(|error| RulesError(format!("{source}: {error}")))?;
        rules.check().map_err(|problem| RulesError(format!("{source}: {problem}")))?;
        Ok(rules)
    }

    /// The thresholds in force on `date`: the latest set effective on or before it.
    pub fn thresholds_on(&self, date: NaiveDate) -> Option<&ThresholdSet> {
        latest_on(&self.thresholds, date, |set| set.effective_from)
    }

    /// The evidence bands in force on `date`: the latest set effective on or before it.
    pub fn bands_on(&self, date: NaiveDate) -> Option<&BandSet> {
        latest_on(&self.evidence_bands, date, |set| set.effective_from)
    }

    /// Every set in force on `date`, or what is missing (a rules file whose first set starts later).
    pub fn in_force_on(&self, date: NaiveDate) -> Result<InForce<'_>, String> {
        let missing = |what: &str| format!("no {what} are configured for {date}");
        Ok(InForce {
            thresholds: self.thresholds_on(date).ok_or_else(|| missing("procurement thresholds"))?,
            guardrails: self.guardrails_on(date).ok_or_else(|| missing("guardrails"))?,
            evidence: self.evidence_rules_on(date).ok_or_else(|| missing("proportionate evidence rules"))?,
            length: self.length_on(date).ok_or_else(|| missing("contract length limits"))?,
        })
    }

    /// The guardrails in force on `date`: the latest set effective on or before it.
    pub fn guardrails_on(&self, date: NaiveDate) -> Option<&GuardrailSet> {
        latest_on(&self.guardrails, date, |set| set.effective_from)
    }

    /// The proportionate evidence in force on `date`: the latest set effective on or before it.
    pub fn evidence_rules_on(&self, date: NaiveDate) -> Option<&EvidenceRuleSet> {
        latest_on(&self.proportionate_evidence, date, |set| set.effective_from)
    }

    /// The contract length limit in force on `date`: the latest set effective on or before it.
    pub fn length_on(&self, date: NaiveDate) -> Option<&LengthLimit> {
        latest_on(&self.contract_length, date, |set| set.effective_from)
    }

    fn check(&self) -> Result<(), String> {
        if self.vat_basis_points > 10_000 {
            return Err(format!(
                "vat_basis_points is {}: give the VAT rate, 0 to 10000 (2000 is 20%)",
                self.vat_basis_points
            ));
        }
        if self.thresholds.is_empty() {
            return Err("no [[thresholds]]: give at least one set with its effective_from date".into());
        }
        if self.evidence_bands.is_empty() {
            return Err("no [[evidence_bands]]: give at least one set with its effective_from date".into());
        }
        if self.guardrails.is_empty() {
            return Err("no [[guardrails]]: give at least one set with its effective_from date".into());
        }
        if self.proportionate_evidence.is_empty() {
            return Err("no [[proportionate_evidence]]: give at least one set with its effective_from date".into());
        }
        unique_dates(self.thresholds.iter().map(|set| set.effective_from), "thresholds")?;
        unique_dates(self.evidence_bands.iter().map(|set| set.effective_from), "evidence_bands")?;
        unique_dates(self.guardrails.iter().map(|set| set.effective_from), "guardrails")?;
        unique_dates(self.proportionate_evidence.iter().map(|set| set.effective_from), "proportionate_evidence")?;
        self.proportionate_evidence.iter().try_for_each(EvidenceRuleSet::check)?;
        if self.contract_length.is_empty() {
            return Err("no [[contract_length]]: give at least one set with its effective_from date".into());
        }
        unique_dates(self.contract_length.iter().map(|set| set.effective_from), "contract_length")?;
        for limit in &self.contract_length {
            if limit.max_months == 0 || limit.reason.trim().is_empty() {
                return Err(format!(
                    "contract_length effective from {}: give max_months of at least 1 and the reason for the limit",
                    limit.effective_from
                ));
            }
        }
        for set in &self.thresholds {
            let ordered = set.transparency_pence <= set.notice_pence && set.notice_pence < set.light_touch_pence;
            if !ordered {
                return Err(format!(
                    "thresholds effective from {}: expected transparency_pence <= notice_pence < light_touch_pence",
                    set.effective_from
                ));
            }
        }
        self.evidence_bands.iter().try_for_each(BandSet::check)
    }
}

impl BandSet {
    fn check(&self) -> Result<(), String> {
        let at = format!("evidence_bands effective from {}", self.effective_from);
        if let Some(index) = self.bands.iter().position(|band| band.reason.trim().is_empty()) {
            return Err(format!("{at}: band {} has no reason: say why its cover is proportionate", index + 1));
        }
        check_bands(self.bands.iter().map(|band| band.up_to_pence), &at, "[[evidence_bands.bands]]")
    }
}

impl EvidenceRuleSet {
    /// What a tender of `category` valued at `pence` (VAT included; the lowest band when unknown)
    /// may ask; `None` for a category the set does not name.
    pub fn allowance(&self, category: ServiceCategory, pence: Option<u64>) -> Option<&EvidenceAllowance> {
        let entry = self.categories.iter().find(|entry| entry.categories.contains(&category))?;
        match pence {
            None => entry.bands.first(),
            Some(pence) => entry.bands.iter().find(|band| band.up_to_pence.is_none_or(|up_to| pence <= up_to)),
        }
    }

    /// Every category named exactly once; bands as evidence bands are; insurance only under `cover`.
    fn check(&self) -> Result<(), String> {
        let at = format!("proportionate_evidence effective from {}", self.effective_from);
        for category in CATEGORIES {
            let entries = self.categories.iter().filter(|entry| entry.categories.contains(&category)).count();
            if entries != 1 {
                return Err(format!(
                    "{at}: {} is named by {entries} entries: name every category in exactly one \
                     [[proportionate_evidence.categories]]",
                    category.as_str_name()
                ));
            }
        }
        for entry in &self.categories {
            let names: Vec<&str> = entry.categories.iter().map(|category| category.as_str_name()).collect();
            let at = format!("{at}, categories {}", names.join(", "));
            check_bands(
                entry.bands.iter().map(|band| band.up_to_pence),
                &at,
                "[[proportionate_evidence.categories.bands]]",
            )?;
            for band in &entry.bands {
                if let Some(kind) = band.documents.iter().find(|kind| is_insurance(**kind)) {
                    return Err(format!(
                        "{at}: {} is insurance: list it under cover with its highest minimum cover, not under documents",
                        kind.as_str_name()
                    ));
                }
                if let Some((kind, _)) = band.cover.iter().find(|(kind, _)| !is_insurance(*kind)) {
                    return Err(format!(
                        "{at}: {} is not insurance: list it under documents; cover is for insurance kinds",
                        kind.as_str_name()
                    ));
                }
            }
        }
        Ok(())
    }
}

impl EvidenceAllowance {
    /// Whether a tender may ask for `kind` at all.
    pub fn allows(&self, kind: DocumentKind) -> bool {
        self.documents.contains(&kind) || self.ceiling(kind).is_some()
    }

    /// The highest minimum cover a tender may set for insurance `kind`, if it may ask for it.
    pub fn ceiling(&self, kind: DocumentKind) -> Option<u64> {
        self.cover.iter().find(|(insured, _)| *insured == kind).map(|(_, pence)| *pence)
    }

    /// Every kind a tender may ask for.
    pub fn kinds(&self) -> impl Iterator<Item = DocumentKind> + '_ {
        self.documents.iter().copied().chain(self.cover.iter().map(|(kind, _)| *kind))
    }
}

/// Bands ascending by their upper bounds, exactly one open-ended band and it last; `at` names the
/// set in errors and `table` the TOML table a band is written as.
fn check_bands(bounds: impl Iterator<Item = Option<u64>>, at: &str, table: &str) -> Result<(), String> {
    let bounds: Vec<Option<u64>> = bounds.collect();
    let Some((top, bounded)) = bounds.split_last() else {
        return Err(format!("{at}: no bands: give at least one {table}"));
    };
    if top.is_some() {
        return Err(format!("{at}: the last band must leave up_to_pence unset, to cover every higher value"));
    }
    let mut previous: Option<u64> = None;
    for (index, bound) in bounded.iter().enumerate() {
        let Some(up_to) = *bound else {
            return Err(format!("{at}: band {} has no up_to_pence; only the last band may leave it unset", index + 1));
        };
        if previous.is_some_and(|previous| up_to <= previous) {
            return Err(format!("{at}: band {} must have a higher up_to_pence than the band before it", index + 1));
        }
        previous = Some(up_to);
    }
    Ok(())
}

/// A date written either quoted ("2026-01-01") or as a bare TOML date (2026-01-01), which figment
/// hands over as a one-entry map.
fn toml_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Quoted(String),
        Bare {
            #[serde(rename = "$__toml_private_datetime")]
            text: String,
        },
    }
    let text = match Written::deserialize(deserializer)? {
        Written::Quoted(text) | Written::Bare { text } => text,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| serde::de::Error::custom(format!("\"{text}\" is not a date: write it as YYYY-MM-DD")))
}

fn service_categories<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<ServiceCategory>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|name| {
            ServiceCategory::from_str_name(name)
                .filter(|category| *category != ServiceCategory::Unspecified)
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "\"{name}\" is not a service category: write a SERVICE_CATEGORY_* name such as \
                         SERVICE_CATEGORY_BEFRIENDING_FACE_TO_FACE"
                    ))
                })
        })
        .collect()
}

fn document_kind<E: serde::de::Error>(name: &str) -> Result<DocumentKind, E> {
    DocumentKind::from_str_name(name).filter(|kind| *kind != DocumentKind::Unspecified).ok_or_else(|| {
        E::custom(format!(
            "\"{name}\" is not a document kind: write a DOCUMENT_KIND_* name such as \
             DOCUMENT_KIND_SAFEGUARDING_ADULTS_POLICY"
        ))
    })
}

fn document_kinds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<DocumentKind>, D::Error> {
    Vec::<String>::deserialize(deserializer)?.iter().map(|name| document_kind(name)).collect()
}

fn insurance_cover<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(DocumentKind, u64)>, D::Error> {
    BTreeMap::<String, u64>::deserialize(deserializer)?
        .iter()
        .map(|(name, pence)| document_kind(name).map(|kind| (kind, *pence)))
        .collect()
}

fn latest_on<T>(sets: &[T], date: NaiveDate, effective_from: impl Fn(&T) -> NaiveDate) -> Option<&T> {
    sets.iter().filter(|set| effective_from(set) <= date).max_by_key(|set| effective_from(set))
}

/// Two sets from the same date would leave it ambiguous which is in force.
fn unique_dates(dates: impl Iterator<Item = NaiveDate>, name: &str) -> Result<(), String> {
    let mut seen: Vec<NaiveDate> = Vec::new();
    for date in dates {
        if seen.contains(&date) {
            return Err(format!("two {name} sets take effect on {date}: give each set its own effective_from"));
        }
        seen.push(date);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
    }

    /// Guardrails and one proportionate-evidence entry for every category, which every file needs.
    const GUARDRAILS_AND_EVIDENCE: &str = r#"
        [[guardrails]]
        effective_from = "2026-01-01"
        max_bid_questions = 5
        max_total_words = 2500
        max_price_weight_without_reason = 40
        [[proportionate_evidence]]
        effective_from = "2026-01-01"
        [[proportionate_evidence.categories]]
        categories = [
            "SERVICE_CATEGORY_BEFRIENDING_TELEPHONE", "SERVICE_CATEGORY_BEFRIENDING_FACE_TO_FACE",
            "SERVICE_CATEGORY_GROUP_ACTIVITIES", "SERVICE_CATEGORY_COMMUNITY_CONNECTOR",
            "SERVICE_CATEGORY_LOCAL_AREA_COORDINATION", "SERVICE_CATEGORY_TRANSPORT",
            "SERVICE_CATEGORY_DIGITAL_INCLUSION", "SERVICE_CATEGORY_INTERGENERATIONAL",
            "SERVICE_CATEGORY_PEER_SUPPORT", "SERVICE_CATEGORY_OTHER",
        ]
        [[proportionate_evidence.categories.bands]]
        up_to_pence = 1000000
        documents = ["DOCUMENT_KIND_SAFEGUARDING_ADULTS_POLICY"]
        cover = { DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE = 200000000 }
        [[proportionate_evidence.categories.bands]]
        cover = { DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE = 500000000 }
    "#;

    fn later() -> String {
        format!("{LATER}{GUARDRAILS_AND_EVIDENCE}")
    }

    const LATER: &str = r#"
        vat_basis_points = 2000
        [[thresholds]]
        effective_from = "2026-01-01"
        notice_pence = 3000000
        transparency_pence = 500000
        light_touch_pence = 66354000
        [[thresholds]]
        effective_from = "2028-01-01"
        notice_pence = 3500000
        transparency_pence = 500000
        light_touch_pence = 70000000
        [[evidence_bands]]
        effective_from = "2026-01-01"
        [[evidence_bands.bands]]
        public_liability_pence = 500000000
        employers_liability_pence = 500000000
        reason = "common cover"
        [[contract_length]]
        effective_from = "2026-01-01"
        max_months = 60
        reason = "five years"
        [[contract_length]]
        effective_from = "2028-01-01"
        max_months = 48
        reason = "four years"
    "#;

    #[test]
    fn the_embedded_rules_give_the_2026_thresholds_from_1_january_2026_and_none_before() {
        let rules = Rules::embedded().expect("rules.toml parses");
        assert_eq!(rules.vat_basis_points, 2000);
        let thresholds = rules.thresholds_on(ymd(2026, 1, 1)).expect("in force on 1 January 2026");
        assert_eq!(thresholds.notice_pence, 3_000_000, "GBP 30,000");
        assert_eq!(thresholds.transparency_pence, 500_000, "GBP 5,000");
        assert_eq!(thresholds.light_touch_pence, 66_354_000, "GBP 663,540");
        assert_eq!(rules.thresholds_on(ymd(2027, 6, 30)), Some(thresholds));
        assert_eq!(rules.thresholds_on(ymd(2025, 12, 31)), None);
        assert!(rules.bands_on(ymd(2025, 12, 31)).is_none());

        let bands = rules.bands_on(ymd(2026, 1, 1)).expect("bands in force");
        let levels: Vec<_> = bands
            .bands
            .iter()
            .map(|band| (band.up_to_pence, band.public_liability_pence, band.employers_liability_pence))
            .collect();
        assert_eq!(
            levels,
            [
                (Some(1_000_000), 200_000_000, 500_000_000),
                (Some(3_000_000), 500_000_000, 500_000_000),
                (None, 500_000_000, 500_000_000),
            ],
            "no band asks more public liability than the GBP 5,000,000 community organisations commonly hold"
        );
        assert!(bands.bands.iter().all(|band| band.reason.contains("public liability")), "each band says why");
        let length = rules.length_on(ymd(2027, 4, 1)).expect("a length limit in force");
        assert_eq!(length.max_months, 60, "five years");
        assert!(length.reason.contains("five years"), "{}", length.reason);
    }

    #[test]
    fn a_set_with_a_later_effective_date_takes_over_from_that_date() {
        let rules = Rules::parse(&later(), "test").expect("valid");
        let notice = |date| rules.thresholds_on(date).map(|set| set.notice_pence);
        assert_eq!(notice(ymd(2027, 12, 31)), Some(3_000_000));
        assert_eq!(notice(ymd(2028, 1, 1)), Some(3_500_000));
        assert_eq!(notice(ymd(2030, 1, 1)), Some(3_500_000));
        assert_eq!(rules.bands_on(ymd(2028, 1, 1)).map(|set| set.effective_from), Some(ymd(2026, 1, 1)));
        let months = |date| rules.length_on(date).map(|limit| limit.max_months);
        assert_eq!(months(ymd(2027, 12, 31)), Some(60));
        assert_eq!(months(ymd(2028, 1, 1)), Some(48));
    }

    #[test]
    fn dates_may_be_quoted_or_bare_toml_dates() {
        let bare = later().replace("\"2028-01-01\"", "2028-01-01");
        let rules = Rules::parse(&bare, "test").expect("bare dates are read");
        assert_eq!(rules.thresholds[1].effective_from, ymd(2028, 1, 1));
        let wrong = later().replace("\"2028-01-01\"", "\"1 January 2028\"");
        let error = Rules::parse(&wrong, "test").expect_err("not YYYY-MM-DD");
        assert!(error.to_string().contains("effective_from"), "{error}");
    }

    #[test]
    fn a_rules_file_is_read_and_a_missing_one_is_named() {
        let path = std::env::temp_dir().join(format!("tendering-rules-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, later()).expect("write the test file");
        let read = Rules::from_file(&path).map(|rules| rules.thresholds.len());
        std::fs::remove_file(&path).expect("remove the test file");
        assert_eq!(read, Ok(2));
        let missing = Rules::from_file(&path).expect_err("the file is gone");
        assert!(missing.to_string().contains(&path.display().to_string()), "{missing}");
    }

    #[test]
    fn the_embedded_guardrails_and_proportionate_evidence_are_in_force_from_2026() {
        let rules = Rules::embedded().expect("rules.toml parses");
        let in_force = rules.in_force_on(ymd(2026, 3, 2)).expect("in force");
        assert_eq!(
            (
                in_force.guardrails.max_bid_questions,
                in_force.guardrails.max_total_words,
                in_force.guardrails.max_price_weight_without_reason
            ),
            (5, 2_500, 40)
        );
        let befriending = |pence| {
            in_force.evidence.allowance(ServiceCategory::BefriendingFaceToFace, Some(pence)).expect("befriending")
        };
        assert_eq!(befriending(950_000).ceiling(DocumentKind::PublicLiabilityInsurance), Some(200_000_000));
        assert_eq!(befriending(950_000).ceiling(DocumentKind::EmployersLiabilityInsurance), Some(500_000_000));
        assert!(!befriending(950_000).allows(DocumentKind::ProfessionalIndemnityInsurance));
        assert!(!befriending(950_000).allows(DocumentKind::HealthAndSafetyPolicy));
        assert!(befriending(3_000_001).allows(DocumentKind::HealthAndSafetyPolicy), "above GBP 30,000");
        let coffee = in_force.evidence.allowance(ServiceCategory::GroupActivities, None).expect("the lowest band");
        assert!(coffee.allows(DocumentKind::HealthAndSafetyPolicy), "a venue's");
        assert!(rules.in_force_on(ymd(2025, 12, 31)).expect_err("nothing before 2026").contains("2025-12-31"));
    }

    #[test]
    fn bad_guardrails_and_evidence_rules_are_refused_saying_what_is_wrong() {
        let base = LATER;
        let cases = [
            (
                GUARDRAILS_AND_EVIDENCE.replace("SERVICE_CATEGORY_OTHER", "SERVICE_CATEGORY_WALKING"),
                "SERVICE_CATEGORY_WALKING",
            ),
            (
                GUARDRAILS_AND_EVIDENCE.replace("\"SERVICE_CATEGORY_OTHER\",", ""),
                "SERVICE_CATEGORY_OTHER is named by 0",
            ),
            (
                GUARDRAILS_AND_EVIDENCE.replace("DOCUMENT_KIND_SAFEGUARDING_ADULTS_POLICY", "DOCUMENT_KIND_HARD_HAT"),
                "DOCUMENT_KIND_HARD_HAT",
            ),
            (
                GUARDRAILS_AND_EVIDENCE.replace(
                    "[\"DOCUMENT_KIND_SAFEGUARDING_ADULTS_POLICY\"]",
                    "[\"DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE\"]",
                ),
                "is insurance",
            ),
            (
                GUARDRAILS_AND_EVIDENCE.replace(
                    "{ DOCUMENT_KIND_PUBLIC_LIABILITY_INSURANCE = 200000000 }",
                    "{ DOCUMENT_KIND_EQUALITY_POLICY = 1 }",
                ),
                "is not insurance",
            ),
            (GUARDRAILS_AND_EVIDENCE.replace("up_to_pence = 1000000\n", ""), "only the last band"),
            (GUARDRAILS_AND_EVIDENCE.replace("[[guardrails]]", "[[old_guardrails]]"), "guardrails"),
        ];
        for (rest, expected) in cases {
            let error = Rules::parse(&format!("{base}\n{rest}"), "test.toml").expect_err(expected);
            assert!(error.to_string().contains(expected), "{error} should mention {expected}");
        }
        Rules::parse(&format!("{base}\n{GUARDRAILS_AND_EVIDENCE}"), "test.toml").expect("the unchanged rules are fine");
    }

    #[test]
    fn bad_rules_are_refused_saying_what_is_wrong() {
        let thresholds = r#"
            [[thresholds]]
            effective_from = "2026-01-01"
            notice_pence = 3000000
            transparency_pence = 500000
            light_touch_pence = 66354000
        "#;
        let band = |up_to: &str| {
            format!(
                "[[evidence_bands.bands]]\n{up_to}\npublic_liability_pence = 1\nemployers_liability_pence = 1\nreason = \
                 \"why\"\n"
            )
        };
        let length = "[[contract_length]]\neffective_from = \"2026-01-01\"\nmax_months = 60\nreason = \"why\"\n";
        let bands = |body: String| format!("{length}[[evidence_bands]]\neffective_from = \"2026-01-01\"\n{body}");
        let cases = [
            (format!("vat_basis_points = 2000\n{}", bands(band(""))), "thresholds"),
            (format!("vat_basis_points = 2000\n{thresholds}\n{length}"), "evidence_bands"),
            (
                format!("vat_basis_points = 2000\n{thresholds}\n{}", bands(band("")).replace(length, "")),
                "contract_length",
            ),
            (
                format!(
                    "vat_basis_points = 2000\n{thresholds}\n{}",
                    bands(band("")).replace("max_months = 60", "max_months = 0")
                ),
                "max_months",
            ),
            (
                format!("vat_basis_points = 2000\n{thresholds}\n{}", bands(band("").replace("\"why\"", "\"\""))),
                "no reason",
            ),
            (format!("vat_basis_points = 2000\n{thresholds}\n{}", bands(band("up_to_pence = 5"))), "last band"),
            (format!("vat_basis_points = 2000\n{thresholds}\n{}", bands(band("") + &band(""))), "only the last band"),
            (
                format!(
                    "vat_basis_points = 2000\n{thresholds}\n{}",
                    bands(band("up_to_pence = 9") + &band("up_to_pence = 5") + &band(""))
                ),
                "higher up_to_pence",
            ),
            (format!("vat_basis_points = 2000\n{thresholds}\n{thresholds}\n{}", bands(band(""))), "two thresholds"),
            (format!("vat_basis_points = 20000\n{thresholds}\n{}", bands(band(""))), "vat_basis_points"),
            (format!("{thresholds}\n{}", bands(band(""))), "vat_basis_points"),
        ];
        for (text, expected) in cases {
            let text = format!("{text}\n{GUARDRAILS_AND_EVIDENCE}");
            let error = Rules::parse(&text, "test.toml").expect_err(expected);
            assert!(error.to_string().starts_with("test.toml: "), "{error}");
            assert!(error.to_string().contains(expected), "{error} should mention {expected}");
        }
    }
}
