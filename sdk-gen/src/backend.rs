//! The backend of a managed deployment.

use crate::enums::{K8sBackendType, MistralCloudBackendType};
use crate::types::{
    DeploymentK8sBackendSpec, DeploymentMistralCloudBackendSpec, DeploymentSecretBinding,
};

/// The backend of a managed deployment, told apart by its `type` field.
///
/// `kubernetes` decodes as [`BackendSpec::Kubernetes`]. Every other value, `mistral_cloud`,
/// `koyeb`, a missing `type` or a backend this version does not know, decodes as
/// [`BackendSpec::MistralCloud`], whose `type_` keeps the value as received.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum BackendSpec {
    /// Built and hosted by Mistral Cloud (or another hosted backend).
    MistralCloud(DeploymentMistralCloudBackendSpec),
    /// Run on Kubernetes.
    Kubernetes(DeploymentK8sBackendSpec),
}

impl serde::Serialize for BackendSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            BackendSpec::MistralCloud(spec) => spec.serialize(serializer),
            BackendSpec::Kubernetes(spec) => spec.serialize(serializer),
        }
    }
}

/// Every field of both shapes, so that one pass over the object decides the variant and fills
/// it, with nothing buffered on the way.
#[derive(serde::Deserialize)]
struct AnyBackend {
    #[serde(rename = "type", default)]
    type_: Option<String>,
    #[serde(default)]
    build_directory: Option<String>,
    #[serde(default)]
    dockerfile_path: Option<String>,
    #[serde(default)]
    secrets: Option<Vec<DeploymentSecretBinding>>,
    #[serde(default)]
    entrypoint: Option<String>,
    #[serde(default)]
    working_dir: Option<String>,
}

impl<'de> serde::Deserialize<'de> for BackendSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let any = AnyBackend::deserialize(deserializer)?;
        Ok(match any.type_.as_deref() {
            Some("kubernetes") => BackendSpec::Kubernetes(DeploymentK8sBackendSpec {
                type_: K8sBackendType::Kubernetes,
                entrypoint: any.entrypoint,
                working_dir: any.working_dir,
            }),
            _ => BackendSpec::MistralCloud(DeploymentMistralCloudBackendSpec {
                type_: any.type_.map(MistralCloudBackendType::from),
                build_directory: any.build_directory,
                dockerfile_path: any.dockerfile_path,
                secrets: any.secrets,
            }),
        })
    }
}

impl schemars::JsonSchema for BackendSpec {
    fn schema_name() -> String {
        "BackendSpec".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                one_of: Some(vec![
                    generator.subschema_for::<DeploymentMistralCloudBackendSpec>(),
                    generator.subschema_for::<DeploymentK8sBackendSpec>(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
