//! A throw-away PostgreSQL server for tests: `initdb` in a temp dir, `postgres` on a free
//! loopback port, stopped (and its files removed) when dropped. Found under
//! /usr/lib/postgresql/*/bin (Debian's `postgresql` package). As root, run as the `postgres`
//! user (initdb refuses root). None when PostgreSQL is not installed, unless
//! GOVAI_REQUIRE_POSTGRES=1 makes that a failure.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Postgres {
    child: Child,
    _dir: tempfile::TempDir,
    pub url: String,
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// `program args` as the `postgres` user when we are root.
fn command(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    pub fn start(test: &str) -> Option<Self> {
        let Some(bin) = bin_dir() else {
            assert!(
                std::env::var("GOVAI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "{test}: PostgreSQL is required (apt-get install postgresql) but not installed"
            );
            eprintln!("{test}: skipped: PostgreSQL not installed (apt-get install postgresql)");
            return None;
        };
        let root = is_root();
        let dir = tempfile::Builder::new().prefix("govai-pg").tempdir().expect("tempdir");
        let data = dir.path().join("data");
        if root {
            let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().expect("chown");
            assert!(ok.success());
        }
        let out = command(&bin.join("initdb"), root)
            .args(["-A", "trust", "-U", "govai", "-E", "UTF8", "--no-locale", "-D"])
            .arg(&data)
            .output()
            .expect("initdb runs");
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let child = command(&bin.join("postgres"), root)
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k", ""])
            .args(["-c", "fsync=off", "-c", "max_connections=20"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        let server = Self { child, _dir: dir, url: format!("postgres://govai@127.0.0.1:{port}/postgres") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "postgres did not start listening on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        // Listening is not yet accepting sessions: wait for a real connection.
        while postgres::Client::connect(&server.url, postgres::NoTls).is_err() {
            assert!(Instant::now() < deadline, "postgres did not accept connections");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: fast shutdown. The child is runuser when root; it forwards the signal.
        let _ = Command::new("kill").arg("-INT").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
