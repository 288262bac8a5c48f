//! The path matchers match the deployment name literally: `.` in a name is not a wildcard.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use httpmock::MockServer;
use mistral_workflows_gen::types;
use mistral_workflows_httpmock::MockServerExt as _;

/// Sends `GET <path>` over HTTP/1.1 and returns the status code.
fn get_status(server: &MockServer, path: &str) -> Result<u16, Box<dyn std::error::Error>> {
    let mut stream = TcpStream::connect(server.address())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split(' ').nth(1).ok_or("no status line")?;
    Ok(status.parse()?)
}

#[test]
fn a_dot_in_a_name_matches_only_a_dot() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start();
    let name: types::GetDeploymentArchiveName = "my.app".parse()?;
    let archive: types::DeploymentArchiveResponse =
        serde_json::from_value(serde_json::json!({ "archive_id": "a1", "download_url": null }))?;
    let mock = server.get_deployment_archive(|when, then| {
        when.name(&name);
        then.ok(&archive);
    });

    assert_eq!(get_status(&server, "/v1/workflows/deployments/myXapp/archive")?, 404);
    assert_eq!(get_status(&server, "/v1/workflows/deployments/my.app/archive")?, 200);
    mock.assert_calls(1);
    Ok(())
}
