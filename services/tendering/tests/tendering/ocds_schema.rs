//! The official OCDS 1.1.5 release package schema, offline, with the budget breakdown extension's
//! release schema patch merged onto the release schema as OCDS applies extensions (JSON Merge Patch,
//! RFC 7386), so the extension's fields are checked too. Shared by the unit tests of `ocds` and the
//! gRPC tests.

use std::sync::OnceLock;

use serde_json::Value;

const RELEASE_SCHEMA_URL: &str = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

fn fixture(path: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).expect("schema JSON")
}

/// RFC 7386: objects merge key by key, `null` removes a key, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The package schema refers to the release schema by its address; this machine is offline.
struct LocalReleaseSchema;

impl jsonschema::Retrieve for LocalReleaseSchema {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str() != RELEASE_SCHEMA_URL {
            return Err(format!("no local copy of {uri}").into());
        }
        let mut release = fixture("ocds-1.1.5/release-schema.json");
        merge_patch(&mut release, &fixture("ocds-budget-breakdown/release-schema.json"));
        Ok(release)
    }
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_retriever(LocalReleaseSchema)
            .should_validate_formats(true)
            .build(&fixture("ocds-1.1.5/release-package-schema.json"))
            .expect("the release package schema compiles")
    })
}

/// Every way `package` breaks the schema, each with where.
pub fn schema_errors(package: &Value) -> Vec<String> {
    validator().iter_errors(package).map(|error| format!("{error} at {}", error.instance_path())).collect()
}

#[test]
fn the_merge_patch_merges_objects_replaces_values_and_removes_nulls() {
    let mut target = serde_json::json!({ "a": { "b": 1, "c": 2 }, "d": [1], "e": "x" });
    merge_patch(&mut target, &serde_json::json!({ "a": { "b": 3, "f": 4 }, "d": [2], "e": null }));
    assert_eq!(target, serde_json::json!({ "a": { "b": 3, "c": 2, "f": 4 }, "d": [2] }));
}
