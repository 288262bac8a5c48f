// The progenitor settings of the generated client, in one place.
//
// Both `build.rs` of this crate and `cargo xtask generate` include this file, so the code
// compiled into the crate and the copy committed for review come from the same settings.

use progenitor::{GenerationSettings, InterfaceStyle, TagStyle, TypeImpl};

/// The component schemas that are enums in the spec. Each is replaced by a hand-written,
/// forward-compatible enum in `src/enums.rs` that keeps unknown values instead of failing.
pub const OPEN_ENUMS: &[&str] = &[
    "LocationType",
    "PrincipalType",
    "DeploymentLogType",
    "DeploymentOrderBy",
    "SortOrder",
    "LogSortOrder",
    "WorkerStatus",
    "MistralCloudBackendType",
    "K8sBackendType",
];

/// Settings for the client generated from `openapi.yaml`.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // Maps (the log attributes) keep a stable order: output and snapshots do not change
        // from one run to the next.
        .with_map_type("::std::collections::BTreeMap")
        // The credentials ride inside the generated client, so that the hooks can attach them
        // to every request whatever `reqwest::Client` the caller brought.
        .with_inner_type(quote::quote! { crate::Credentials });

    for name in OPEN_ENUMS {
        let impls = [TypeImpl::Display, TypeImpl::FromStr, TypeImpl::FromStringIrrefutable];
        settings.with_replacement(name, format!("crate::enums::{name}"), impls.into_iter());
    }

    // `BackendSpec` is a `oneOf` told apart by its `type` field; the hand-written type
    // decodes unknown backends too.
    settings.with_replacement("BackendSpec", "crate::backend::BackendSpec", std::iter::empty());
    settings
}

/// Parses the spec and prepares it for progenitor, the same way for every generator.
pub fn parse(spec_text: &str) -> Result<openapiv3::OpenAPI, String> {
    let mut spec: openapiv3::OpenAPI =
        serde_yaml::from_str(spec_text).map_err(|e| format!("openapi.yaml does not parse: {e}"))?;
    drop_shadowed_parameters(&mut spec);
    Ok(spec)
}

/// Parses the spec and generates the client, formatted.
pub fn generate(spec_text: &str) -> Result<String, String> {
    let spec = parse(spec_text)?;
    let mut generator = progenitor::Generator::new(&settings());
    let tokens = generator.generate_tokens(&spec).map_err(|e| format!("progenitor failed: {e}"))?;
    unparse(syn::parse2(tokens))
}

/// Parses the spec and generates the typed httpmock helpers, formatted. `crate_path` is the
/// path by which the helpers name the generated client's crate.
// Only `cargo xtask generate` calls it; the build script, which compiles this file too, does not.
#[allow(dead_code)]
pub fn generate_httpmock(spec_text: &str, crate_path: &str) -> Result<String, String> {
    let spec = parse(spec_text)?;
    let mut generator = progenitor::Generator::new(&settings());
    let tokens =
        generator.httpmock(&spec, crate_path).map_err(|e| format!("progenitor failed: {e}"))?;
    unparse(syn::parse2(tokens))
}

fn unparse(file: syn::Result<syn::File>) -> Result<String, String> {
    let file = file.map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// The log stream takes the resume id both as the `Last-Event-ID` header and as the
/// `last_event_id` query parameter. progenitor names both `last_event_id` and the generated
/// builder does not compile, so the generated client keeps only the header: it does the same
/// job, and the server prefers it when both are sent. The spec itself keeps both.
fn drop_shadowed_parameters(spec: &mut openapiv3::OpenAPI) {
    for (_, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        for operation in item.get.iter_mut() {
            if operation.operation_id.as_deref() != Some("stream_deployment_logs") {
                continue;
            }
            operation.parameters.retain(|parameter| {
                !matches!(
                    parameter,
                    openapiv3::ReferenceOr::Item(openapiv3::Parameter::Query { parameter_data, .. })
                        if parameter_data.name == "last_event_id"
                )
            });
        }
    }
}
