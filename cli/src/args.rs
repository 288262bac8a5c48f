//! The command line: every subcommand, flag and argument, parsed by clap.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use mistral_workflows::types;
use uuid::Uuid;

use crate::duration;

const AFTER_HELP: &str = "\
Output:
  With --output table (the default when standard output is a terminal) results are printed as
  a readable table. With --output json (the default otherwise) they are printed as the API's
  own JSON: an array for a list, an object for one item. `logs --follow` prints one JSON
  object per line as records arrive. Colors appear only on a terminal, and never when
  NO_COLOR is set.

Exit status:
  0 on success, 1 when the API refused the request or could not be reached (the message, on
  standard error, carries the request id when the server gave one), 2 for a usage error.";

/// Manage Mistral Workflows deployments from the command line.
///
/// The API key is read from --api-key or MISTRAL_API_KEY. Try it offline with --mock, which
/// starts a mock server inside the process, seeded with sample deployments.
#[derive(Debug, Parser)]
#[command(name = "mistral-workflows", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The settings every subcommand shares.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The API key. Never printed.
    #[arg(
        long,
        env = "MISTRAL_API_KEY",
        hide_env_values = true,
        global = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,

    /// The base URL of the API: a proxy, a gateway or a local mock. Wins over --server.
    #[arg(long, env = "MISTRAL_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// The server to talk to.
    #[arg(long, value_enum, default_value_t = ServerArg::Global, global = true)]
    pub server: ServerArg,

    /// The longest one request may take: "30s", "500ms", "2m", "1m30s", a number of seconds
    /// ("45"), or "none" for no limit. `logs --follow` uses it only for connecting.
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = duration::parse_timeout,
        default_value = "30s",
        global = true
    )]
    pub timeout: Timeout,

    /// Start a mock server inside the process and talk to it instead, to try the tool
    /// offline. No API key is needed; changes last for this one invocation.
    #[arg(long, global = true)]
    pub mock: bool,

    /// The clock of the --mock server: real time, or frozen at 2026-01-15T12:00:00Z so that
    /// every run prints the same (rollouts then stay in their phase).
    #[arg(long, value_enum, value_name = "CLOCK", default_value_t = MockClock::Real,
          requires = "mock", global = true)]
    pub mock_clock: MockClock,

    /// How to print results [default: table on a terminal, json otherwise].
    #[arg(long, short = 'o', value_enum, global = true, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

/// The clock of the embedded mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MockClock {
    /// Real time.
    Real,
    /// Frozen at a fixed instant.
    Frozen,
}

/// A request timeout: a duration, or no limit at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout(pub Option<Duration>);

/// The servers of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ServerArg {
    /// https://api.mistral.ai
    Global,
    /// https://api.eu.mistral.ai
    Eu,
    /// https://api.us.mistral.ai
    Us,
}

impl From<ServerArg> for mistral_workflows::Server {
    fn from(server: ServerArg) -> Self {
        match server {
            ServerArg::Global => mistral_workflows::Server::Global,
            ServerArg::Eu => mistral_workflows::Server::Eu,
            ServerArg::Us => mistral_workflows::Server::Us,
        }
    }
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Table,
    /// The API's JSON: an array for a list, an object for one item.
    Json,
}

/// The top-level subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deployments: list, inspect, create, change, stop, start, restart and delete them, and
    /// read their logs.
    #[command(subcommand)]
    Deployments(DeploymentsCommand),
}

/// The subcommands of `deployments`.
#[derive(Debug, Subcommand)]
pub enum DeploymentsCommand {
    /// List deployments.
    List(ListArgs),
    /// Show one deployment and its workers.
    Get(GetArgs),
    /// Create a managed deployment from a GitHub repository or an uploaded archive.
    Create(CreateArgs),
    /// Change a managed deployment and start a new rollout. Only what is given is changed.
    Update(UpdateArgs),
    /// Stop a managed deployment and remove it.
    Delete(DeleteArgs),
    /// Stop a managed deployment: no replicas, configuration kept.
    Stop(NameArg),
    /// Start a stopped managed deployment again.
    Start(NameArg),
    /// Restart the workers of a managed deployment, on the same revision.
    Restart(NameArg),
    /// List the workers of a deployment.
    Workers(WorkersArgs),
    /// Search the logs of a deployment, or follow them live with --follow.
    Logs(LogsArgs),
    /// Show the uploaded archive an archive-built deployment is built from.
    Archive(NameArg),
    /// Clear the hardened flag of a deployment, by its ID.
    Unharden(UnhardenArgs),
}

/// A deployment name, and nothing else.
#[derive(Debug, Args)]
pub struct NameArg {
    /// The name of the deployment.
    pub name: String,
}

/// `deployments list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only deployments with a live worker [server default: true].
    #[arg(long, value_name = "BOOL", action = ArgAction::Set)]
    pub active_only: Option<bool>,

    /// Only hardened (true) or only unhardened (false) deployments.
    #[arg(long, value_name = "BOOL", action = ArgAction::Set)]
    pub is_hardened: Option<bool>,

    /// Only deployments that registered this workflow.
    #[arg(long, value_name = "NAME")]
    pub workflow_name: Option<String>,

    /// Only deployments created by this principal.
    #[arg(long, value_name = "PRINCIPAL")]
    pub created_by: Option<String>,

    /// Only deployments owned by this principal.
    #[arg(long, value_name = "PRINCIPAL")]
    pub owner: Option<String>,

    /// Only deployments with a worker in this kind of location. Repeat for several.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub location_type: Vec<LocationTypeArg>,

    /// Only deployments whose name or ID starts with this.
    #[arg(long, value_name = "PREFIX")]
    pub search: Option<String>,

    /// The field to sort on [server default: active and managed first, then creation time].
    #[arg(long, value_enum, value_name = "FIELD")]
    pub order_by: Option<OrderByArg>,

    /// The sort direction [server default: desc].
    #[arg(long, value_enum)]
    pub order: Option<OrderArg>,

    /// The number of deployments in a page, 1 to 100.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,

    /// Start from this cursor, printed by an earlier page.
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,

    /// The workspace to list [server default: the API key's].
    #[arg(long, value_name = "UUID")]
    pub workspace_id: Option<Uuid>,

    /// Only managed deployments built from this repository.
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,

    /// Only managed deployments built with this Dockerfile path.
    #[arg(long, value_name = "PATH")]
    pub dockerfile_path: Option<String>,

    /// Follow the pages to the end and print every deployment.
    #[arg(long)]
    pub all: bool,
}

/// `deployments get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The name of the deployment.
    pub name: String,

    /// Scope the serving status to this workflow.
    #[arg(long, value_name = "NAME")]
    pub workflow_name: Option<String>,
}

/// `deployments create`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["github_url", "archive_id"])))]
pub struct CreateArgs {
    /// The name of the new deployment: letters, digits, `-`, `_` and `.`.
    pub name: String,

    /// Build from this GitHub repository.
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,

    /// Build from this uploaded archive.
    #[arg(long, value_name = "ID")]
    pub archive_id: Option<String>,

    /// The branch, tag or commit to build [default: the repository's default branch].
    #[arg(long, requires = "github_url")]
    pub revision: Option<String>,

    /// How many workers run [default: the server's].
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,

    /// Let only authorized principals register workers.
    #[arg(long)]
    pub hardened: bool,

    #[command(flatten)]
    pub backend: BackendArgs,

    /// A role the deployment's runtime credential asks for. Repeat for several.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
}

/// `deployments update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The name of the deployment.
    pub name: String,

    /// Build from this GitHub repository.
    #[arg(long, value_name = "URL", conflicts_with = "archive_id")]
    pub github_url: Option<String>,

    /// Build from this uploaded archive instead; drops the GitHub repository and revision.
    #[arg(long, value_name = "ID")]
    pub archive_id: Option<String>,

    /// Build this branch, tag or commit.
    #[arg(long, conflicts_with = "archive_id")]
    pub revision: Option<String>,

    /// How many workers run.
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,

    #[command(flatten)]
    pub backend: BackendArgs,

    /// Remove every secret binding.
    #[arg(long, conflicts_with = "secrets")]
    pub clear_secrets: bool,

    /// Replace the requested roles with these. Repeat for several.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,

    /// Remove every requested role.
    #[arg(long, conflicts_with = "roles")]
    pub clear_roles: bool,
}

impl UpdateArgs {
    /// Whether any change was asked for.
    pub fn changes_something(&self) -> bool {
        let b = &self.backend;
        self.github_url.is_some()
            || self.archive_id.is_some()
            || self.revision.is_some()
            || self.replicas.is_some()
            || b.backend_type.is_some()
            || b.build_directory.is_some()
            || b.dockerfile_path.is_some()
            || !b.secrets.is_empty()
            || self.clear_secrets
            || !self.roles.is_empty()
            || self.clear_roles
    }
}

/// The backend settings of `create` and `update`.
#[derive(Debug, Args)]
pub struct BackendArgs {
    /// The hosting backend [server default: mistral_cloud].
    #[arg(long, value_enum, value_name = "TYPE")]
    pub backend_type: Option<BackendTypeArg>,

    /// The directory of the repository or archive to build in.
    #[arg(long, value_name = "DIR")]
    pub build_directory: Option<String>,

    /// The Dockerfile, relative to the build directory.
    #[arg(long, value_name = "PATH")]
    pub dockerfile_path: Option<String>,

    /// Bind a workspace secret to an environment variable of the workers, written
    /// ENV=secret:workspace:NAME. Repeat for several; on update, the list replaces the old one.
    #[arg(long = "secret", value_name = "ENV=REFERENCE", value_parser = parse_secret)]
    pub secrets: Vec<SecretArg>,
}

/// One `--secret ENV=secret:workspace:NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretArg {
    /// The environment variable of the workers.
    pub env_var_name: String,
    /// The secret, `secret:workspace:<NAME>`.
    pub reference: String,
}

fn parse_secret(text: &str) -> Result<SecretArg, String> {
    let Some((env, reference)) = text.split_once('=') else {
        return Err("expected ENV=secret:workspace:NAME".to_owned());
    };
    if env.is_empty() {
        return Err("the environment variable name before `=` is empty".to_owned());
    }
    if !reference.starts_with("secret:workspace:") || reference.len() == "secret:workspace:".len() {
        return Err(format!("the reference {reference:?} must be written secret:workspace:NAME"));
    }
    Ok(SecretArg { env_var_name: env.to_owned(), reference: reference.to_owned() })
}

/// `deployments delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The name of the deployment.
    pub name: String,

    /// Delete without asking. Required when standard input is not a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `deployments workers`.
#[derive(Debug, Args)]
pub struct WorkersArgs {
    /// The name of the deployment.
    pub name: String,

    /// Only workers in this state.
    #[arg(long, value_enum)]
    pub status: Option<WorkerStatusArg>,

    /// The number of workers in a page, 1 to 100 [server default: 50].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,

    /// Start from this cursor, printed by an earlier page.
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,

    /// Follow the pages to the end and print every worker.
    #[arg(long)]
    pub all: bool,
}

/// `deployments logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The name of the deployment.
    pub name: String,

    /// Build logs or runtime logs.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub log_type: Option<LogTypeArg>,

    /// Only records of this worker.
    #[arg(long, value_name = "NAME")]
    pub worker_name: Option<String>,

    /// Only records of this workflow.
    #[arg(long, value_name = "NAME")]
    pub workflow_name: Option<String>,

    /// Only records after this instant, RFC 3339 (2025-12-17T10:25:07Z).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub after: Option<DateTime<Utc>>,

    /// Only records before this instant, RFC 3339.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub before: Option<DateTime<Utc>>,

    /// The sort direction [server default: asc].
    #[arg(long, value_enum)]
    pub order: Option<OrderArg>,

    /// The number of records in a page, 1 to 100 [server default: 50].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,

    /// Continue from this cursor, printed by an earlier page.
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,

    /// Follow the pages to the end and print every record.
    #[arg(long)]
    pub all: bool,

    /// Follow the logs live, printing records as they arrive, until interrupted (Ctrl-C).
    /// Reconnects and resumes on its own.
    #[arg(long, short = 'f', conflicts_with_all = ["log_type", "before", "order", "limit",
                                                    "cursor", "all"])]
    pub follow: bool,

    /// With --follow, resume after this event id, as printed when an earlier follow ended.
    #[arg(long, value_name = "ID", requires = "follow")]
    pub last_event_id: Option<String>,

    /// Stop after this many records.
    #[arg(long, value_name = "N")]
    pub max_records: Option<u64>,
}

/// `deployments unharden`.
#[derive(Debug, Args)]
pub struct UnhardenArgs {
    /// The ID of the deployment (a UUID, as `get` shows it), not its name.
    pub deployment_id: Uuid,

    /// The workspace of the deployment.
    #[arg(long, value_name = "ID")]
    pub workspace_id: Option<String>,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}: expected RFC 3339, such as 2025-12-17T10:25:07Z"))
}

/// Declares a CLI enum that mirrors an enum of the API, with its conversion.
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident => $api:ty { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        #[value(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$name> for $api {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => <$api>::$variant,)+
                }
            }
        }
    };
}

api_enum! {
    /// Where a worker runs.
    LocationTypeArg => types::LocationType {
        /// On a machine of the user's.
        Local,
        /// In a Kubernetes cluster.
        K8s,
        /// On Mistral's managed infrastructure.
        Managed,
    }
}

api_enum! {
    /// The field deployments are sorted on.
    OrderByArg => types::DeploymentOrderBy {
        /// The last update.
        UpdatedAt,
        /// The first registration.
        CreatedAt,
    }
}

api_enum! {
    /// A sort direction.
    OrderArg => types::SortOrder {
        /// Oldest first.
        Asc,
        /// Newest first.
        Desc,
    }
}

impl From<OrderArg> for types::LogSortOrder {
    fn from(value: OrderArg) -> Self {
        match value {
            OrderArg::Asc => types::LogSortOrder::Asc,
            OrderArg::Desc => types::LogSortOrder::Desc,
        }
    }
}

api_enum! {
    /// Whether a worker is live.
    WorkerStatusArg => types::WorkerStatus {
        /// Sends heartbeats.
        Active,
        /// Stopped sending heartbeats.
        Inactive,
    }
}

api_enum! {
    /// Build logs or runtime logs.
    LogTypeArg => types::DeploymentLogType {
        /// The logs of the image build.
        Build,
        /// The logs of the running workers.
        Runtime,
    }
}

api_enum! {
    /// The hosting backend of a managed deployment.
    BackendTypeArg => types::MistralCloudBackendType {
        /// Mistral Cloud.
        MistralCloud,
        /// Koyeb.
        Koyeb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secrets_parse() {
        let secret = parse_secret("DB=secret:workspace:BILLING_DB").unwrap();
        assert_eq!(secret.env_var_name, "DB");
        assert_eq!(secret.reference, "secret:workspace:BILLING_DB");
        assert!(parse_secret("DB").is_err());
        assert!(parse_secret("=secret:workspace:X").is_err());
        assert!(parse_secret("DB=BILLING").is_err());
        assert!(parse_secret("DB=secret:workspace:").is_err());
    }

    #[test]
    fn instants_are_rfc3339() {
        assert!(parse_instant("2025-12-17T10:25:07.818693Z").is_ok());
        assert!(parse_instant("2025-12-17T11:25:07+01:00").is_ok());
        assert!(parse_instant("yesterday").is_err());
    }
}
