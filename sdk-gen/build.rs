//! Generates the client from the OpenAPI document at build time, so that the compiled code
//! can never lag behind the spec.

#[path = "codegen.rs"]
mod codegen;

use std::path::{Path, PathBuf};

fn main() {
    // In the workspace the spec is `../openapi.yaml`; a packaged crate carries its own copy.
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace_spec = manifest_dir.join("../openapi.yaml");
    let spec_path =
        if workspace_spec.is_file() { workspace_spec } else { manifest_dir.join("openapi.yaml") };
    println!("cargo::rerun-if-changed={}", spec_path.display());
    println!("cargo::rerun-if-changed=codegen.rs");

    if let Err(message) = run(&spec_path) {
        // A build script reports failure by exiting non-zero; the message is the reason.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run(spec_path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    let code = codegen::generate(&text)?;
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let out = Path::new(&out_dir).join("client.rs");
    std::fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
