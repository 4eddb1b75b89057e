//! A real OpenSSH server for the remote tests: `sshd -D -f <temp config>` on 127.0.0.1
//! at a free high port, with a host key and an authorized key made in a temp dir, for
//! the current user. One per test binary; it runs in a session of its own, started by a
//! thread that lives as long as the binary, and dies with it (PR_SET_PDEATHSIG), so no
//! test leaves it behind. The far side's `swarmtop` is the binary under test.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Sshd {
    pub dir: PathBuf,
    pub port: u16,
    pub pid: u32,
}

/// The host alias of the trusted server; `UNTRUSTED` is the same server with a
/// known_hosts that does not know its key.
pub const HOST: &str = "swarmtop-test";
pub const SECOND: &str = "swarmtop-test-2";
pub const UNTRUSTED: &str = "swarmtop-untrusted";

static SSHD: OnceLock<Result<Sshd, String>> = OnceLock::new();

/// The shared server, or why there is none (printed; the caller skips).
pub fn sshd() -> Option<&'static Sshd> {
    match SSHD.get_or_init(start) {
        Ok(s) => Some(s),
        Err(why) => {
            println!("skipped: sshd cannot start: {why}");
            None
        }
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

fn sshd_binary() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn start() -> Result<Sshd, String> {
    let binary = sshd_binary().ok_or("no sshd binary (apt-get install openssh-server)")?;
    let dir = tempfile::Builder::new().prefix("swarmtop-sshd").tempdir().map_err(|e| e.to_string())?.keep();
    for key in ["host_key", "id"] {
        run(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(dir.join(key)))?;
    }
    std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).map_err(|e| e.to_string())?;
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
        let out = Command::new("id").arg("-un").output().map(|o| o.stdout).unwrap_or_default();
        String::from_utf8_lossy(&out).trim().to_string()
    });
    // Privilege separation needs this directory when sshd runs as root.
    let _ = std::fs::create_dir_all("/run/sshd");
    let port = free_port()?;
    let d = dir.display();
    std::fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             LogLevel ERROR\nMaxStartups 100\nMaxSessions 100\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("known_hosts"), format!("{HOST} {host_pub}")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("empty_known_hosts"), "").map_err(|e| e.to_string())?;
    let entry = |alias: &str, known: &str| {
        format!(
            "Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile {d}/id\n  \
             IdentitiesOnly yes\n  HostKeyAlias {HOST}\n  UserKnownHostsFile {d}/{known}\n  \
             StrictHostKeyChecking yes\n  GlobalKnownHostsFile /dev/null\n  LogLevel ERROR\n  \
             ConnectTimeout 10\n"
        )
    };
    let config =
        [entry(HOST, "known_hosts"), entry(SECOND, "known_hosts"), entry(UNTRUSTED, "empty_known_hosts")];
    std::fs::write(dir.join("ssh_config"), config.concat()).map_err(|e| e.to_string())?;

    // Started from a thread that never ends, so PDEATHSIG fires only when the test
    // binary itself exits.
    let (tx, rx) = std::sync::mpsc::channel();
    let config_path = dir.join("sshd_config");
    std::thread::spawn(move || {
        let mut cmd = Command::new(&binary);
        cmd.arg("-D").arg("-e").arg("-f").arg(&config_path);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        // SAFETY: between fork and exec only async-signal-safe calls: setsid, prctl.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn();
        let _ = tx.send(child);
        loop {
            std::thread::park();
        }
    });
    let mut child = rx.recv().map_err(|e| e.to_string())?.map_err(|e| format!("{}: {e}", "sshd"))?;
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("sshd exited ({status}): {err}"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err("sshd did not listen within 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Its stderr must be read or a full pipe would block it; the child stays owned by
    // a thread (dropping a Child does not kill it; the PDEATHSIG does).
    if let Some(mut e) = child.stderr.take() {
        std::thread::spawn(move || std::io::copy(&mut e, &mut std::io::sink()));
    }
    std::mem::forget(child);
    Ok(Sshd { dir, port, pid })
}

impl Sshd {
    /// `--ssh-command` for this server.
    pub fn ssh_command(&self) -> String {
        format!("ssh -F {} -T -o BatchMode=yes", self.dir.join("ssh_config").display())
    }

    pub fn ssh_words(&self) -> Vec<String> {
        self.ssh_command().split(' ').map(String::from).collect()
    }

    /// `--remote-command`: the binary under test, with no user config.
    pub fn remote_command() -> String {
        format!("env XDG_CONFIG_HOME=/nonexistent-swarmtop-test {}", env!("CARGO_BIN_EXE_swarmtop"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}
