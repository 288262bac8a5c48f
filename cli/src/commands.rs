//! Each subcommand: the request it sends, and how the answer is printed.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use mistral_workflows::{Client, Source};
use serde::Serialize;

use crate::args::{
    BackendArgs, Cli, Command, CreateArgs, DeleteArgs, DeploymentsCommand, GlobalArgs, ListArgs,
    LogsArgs, MockClock, OutputFormat, UpdateArgs, WorkersArgs,
};
use crate::failure::Failure;
use crate::style::Style;
use crate::{follow, output, render};

/// How often each active deployment of the embedded mock writes a log record.
const MOCK_LOG_INTERVAL: Duration = Duration::from_secs(1);

/// How results are printed, decided once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Printer {
    pub(crate) format: OutputFormat,
    pub(crate) style: Style,
}

impl Printer {
    fn new(format: Option<OutputFormat>) -> Self {
        let format = format.unwrap_or(if io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
        Self { format, style: Style::stdout() }
    }

    /// Prints `value` as JSON, or through `table`.
    fn show<T: Serialize + ?Sized>(
        &self,
        value: &T,
        table: impl FnOnce(&mut dyn Write, Style) -> io::Result<()>,
    ) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        match self.format {
            OutputFormat::Json => output::write_json(&mut out, value)?,
            OutputFormat::Table => table(&mut out, self.style)?,
        }
        out.flush()?;
        Ok(())
    }
}

/// The checks made before anything starts: an update must change something, and a delete is
/// confirmed.
pub(crate) fn preflight(command: &Command) -> Result<(), Failure> {
    match command {
        Command::Deployments(DeploymentsCommand::Update(args)) if !args.changes_something() => {
            Err(Failure::Usage(format!(
                "nothing to change in {:?}: give at least one of --github-url, --archive-id, \
                 --revision, --replicas, --backend-type, --build-directory, --dockerfile-path, \
                 --secret, --clear-secrets, --role or --clear-roles",
                args.name
            )))
        }
        Command::Deployments(DeploymentsCommand::Delete(args)) => confirm_delete(args),
        _ => Ok(()),
    }
}

/// Asks before a delete, on a terminal; refuses without `--yes` anywhere else.
fn confirm_delete(args: &DeleteArgs) -> Result<(), Failure> {
    if args.yes {
        return Ok(());
    }
    if !io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "refusing to delete {:?} without --yes: standard input is not a terminal, so \
             there is no one to ask",
            args.name
        )));
    }

    eprint!("Delete the deployment {:?}? Its workers are stopped and removed. [y/N] ", args.name);
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Failure::Declined(format!("not deleted: {:?} is unchanged", args.name))),
    }
}

/// Carries out the command.
pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    let Cli { global, command } = cli;

    // The mock lives until the command is done; dropping it stops it. Its deployments write
    // a runtime log record now and then, so that `logs --follow` has something to show.
    let mock = if global.mock {
        let mut builder =
            mistral_workflows_mock::MockServer::builder().live_logs(Some(MOCK_LOG_INTERVAL));
        if global.mock_clock == MockClock::Frozen {
            builder = builder.manual_clock();
        }
        let server = builder.start().await.map_err(Failure::Mock)?;
        Some(server)
    } else {
        None
    };
    let client = client(&global, mock.as_ref().map(|m| m.base_url()))?;
    let printer = Printer::new(global.output);

    match command {
        Command::Deployments(command) => deployments(&client, printer, command).await,
    }
}

fn client(global: &GlobalArgs, mock_url: Option<&str>) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .user_agent(concat!("mistral-workflows-cli/", env!("CARGO_PKG_VERSION")))
        .timeout(global.timeout.0);
    builder = match mock_url {
        // The mock takes any key; the user's own is never sent to it.
        Some(url) => builder.base_url(url).api_key("mock"),
        None => {
            let key = global.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
            let Some(key) = key else {
                return Err(Failure::Usage(
                    "no API key: pass --api-key or set MISTRAL_API_KEY (or try --mock to use \
                     a local mock server)"
                        .to_owned(),
                ));
            };
            let builder = builder.api_key(key).server(global.server.into());
            match global.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(url) => builder.base_url(url),
                None => builder,
            }
        }
    };
    Ok(builder.build()?)
}

async fn deployments(
    client: &Client,
    printer: Printer,
    command: DeploymentsCommand,
) -> Result<(), Failure> {
    let deployments = client.deployments();
    match command {
        DeploymentsCommand::List(args) => list(client, printer, args).await,
        DeploymentsCommand::Get(args) => {
            let mut request = deployments.get(args.name);
            if let Some(workflow) = args.workflow_name {
                request = request.workflow_name(workflow);
            }
            let deployment = request.send().await?;
            printer.show(&deployment, |out, style| render::deployment(out, style, &deployment))
        }
        DeploymentsCommand::Create(args) => create(client, printer, args).await,
        DeploymentsCommand::Update(args) => update(client, printer, args).await,
        DeploymentsCommand::Delete(args) => {
            let managed = deployments.delete(args.name).send().await?;
            printer.show(&managed, |out, style| render::managed(out, style, &managed))
        }
        DeploymentsCommand::Stop(args) => {
            let managed = deployments.stop(args.name).send().await?;
            printer.show(&managed, |out, style| render::managed(out, style, &managed))
        }
        DeploymentsCommand::Start(args) => {
            let managed = deployments.start(args.name).send().await?;
            printer.show(&managed, |out, style| render::managed(out, style, &managed))
        }
        DeploymentsCommand::Restart(args) => {
            let managed = deployments.restart(args.name).send().await?;
            printer.show(&managed, |out, style| render::managed(out, style, &managed))
        }
        DeploymentsCommand::Workers(args) => workers(client, printer, args).await,
        DeploymentsCommand::Logs(args) if args.follow => follow::run(client, printer, args).await,
        DeploymentsCommand::Logs(args) => logs(client, printer, args).await,
        DeploymentsCommand::Archive(args) => {
            let archive = deployments.archive(args.name).send().await?;
            printer.show(&archive, |out, style| render::archive(out, style, &archive))
        }
        DeploymentsCommand::Unharden(args) => {
            let mut request = deployments.unharden(args.deployment_id);
            if let Some(workspace) = args.workspace_id {
                request = request.workspace_id(workspace);
            }
            request.send().await?;
            // The API answers 204 with no body: JSON output has nothing to print.
            if printer.format == OutputFormat::Table {
                let mut out = io::stdout().lock();
                writeln!(out, "The deployment {} is no longer hardened.", args.deployment_id)?;
            }
            Ok(())
        }
    }
}

/// Tells, on standard error, how to get the next page, so that standard output stays the
/// plain list.
fn next_page_hint(next_cursor: Option<&str>) {
    if let Some(cursor) = next_cursor.filter(|c| !c.is_empty()) {
        eprintln!("More results: add --cursor {cursor} for the next page, or --all for every one.");
    }
}

async fn list(client: &Client, printer: Printer, a: ListArgs) -> Result<(), Failure> {
    let mut r = client.deployments().list();
    if let Some(v) = a.active_only {
        r = r.active_only(v);
    }
    if let Some(v) = a.is_hardened {
        r = r.is_hardened(v);
    }
    if let Some(v) = a.workflow_name {
        r = r.workflow_name(v);
    }
    if let Some(v) = a.created_by {
        r = r.created_by(v);
    }
    if let Some(v) = a.owner {
        r = r.owner(v);
    }
    if !a.location_type.is_empty() {
        r = r.location_types(a.location_type.into_iter().map(Into::into));
    }
    if let Some(v) = a.search {
        r = r.search(v);
    }
    if let Some(v) = a.order_by {
        r = r.order_by(v.into());
    }
    if let Some(v) = a.order {
        r = r.order(v.into());
    }
    if let Some(v) = a.limit {
        r = r.limit(v);
    }
    if let Some(v) = a.cursor {
        r = r.cursor(v);
    }
    if let Some(v) = a.workspace_id {
        r = r.workspace_id(v);
    }
    if let Some(v) = a.repository_url {
        r = r.repository_url(v);
    }
    if let Some(v) = a.dockerfile_path {
        r = r.dockerfile_path(v);
    }

    if a.all {
        let items: Vec<_> = r.stream().try_collect().await?;
        printer.show(&items, |out, style| render::deployments(out, style, &items))
    } else {
        let page = r.send().await?;
        let items = &page.deployments;
        printer.show(items, |out, style| render::deployments(out, style, items))?;
        next_page_hint(page.next_cursor.as_deref());
        Ok(())
    }
}

/// Applies the backend flags shared by create and update to either request builder.
macro_rules! apply_backend {
    ($request:ident, $backend:expr) => {{
        let BackendArgs { backend_type, build_directory, dockerfile_path, secrets } = $backend;
        if let Some(v) = backend_type {
            $request = $request.backend_type(v.into());
        }
        if let Some(v) = build_directory {
            $request = $request.build_directory(v);
        }
        if let Some(v) = dockerfile_path {
            $request = $request.dockerfile_path(v);
        }
        for secret in secrets {
            $request = $request.secret(secret.env_var_name, secret.reference);
        }
    }};
}

async fn create(client: &Client, printer: Printer, a: CreateArgs) -> Result<(), Failure> {
    let source: Source = match (a.github_url, a.archive_id) {
        (Some(url), None) => {
            let github = Source::github(url);
            match a.revision {
                Some(revision) => github.revision(revision).into(),
                None => github.into(),
            }
        }
        (None, Some(archive)) => Source::archive(archive),
        // clap's argument group already requires exactly one of them.
        _ => {
            return Err(Failure::Usage("give exactly one of --github-url and --archive-id".into()));
        }
    };

    let mut r = client.deployments().create(a.name, source);
    if let Some(v) = a.replicas {
        r = r.replicas(v);
    }
    if a.hardened {
        r = r.hardened(true);
    }
    apply_backend!(r, a.backend);
    if !a.roles.is_empty() {
        r = r.requested_roles(a.roles);
    }

    let managed = r.send().await?;
    printer.show(&managed, |out, style| render::managed(out, style, &managed))
}

async fn update(client: &Client, printer: Printer, a: UpdateArgs) -> Result<(), Failure> {
    let mut r = client.deployments().update(a.name);
    if let Some(v) = a.github_url {
        r = r.github_url(v);
    }
    if let Some(v) = a.revision {
        r = r.revision(v);
    }
    if let Some(v) = a.archive_id {
        r = r.archive_id(v);
    }
    if let Some(v) = a.replicas {
        r = r.replicas(v);
    }
    apply_backend!(r, a.backend);
    if a.clear_secrets {
        r = r.clear_secrets();
    }
    if a.clear_roles {
        r = r.clear_requested_roles();
    } else if !a.roles.is_empty() {
        r = r.requested_roles(a.roles);
    }

    let managed = r.send().await?;
    printer.show(&managed, |out, style| render::managed(out, style, &managed))
}

async fn workers(client: &Client, printer: Printer, a: WorkersArgs) -> Result<(), Failure> {
    let mut r = client.deployments().workers(a.name);
    if let Some(v) = a.status {
        r = r.worker_status(v.into());
    }
    if let Some(v) = a.limit {
        r = r.limit(v);
    }
    if let Some(v) = a.cursor {
        r = r.cursor(v);
    }

    if a.all {
        let items: Vec<_> = r.stream().try_collect().await?;
        printer.show(&items, |out, style| render::workers(out, style, &items))
    } else {
        let page = r.send().await?;
        let items = &page.workers;
        printer.show(items, |out, style| render::workers(out, style, items))?;
        next_page_hint(page.next_cursor.as_deref());
        Ok(())
    }
}

async fn logs(client: &Client, printer: Printer, a: LogsArgs) -> Result<(), Failure> {
    let mut r = client.deployments().logs(a.name);
    if let Some(v) = a.log_type {
        r = r.log_type(v.into());
    }
    if let Some(v) = a.worker_name {
        r = r.worker_name(v);
    }
    if let Some(v) = a.workflow_name {
        r = r.workflow_name(v);
    }
    if let Some(v) = a.after {
        r = r.after(v);
    }
    if let Some(v) = a.before {
        r = r.before(v);
    }
    if let Some(v) = a.order {
        r = r.order(v.into());
    }
    if let Some(v) = a.limit {
        r = r.limit(v);
    }
    if let Some(v) = a.cursor {
        r = r.cursor(v);
    }
    let max = a.max_records.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));

    if !a.all {
        let page = r.send().await?;
        let items = &page.results[..page.results.len().min(max)];
        printer.show(items, |out, style| {
            if items.is_empty() {
                return writeln!(out, "No log records.");
            }
            items.iter().try_for_each(|record| render::log_record(out, style, record))
        })?;
        next_page_hint(page.next_cursor.as_deref());
        return Ok(());
    }

    let mut records = r.stream().take(max);
    match printer.format {
        // A JSON array is only whole at the end.
        OutputFormat::Json => {
            let items: Vec<_> = records.try_collect().await?;
            printer.show(&items, |_, _| Ok(()))
        }
        // Lines go out as the pages come in.
        OutputFormat::Table => {
            let mut any = false;
            while let Some(record) = records.next().await {
                let record = record?;
                let mut out = io::stdout().lock();
                render::log_record(&mut out, printer.style, &record)?;
                any = true;
            }
            if !any {
                writeln!(io::stdout().lock(), "No log records.")?;
            }
            Ok(())
        }
    }
}
