//! The audit log is append-only in the database itself: a trigger refuses every UPDATE, DELETE
//! (and, on PostgreSQL, TRUNCATE) of its rows, and the deletion of its head row, so neither a bug
//! nor an injected statement through the service's connection can quietly rewrite it. Removing the
//! triggers takes a deliberate schema change, which an operator's review or `audit verify` catches.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES: &str = r#"
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
"#;

const SQLITE: [&str; 3] = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on audit_log is refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on audit_log is refused'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head \
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on audit_head is refused'); END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => connection.execute_unprepared(POSTGRES).await.map(|_| ()),
            _ => {
                for statement in SQLITE {
                    connection.execute_unprepared(statement).await?;
                }
                Ok(())
            }
        }
    }
}
