//! IP addresses as `netaddr.valid_ipv4/valid_ipv6(addr, INET_PTON)` check
//! them (glibc's `inet_pton`), and host names as `types.Hostname` checks
//! them.

use super::Exc;

/// glibc's `inet_pton4`: exactly four dot-separated decimal octets, each
/// at most 255 and without leading zeros.
fn inet_pton4(src: &[u8]) -> bool {
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &ch in src {
        if ch.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return false;
            }
            cur = cur * 10 + u32::from(ch - b'0');
            if cur > 255 {
                return false;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return false;
                }
                saw_digit = true;
            }
        } else if ch == b'.' && saw_digit {
            if octets == 4 {
                return false;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return false;
        }
    }
    octets == 4
}

/// glibc's `inet_pton6`: up to eight groups of one to four hex digits,
/// at most one `::`, an optional dotted-quad tail.
fn inet_pton6(src: &[u8]) -> bool {
    const SIZE: usize = 16;
    let mut src = src;
    if src.is_empty() {
        return false;
    }
    if src.first() == Some(&b':') {
        if src.get(1) != Some(&b':') {
            return false;
        }
        src = src.get(1..).unwrap_or(&[]);
    }
    let mut tp = 0usize;
    let mut colon_seen = false;
    let mut curtok = 0usize;
    let mut xdigits = 0;
    let mut val: u32 = 0;
    let mut i = 0;
    while let Some(&ch) = src.get(i) {
        i += 1;
        if let Some(d) = char::from(ch).to_digit(16) {
            if xdigits == 4 {
                return false;
            }
            val = (val << 4) | d;
            if val > 0xffff {
                return false;
            }
            xdigits += 1;
            continue;
        }
        if ch == b':' {
            curtok = i;
            if xdigits == 0 {
                if colon_seen {
                    return false;
                }
                colon_seen = true;
                continue;
            } else if i == src.len() {
                return false;
            }
            if tp + 2 > SIZE {
                return false;
            }
            tp += 2;
            xdigits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= SIZE && inet_pton4(src.get(curtok..).unwrap_or(&[])) {
            tp += 4;
            xdigits = 0;
            break;
        }
        return false;
    }
    if xdigits > 0 {
        if tp + 2 > SIZE {
            return false;
        }
        tp += 2;
    }
    if colon_seen {
        // `::` must stand for at least one group.
        return tp != SIZE;
    }
    tp == SIZE
}

/// `socket.inet_pton` refuses a str with a NUL before calling C.
fn no_nul(addr: &str) -> Result<(), Exc> {
    if addr.contains('\0') {
        Err(Exc::value("embedded null character"))
    } else {
        Ok(())
    }
}

/// `netaddr.valid_ipv4(addr, INET_PTON)`.
pub(super) fn valid_ipv4(addr: &str) -> Result<bool, Exc> {
    if addr.contains(':') {
        return Ok(false);
    }
    if addr
        .split('.')
        .any(|p| p.starts_with('0') && p.chars().count() > 1)
    {
        return Ok(false);
    }
    no_nul(addr)?;
    Ok(inet_pton4(addr.as_bytes()))
}

/// `netaddr.valid_ipv6(addr, INET_PTON)`.
pub(super) fn valid_ipv6(addr: &str) -> Result<bool, Exc> {
    no_nul(addr)?;
    Ok(inet_pton6(addr.as_bytes()))
}

/// `types.IPAddress(version)(addr)`'s check (the empty-string check
/// included); `Ok` if valid.
pub(super) fn check_ip(version: Option<u8>, addr: &str) -> Result<(), Exc> {
    if addr.is_empty() {
        return Err(Exc::value("IP address cannot be an empty string"));
    }
    match version {
        Some(4) => {
            if !valid_ipv4(addr)? {
                return Err(Exc::value(format!("{addr} is not an IPv4 address")));
            }
        }
        Some(6) => {
            if !valid_ipv6(addr)? {
                return Err(Exc::value(format!("{addr} is not an IPv6 address")));
            }
        }
        _ => {
            if !(valid_ipv4(addr)? || valid_ipv6(addr)?) {
                return Err(Exc::value(format!("{addr} is not IPv4 or IPv6 address")));
            }
        }
    }
    Ok(())
}

/// Characters besides ASCII letters, digits and `-` that `[A-Z0-9-]`
/// matches under Python's `re.IGNORECASE` (their simple case mappings
/// are ASCII letters).
const CASELESS_EXTRA: [char; 4] = ['\u{130}', '\u{131}', '\u{17f}', '\u{212a}'];

/// `re.match('(?!-)[A-Z0-9-]{1,63}(?<!-)$', label, re.I)` (with `_`
/// allowed for host domains); `$` also matches before a final newline.
fn label_ok(label: &str, underscore: bool) -> bool {
    let label = label.strip_suffix('\n').unwrap_or(label);
    let n = label.chars().count();
    (1..=63).contains(&n)
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '-'
                || (underscore && c == '_')
                || CASELESS_EXTRA.contains(&c)
        })
}

/// `types.Hostname()(value)` for a str (`underscore`: HostDomain's
/// regex): the value, one trailing dot removed.
pub(super) fn hostname(value: &str, underscore: bool) -> Result<String, Exc> {
    let len = value.chars().count();
    if len == 0 {
        return Err(Exc::value("Cannot have an empty hostname"));
    }
    if len > 253 {
        return Err(Exc::value(format!(
            "hostname is greater than 253 characters: {value}"
        )));
    }
    let value = value.strip_suffix('.').unwrap_or(value);
    let tld = value.rsplit('.').next().unwrap_or("");
    if !tld.chars().any(|c| c.is_ascii_alphabetic() || c == '-') {
        return Err(Exc::value(format!(
            "{value} contains no non-numeric characters in the top-level domain part of the \
             host name and is invalid"
        )));
    }
    if value.split('.').any(|l| !label_ok(l, underscore)) {
        return Err(Exc::value(format!("{value} is an invalid hostname")));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_strict() {
        for ok in ["1.2.3.4", "0.0.0.0", "255.255.255.255"] {
            assert_eq!(valid_ipv4(ok).ok(), Some(true), "{ok}");
        }
        for bad in [
            "1.2.3",
            "127.1",
            "010.1.1.1",
            "0x1.1.1.1",
            "1.2.3.4.",
            "256.1.1.1",
            " 1.2.3.4",
            "",
            "1..2.3",
            "1.2.3.4:80",
        ] {
            assert_eq!(valid_ipv4(bad).ok(), Some(false), "{bad}");
        }
        assert!(valid_ipv4("1.2.3.4\0").is_err());
    }

    #[test]
    fn ipv6_forms() {
        for ok in [
            "::",
            "::1",
            "1::",
            "fe80::1",
            "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1::2:3:4:5:6:7",
        ] {
            assert_eq!(valid_ipv6(ok).ok(), Some(true), "{ok}");
        }
        for bad in [
            ":::",
            "1:::2",
            "1:2:3:4:5:6:7:8:9",
            "::1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7",
            "12345::",
            "1:",
            ":1",
            "::1%eth0",
            "::ffff:01.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1.2.3.4",
            "",
        ] {
            assert_eq!(valid_ipv6(bad).ok(), Some(false), "{bad}");
        }
    }

    #[test]
    fn hostnames() {
        assert_eq!(
            hostname("example.com.", false).ok().as_deref(),
            Some("example.com")
        );
        assert_eq!(hostname("abc\n", false).ok().as_deref(), Some("abc\n"));
        assert!(hostname("1.2.3.4", false).is_err());
        assert!(hostname("a..b", false).is_err());
        assert!(hostname("_x", false).is_err());
        assert!(hostname("foo_bar.example", true).is_ok());
        assert!(hostname(&"a".repeat(64), false).is_err());
        assert!(hostname(&"a".repeat(63), false).is_ok());
    }
}
