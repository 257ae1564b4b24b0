//! SearchProviders: structured filters (category, area, size, VCSE, verified evidence) and free
//! text over provider and service names and descriptions, most relevant first: a term found in a
//! provider's name counts 3, in its description or its services' text 1 each; then the number of
//! matching services; then name.

use chrono::NaiveDate;
use platform::Error;
use platform::paging::Page;
use proto::commissioning::providers::v1::{Provider, Service, ServiceStatus};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::entity::{offered_service, provider};
use super::profiles::stored;
use super::sql::{Sql, contains_pattern};

/// What a search asks for. Empty filters match everything.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Lower-case words that must each appear somewhere.
    pub terms: Vec<String>,
    pub categories: Vec<i32>,
    pub council_id: Option<String>,
    pub postcode_district: Option<String>,
    pub size_classes: Vec<i32>,
    pub vcse: Option<bool>,
    /// Kinds of which a verified document, unexpired on `today`, must be held.
    pub evidence_kinds: Vec<i32>,
    pub today: Option<NaiveDate>,
}

impl SearchFilter {
    fn filters_services(&self) -> bool {
        !self.categories.is_empty() || self.council_id.is_some() || self.postcode_district.is_some()
    }
}

/// One provider found.
pub struct Found {
    pub provider: Provider,
    pub relevance: i64,
    pub matching_services: Vec<Service>,
}

/// One page of results.
pub async fn search<C: ConnectionTrait>(db: &C, filter: &SearchFilter, page: Page) -> Result<Vec<Found>, Error> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT provider.*, ");
    relevance(&mut sql, filter);
    // Without category or area filters every active service matches: the count kept on the row
    // serves, and its index orders the first page.
    sql.push(if filter.filters_services() {
        " AS relevance, m.matching"
    } else {
        " AS relevance, provider.active_services AS matching"
    });
    from_where(&mut sql, filter);
    sql.push(" ORDER BY ");
    if !filter.terms.is_empty() {
        sql.push("relevance DESC, ");
    }
    sql.push("matching DESC, provider.sort_name, provider.id LIMIT ")
        .bind(i64::try_from(page.limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX));

    let rows = db.query_all_raw(sql.statement()).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let relevance: i64 = row.try_get("", "relevance")?;
        let provider = stored(provider::Model::from_query_result(&row, "")?)?.provider;
        found.push(Found { provider, relevance, matching_services: Vec::new() });
    }
    attach_matching_services(db, filter, &mut found).await?;
    Ok(found)
}

/// How many providers match, across all pages.
pub async fn count<C: ConnectionTrait>(db: &C, filter: &SearchFilter) -> Result<i64, Error> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT COUNT(*) AS total");
    from_where(&mut sql, filter);
    let row = db.query_one_raw(sql.statement()).await?.ok_or_else(|| Error::internal("COUNT returned no row"))?;
    Ok(row.try_get("", "total")?)
}

/// ` FROM provider [JOIN matching services] WHERE ...`: every filter, combined with AND. The
/// matching services are counted once per provider in one grouped pass, not per provider row.
fn from_where(sql: &mut Sql, filter: &SearchFilter) {
    sql.push(" FROM provider");
    if filter.filters_services() {
        sql.push(" JOIN (SELECT s.provider_id, COUNT(*) AS matching FROM offered_service s WHERE ");
        matching_service(sql, filter);
        sql.push(" GROUP BY s.provider_id) m ON m.provider_id = provider.id");
    }
    sql.push(" WHERE 1 = 1");
    if !filter.size_classes.is_empty() {
        sql.push(" AND provider.size_class IN ").bind_list(filter.size_classes.iter().copied());
    }
    if let Some(vcse) = filter.vcse {
        sql.push(" AND provider.vcse = ").bind(vcse);
    }
    // One subquery however many kinds are asked for: the provider holds a verified document of
    // each when it holds as many distinct kinds of them as were asked for.
    let mut kinds = filter.evidence_kinds.clone();
    kinds.sort_unstable();
    kinds.dedup();
    if !kinds.is_empty() {
        sql.push(" AND (SELECT COUNT(DISTINCT e.kind) FROM provider_document e WHERE e.provider_id = provider.id")
            .push(" AND e.relied_on = ")
            .bind(true)
            .push(" AND e.kind IN ")
            .bind_list(kinds.iter().copied());
        if let Some(today) = filter.today {
            sql.push(" AND (e.expires_on IS NULL OR e.expires_on >= ").bind(today).push(")");
        }
        sql.push(") = ").bind(i64::try_from(kinds.len()).unwrap_or(i64::MAX));
    }
    for term in &filter.terms {
        let pattern = contains_pattern(term);
        sql.push(" AND (provider.search_name LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR provider.search_text LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR provider.service_text LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
}

/// Fills in each provider's services that match the category and area filters.
async fn attach_matching_services<C: ConnectionTrait>(
    db: &C,
    filter: &SearchFilter,
    found: &mut [Found],
) -> Result<(), Error> {
    if found.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT s.* FROM offered_service s WHERE s.provider_id IN ")
        .bind_list(found.iter().map(|found| found.provider.id.clone()))
        .push(" AND ");
    matching_service(&mut sql, filter);
    sql.push(" ORDER BY s.name, s.id");
    for row in db.query_all_raw(sql.statement()).await? {
        let service = super::services::to_proto(offered_service::Model::from_query_result(&row, "")?)?;
        if let Some(owner) = found.iter_mut().find(|found| found.provider.id == service.provider_id) {
            owner.matching_services.push(service);
        }
    }
    Ok(())
}

/// The condition on service `s`: active, in the categories, in the area.
fn matching_service(sql: &mut Sql, filter: &SearchFilter) {
    sql.push("s.status = ").bind(ServiceStatus::Active as i32);
    if !filter.categories.is_empty() {
        sql.push(" AND s.category IN ").bind_list(filter.categories.iter().copied());
    }
    if filter.council_id.is_none() && filter.postcode_district.is_none() {
        return;
    }
    sql.push(" AND EXISTS (SELECT 1 FROM service_area a WHERE a.service_id = s.id");
    match (&filter.council_id, &filter.postcode_district) {
        (Some(council), Some(district)) => {
            sql.push(" AND a.council_id = ").bind(council.clone());
            sql.push(" AND (a.postcode_district = ").bind(district.clone());
            sql.push(" OR (a.postcode_district IS NULL AND a.ward_code IS NULL))");
        }
        (Some(council), None) => {
            sql.push(" AND a.council_id = ").bind(council.clone());
        }
        (None, Some(district)) => {
            sql.push(" AND a.postcode_district = ").bind(district.clone());
        }
        (None, None) => {}
    }
    sql.push(")");
}

/// The relevance expression: 0 without free text.
fn relevance(sql: &mut Sql, filter: &SearchFilter) {
    if filter.terms.is_empty() {
        sql.push("CAST(0 AS BIGINT)");
        return;
    }
    sql.push("CAST((0");
    for term in &filter.terms {
        let pattern = contains_pattern(term);
        sql.push(" + CASE WHEN provider.search_name LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' THEN 3 ELSE 0 END");
        sql.push(" + CASE WHEN provider.search_text LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' THEN 1 ELSE 0 END");
        sql.push(" + CASE WHEN provider.service_text LIKE ").bind(pattern).push(" ESCAPE '\\' THEN 1 ELSE 0 END");
    }
    sql.push(") AS BIGINT)");
}
