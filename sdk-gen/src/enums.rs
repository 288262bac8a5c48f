//! Forward-compatible enums.
//!
//! The API says every enum may gain values. A closed Rust enum would fail the whole response
//! on the first new value, so each enum of the spec is replaced by one of these: the known
//! values are variants, and anything else decodes into `Unknown` with the string kept, which
//! serializes back unchanged.

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know, kept as it was received.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in the order of the spec.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)+];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value this version of the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Unknown(value),
                }
            }
        }

        impl From<&String> for $name {
            fn from(value: &String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                // Any string is accepted; the known values are listed as examples.
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(schemars::schema::Metadata {
                        examples: vec![$(serde_json::Value::from($wire),)+],
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

open_enum! {
    /// Where a worker runs.
    LocationType {
        /// On a machine of the user's.
        Local = "local",
        /// In a Kubernetes cluster.
        K8s = "k8s",
        /// On Mistral's managed infrastructure.
        Managed = "managed",
    }
}

open_enum! {
    /// The kind of principal a runtime credential belongs to.
    PrincipalType {
        /// An API key.
        ApiKey = "api_key",
        /// A service account.
        ServiceAccount = "service_account",
        /// A user.
        User = "user",
    }
}

open_enum! {
    /// Build logs or runtime logs.
    DeploymentLogType {
        /// The logs of the image build.
        Build = "build",
        /// The logs of the running workers.
        Runtime = "runtime",
    }
}

open_enum! {
    /// The field deployments are sorted on.
    DeploymentOrderBy {
        /// Sort on the last update (the last heartbeat).
        UpdatedAt = "updated_at",
        /// Sort on the first registration.
        CreatedAt = "created_at",
    }
}

open_enum! {
    /// Sort direction of deployments.
    SortOrder {
        /// Oldest first.
        Asc = "asc",
        /// Newest first; the server's default.
        Desc = "desc",
    }
}

open_enum! {
    /// Sort direction of log records.
    LogSortOrder {
        /// Oldest first; the server's default.
        Asc = "asc",
        /// Newest first.
        Desc = "desc",
    }
}

open_enum! {
    /// Whether a worker is live.
    WorkerStatus {
        /// The worker sends heartbeats.
        Active = "active",
        /// The worker stopped sending heartbeats.
        Inactive = "inactive",
    }
}

open_enum! {
    /// The hosting backend of a Mistral Cloud deployment.
    MistralCloudBackendType {
        /// Mistral Cloud; the server's default.
        MistralCloud = "mistral_cloud",
        /// Koyeb.
        Koyeb = "koyeb",
    }
}

open_enum! {
    /// The hosting backend of a Kubernetes deployment.
    K8sBackendType {
        /// Kubernetes.
        Kubernetes = "kubernetes",
    }
}

// `open_enum!` does not derive `Default`, which only some of the enums have.
#[allow(clippy::derivable_impls)]
impl Default for MistralCloudBackendType {
    fn default() -> Self {
        MistralCloudBackendType::MistralCloud
    }
}

// `open_enum!` does not derive `Default`, which only some of the enums have.
#[allow(clippy::derivable_impls)]
impl Default for SortOrder {
    fn default() -> Self {
        SortOrder::Desc
    }
}

// `open_enum!` does not derive `Default`, which only some of the enums have.
#[allow(clippy::derivable_impls)]
impl Default for LogSortOrder {
    fn default() -> Self {
        LogSortOrder::Asc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let value: LocationType = serde_json::from_str("\"edge\"").unwrap();
        assert_eq!(value, LocationType::Unknown("edge".to_owned()));
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"edge\"");
    }

    #[test]
    fn known_values_decode_to_variants() {
        for known in LocationType::KNOWN {
            let text = serde_json::to_string(known).unwrap();
            let back: LocationType = serde_json::from_str(&text).unwrap();
            assert_eq!(&back, known);
            assert!(!back.is_unknown());
        }
    }
}
