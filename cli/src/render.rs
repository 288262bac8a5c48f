//! How each answer of the API reads as a table.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use mistral_workflows::types::{
    BackendSpec, DeploymentArchiveResponse, DeploymentDetailResponse, DeploymentLocation,
    DeploymentLogRecord, DeploymentResponse, DeploymentWorkerResponse, LocationType,
    ManagedDeploymentResponse,
};

use crate::output::{Cell, Fields, Table};
use crate::style::{Paint, Style};

/// What a missing value reads as.
const NONE: &str = "-";

/// An instant to the second, in UTC: `2025-12-17T10:25:07Z`.
pub(crate) fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn active(is_active: bool) -> Cell {
    if is_active {
        Cell::painted("active", Paint::Green)
    } else {
        Cell::painted("inactive", Paint::Dim)
    }
}

fn locations(types: &[LocationType]) -> String {
    if types.is_empty() {
        return NONE.to_owned();
    }
    types.iter().map(LocationType::as_str).collect::<Vec<_>>().join(",")
}

fn location(location: Option<&DeploymentLocation>) -> String {
    let Some(location) = location else { return NONE.to_owned() };
    let mut text = location.location_type.as_str().to_owned();
    let place: Vec<&str> = [&location.k8s_cluster, &location.k8s_namespace]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    if !place.is_empty() {
        text.push_str(&format!(" ({})", place.join("/")));
    }
    text
}

/// The phase of a managed deployment, colored by how it is doing.
fn phase(managed: &ManagedDeploymentResponse) -> Cell {
    if managed.stopped {
        return Cell::painted("stopped", Paint::Dim);
    }
    let Some(phase) = managed.status.phase.as_deref() else { return NONE.into() };
    let lower = phase.to_ascii_lowercase();
    let paint = if ["fail", "error", "crash"].iter().any(|bad| lower.contains(bad)) {
        Paint::Red
    } else if ["running", "ready", "healthy", "active", "succeeded"].contains(&lower.as_str()) {
        Paint::Green
    } else {
        Paint::Yellow
    };
    Cell::painted(phase, paint)
}

fn last_seen(heartbeat: Option<&DateTime<Utc>>, updated_at: &DateTime<Utc>) -> String {
    // Older servers send no `last_heartbeat`; `updated_at` carries the same instant there.
    time(heartbeat.unwrap_or(updated_at))
}

/// A page or a whole listing of deployments.
pub(crate) fn deployments(
    out: &mut dyn Write,
    style: Style,
    items: &[DeploymentResponse],
) -> io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "No deployments.");
    }
    let mut table = Table::new(vec![
        "NAME",
        "STATUS",
        "WORKERS",
        "KIND",
        "PHASE",
        "HARDENED",
        "LOCATIONS",
        "LAST HEARTBEAT",
    ]);
    for d in items {
        let (kind, phase) = match &d.managed {
            Some(managed) => ("managed", phase(managed)),
            None => ("self-hosted", NONE.into()),
        };
        table.row(vec![
            d.name.as_str().into(),
            active(d.is_active),
            format!("{}/{}", d.active_worker_count, d.worker_count).into(),
            kind.into(),
            phase,
            yes_no(d.is_hardened).into(),
            locations(&d.locations).into(),
            last_seen(d.last_heartbeat.as_ref(), &d.updated_at).into(),
        ]);
    }
    table.write(out, style)
}

/// One deployment, its managed state and its workers.
pub(crate) fn deployment(
    out: &mut dyn Write,
    style: Style,
    d: &DeploymentDetailResponse,
) -> io::Result<()> {
    let mut fields = Fields::new();
    fields.add("Name", Cell::painted(d.name.as_str(), Paint::Cyan));
    fields.add("ID", d.id.to_string());
    fields.add("Status", active(d.is_active));
    fields.add("Workers", format!("{} active of {}", d.active_worker_count, d.worker_count));
    fields.add("Kind", if d.managed.is_some() { "managed" } else { "self-hosted" });
    fields.add("Hardened", yes_no(d.is_hardened));
    fields.add_opt("Owner", d.owner.as_deref());
    fields.add("Locations", locations(&d.locations));
    fields.add("Created", time(&d.created_at));
    fields.add("Last heartbeat", last_seen(d.last_heartbeat.as_ref(), &d.updated_at));
    fields.write(out, style, 0)?;

    if let Some(managed) = &d.managed {
        writeln!(out)?;
        writeln!(out, "{}", style.paint("Managed deployment", Paint::Bold))?;
        managed_fields(managed).write(out, style, 2)?;
    }

    writeln!(out)?;
    writeln!(out, "{}", style.paint("Workers", Paint::Bold))?;
    workers(out, style, &d.workers)
}

/// The managed state that create, update and the lifecycle commands answer with.
pub(crate) fn managed(
    out: &mut dyn Write,
    style: Style,
    managed: &ManagedDeploymentResponse,
) -> io::Result<()> {
    managed_fields(managed).write(out, style, 0)
}

fn managed_fields(m: &ManagedDeploymentResponse) -> Fields {
    let mut f = Fields::new();
    f.add("Name", Cell::painted(m.name.as_str(), Paint::Cyan));
    f.add("Service ID", m.service_id.as_str());
    f.add("Phase", phase(m));
    f.add_opt("Rollout", m.rollout_status.as_deref());
    f.add_opt("Message", m.status.message.as_deref());

    let desired = m.resources.replicas.map_or_else(|| NONE.to_owned(), |r| r.to_string());
    f.add(
        "Replicas",
        format!(
            "{} ready, {} available, {desired} wanted",
            m.status.ready_replicas, m.status.available_replicas
        ),
    );

    let spec = &m.spec;
    match (&spec.archive_id, spec.github_url.is_empty()) {
        (Some(archive), true) => f.add("Source", format!("archive {archive}")),
        _ => {
            let revision = spec.revision.as_deref().map(|r| format!(" at {r}")).unwrap_or_default();
            f.add("Source", format!("{}{revision}", spec.github_url));
        }
    }
    if let Some(commit) = &spec.commit {
        let sha: String = commit.sha.chars().take(12).collect();
        let title = commit.message.as_deref().and_then(|m| m.lines().next()).unwrap_or_default();
        f.add("Commit", format!("{sha} {title}").trim_end().to_owned());
    }
    f.add_opt("Deployed revision", m.status.deployed_revision.as_deref());
    f.add_opt("Endpoint", m.status.endpoint.as_deref());

    match &spec.backend_spec {
        BackendSpec::MistralCloud(cloud) => {
            let kind = cloud.type_.as_ref().map_or("mistral_cloud", |t| t.as_str());
            f.add("Backend", kind);
            f.add_opt("Build directory", cloud.build_directory.as_deref());
            f.add_opt("Dockerfile", cloud.dockerfile_path.as_deref());
            if let Some(secrets) = cloud.secrets.as_ref().filter(|s| !s.is_empty()) {
                let list: Vec<String> =
                    secrets.iter().map(|s| format!("{}={}", s.env_var_name, s.reference)).collect();
                f.add("Secrets", list.join(", "));
            }
        }
        BackendSpec::Kubernetes(k8s) => {
            f.add("Backend", k8s.type_.as_str());
            f.add_opt("Entrypoint", k8s.entrypoint.as_deref());
            f.add_opt("Working directory", k8s.working_dir.as_deref());
        }
        _ => f.add("Backend", "(unknown)"),
    }
    if let Some(roles) = spec.requested_roles.as_ref().filter(|r| !r.is_empty()) {
        f.add("Roles", roles.join(", "));
    }
    if let Some(build) = &m.status.build_state {
        let mut text = build.phase.clone().unwrap_or_else(|| NONE.to_owned());
        if let Some(message) = &build.message {
            text.push_str(&format!(": {message}"));
        }
        f.add("Build", text);
    }

    f.add("Hardened", yes_no(m.is_hardened));
    f.add_opt("Created by", m.created_by.as_deref());
    f.add("Created", time(&m.created_at));
    f.add_opt("Updated by", m.updated_by.as_deref());
    f.add("Updated", time(&m.updated_at));
    f.add_opt("Deployed by", m.deployed_by.as_deref());
    f.add_opt("Deployed", m.deployed_at.as_ref().map(time));
    f
}

/// Workers of a deployment.
pub(crate) fn workers(
    out: &mut dyn Write,
    style: Style,
    items: &[DeploymentWorkerResponse],
) -> io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "No workers.");
    }
    let mut table = Table::new(vec!["NAME", "STATUS", "LOCATION", "CREATED", "LAST HEARTBEAT"]);
    for w in items {
        table.row(vec![
            w.name.as_str().into(),
            active(w.is_active),
            location(w.location.as_ref()).into(),
            time(&w.created_at).into(),
            last_seen(w.last_heartbeat.as_ref(), &w.updated_at).into(),
        ]);
    }
    table.write(out, style)
}

/// One log record on one line: time, severity, worker, body. A multi-line body keeps its
/// lines, indented under the first.
pub(crate) fn log_record(
    out: &mut dyn Write,
    style: Style,
    record: &DeploymentLogRecord,
) -> io::Result<()> {
    let stamp = record.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true);
    let severity = record.severity_text.to_ascii_uppercase();
    let paint = match severity.as_str() {
        s if s.starts_with("ERR") || s.starts_with("FATAL") || s.starts_with("CRIT") => Paint::Red,
        s if s.starts_with("WARN") => Paint::Yellow,
        s if s.starts_with("DEBUG") || s.starts_with("TRACE") => Paint::Dim,
        _ => Paint::Green,
    };
    let severity = Cell::painted(severity, paint);
    // Several workers write the same lines; say whose each one is.
    let worker = match record.log_attributes.get("worker_name") {
        Some(worker) => format!("{} ", style.paint(&format!("[{worker}]"), Paint::Cyan)),
        None => String::new(),
    };
    let mut lines = record.body.lines();
    let first = lines.next().unwrap_or_default();
    writeln!(
        out,
        "{}  {}  {worker}{first}",
        style.paint(&stamp, Paint::Dim),
        severity_cell(style, &severity)
    )?;
    for line in lines {
        writeln!(out, "{:width$}{line}", "", width = stamp.len() + 2 + SEVERITY_WIDTH + 2)?;
    }
    Ok(())
}

const SEVERITY_WIDTH: usize = 5;

fn severity_cell(style: Style, cell: &Cell) -> String {
    cell.render_padded(style, SEVERITY_WIDTH)
}

/// The archive of an archive-built deployment.
pub(crate) fn archive(
    out: &mut dyn Write,
    style: Style,
    archive: &DeploymentArchiveResponse,
) -> io::Result<()> {
    let mut f = Fields::new();
    f.add("Archive ID", archive.archive_id.as_str());
    match &archive.download_url {
        Some(url) => f.add("Download URL", url.as_str()),
        None => f.add("Download URL", Cell::painted("(deleted)", Paint::Dim)),
    }
    f.write(out, style, 0)
}
