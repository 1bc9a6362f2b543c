//! `types.URI`: `rfc3986.uri_reference(value)` checked by a
//! `rfc3986.validators.Validator` that requires a scheme and a host and
//! checks scheme, host and path (rfc3986 2.0.0), with its exception texts.
//!
//! The regular expressions are rfc3986's own (`abnf_regexp.py`), built the
//! same way; Python's `$` (end, or before a final newline) becomes
//! `\n?\z`, which is equivalent here because none of the matched
//! components can contain a newline before it.

use std::sync::OnceLock;

use fancy_regex::Regex;
use pycompat::value::str_repr;

use super::Exc;

const UNRESERVED_RE: &str = r"A-Za-z0-9._~\-";
const SUB_DELIMITERS_RE: &str = r"!$&'()\*+,;=";
const PCT_ENCODED: &str = "%[A-Fa-f0-9]{2}";
const SCHEME_RE: &str = "[a-zA-Z][a-zA-Z0-9+.-]*";
const IPV4_RE: &str = r"([0-9]{1,3}\.){3}[0-9]{1,3}";
const HEXDIG_RE: &str = "[0-9A-Fa-f]{1,4}";
const PY_END: &str = r"\n?\z";

/// `GENERIC_DELIMITERS | SUB_DELIMITERS | UNRESERVED` (ASCII bytes a
/// component may keep unencoded).
fn non_pct_encoded(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b":/?#[]@!$&'()*+,;=._!-~".contains(&b)
}

fn ipv6_re() -> String {
    let hex = HEXDIG_RE;
    let ls32 = ["(", hex, ":", hex, "|", IPV4_RE, ")"].concat();
    let variations = [
        ["(", hex, ":){6}", &ls32].concat(),
        ["::(", hex, ":){5}", &ls32].concat(),
        ["(", hex, ")?::(", hex, ":){4}", &ls32].concat(),
        ["((", hex, ":)?", hex, ")?::(", hex, ":){3}", &ls32].concat(),
        ["((", hex, ":){0,2}", hex, ")?::(", hex, ":){2}", &ls32].concat(),
        ["((", hex, ":){0,3}", hex, ")?::", hex, ":", &ls32].concat(),
        ["((", hex, ":){0,4}", hex, ")?::", &ls32].concat(),
        ["((", hex, ":){0,5}", hex, ")?::", hex].concat(),
        ["((", hex, ":){0,6}", hex, ")?::"].concat(),
    ];
    let inner: Vec<String> = variations.iter().map(|v| format!("({v})")).collect();
    format!("({})", inner.join("|"))
}

struct Patterns {
    uri: Regex,
    subauthority: Regex,
    host: Regex,
    ipv4: Regex,
    ipv6: Regex,
    ipv6_no_rfc4007: Regex,
    path: Regex,
    scheme: Regex,
}

fn build() -> Option<Patterns> {
    let authority = r"[^\\/?#]*";
    let uri = [
        r"\A(?:(?P<scheme>",
        SCHEME_RE,
        r"):)?(?://(?P<authority>",
        authority,
        r"))?(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?",
    ]
    .concat();
    let reg_name = [
        "((?:%[0-9A-Fa-f]{2}|[",
        SUB_DELIMITERS_RE,
        UNRESERVED_RE,
        "])*)",
    ]
    .concat();
    let ipv6 = ipv6_re();
    let ipv_future = [r"v[0-9A-Fa-f]+\.[", UNRESERVED_RE, SUB_DELIMITERS_RE, ":]+"].concat();
    let zone_id = ["(?:[", UNRESERVED_RE, "]|", PCT_ENCODED, ")+"].concat();
    let ipv6_addrz_rfc4007 = [ipv6.as_str(), "(?:(?:%25|%)", &zone_id, ")?"].concat();
    let ipv6_addrz = [ipv6.as_str(), "(?:%25", &zone_id, ")?"].concat();
    let ip_literal = [r"\[(", &ipv6_addrz_rfc4007, "|", &ipv_future, r")\]"].concat();
    let host_re = ["(", &reg_name, "|", IPV4_RE, "|", &ip_literal, ")"].concat();
    let userinfo = [
        "^([",
        UNRESERVED_RE,
        SUB_DELIMITERS_RE,
        ":]|",
        PCT_ENCODED,
        ")+",
    ]
    .concat();
    let subauthority = [
        "^(?:(?P<userinfo>",
        &userinfo,
        ")@)?(?P<host>",
        &host_re,
        "):?(?P<port>[0-9]{1,5})?",
        PY_END,
    ]
    .concat();
    let pchar = [
        "([",
        UNRESERVED_RE,
        SUB_DELIMITERS_RE,
        ":@]|",
        PCT_ENCODED,
        ")",
    ]
    .concat();
    let segment = [pchar.as_str(), "*"].concat();
    let segment_nz = [pchar.as_str(), "+"].concat();
    let segment_nz_nc = [pchar.replace(':', "").as_str(), "+"].concat();
    let rootless = [segment_nz.as_str(), "(/", &segment, ")*"].concat();
    let noscheme = [segment_nz_nc.as_str(), "(/", &segment, ")*"].concat();
    let absolute = ["/(", rootless.as_str(), ")?"].concat();
    let abempty = ["(/", segment.as_str(), ")*"].concat();
    let path = [
        "^(", &abempty, "|", &absolute, "|", &noscheme, "|", &rootless, "|^$)", PY_END,
    ]
    .concat();
    Some(Patterns {
        uri: Regex::new(&uri).ok()?,
        subauthority: Regex::new(&subauthority).ok()?,
        host: Regex::new(&["^", &host_re, PY_END].concat()).ok()?,
        ipv4: Regex::new(&["^", IPV4_RE, PY_END].concat()).ok()?,
        ipv6: Regex::new(&[r"^\[", &ipv6_addrz_rfc4007, r"\]", PY_END].concat()).ok()?,
        ipv6_no_rfc4007: Regex::new(&[r"^\[", &ipv6_addrz, r"\]", PY_END].concat()).ok()?,
        path: Regex::new(&path).ok()?,
        scheme: Regex::new(&["^", SCHEME_RE, PY_END].concat()).ok()?,
    })
}

fn patterns() -> Result<&'static Patterns, Exc> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(build)
        .as_ref()
        .ok_or_else(|| Exc::value("internal error: rfc3986 patterns do not compile"))
}

fn matches(re: &Regex, s: &str) -> bool {
    re.is_match(s).unwrap_or(false)
}

/// `normalizers.encode_component`: bytes outside the URI character set
/// become `%XX`; `%` is kept only if every `%` starts a valid escape.
fn encode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let escapes = count_escapes(bytes);
    let percents = bytes.iter().filter(|&&b| b == b'%').count();
    let keep_percent = escapes == percents;
    let mut out = String::with_capacity(s.len());
    for &b in bytes {
        if (keep_percent && b == b'%') || (b < 128 && non_pct_encoded(b)) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Non-overlapping `%[A-Fa-f0-9]{2}` matches.
fn count_escapes(b: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'%')
            && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            n += 1;
            i += 3;
        } else {
            i += 1;
        }
    }
    n
}

/// A parsed `URIReference`.
struct UriRef {
    scheme: Option<String>,
    authority: Option<String>,
    path: Option<String>,
    query: Option<String>,
    fragment: Option<String>,
}

impl UriRef {
    fn parse(p: &Patterns, s: &str) -> UriRef {
        let caps = p.uri.captures(s).ok().flatten();
        let group = |name: &str| {
            caps.as_ref()
                .and_then(|c| c.name(name))
                .map(|m| m.as_str().to_owned())
        };
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        UriRef {
            scheme: non_empty(group("scheme")),
            authority: non_empty(group("authority")),
            path: non_empty(Some(encode_component(&group("path").unwrap_or_default()))),
            query: group("query").map(|q| encode_component(&q)),
            fragment: group("fragment").map(|f| encode_component(&f)),
        }
    }

    fn repr(&self) -> String {
        let r = |v: &Option<String>| v.as_deref().map_or("None".to_owned(), str_repr);
        format!(
            "URIReference(scheme={}, authority={}, path={}, query={}, fragment={})",
            r(&self.scheme),
            r(&self.authority),
            r(&self.path),
            r(&self.query),
            r(&self.fragment)
        )
    }

    /// `authority_info()['host']`; `Err` for `InvalidAuthority`.
    fn host(&self, p: &Patterns) -> Result<Option<String>, ()> {
        let Some(authority) = &self.authority else {
            return Ok(None);
        };
        let caps = p
            .subauthority
            .captures(authority)
            .ok()
            .flatten()
            .ok_or(())?;
        let host = caps.name("host").map(|m| m.as_str().to_owned());
        if let Some(h) = &host {
            if !h.is_empty() && matches(&p.ipv4, h) && !valid_ipv4_host_address(h) {
                return Err(());
            }
        }
        Ok(host)
    }
}

/// `validators.valid_ipv4_host_address`.
fn valid_ipv4_host_address(host: &str) -> bool {
    host.trim_end_matches('\n')
        .split('.')
        .all(|b| b.parse::<u32>().is_ok_and(|n| n <= 255))
}

/// `validators.host_is_valid(host)`.
fn host_is_valid(p: &Patterns, host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    if !matches(&p.host, host) {
        return false;
    }
    if matches(&p.ipv4, host) {
        valid_ipv4_host_address(host)
    } else if matches(&p.ipv6, host) {
        matches(&p.ipv6_no_rfc4007, host)
    } else {
        true
    }
}

fn list_repr(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|s| str_repr(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// `types.URI(max_length, schemes)(value)` for a str.
pub(super) fn check(
    value: &str,
    schemes: Option<&[String]>,
    max_length: Option<usize>,
) -> Result<(), Exc> {
    let p = patterns()?;
    let uri = UriRef::parse(p, value);
    let host = uri.host(p);
    let host_value = host.clone().ok().flatten();

    let mut missing = Vec::new();
    if host_value.is_none() {
        missing.push("host");
    }
    if uri.scheme.is_none() {
        missing.push("scheme");
    }
    if !missing.is_empty() {
        let verb = if missing.len() > 1 { "were" } else { "was" };
        let msg = format!("{} {verb} required but missing", missing.join(", "));
        return Err(Exc::value(format!(
            "({}, {}, {})",
            str_repr(&msg),
            uri.repr(),
            list_repr(&missing)
        )));
    }

    let mut invalid = Vec::new();
    if !host.is_ok_and(|h| host_is_valid(p, h.as_deref())) {
        invalid.push("host");
    }
    if uri
        .path
        .as_deref()
        .is_some_and(|path| !matches(&p.path, path))
    {
        invalid.push("path");
    }
    if uri
        .scheme
        .as_deref()
        .is_some_and(|s| !matches(&p.scheme, s))
    {
        invalid.push("scheme");
    }
    if !invalid.is_empty() {
        let verb = if invalid.len() > 1 { "were" } else { "was" };
        let msg = format!("{} {verb} found to be invalid", invalid.join(", "));
        return Err(Exc::value(format!(
            "({}, {}, {})",
            str_repr(&msg),
            uri.repr(),
            list_repr(&invalid)
        )));
    }

    if let (Some(schemes), Some(scheme)) = (schemes.filter(|s| !s.is_empty()), &uri.scheme) {
        let mut allowed: Vec<String> = schemes.iter().map(|s| s.to_lowercase()).collect();
        allowed.sort();
        allowed.dedup();
        if !allowed.contains(scheme) {
            let refs: Vec<&str> = allowed.iter().map(String::as_str).collect();
            let msg = format!(
                "scheme was required to be one of {} but was {}",
                list_repr(&refs),
                str_repr(scheme)
            );
            // The reference prints a set here, in hash order; sorted here.
            let set: Vec<String> = allowed.iter().map(|s| str_repr(s)).collect();
            return Err(Exc::value(format!(
                "({}, 'scheme', {}, {{{}}})",
                str_repr(&msg),
                str_repr(scheme),
                set.join(", ")
            )));
        }
    }

    if max_length.is_some_and(|max| value.chars().count() > max) {
        return Err(Exc::value(format!(
            "Value {} exceeds maximum length {}",
            str_repr(value),
            max_length.unwrap_or_default()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(v: &str) -> String {
        check(v, None, None)
            .err()
            .map(|e| e.msg)
            .unwrap_or_default()
    }

    #[test]
    fn patterns_compile() {
        assert!(patterns().is_ok());
    }

    #[test]
    fn reference_messages() {
        assert_eq!(msg("http://a"), "");
        assert_eq!(msg("http://[::1]:80/a"), "");
        assert_eq!(msg("HTTP://h\n"), "");
        assert_eq!(msg("http://:80"), "");
        assert_eq!(
            msg("http:///x"),
            "('host was required but missing', URIReference(scheme='http', authority=None, \
             path='/x', query=None, fragment=None), ['host'])"
        );
        assert_eq!(
            msg("foo"),
            "('host, scheme were required but missing', URIReference(scheme=None, \
             authority=None, path='foo', query=None, fragment=None), ['host', 'scheme'])"
        );
        assert_eq!(
            msg("http://999.1.1.1/"),
            "('host was required but missing', URIReference(scheme='http', \
             authority='999.1.1.1', path='/', query=None, fragment=None), ['host'])"
        );
        assert_eq!(
            msg("http://[fe80::1%eth0]/"),
            "('host was found to be invalid', URIReference(scheme='http', \
             authority='[fe80::1%eth0]', path='/', query=None, fragment=None), ['host'])"
        );
        assert_eq!(
            msg("http://h/a[b"),
            "('path was found to be invalid', URIReference(scheme='http', authority='h', \
             path='/a[b', query=None, fragment=None), ['path'])"
        );
        assert_eq!(msg("http://h/é?q=é#é"), "");
        let schemes = ["http".to_owned(), "HTTPS".to_owned()];
        assert_eq!(
            check("ftp://x", Some(&schemes), None)
                .err()
                .map(|e| e.msg)
                .unwrap_or_default(),
            "(\"scheme was required to be one of ['http', 'https'] but was 'ftp'\", \
             'scheme', 'ftp', {'http', 'https'})"
        );
        assert_eq!(
            check("http://x", None, Some(3))
                .err()
                .map(|e| e.msg)
                .unwrap_or_default(),
            "Value 'http://x' exceeds maximum length 3"
        );
    }

    #[test]
    fn encoding() {
        assert_eq!(encode_component("/a b%zz"), "/a%20b%25zz");
        assert_eq!(encode_component("/%41é"), "/%41%C3%A9");
    }
}
