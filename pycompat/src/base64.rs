//! Python's `base64.b64encode` and `base64.b64decode` (non-validating,
//! i.e. `binascii.a2b_base64`, which PyYAML's `!!binary` also uses).

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (`base64.b64encode`).
pub fn b64encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(B64.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base64.b64decode` (non-validating: characters outside the alphabet are
/// skipped; wrong padding is an error).
pub fn b64decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut quad = 0usize;
    let mut padding = 0usize;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                // Padding completes a quad: stop at the end of it.
                if quad >= 2 && quad + padding >= 4 {
                    break;
                }
                continue;
            }
            _ => continue,
        };
        if padding > 0 {
            // Data after a premature '=': binascii ignores the pad.
            padding = 0;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        quad = (quad + 1) % 4;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    match quad {
        0 => Some(out),
        2 | 3 if padding + quad >= 4 => Some(out),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_padding() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\xfe\x80"] {
            let enc = b64encode(data);
            assert_eq!(b64decode(enc.as_bytes()).as_deref(), Some(data));
        }
        assert_eq!(b64encode(b"\xff\xfe"), "//4=");
        assert_eq!(b64decode(b"A"), None);
        assert_eq!(b64decode(b"QQ==x").as_deref(), Some(&b"A"[..]));
        assert_eq!(b64decode(b"Q\nQ=-=").as_deref(), Some(&b"A"[..]));
    }
}
