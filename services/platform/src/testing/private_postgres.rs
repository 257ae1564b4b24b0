//! A PostgreSQL server of a test's own, which the test may crash and start again without
//! touching the shared server other tests run on. Its files are in a temporary folder and its
//! binaries are the installed server's (`pg_config --bindir`). As root, the server runs as the
//! `postgres` user, which PostgreSQL requires.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running (or crashed) private server on a loopback port.
pub struct PrivatePostgres {
    folder: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Creates a cluster (trust authentication, no fsync) and starts it. Panics, saying what is
    /// missing, when the PostgreSQL server binaries are not installed.
    pub fn start() -> Self {
        let bin = server_binaries();
        let folder = tempfile::tempdir().unwrap_or_else(|error| panic!("no temporary folder: {error}"));
        open_to_the_server(folder.path());
        let port = free_port();
        let data = folder.path().join("data");
        let data = data.to_string_lossy();
        run(&bin, "initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        let server = Self { folder, bin, port };
        server.start_again();
        server
    }

    /// A URL for `database` on this server (create it first with `CREATE DATABASE`, or use
    /// `postgres`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server at once, without a checkpoint, as a crash or a pulled plug would.
    pub fn crash(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"]);
    }

    /// Starts the stopped server again on the same port and files, and waits until it accepts
    /// connections.
    pub fn start_again(&self) {
        let folder = self.folder.path().to_string_lossy();
        let options = format!("-p {} -h 127.0.0.1 -k {folder} -c fsync=off", self.port);
        let log = self.folder.path().join("log");
        self.pg_ctl(&["start", "-w", "-o", &options, "-l", &log.to_string_lossy()]);
    }

    fn pg_ctl(&self, arguments: &[&str]) {
        let data = self.folder.path().join("data");
        let mut all = vec!["-D", data.to_str().unwrap_or_else(|| panic!("{} is not UTF-8", data.display()))];
        all.extend_from_slice(arguments);
        run(&self.bin, "pg_ctl", &all);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Already stopped after a crash: the error is of no interest then.
        let data = self.folder.path().join("data");
        let _ = as_server_user(&self.bin.join("pg_ctl")).arg("-D").arg(data).args(["stop", "-m", "immediate"]).output();
    }
}

fn server_binaries() -> PathBuf {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .unwrap_or_else(|error| panic!("pg_config is not installed ({error}): install the PostgreSQL server"));
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// A command for `program`, run as `postgres` when the test runs as root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// The server user must be able to write the cluster's folder.
fn open_to_the_server(folder: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o777))
        .unwrap_or_else(|error| panic!("cannot open {} to the server: {error}", folder.display()));
}

fn run(bin: &Path, program: &str, arguments: &[&str]) {
    let output = as_server_user(&bin.join(program))
        .args(arguments)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
    assert!(
        output.status.success(),
        "{program} {arguments:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|error| panic!("no free port: {error}"));
    listener.local_addr().unwrap_or_else(|error| panic!("no local address: {error}")).port()
}
