//! Contract rows: the columns lists and the portfolio filter on, and the whole contract as protobuf.

use chrono::{DateTime, NaiveDate, Utc};
use platform::Error;
use platform::paging::Page;
use platform::time::to_timestamp;
use prost::Message;
use proto::commissioning::tendering::v1::Contract;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub council_id: String,
    pub route: i32,
    pub tender_id: Option<String>,
    pub lot_id: Option<String>,
    pub supplier_provider_id: Option<String>,
    pub start_date: Date,
    /// `commissioning.tendering.v1.Contract`, encoded, without its times and status.
    pub details: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert<C: ConnectionTrait>(
    txn: &C,
    contract: &Contract,
    start_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let supplier = contract.supplier.as_ref().map(|supplier| supplier.provider_id.as_str()).unwrap_or_default();
    ActiveModel {
        id: Set(contract.id.clone()),
        council_id: Set(contract.council_id.clone()),
        route: Set(contract.route),
        tender_id: Set(non_empty(&contract.tender_id)),
        lot_id: Set(non_empty(&contract.lot_id)),
        supplier_provider_id: Set(non_empty(supplier)),
        start_date: Set(start_date),
        details: Set(encode(contract)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Writes back a changed contract (its finance references).
pub async fn save<C: ConnectionTrait>(txn: &C, contract: &Contract, now: DateTime<Utc>) -> Result<(), Error> {
    ActiveModel {
        id: Set(contract.id.clone()),
        details: Set(encode(contract)),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Contract>, Error> {
    Entity::find_by_id(id.to_owned()).one(db).await?.map(contract).transpose()
}

/// Reads a contract and holds it until the transaction ends.
pub async fn lock<C: ConnectionTrait>(txn: &C, id: &str) -> Result<Option<Contract>, Error> {
    Entity::find_by_id(id.to_owned()).lock_exclusive().one(txn).await?.map(contract).transpose()
}

/// The contract awarded for a lot of a tender, if any.
pub async fn for_lot<C: ConnectionTrait>(db: &C, tender_id: &str, lot_id: &str) -> Result<Option<Contract>, Error> {
    Entity::find()
        .filter(Column::TenderId.eq(tender_id))
        .filter(Column::LotId.eq(lot_id))
        .one(db)
        .await?
        .map(contract)
        .transpose()
}

/// Every contract awarded from a tender, oldest first.
pub async fn of_tender<C: ConnectionTrait>(db: &C, tender_id: &str) -> Result<Vec<Contract>, Error> {
    let rows = Entity::find().filter(Column::TenderId.eq(tender_id)).order_by_asc(Column::CreatedAt).all(db).await?;
    rows.into_iter().map(contract).collect()
}

/// What ListContracts filters on.
pub struct Filter<'a> {
    pub council_id: &'a str,
    pub supplier_provider_id: &'a str,
    pub routes: &'a [i32],
}

/// Contracts, newest first.
pub async fn list<C: ConnectionTrait>(db: &C, filter: &Filter<'_>, page: Page) -> Result<Vec<Contract>, Error> {
    let mut query =
        Entity::find().order_by_desc(Column::CreatedAt).order_by_asc(Column::Id).offset(page.offset).limit(page.limit);
    if !filter.council_id.is_empty() {
        query = query.filter(Column::CouncilId.eq(filter.council_id));
    }
    if !filter.supplier_provider_id.is_empty() {
        query = query.filter(Column::SupplierProviderId.eq(filter.supplier_provider_id));
    }
    if !filter.routes.is_empty() {
        query = query.filter(Column::Route.is_in(filter.routes.to_vec()));
    }
    query.all(db).await?.into_iter().map(contract).collect()
}

/// A council's contracts starting within `from..=to`.
pub async fn starting_between<C: ConnectionTrait>(
    db: &C,
    council_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Contract>, Error> {
    let rows = Entity::find()
        .filter(Column::CouncilId.eq(council_id))
        .filter(Column::StartDate.gte(from))
        .filter(Column::StartDate.lte(to))
        .all(db)
        .await?;
    rows.into_iter().map(contract).collect()
}

/// Every block contract of a council, for its open data.
pub async fn block_of<C: ConnectionTrait>(db: &C, council_id: &str) -> Result<Vec<Contract>, Error> {
    let block = proto::commissioning::tendering::v1::ContractRoute::Block as i32;
    let rows = Entity::find()
        .filter(Column::CouncilId.eq(council_id))
        .filter(Column::Route.eq(block))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?;
    rows.into_iter().map(contract).collect()
}

fn encode(contract: &Contract) -> Vec<u8> {
    Contract { create_time: None, update_time: None, status: 0, ..contract.clone() }.encode_to_vec()
}

fn contract(row: Model) -> Result<Contract, Error> {
    let mut contract = Contract::decode(row.details.as_slice()).map_err(Error::internal)?;
    contract.create_time = Some(to_timestamp(row.created_at));
    contract.update_time = Some(to_timestamp(row.updated_at));
    contract.status = crate::domain::contract_status(&contract, platform::time::london_today()) as i32;
    Ok(contract)
}
