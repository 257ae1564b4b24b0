//! Compiles the portal's styles once per change of its npm packages or Sass: GOV.UK Frontend with
//! the marketplace's own font and colours, by Dart Sass from the pinned npm packages, into OUT_DIR,
//! with govuk-frontend's script beside it. The binary embeds both, so it needs no files at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let assets =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("assets");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for file in ["package.json", "package-lock.json", "portal.scss"] {
        println!("cargo:rerun-if-changed=assets/{file}");
    }
    let work = out.join("npm");
    std::fs::create_dir_all(&work).expect("OUT_DIR is writable");
    let lock = std::fs::read(assets.join("package-lock.json")).expect("assets/package-lock.json");
    let installed = std::fs::read(work.join("package-lock.json")).ok();
    for file in ["package.json", "package-lock.json", "portal.scss"] {
        std::fs::copy(assets.join(file), work.join(file)).expect("copy an asset source");
    }
    if installed.as_deref() != Some(lock.as_slice()) || !work.join("node_modules").exists() {
        run(
            Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"]).current_dir(&work),
            "npm ci",
        );
    }
    let sass = work.join("node_modules/.bin/sass");
    run(
        Command::new(&sass)
            .args(["--pkg-importer=node", "--style=compressed", "--no-source-map", "--quiet-deps"])
            .arg(work.join("portal.scss"))
            .arg(out.join("portal.css"))
            .current_dir(&work),
        "sass",
    );
    // The tests check the portal's component macros against govuk-frontend's own fixtures.
    println!("cargo:rustc-env=GOVUK_FRONTEND_DIR={}", work.join("node_modules/govuk-frontend").display());
    let script = work.join("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js");
    std::fs::copy(&script, out.join("govuk-frontend.min.js")).expect("govuk-frontend's script");
}

fn run(command: &mut Command, what: &str) {
    let status =
        command.status().unwrap_or_else(|error| panic!("{what}: cannot start it ({error}); install Node.js and npm"));
    assert!(status.success(), "{what} failed ({status}) in {}", Path::new(".").display());
}
