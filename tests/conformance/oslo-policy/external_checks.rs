//! `http:` / `https:` checks against local policy servers, decided by
//! oslo-policy and by the real oslo.policy (through `requests`) side by
//! side: the same decisions, the same errors, and byte-identical requests
//! (method, path, content type and body) reaching the server.
#![cfg(feature = "http")]
#![cfg(test)]
#![allow(missing_docs)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oslo_policy::Value;
use oslo_policy::enforcer::{Config, Enforcer};
use oslo_policy::external::{ContentType, RemoteOptions};

/// What reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    method: String,
    path: String,
    content_type: String,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

struct Server {
    port: u16,
    log: Log,
}

/// A policy server on 127.0.0.1; `tls` turns it into an HTTPS one.
fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let shared = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = shared.clone();
            let tls = tls.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                match tls {
                    None => serve(stream, &log, port),
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(conn, stream), &log, port);
                    }
                }
            });
        }
    });
    Server { port, log }
}

fn serve<S: Read + Write>(stream: S, log: &Log, port: u16) {
    let mut reader = BufReader::new(stream);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    let Some(request_line) = head.first() else {
        return;
    };
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let header = |name: &str| {
        head.iter().skip(1).find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let seen = Seen {
        method: method.clone(),
        path: path.clone(),
        content_type: header("content-type").unwrap_or_default(),
        body: body.clone(),
    };
    log.lock().unwrap().push(seen);
    let (status, headers, answer) = route(&method, &path, &body, port);
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.len()
    )
    .into_bytes();
    for h in headers {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&answer);
    let stream = reader.get_mut();
    let _ = stream.write_all(&out);
    let _ = stream.flush();
}

fn route(method: &str, path: &str, body: &[u8], port: u16) -> (u16, Vec<String>, Vec<u8>) {
    let text = |s: &str| s.as_bytes().to_vec();
    let yes = |b: bool| text(if b { "True" } else { "False" });
    let redirect = |status: u16, to: String| (status, vec![format!("Location: {to}")], Vec::new());
    match path {
        "/true" => (200, vec![], text("True")),
        "/quoted" => (200, vec![], text("\"\"True\"")),
        "/false" => (200, vec![], text("False")),
        "/lower" => (200, vec![], text("true")),
        "/spaced" => (200, vec![], text(" True\n")),
        "/status500" => (500, vec![], text("True")),
        "/text-plain" => (
            200,
            vec!["Content-Type: text/plain; charset=utf-8".into()],
            text("True"),
        ),
        "/utf16" => {
            let mut b = vec![0xFF, 0xFE];
            for u in "True".encode_utf16() {
                b.extend_from_slice(&u.to_le_bytes());
            }
            (
                200,
                vec!["Content-Type: text/plain; charset=utf-16".into()],
                b,
            )
        }
        "/gzip" => {
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(b"True").unwrap();
            (
                200,
                vec!["Content-Encoding: gzip".into()],
                z.finish().unwrap(),
            )
        }
        "/post-only" => (200, vec![], yes(method == "POST")),
        "/get-only" => (200, vec![], yes(method == "GET")),
        "/r301" => redirect(301, "/get-only".into()),
        "/r302" => redirect(302, "get-only".into()),
        "/r303" => redirect(303, "/get-only".into()),
        "/r307" => redirect(307, "/post-only".into()),
        "/r308" => redirect(308, format!("http://127.0.0.1:{port}/post-only")),
        "/loop" => redirect(302, "/loop".into()),
        "/admin" => (
            200,
            vec![],
            yes(String::from_utf8_lossy(body).contains("admin")),
        ),
        "/slow" => {
            std::thread::sleep(Duration::from_millis(2500));
            (200, vec![], text("True"))
        }
        p if p.starts_with("/echo/") => (200, vec![], yes(p == "/echo/yes")),
        "/r-mailto" => redirect(302, "mailto:x@y".into()),
        "/r-query" => redirect(302, "?q".into()),
        "/r-query?q" => (200, vec![], text("True")),
        "/r-tab" => redirect(302, "/tr\tue".into()),
        "/utf32" => (
            200,
            vec!["Content-Type: text/plain; charset=utf-32".into()],
            text("True"),
        ),
        "/two-charsets" => (
            200,
            vec!["Content-Type: text/plain; charset=utf-8; charset=utf-16le".into()],
            text("True"),
        ),
        _ => (404, vec![], text("False")),
    }
}

/// The rules every scenario uses, pointing at `http` (and `https`) servers.
fn policy(dir: &Path, http: u16, https: Option<u16>) -> PathBuf {
    let base = format!("http://127.0.0.1:{http}");
    let mut rules = vec![
        ("default", "!".to_owned()),
        ("true", format!("{base}/true")),
        ("quoted", format!("{base}/quoted")),
        ("false", format!("{base}/false")),
        ("lower", format!("{base}/lower")),
        ("spaced", format!("{base}/spaced")),
        ("status500", format!("{base}/status500")),
        ("text_plain", format!("{base}/text-plain")),
        ("utf16", format!("{base}/utf16")),
        ("gzip", format!("{base}/gzip")),
        ("r301", format!("{base}/r301")),
        ("r302", format!("{base}/r302")),
        ("r303", format!("{base}/r303")),
        ("r307", format!("{base}/r307")),
        ("r308", format!("{base}/r308")),
        ("loop", format!("{base}/loop")),
        ("admin", format!("{base}/admin")),
        ("not_admin", format!("not {base}/admin")),
        ("member_or_admin", format!("role:member or {base}/admin")),
        ("via_rule", "rule:admin".to_owned()),
        ("echo", format!("{base}/echo/%(flag)s")),
        ("echo_missing", format!("{base}/echo/%(nothere)s")),
        ("no_host", "http:foo".to_owned()),
        ("refused", "http://127.0.0.1:1/x".to_owned()),
        ("slow", format!("{base}/slow")),
    ];
    if let Some(p) = https {
        rules.push(("tls_true", format!("https://127.0.0.1:{p}/true")));
        rules.push(("tls_admin", format!("https://127.0.0.1:{p}/admin")));
    }
    let doc: serde_json::Map<String, serde_json::Value> = rules
        .into_iter()
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
        .collect();
    let path = dir.join("policy.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

/// Cases for `names`, each with several credentials and targets.
fn cases(names: &[&str]) -> Vec<serde_json::Value> {
    let creds = [
        r#"{"roles": ["admin"], "project_id": "p1", "user_id": "u"}"#,
        r#"{"roles": ["member"], "project_id": "p\u00e9\ud83d\ude00", "n": 123456789012345678901234567890, "f": 1e16, "z": null, "t": true}"#,
        r#"{"roles": [], "system_scope": "all", "nested": {"a": [1.5, {"b": "c d&e=f+g%"}]}}"#,
    ];
    let targets = [
        r#"{"flag": "yes"}"#,
        r#"{"flag": "no", "project_id": "p1", "x": "quote\"back\\slash\nnl\ttab\u007f"}"#,
        r#"{"flag": "a b/é?#frag", "list": [], "d": {}}"#,
    ];
    let mut out = Vec::new();
    for name in names {
        for (i, c) in creds.iter().enumerate() {
            let t = targets[i % targets.len()];
            out.push(serde_json::json!({
                "name": name,
                "target": serde_json::from_str::<serde_json::Value>(t).unwrap(),
                "creds": serde_json::from_str::<serde_json::Value>(c).unwrap(),
            }));
        }
    }
    out
}

fn python_answers(
    python: &Path,
    policy: &Path,
    options: serde_json::Value,
    cases: &[serde_json::Value],
) -> Vec<String> {
    let request = serde_json::json!({"policy": policy, "options": options, "cases": cases});
    let mut child = Command::new(python)
        .arg(common::oracle("external_oracle.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The enforcer configuration of these tests: `policy`, no `policy_dirs`.
fn policy_config(policy: &Path, remote: RemoteOptions) -> Config {
    Config {
        policy_file: policy.to_path_buf(),
        policy_dirs: vec![],
        remote,
        ..Config::default()
    }
}

fn rust_answers(config: Config, cases: &[serde_json::Value]) -> Vec<String> {
    let enforcer = Enforcer::new(config);
    cases
        .iter()
        .map(|c| {
            let target = Value::from_json(&c["target"]);
            let mut creds = Value::from_json(&c["creds"]);
            match enforcer.enforce(c["name"].as_str().unwrap(), &target, &mut creds) {
                Ok(b) => b.to_string(),
                Err(e) => format!("error: {e}"),
            }
        })
        .collect()
}

/// Equal answers; errors whose text names a socket or a TLS library's
/// words (connection refused, handshake failures) agree on their class.
fn assert_same(what: &str, cases: &[serde_json::Value], ours: &[String], theirs: &[String]) {
    assert_eq!(ours.len(), theirs.len());
    let mut mismatches = Vec::new();
    for ((case, a), b) in cases.iter().zip(ours).zip(theirs) {
        let class = |s: &str| {
            s.strip_prefix("error: ")
                .and_then(|e| e.split(':').next())
                .map(str::to_owned)
        };
        let loose = |s: &str| matches!(class(s).as_deref(), Some("ConnectionError" | "SSLError"));
        let same = if loose(a) || loose(b) {
            // requests reports handshake failures as either class.
            loose(a) && loose(b)
        } else {
            a == b
        };
        if !same {
            mismatches.push(format!("{}: ours {a:?}, reference {b:?}", case["name"]));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{what}: {} of {} disagree:\n{}",
        mismatches.len(),
        ours.len(),
        mismatches.join("\n")
    );
    eprintln!("{what}: {} decisions agree", ours.len());
}

fn take(log: &Log) -> Vec<Seen> {
    std::mem::take(&mut *log.lock().unwrap())
}

const HTTP_RULES: &[&str] = &[
    "true",
    "quoted",
    "false",
    "lower",
    "spaced",
    "status500",
    "text_plain",
    "utf16",
    "gzip",
    "r301",
    "r302",
    "r303",
    "r307",
    "r308",
    "loop",
    "admin",
    "not_admin",
    "member_or_admin",
    "via_rule",
    "echo",
    "echo_missing",
    "no_host",
    "refused",
    "missing_rule",
];

/// `oslo-policy eval --policy POLICY --cases CASES`, which must succeed.
fn eval(policy: &Path, cases: &Path) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_oslo-policy"))
        .arg("eval")
        .arg("--policy")
        .arg(policy)
        .arg("--cases")
        .arg(cases)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The `oslo-policy eval` contract (default options: form-encoded) and the
/// JSON content type through the library, against the reference.
#[test]
fn http_checks_agree_with_the_reference() {
    let Some(python) = common::reference_python("http_checks_agree_with_the_reference") else {
        return;
    };
    let server = start(None);
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path(), server.port, None);
    let cases = cases(HTTP_RULES);

    // 1. The eval contract, default options.
    let cases_file = dir.path().join("cases.jsonl");
    let lines: Vec<String> = cases.iter().map(|c| c.to_string()).collect();
    std::fs::write(&cases_file, lines.join("\n") + "\n").unwrap();
    let out = eval(&policy, &cases_file);
    let ours: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let our_requests = take(&server.log);
    let theirs = python_answers(&python, &policy, serde_json::json!({}), &cases);
    let their_requests = take(&server.log);
    assert_same("eval, form-encoded", &cases, &ours, &theirs);
    // Not vacuous: the first case of each rule (an admin) decides so.
    let first = |name: &str| {
        let i = cases.iter().position(|c| c["name"] == name).unwrap();
        ours[i].clone()
    };
    for (name, want) in [
        ("true", "true"),
        ("quoted", "true"),
        ("gzip", "true"),
        ("utf16", "true"),
        ("status500", "true"),
        ("r301", "true"),
        ("r302", "true"),
        ("r307", "true"),
        ("r308", "true"),
        ("via_rule", "true"),
        ("echo", "true"),
        ("lower", "false"),
        ("spaced", "false"),
        ("not_admin", "false"),
        ("loop", "error: TooManyRedirects: Exceeded 30 redirects."),
        ("echo_missing", "error: KeyError: 'nothere'"),
        (
            "no_host",
            "error: InvalidURL: Invalid URL 'http:foo': No host supplied",
        ),
    ] {
        assert_eq!(first(name), want, "{name}");
    }
    assert_eq!(our_requests.len(), their_requests.len());
    for (a, b) in our_requests.iter().zip(&their_requests) {
        assert_eq!(a, b, "the server saw different requests");
    }
    assert!(our_requests.iter().any(|r| r.method == "GET"));
    assert!(our_requests.iter().any(|r| r.path == "/echo/a%20b/%C3%A9"));
    eprintln!(
        "eval, form-encoded: {} identical requests",
        our_requests.len()
    );

    // 2. application/json through the library.
    let config = policy_config(
        &policy,
        RemoteOptions {
            content_type: ContentType::Json,
            ..RemoteOptions::DEFAULT
        },
    );
    let ours = rust_answers(config, &cases);
    let our_requests = take(&server.log);
    let theirs = python_answers(
        &python,
        &policy,
        serde_json::json!({"remote_content_type": "application/json"}),
        &cases,
    );
    let their_requests = take(&server.log);
    assert_same("library, application/json", &cases, &ours, &theirs);
    assert_eq!(our_requests, their_requests);
    assert!(
        our_requests
            .iter()
            .any(|r| r.content_type == "application/json")
    );
}

/// URLs other parsers read differently (a backslash before `@` in the
/// host part, `%` that is not an escape, brackets), redirects `requests`
/// refuses or resolves oddly, and charsets: the same decisions and the
/// same requests as the reference. One deliberate difference: user
/// information in the URL is refused (deny) instead of sent.
#[test]
fn odd_urls_redirects_and_charsets_agree_with_the_reference() {
    let Some(python) = common::reference_python("odd_urls") else {
        return;
    };
    let first = start(None);
    let second = start(None);
    let (p1, p2) = (first.port, second.port);
    let dir = tempfile::tempdir().unwrap();
    let rules = serde_json::json!({
        "backslash": format!("http://127.0.0.1:{p1}\\@127.0.0.1:{p2}/true"),
        "percent": format!("http://127.0.0.1:{p1}/echo/%(x)s"),
        "r_mailto": format!("http://127.0.0.1:{p1}/r-mailto"),
        "r_query": format!("http://127.0.0.1:{p1}/r-query"),
        "r_tab": format!("http://127.0.0.1:{p1}/r-tab"),
        "utf32": format!("http://127.0.0.1:{p1}/utf32"),
        "two_charsets": format!("http://127.0.0.1:{p1}/two-charsets"),
        "userinfo": format!("http://user@127.0.0.1:{p1}/true"),
    });
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, rules.to_string()).unwrap();
    let mut cases = Vec::new();
    for name in rules.as_object().unwrap().keys() {
        for x in ["%", "a b%", "%41?q=%zz", "%zz?%41", "[1, 'a b']", "yes"] {
            cases.push(
                serde_json::json!({"name": name, "target": {"x": x}, "creds": {"roles": ["r"]}}),
            );
        }
    }
    let config = policy_config(&policy, RemoteOptions::DEFAULT);
    let ours = rust_answers(config, &cases);
    let our_requests = (take(&first.log), take(&second.log));
    let theirs = python_answers(&python, &policy, serde_json::json!({}), &cases);
    let their_requests = (take(&first.log), take(&second.log));
    // user@host: the reference sends it (with Basic auth); we refuse.
    let (mut kept, mut ours_kept, mut theirs_kept) = (Vec::new(), Vec::new(), Vec::new());
    for ((c, a), b) in cases.iter().zip(&ours).zip(&theirs) {
        if c["name"] == "userinfo" {
            assert!(a.starts_with("error: InvalidURL"), "{a}");
        } else {
            kept.push(c.clone());
            ours_kept.push(a.clone());
            theirs_kept.push(b.clone());
        }
    }
    assert_same("odd URLs", &kept, &ours_kept, &theirs_kept);
    let without_userinfo =
        |r: &Vec<Seen>| -> Vec<Seen> { r.iter().filter(|s| s.path != "/true").cloned().collect() };
    assert_eq!(
        without_userinfo(&our_requests.0),
        without_userinfo(&their_requests.0)
    );
    assert!(our_requests.1.is_empty() && their_requests.1.is_empty());
    assert!(our_requests.0.iter().any(|r| r.path == "/r-query?q"));
}

/// `remote_timeout`: a server slower than it is `RuntimeError: Timeout in
/// REST API call` in both.
#[test]
fn timeouts_agree_with_the_reference() {
    let Some(python) = common::reference_python("timeouts_agree_with_the_reference") else {
        return;
    };
    let server = start(None);
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path(), server.port, None);
    let cases: Vec<_> = cases(&["slow"]).into_iter().take(1).collect();
    let config = policy_config(
        &policy,
        RemoteOptions {
            timeout: 0.5,
            ..RemoteOptions::DEFAULT
        },
    );
    let ours = rust_answers(config, &cases);
    let theirs = python_answers(
        &python,
        &policy,
        serde_json::json!({"remote_timeout": 0.5}),
        &cases,
    );
    assert_eq!(ours, ["error: RuntimeError: Timeout in REST API call"]);
    assert_same("timeout", &cases, &ours, &theirs);

    // remote_timeout = 0: urllib3 refuses it before connecting.
    let config = policy_config(
        &policy,
        RemoteOptions {
            timeout: 0.0,
            ..RemoteOptions::DEFAULT
        },
    );
    let ours = rust_answers(config, &cases);
    let theirs = python_answers(
        &python,
        &policy,
        serde_json::json!({"remote_timeout": 0}),
        &cases,
    );
    assert!(ours[0].starts_with("error: ValueError: Attempted to set connect timeout to 0.0"));
    assert_same("zero timeout", &cases, &ours, &theirs);
}

struct Pki {
    dir: tempfile::TempDir,
    ca: rustls::pki_types::CertificateDer<'static>,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: rustls::pki_types::PrivateKeyDer<'static>,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "oslo-rs test CA");
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf = |names: Vec<String>| {
            let key = rcgen::KeyPair::generate().unwrap();
            let cert = rcgen::CertificateParams::new(names)
                .unwrap()
                .signed_by(&key, &ca)
                .unwrap();
            (cert, key)
        };
        let (server, server_key) = leaf(vec!["127.0.0.1".into(), "localhost".into()]);
        let (client, client_key) = leaf(vec!["client".into()]);
        let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
        write("ca.pem", ca.pem());
        write("client.pem", client.pem());
        write("client.key", client_key.serialize_pem());
        Pki {
            ca: ca.der().clone(),
            server_chain: vec![server.der().clone()],
            server_key: rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn server_config(&self, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca.clone()).unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        Arc::new(
            builder
                .with_single_cert(self.server_chain.clone(), self.server_key.clone_key())
                .unwrap(),
        )
    }
}

/// `https:`: no verification by default, verification against a CA file
/// or the built-in roots, client certificates, and the reference's checks
/// of the configured files.
#[test]
fn https_checks_agree_with_the_reference() {
    let Some(python) = common::reference_python("https_checks_agree_with_the_reference") else {
        return;
    };
    let pki = Pki::new();
    let plain = start(None);
    let tls = start(Some(pki.server_config(false)));
    let mutual = start(Some(pki.server_config(true)));
    let dir = tempfile::tempdir().unwrap();
    let path = |s: &str| pki.path(s).display().to_string();
    let scenarios: Vec<(&str, u16, serde_json::Value)> = vec![
        (
            "default options: not verified",
            tls.port,
            serde_json::json!({}),
        ),
        (
            "verified against the CA file",
            tls.port,
            serde_json::json!({"remote_ssl_verify_server_crt": true, "remote_ssl_ca_crt_file": path("ca.pem")}),
        ),
        (
            "verified against the built-in roots",
            tls.port,
            serde_json::json!({"remote_ssl_verify_server_crt": true}),
        ),
        (
            "client certificate sent",
            mutual.port,
            serde_json::json!({"remote_ssl_client_crt_file": path("client.pem"), "remote_ssl_client_key_file": path("client.key")}),
        ),
        (
            "client certificate missing",
            mutual.port,
            serde_json::json!({}),
        ),
        (
            "no such cert file",
            tls.port,
            serde_json::json!({"remote_ssl_client_crt_file": "/nonexistent/c.pem"}),
        ),
        (
            "no such key file",
            tls.port,
            serde_json::json!({"remote_ssl_client_crt_file": path("client.pem"), "remote_ssl_client_key_file": "/nonexistent/k.pem"}),
        ),
        (
            "no such CA file",
            tls.port,
            serde_json::json!({"remote_ssl_verify_server_crt": true, "remote_ssl_ca_crt_file": "/nonexistent/ca.pem"}),
        ),
    ];
    let cases = cases(&["tls_true", "tls_admin"]);
    for (what, port, options) in scenarios {
        let policy = policy(dir.path(), plain.port, Some(port));
        let text = |k: &str| options.get(k).and_then(|v| v.as_str()).map(PathBuf::from);
        let config = policy_config(
            &policy,
            RemoteOptions {
                ssl_verify_server_crt: options
                    .get("remote_ssl_verify_server_crt")
                    .is_some_and(|v| v == true),
                ssl_ca_crt_file: text("remote_ssl_ca_crt_file"),
                ssl_client_crt_file: text("remote_ssl_client_crt_file"),
                ssl_client_key_file: text("remote_ssl_client_key_file"),
                ..RemoteOptions::DEFAULT
            },
        );
        let ours = rust_answers(config, &cases);
        let our_requests = take(&tls.log).len() + take(&mutual.log).len();
        let theirs = python_answers(&python, &policy, options, &cases);
        let their_requests = take(&tls.log).len() + take(&mutual.log).len();
        eprintln!("{what}: {ours:?}");
        assert_same(what, &cases, &ours, &theirs);
        assert_eq!(our_requests, their_requests, "{what}");
    }
}

/// `oslopolicy-checker --enforcer_config FILE`: the `[oslo_policy]`
/// options of the file (read through oslo-config) reach http checks, in
/// ours as in the reference — same output, same requests.
#[test]
fn checker_reads_remote_options_from_enforcer_config() {
    let Some(python) =
        common::reference_python("checker_reads_remote_options_from_enforcer_config")
    else {
        return;
    };
    let checker = python.with_file_name("oslopolicy-checker");
    let server = start(None);
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}", server.port);
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "a:true": format!("{base}/true"),
            "a:admin": format!("{base}/admin"),
            "a:post": format!("{base}/post-only"),
            "a:echo": format!("{base}/echo/%(project_id)s"),
        })
        .to_string(),
    )
    .unwrap();
    let access = dir.path().join("access.json");
    std::fs::write(
        &access,
        r#"{"token": {"roles": [{"id": "r", "name": "admin"}], "project": {"id": "yes"},
            "user": {"id": "u1"}}}"#,
    )
    .unwrap();
    for (name, text) in [
        (
            "json.conf",
            "[oslo_policy]\nremote_content_type = application/json\nremote_timeout = 5\n",
        ),
        ("form.conf", "[oslo_policy]\n"),
        (
            "bad.conf",
            "[oslo_policy]\nremote_content_type = text/plain\n",
        ),
    ] {
        let conf = dir.path().join(name);
        std::fs::write(&conf, text).unwrap();
        let run = |bin: &Path| {
            let out = Command::new(bin)
                .arg("--policy")
                .arg(&policy)
                .arg("--access")
                .arg(&access)
                .arg("--enforcer_config")
                .arg(&conf)
                .output()
                .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        };
        let ours = run(Path::new(env!("CARGO_BIN_EXE_oslopolicy-checker")));
        let our_requests = take(&server.log);
        let theirs = run(&checker);
        let their_requests = take(&server.log);
        assert_eq!(ours, theirs, "{name}");
        assert_eq!(our_requests, their_requests, "{name}");
        if name != "bad.conf" {
            assert!(ours.1.contains("passed: a:true"), "{name}: {}", ours.1);
            assert_eq!(our_requests.len(), 4, "{name}");
        }
    }
}

/// `eval` over more lines than one block (other policies are decided on
/// several workers at once): a policy with an `http:` check is decided one
/// line at a time, so the server gets the requests in line order, as from
/// the reference.
#[test]
fn eval_asks_the_server_in_line_order() {
    const LINES: usize = 1500;
    let server = start(None);
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!("h: \"http://127.0.0.1:{}/true\"\n", server.port),
    )
    .unwrap();
    // About 820 KB: three blocks of the batch reader.
    let pad = "x".repeat(500);
    let cases: String = (0..LINES)
        .map(|i| format!("{{\"name\": \"h\", \"target\": {{\"n\": {i}, \"pad\": \"{pad}\"}}}}\n"))
        .collect();
    let cases_file = dir.path().join("cases.jsonl");
    std::fs::write(&cases_file, cases).unwrap();
    let out = eval(&policy, &cases_file);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "true\n".repeat(LINES)
    );
    let seen = take(&server.log);
    assert_eq!(seen.len(), LINES);
    for (i, request) in seen.iter().enumerate() {
        // The form-encoded `target`: `{"n": I, "pad": ...}`.
        let body = String::from_utf8_lossy(&request.body);
        assert!(
            body.contains(&format!("%7B%22n%22%3A+{i}%2C")),
            "request {i} is not line {}'s: {body:.80}",
            i + 1
        );
    }
}
