//! Compiles every `.proto` under `commissioning/` once, with the vendored `protoc`, and writes the
//! file descriptor set that the servers register for reflection.

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new("commissioning");
    let mut protos = Vec::new();
    collect_protos(root, &mut protos)?;
    protos.sort();

    // Rebuild only when a contract changes.
    println!("cargo:rerun-if-changed=commissioning");
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    // The codec finds each message's descriptor by its full name to check its text fields.
    config.enable_type_names();
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("commissioning_descriptor.bin"))
        // Services answer UNIMPLEMENTED for a call until it is built.
        .generate_default_stubs(true)
        // A request that does not decode is INVALID_ARGUMENT (prost's own codec says INTERNAL).
        .codec_path("crate::codec::Codec")
        // One generated file with the package tree as nested modules.
        .include_file("commissioning.rs")
        .compile_with_config(config, &protos, &[PathBuf::from("."), include])?;
    Ok(())
}

fn collect_protos(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            found.push(path);
        }
    }
    Ok(())
}
