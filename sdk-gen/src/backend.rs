//! The backend of a managed deployment.

use crate::types::{DeploymentK8sBackendSpec, DeploymentMistralCloudBackendSpec};

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

impl<'de> serde::Deserialize<'de> for BackendSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;

        let value = serde_json::Value::deserialize(deserializer)?;
        let is_kubernetes = value.get("type").and_then(|t| t.as_str()) == Some("kubernetes");
        if is_kubernetes {
            serde_json::from_value(value).map(BackendSpec::Kubernetes).map_err(D::Error::custom)
        } else {
            serde_json::from_value(value).map(BackendSpec::MistralCloud).map_err(D::Error::custom)
        }
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
