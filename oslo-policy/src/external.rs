//! `http:` and `https:` checks (`_external.py`): the atom's URL, with
//! `%(key)s` filled from the target, receives a POST of the rule name, the
//! target and the credentials; the check passes iff the response body,
//! with surrounding `"` removed, is exactly `True` — whatever the status.
//!
//! As in the reference: the payload is form-encoded JSON strings
//! (`rule=…&target=…&credentials=…`) unless `remote_content_type` is
//! `application/json`; redirects are followed the way `requests` follows
//! them (301/302/303 become a GET without body, 307/308 repeat the POST,
//! at most 30); a timeout is `RuntimeError: Timeout in REST API call`;
//! `https:` sends the client certificate and key when configured and
//! verifies the server only when `remote_ssl_verify_server_crt` is true
//! (against `remote_ssl_ca_crt_file`, or the Mozilla roots that `certifi`
//! also ships). Every failure is an [`EvalError`]: the caller denies.
//!
//! The network part needs the `http` cargo feature (on by default);
//! without it these checks are evaluation errors (deny).

use std::path::PathBuf;

use crate::rules::{EvalError, RemoteCheck};
use crate::value::{Value, float_repr, str_repr};

/// `remote_content_type`: how the payload is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentType {
    /// `application/x-www-form-urlencoded` (the default): three form
    /// fields, each a JSON document.
    #[default]
    Form,
    /// `application/json`: one JSON object `{"rule", "target", "credentials"}`.
    Json,
}

/// The `[oslo_policy] remote_*` options.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOptions {
    /// `remote_content_type`.
    pub content_type: ContentType,
    /// `remote_ssl_verify_server_crt` (default false, as in the reference).
    pub ssl_verify_server_crt: bool,
    /// `remote_ssl_ca_crt_file`.
    pub ssl_ca_crt_file: Option<PathBuf>,
    /// `remote_ssl_client_crt_file`.
    pub ssl_client_crt_file: Option<PathBuf>,
    /// `remote_ssl_client_key_file`.
    pub ssl_client_key_file: Option<PathBuf>,
    /// `remote_timeout` in seconds (default 60), for connecting and for
    /// each wait on the server.
    pub timeout: f64,
    /// An option the configuration could not give (`ConfigFileValueError:
    /// …`): like the reference, which reads the options only when an
    /// http/https check runs, every such check raises it.
    pub invalid: Option<String>,
}

impl RemoteOptions {
    /// The reference's defaults.
    pub const DEFAULT: RemoteOptions = RemoteOptions {
        content_type: ContentType::Form,
        ssl_verify_server_crt: false,
        ssl_ca_crt_file: None,
        ssl_client_crt_file: None,
        ssl_client_key_file: None,
        timeout: 60.0,
        invalid: None,
    };
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions::DEFAULT
    }
}

/// The checks with these options (the enforcer's).
impl RemoteCheck for RemoteOptions {
    fn check(
        &self,
        kind: &str,
        pattern: &str,
        target: &Value,
        creds: &Value,
        current_rule: Option<&str>,
    ) -> Result<bool, EvalError> {
        check(kind, pattern, target, creds, current_rule, self)
    }

    fn built_in(&self) -> bool {
        cfg!(feature = "http")
    }
}

/// `http:`/`https:` checks without configuration, as with
/// `oslopolicy-checker`'s stand-in enforcer (`FakeEnforcer` without
/// `--enforcer_config`): they raise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unconfigured;

impl RemoteCheck for Unconfigured {
    fn check(
        &self,
        kind: &str,
        pattern: &str,
        target: &Value,
        _creds: &Value,
        _current_rule: Option<&str>,
    ) -> Result<bool, EvalError> {
        // `https:` formats its URL before it looks at the enforcer.
        if kind == "https" {
            url(kind, pattern, target)?;
        }
        Err(EvalError::new(
            "AttributeError",
            "'NoneType' object has no attribute 'oslo_policy'",
        ))
    }

    fn built_in(&self) -> bool {
        cfg!(feature = "http")
    }
}

/// Evaluates one `http:`/`https:` atom. `current_rule` is the name given
/// to `enforce` (`None` when a check is called directly).
fn check(
    kind: &str,
    pattern: &str,
    target: &Value,
    creds: &Value,
    current_rule: Option<&str>,
    options: &RemoteOptions,
) -> Result<bool, EvalError> {
    if let Some(e) = &options.invalid {
        return Err(EvalError::from_text(e.clone()));
    }
    let url = url(kind, pattern, target)?;
    let tls = if kind == "https" {
        Some(client_files(options)?)
    } else {
        None
    };
    let Value::Dict(_) = target else {
        return Err(EvalError::new(
            "AttributeError",
            format!("'{}' object has no attribute 'keys'", target.type_name()),
        ));
    };
    let rule = current_rule.map_or(Value::None, Value::str);
    let (content_type, body) = match options.content_type {
        ContentType::Form => {
            let fields = [
                ("rule", dumps(&rule, true)?),
                ("target", dumps(target, true)?),
                ("credentials", dumps(creds, true)?),
            ];
            let body = fields
                .iter()
                .map(|(k, v)| format!("{k}={}", quote_plus(v)))
                .collect::<Vec<_>>()
                .join("&");
            ("application/x-www-form-urlencoded", body)
        }
        ContentType::Json => {
            let payload = Value::Dict(vec![
                (Value::str("rule"), rule),
                (Value::str("target"), target.clone()),
                (Value::str("credentials"), creds.clone()),
            ]);
            let body = dumps(&payload, false)
                .map_err(|e| EvalError::new("InvalidJSONError", e.message().to_owned()))?;
            ("application/json", body)
        }
    };
    // urllib3 refuses a timeout that is not positive (oslo.config lets
    // remote_timeout be 0).
    if options.timeout <= 0.0 {
        return Err(EvalError::new(
            "ValueError",
            format!(
                "Attempted to set connect timeout to {}, but the timeout cannot be \
             set to a value less than or equal to 0.",
                float_repr(options.timeout)
            ),
        ));
    }
    let response = transport::post(&url, content_type, body.into_bytes(), tls, options)?;
    Ok(is_true(&response))
}

/// `(KIND + ':' + match) % target`: the check's URL (a missing key is a
/// `KeyError`, not a false check as elsewhere).
///
/// # Errors
/// The formatting error the reference raises.
fn url(kind: &str, pattern: &str, target: &Value) -> Result<String, EvalError> {
    crate::pyformat::format(&format!("{kind}:{pattern}"), target)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| match e {
            crate::pyformat::FormatError::MissingKey(k) => EvalError::new("KeyError", str_repr(&k)),
            crate::pyformat::FormatError::Invalid(m) => EvalError::from_text(m),
        })
}

/// Which client certificate, key and server verification an `https:`
/// check uses, after the reference's file checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TlsFiles {
    /// The client certificate (PEM), when configured.
    cert: Option<PathBuf>,
    /// The client key (PEM), when configured.
    key: Option<PathBuf>,
    /// Verify the server: `None` no, `Some(None)` against the built-in
    /// roots, `Some(Some(ca))` against that CA file.
    verify: Option<Option<PathBuf>>,
}

fn client_files(options: &RemoteOptions) -> Result<TlsFiles, EvalError> {
    let check = |path: &Option<PathBuf>, what: &str, sep: &str| -> Result<(), EvalError> {
        let Some(p) = path.as_ref().filter(|p| !p.as_os_str().is_empty()) else {
            return Ok(());
        };
        if std::fs::metadata(p).is_err() {
            return Err(EvalError::new(
                "RuntimeError",
                format!("Unable to find ssl {what}{sep}: {}", p.display()),
            ));
        }
        if std::fs::File::open(p).is_err() {
            return Err(EvalError::new(
                "RuntimeError",
                format!("Unable to access ssl {what}  : {}", p.display()),
            ));
        }
        Ok(())
    };
    // The reference's messages, spaces included.
    check(&options.ssl_client_crt_file, "cert_file", "  ")?;
    check(&options.ssl_client_key_file, "key_file", " ")?;
    let non_empty = |p: &Option<PathBuf>| p.clone().filter(|p| !p.as_os_str().is_empty());
    let verify = if options.ssl_verify_server_crt {
        match non_empty(&options.ssl_ca_crt_file) {
            Some(ca) => {
                if std::fs::metadata(&ca).is_err() {
                    return Err(EvalError::new(
                        "RuntimeError",
                        format!("Unable to find ca cert_file  : {}", ca.display()),
                    ));
                }
                Some(Some(ca))
            }
            None => Some(None),
        }
    } else {
        None
    };
    Ok(TlsFiles {
        cert: non_empty(&options.ssl_client_crt_file),
        key: non_empty(&options.ssl_client_key_file),
        verify,
    })
}

/// `r.text.lstrip('"').rstrip('"') == 'True'` on the response body,
/// decoded as `requests` decodes it: ASCII-compatible charsets (or none)
/// as UTF-8, the UTF-16 family with its byte order and BOM, and any other
/// declared charset denied (a known non-ASCII codec would not read
/// `True`; an unknown one fails closed here).
fn is_true(response: &Response) -> bool {
    let body = response.body.as_slice();
    let utf16 = |little: bool, bytes: &[u8]| {
        let mut units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|u| match u {
                [a, b] if little => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        if bytes.len() % 2 == 1 {
            units.push(0xFFFD);
        }
        String::from_utf16_lossy(&units)
    };
    let normalized = response
        .charset
        .as_deref()
        .map(|c| c.replace('_', "-").to_ascii_lowercase());
    let text: String = match normalized.as_deref() {
        None
        | Some(
            "utf-8" | "utf8" | "u8" | "ascii" | "us-ascii" | "iso-8859-1" | "iso8859-1" | "latin-1"
            | "latin1" | "l1" | "cp1252" | "windows-1252",
        ) => String::from_utf8_lossy(body).into_owned(),
        Some("utf-8-sig") => {
            String::from_utf8_lossy(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)).into_owned()
        }
        Some("utf-16" | "utf16" | "u16") => match body {
            [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
            [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
            _ => utf16(true, body),
        },
        Some("utf-16-le" | "utf-16le") => utf16(true, body),
        Some("utf-16-be" | "utf-16be") => utf16(false, body),
        Some(_) => return false,
    };
    text.trim_start_matches('"').trim_end_matches('"') == "True"
}

/// What the server answered (after redirects; the status does not
/// matter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    /// The `charset` of its `Content-Type`, lower-cased.
    charset: Option<String>,
    /// The body, decompressed.
    body: Vec<u8>,
}

/// `json.dumps(value)` with the defaults `jsonutils.dumps` keeps:
/// `", "`/`": "` separators, non-ASCII escaped, floats as `repr()`, and
/// `NaN`/`Infinity` allowed unless `strict` (then `ValueError`, as
/// `allow_nan=False` raises).
pub(crate) fn dumps(value: &Value, allow_nan: bool) -> Result<String, EvalError> {
    let mut out = String::new();
    // An explicit stack: nesting depth comes from the caller's input.
    enum Step<'a> {
        Value(&'a Value),
        Text(&'static str),
        Key(&'a Value),
    }
    let mut stack = vec![Step::Value(value)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Key(k) => {
                match k {
                    Value::Str(s) => pycompat::json::push_str(&mut out, s),
                    Value::Bool(b) => {
                        pycompat::json::push_str(&mut out, if *b { "true" } else { "false" })
                    }
                    Value::None => pycompat::json::push_str(&mut out, "null"),
                    Value::Int(i) => pycompat::json::push_str(&mut out, i),
                    Value::Float(f) => {
                        pycompat::json::push_str(&mut out, &float_text(*f, allow_nan)?)
                    }
                    other => {
                        return Err(EvalError::new(
                            "TypeError",
                            format!(
                                "keys must be str, int, float, bool or None, not {}",
                                other.type_name()
                            ),
                        ));
                    }
                }
                out.push_str(": ");
            }
            Step::Value(v) => match v {
                Value::None => out.push_str("null"),
                Value::Bool(true) => out.push_str("true"),
                Value::Bool(false) => out.push_str("false"),
                Value::Int(i) => out.push_str(i),
                Value::Float(f) => out.push_str(&float_text(*f, allow_nan)?),
                Value::Str(s) => pycompat::json::push_str(&mut out, s),
                Value::Other { str, .. } => pycompat::json::push_str(&mut out, str),
                Value::List(items) => {
                    out.push('[');
                    stack.push(Step::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Step::Value(item));
                        if i > 0 {
                            stack.push(Step::Text(", "));
                        }
                    }
                }
                Value::Dict(items) => {
                    out.push('{');
                    stack.push(Step::Text("}"));
                    for (i, (k, item)) in items.iter().enumerate().rev() {
                        stack.push(Step::Value(item));
                        stack.push(Step::Key(k));
                        if i > 0 {
                            stack.push(Step::Text(", "));
                        }
                    }
                }
            },
        }
    }
    Ok(out)
}

fn float_text(f: f64, allow_nan: bool) -> Result<String, EvalError> {
    if f.is_finite() {
        return Ok(float_repr(f));
    }
    if !allow_nan {
        return Err(EvalError::new(
            "ValueError",
            format!(
                "Out of range float values are not JSON compliant: {}",
                float_repr(f)
            ),
        ));
    }
    Ok(if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
    .to_owned())
}

/// `urllib.parse.quote_plus` of an ASCII string (the JSON documents are).
fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `requests.utils.requote_uri`: percent-encode what may not appear in a
/// URL, leaving reserved characters and valid `%XX` escapes alone (and
/// decoding escapes of unreserved characters).
#[cfg_attr(not(feature = "http"), allow(dead_code))]
pub(crate) fn requote_uri(uri: &str) -> String {
    const SAFE: &str = "!#$&'()*+,/:;=?@[]~";
    let unreserved = |c: u8| c.is_ascii_alphanumeric() || b"-._~".contains(&c);
    let hex = |c: u8| char::from(c).to_digit(16);
    let bytes = uri.as_bytes();
    // unquote_unreserved: fails (and everything is quoted, `%` included)
    // on a `%` not followed by two hex digits.
    let mut unquoted = Vec::with_capacity(bytes.len());
    let mut valid = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) if h.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() => {
                    match (hex(h), hex(l)) {
                        (Some(hv), Some(lv)) => {
                            let c = u8::try_from(hv * 16 + lv).unwrap_or(0);
                            if unreserved(c) {
                                unquoted.push(c);
                            } else {
                                unquoted.extend_from_slice(&[
                                    b'%',
                                    h.to_ascii_uppercase(),
                                    l.to_ascii_uppercase(),
                                ]);
                            }
                            i += 3;
                            continue;
                        }
                        _ => {
                            valid = false;
                            break;
                        }
                    }
                }
                _ => {
                    unquoted.push(b);
                }
            }
        } else {
            unquoted.push(b);
        }
        i += 1;
    }
    let (source, keep_percent) = if valid {
        (unquoted, true)
    } else {
        (bytes.to_vec(), false)
    };
    let mut out = String::with_capacity(source.len());
    for b in source {
        if unreserved(b) || SAFE.as_bytes().contains(&b) || (keep_percent && b == b'%') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL `requests` sends a request to, built from urllib3's reading
/// of it: the host part ends at the first `/`, `\\`, `?` or `#`; the
/// fragment and an empty query are dropped, an empty path becomes `/`,
/// `.`/`..` segments are removed, characters a path or query may not hold
/// are percent-encoded per part (every `%` too when one is not a valid
/// escape), then [`requote_uri`]. User information in the host part
/// (`user@host`) is refused: it would send credentials, and a
/// backslash-and-`@` host is read differently by other URL parsers.
///
/// # Errors
/// `InvalidURL` for a missing host or one with user information.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
pub(crate) fn request_url(url: &str) -> Result<String, EvalError> {
    const PATH: &str = "-._~!$&'()*+,;=:@/";
    let invalid = |why: &str| EvalError::new("InvalidURL", format!("Invalid URL '{url}': {why}"));
    let without_fragment = url.split('#').next().unwrap_or("");
    let Some((scheme, rest)) = without_fragment.split_once("://") else {
        return Err(invalid("No host supplied"));
    };
    let authority_end = rest.find(['/', '\\', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let host = authority.rsplit_once(':').map_or(authority, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            authority
        }
    });
    if host.is_empty() {
        return Err(invalid("No host supplied"));
    }
    if authority.contains('@') {
        return Err(invalid(
            "user information in the URL is not supported for policy checks",
        ));
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = match path {
        "" => "/".to_owned(),
        p if p.starts_with('/') => remove_dot_segments(p),
        p => format!("/{}", remove_dot_segments(p)),
    };
    let mut out = format!(
        "{scheme}://{authority}{}",
        encode_invalid_chars(&path, PATH)
    );
    if !query.is_empty() {
        out.push('?');
        out.push_str(&encode_invalid_chars(query, "-._~!$&'()*+,;=:@/?"));
    }
    Ok(requote_uri(&out))
}

/// urllib3's `_encode_invalid_chars`: valid `%XX` escapes upper-cased and
/// kept when every `%` of `component` starts one (else each `%` becomes
/// `%25`), ASCII letters, digits and `allowed` kept, everything else
/// percent-encoded as UTF-8.
fn encode_invalid_chars(component: &str, allowed: &str) -> String {
    let bytes = component.as_bytes();
    let escape_at = |i: usize| {
        bytes.get(i) == Some(&b'%')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    let percents = bytes.iter().filter(|&&b| b == b'%').count();
    let escapes = (0..bytes.len()).filter(|&i| escape_at(i)).count();
    let keep_percent = escapes == percents;
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if escape_at(i) {
            let h = bytes
                .get(i + 1)
                .copied()
                .unwrap_or(b'0')
                .to_ascii_uppercase();
            let l = bytes
                .get(i + 2)
                .copied()
                .unwrap_or(b'0')
                .to_ascii_uppercase();
            if keep_percent {
                out.push('%');
            } else {
                out.push_str("%25");
            }
            out.push(char::from(h));
            out.push(char::from(l));
            i += 3;
            continue;
        }
        if b.is_ascii_alphanumeric() || (b.is_ascii() && allowed.as_bytes().contains(&b)) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

/// urllib3's `_remove_path_dot_segments`.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." => {}
            ".." => {
                output.pop();
            }
            s => output.push(s),
        }
    }
    if path.starts_with('/') && output.first().is_none_or(|s| !s.is_empty()) {
        output.insert(0, "");
    }
    if path.ends_with("/.") || path.ends_with("/..") {
        output.push("");
    }
    output.join("/")
}

/// `urljoin(base, location)` for a redirect's `Location`, as `requests`
/// resolves it: tabs and line breaks removed, an empty location or a
/// fragment alone meaning the same URL, only `http`/`https` schemes
/// (others are `InvalidSchema`), `http:path` relative to the base.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
fn join_location(base: &str, location: &str) -> Result<String, EvalError> {
    let cleaned: String = location
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut location = cleaned.trim_matches(|c: char| c <= ' ');
    let base = base.split('#').next().unwrap_or("");
    let (base_scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if location.is_empty() || location.starts_with('#') {
        return Ok(base.to_owned());
    }
    if let Some((scheme, after)) = location.split_once(':') {
        let is_scheme = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            if lower != "http" && lower != "https" {
                return Err(EvalError::new(
                    "InvalidSchema",
                    format!("No connection adapters were found for '{location}'"),
                ));
            }
            if after.starts_with("//") || !lower.eq_ignore_ascii_case(base_scheme) {
                return Ok(format!("{lower}:{after}"));
            }
            location = after;
            if location.is_empty() {
                return Ok(base.to_owned());
            }
        }
    }
    if let Some(net) = location.strip_prefix("//") {
        return Ok(format!("{base_scheme}://{net}"));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let path = path.split('?').next().unwrap_or("");
    if location.starts_with('/') {
        return Ok(format!("{base_scheme}://{authority}{location}"));
    }
    if location.starts_with('?') {
        return Ok(format!("{base_scheme}://{authority}{path}{location}"));
    }
    let dir = path
        .rfind('/')
        .map_or("/", |i| path.get(..=i).unwrap_or("/"));
    Ok(format!("{base_scheme}://{authority}{dir}{location}"))
}

#[cfg(feature = "http")]
mod transport {
    use super::*;
    use std::time::Duration;
    use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

    /// Requests' cap on redirects.
    const MAX_REDIRECTS: usize = 30;

    fn timeout_error() -> EvalError {
        EvalError::new("RuntimeError", "Timeout in REST API call")
    }

    fn describe(url: &str, e: ureq::Error) -> EvalError {
        match e {
            ureq::Error::Timeout(_) => timeout_error(),
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                timeout_error()
            }
            ureq::Error::BadUri(m) => {
                EvalError::new("InvalidURL", format!("Invalid URL '{url}': {m}"))
            }
            ureq::Error::Tls(m) => EvalError::new("SSLError", format!("{url}: {m}")),
            ureq::Error::Rustls(m) => EvalError::new("SSLError", format!("{url}: {m}")),
            other => EvalError::new("ConnectionError", format!("{url}: {other}")),
        }
    }

    fn read_pem(path: &PathBuf) -> Result<Vec<PemItem<'static>>, EvalError> {
        let bytes = std::fs::read(path)
            .map_err(|e| EvalError::new("SSLError", format!("{}: {e}", path.display())))?;
        ureq::tls::parse_pem(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| EvalError::new("SSLError", format!("{}: {e}", path.display())))
    }

    fn tls_config(files: &TlsFiles) -> Result<TlsConfig, EvalError> {
        let mut builder = TlsConfig::builder();
        match &files.verify {
            None => builder = builder.disable_verification(true),
            Some(None) => {}
            Some(Some(ca)) => {
                let certs: Vec<Certificate<'static>> = read_pem(ca)?
                    .into_iter()
                    .filter_map(|i| match i {
                        PemItem::Certificate(c) => Some(c),
                        _ => None,
                    })
                    .collect();
                builder = builder.root_certs(RootCerts::new_with_certs(&certs));
            }
        }
        if let Some(cert) = &files.cert {
            // Without a key file the key must be in the certificate file.
            let mut items = read_pem(cert)?;
            if let Some(key) = &files.key {
                items.extend(read_pem(key)?);
            }
            let mut chain = Vec::new();
            let mut key: Option<PrivateKey<'static>> = None;
            for item in items {
                match item {
                    PemItem::Certificate(c) => chain.push(c),
                    PemItem::PrivateKey(k) => key = key.or(Some(k)),
                    _ => {}
                }
            }
            let key = key.ok_or_else(|| {
                EvalError::new(
                    "SSLError",
                    format!(
                        "{}: no private key for the client certificate",
                        cert.display()
                    ),
                )
            })?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        Ok(builder.build())
    }

    pub(super) fn post(
        url: &str,
        content_type: &str,
        body: Vec<u8>,
        tls: Option<TlsFiles>,
        options: &RemoteOptions,
    ) -> Result<Response, EvalError> {
        // Positive (checked by the caller); NaN and infinity wait forever.
        let timeout = options
            .timeout
            .is_finite()
            .then(|| Duration::from_secs_f64(options.timeout.clamp(1e-9, 1e9)));
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("oslo-policy-rs/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(timeout)
            .timeout_recv_response(timeout)
            .timeout_recv_body(timeout)
            .timeout_send_body(timeout)
            // Environment proxies are not used (ureq and requests choose
            // among them differently): policy servers are reached directly.
            .proxy(None);
        if let Some(files) = &tls {
            config = config.tls_config(tls_config(files)?);
        }
        let agent: ureq::Agent = config.build().into();
        let mut url = url.to_owned();
        let mut post_body = Some(body);
        for _ in 0..=MAX_REDIRECTS {
            url = request_url(&url)?;
            let result = match &post_body {
                Some(b) => agent
                    .post(&url)
                    .header("Content-Type", content_type)
                    .send(b.as_slice()),
                None => agent.get(&url).call(),
            };
            let mut response = result.map_err(|e| describe(&url, e))?;
            let status = response.status().as_u16();
            let location = response.headers().get("location").map(|l| l.as_bytes());
            if let (true, Some(location)) =
                (matches!(status, 301 | 302 | 303 | 307 | 308), location)
            {
                // requests decodes the header as UTF-8 and raises if it
                // is not.
                let location = std::str::from_utf8(location).map_err(|e| {
                    EvalError::new(
                        "UnicodeDecodeError",
                        format!("'utf-8' codec can't decode the Location header: {e}"),
                    )
                })?;
                if matches!(status, 301..=303) {
                    post_body = None;
                }
                url = join_location(&url, location)?;
                continue;
            }
            // The last `charset` parameter wins, as in requests.
            let charset = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.split(';')
                        .skip(1)
                        .filter_map(|p| {
                            let (k, v) = p.split_once('=')?;
                            (k.trim().eq_ignore_ascii_case("charset"))
                                .then(|| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
                        })
                        .last()
                });
            let body = response
                .body_mut()
                .read_to_vec()
                .map_err(|e| describe(&url, e))?;
            return Ok(Response { charset, body });
        }
        Err(EvalError::new(
            "TooManyRedirects",
            format!("Exceeded {MAX_REDIRECTS} redirects."),
        ))
    }
}

#[cfg(not(feature = "http"))]
mod transport {
    use super::*;

    pub(super) fn post(
        url: &str,
        _content_type: &str,
        _body: Vec<u8>,
        _tls: Option<TlsFiles>,
        _options: &RemoteOptions,
    ) -> Result<Response, EvalError> {
        let kind = url.split(':').next().unwrap_or("http");
        // Not the reference's (it always has these checks): no class.
        Err(EvalError::new(
            "",
            format!(
                "{kind}: external checks need oslo-policy's `http` feature, which this build lacks"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        Value::from_json(&serde_json::from_str(s).unwrap_or(serde_json::Value::Null))
    }

    #[test]
    fn dumps_like_python() {
        assert_eq!(
            dumps(
                &json(r#"{"a": [1, 2.5, true, null, "x\"é😀\u007f"], "b": {}}"#),
                true
            )
            .ok(),
            Some(
                r#"{"a": [1, 2.5, true, null, "x\"\u00e9\ud83d\ude00\u007f"], "b": {}}"#.to_owned()
            )
        );
        assert_eq!(dumps(&Value::Float(1e16), true).ok(), Some("1e+16".into()));
        assert_eq!(
            dumps(&Value::Float(f64::NAN), true).ok(),
            Some("NaN".into())
        );
        assert!(dumps(&Value::Float(f64::INFINITY), false).is_err());
        let keys = Value::Dict(vec![
            (Value::Bool(true), Value::None),
            (Value::Float(1.0), Value::None),
            (Value::None, Value::List(vec![])),
        ]);
        assert_eq!(
            dumps(&keys, true).ok(),
            Some(r#"{"true": null, "1.0": null, "null": []}"#.to_owned())
        );
        // Deep nesting is no stack overflow.
        let mut deep = Value::None;
        for _ in 0..100_000 {
            deep = Value::List(vec![deep]);
        }
        assert_eq!(dumps(&deep, true).map(|s| s.len()).ok(), Some(200_004));
        std::mem::forget(deep);
    }

    #[test]
    fn form_quoting_and_requote() {
        assert_eq!(
            quote_plus(r#"{"a": "b/c"}"#),
            "%7B%22a%22%3A+%22b%2Fc%22%7D"
        );
        assert_eq!(
            requote_uri("http://h/a b/%41%2F?x=é"),
            "http://h/a%20b/A%2F?x=%C3%A9"
        );
        assert_eq!(requote_uri("http://h/100%zz"), "http://h/100%25zz");
        // What requests.Request('POST', url).prepare() sends (path part).
        for (url, sent) in [
            ("http://h/a b/é?#frag", "http://h/a%20b/%C3%A9"),
            ("http://h/x?", "http://h/x"),
            ("http://h/a/../b/./c", "http://h/b/c"),
            ("http://h/%7e%41%2f", "http://h/~A%2F"),
            ("http://h/p?a=1#f", "http://h/p?a=1"),
            ("http://h/a/b/..", "http://h/a/"),
            ("http://h", "http://h/"),
            ("http://h/a%zz b", "http://h/a%25zz%20b"),
            ("http://h//a/./", "http://h//a/"),
            ("http://h/ü?ü=ü", "http://h/%C3%BC?%C3%BC=%C3%BC"),
        ] {
            assert_eq!(request_url(url).ok().as_deref(), Some(sent), "{url}");
        }
        assert!(request_url("http:foo").is_err());
        assert!(request_url("http:///x").is_err());
        assert!(request_url("http://u@h/x").is_err());
        // The host ends at a backslash, as urllib3 reads it.
        assert_eq!(
            request_url("http://127.0.0.1:1\\@127.0.0.1:2/x")
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:1/%5C@127.0.0.1:2/x")
        );
        // `%` per part, as urllib3 encodes it.
        for (url, sent) in [
            ("http://h/%", "http://h/%25"),
            ("http://h/a b%", "http://h/a%20b%25"),
            ("http://h/%41?q=%zz", "http://h/A?q=%25zz"),
            ("http://h/%zz?%41", "http://h/%25zz?A"),
            ("http://h/[1, 'a b']", "http://h/%5B1,%20'a%20b'%5D"),
        ] {
            assert_eq!(request_url(url).ok().as_deref(), Some(sent), "{url}");
        }
        let join = |b: &str, l: &str| join_location(b, l).ok();
        assert_eq!(
            join("http://h:1/a/b?q", "c").as_deref(),
            Some("http://h:1/a/c")
        );
        assert_eq!(
            join("http://h:1/a/b", "/c").as_deref(),
            Some("http://h:1/c")
        );
        assert_eq!(join("https://h/a", "//g/x").as_deref(), Some("https://g/x"));
        assert_eq!(
            join("http://h/d/f", "?q").as_deref(),
            Some("http://h/d/f?q")
        );
        assert_eq!(join("http://h/d/f", "#x").as_deref(), Some("http://h/d/f"));
        assert_eq!(join("http://h/d/f", "").as_deref(), Some("http://h/d/f"));
        assert_eq!(
            join("http://h/d/f", "http:/p").as_deref(),
            Some("http://h/p")
        );
        assert_eq!(
            join("http://h/d/f", "http:r").as_deref(),
            Some("http://h/d/r")
        );
        assert_eq!(
            join("http://h/d/f", "/a\tb").as_deref(),
            Some("http://h/ab")
        );
        assert!(join("http://h/d/f", "mailto:x@y").is_none());
    }

    #[test]
    fn body_is_true() {
        let r = |body: &[u8], charset: Option<&str>| Response {
            charset: charset.map(str::to_owned),
            body: body.to_vec(),
        };
        assert!(is_true(&r(b"True", None)));
        assert!(is_true(&r(b"\"\"True\"", None)));
        assert!(!is_true(&r(b"true", None)));
        assert!(!is_true(&r(b" True", None)));
        assert!(is_true(&r(b"T\0r\0u\0e\0", Some("utf-16le"))));
        assert!(!is_true(&r(b"T\0r\0u\0e\0X", Some("utf-16le"))));
        assert!(is_true(&r(b"\xFE\xFF\0T\0r\0u\0e", Some("utf-16"))));
        assert!(!is_true(&r(b"True", Some("utf-32"))));
        assert!(!is_true(&r(b"True", Some("cp500"))));
        assert!(is_true(&r(b"\xEF\xBB\xBFTrue", Some("utf-8-sig"))));
    }

    #[test]
    fn missing_files_and_keys() {
        let opts = RemoteOptions {
            ssl_client_crt_file: Some("/nonexistent/cert.pem".into()),
            ..RemoteOptions::DEFAULT
        };
        let target = json(r#"{"a": "b"}"#);
        let creds = json("{}");
        assert_eq!(
            check("https", "//h/%(a)s", &target, &creds, None, &opts),
            Err(EvalError::new(
                "RuntimeError",
                "Unable to find ssl cert_file  : /nonexistent/cert.pem"
            ))
        );
        assert_eq!(
            check("http", "//h/%(zz)s", &target, &creds, None, &opts),
            Err(EvalError::new("KeyError", "'zz'"))
        );
    }
}
