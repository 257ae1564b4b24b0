//! A small builder for the few queries too dynamic for sea-query's builder (search): SQL text with
//! placeholders in the engine's own style (`$1` on PostgreSQL, `?` on SQLite) and their values,
//! so no value is ever spliced into the text.

use sea_orm::{DatabaseBackend, Statement, Value};

pub struct Sql {
    backend: DatabaseBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self { backend, text: String::new(), values: Vec::new() }
    }

    /// Appends SQL text (never a value).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => self.text.push_str(&format!("${}", self.values.len())),
            _ => self.text.push('?'),
        }
        self
    }

    /// Appends `(?, ?, ...)` bound to `values`.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// A `LIKE` pattern matching `term` anywhere, with `%`, `_` and `\` in the term taken literally
/// (use with `ESCAPE '\'`).
pub fn contains_pattern(term: &str) -> String {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_engine() {
        let mut sql = Sql::new(DatabaseBackend::Postgres);
        sql.push("a = ").bind(1).push(" AND b IN ").bind_list([2, 3]);
        assert_eq!(sql.statement().sql, "a = $1 AND b IN ($2, $3)");
        let mut sql = Sql::new(DatabaseBackend::Sqlite);
        sql.push("a = ").bind(1).push(" AND b IN ").bind_list([2, 3]);
        assert_eq!(sql.statement().sql, "a = ? AND b IN (?, ?)");
    }

    #[test]
    fn like_wildcards_in_a_term_are_literal() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
