//! Framing and authentication of the daemon socket: the wire format of
//! `jsonrpc.JsonConnection` (an 8-byte big-endian length before every
//! message) carrying the mutual challenge/response of Python's
//! `multiprocessing.connection`.
//!
//! Both challenge dialects are spoken:
//! * Python ≤ 3.11: `#CHALLENGE#` + 20 random bytes, answered by the raw
//!   16-byte HMAC-MD5 of those bytes;
//! * Python ≥ 3.12: `#CHALLENGE#{sha256}` + 40 random bytes, answered by
//!   `{sha256}` + HMAC-SHA256 of everything after `#CHALLENGE#`.
//!
//! We always send the 3.12 form (a 3.11 peer answers it with legacy MD5
//! over the whole message, which we accept), and answer whichever form the
//! peer sends. Comparisons are constant-time.

use std::io::{self, Read, Write};

use hmac::{Hmac, Mac};

/// Prefix of a challenge.
pub const CHALLENGE: &[u8] = b"#CHALLENGE#";
/// Sent when the peer's answer is right.
pub const WELCOME: &[u8] = b"#WELCOME#";
/// Sent when it is wrong.
pub const FAILURE: &[u8] = b"#FAILURE#";
/// Largest message accepted while authenticating (`recv_bytes(256)`).
pub const AUTH_MAX: u64 = 256;
/// Length of the authentication key the daemon prints.
pub const AUTHKEY_LEN: usize = 32;

/// What went wrong on the wire.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The peer closed the connection (Python's `EOFError`).
    #[error("connection closed by peer")]
    Eof,
    /// A length prefix above the limit; nothing of the body was read.
    #[error("message of {len} bytes exceeds the limit of {max}")]
    TooBig {
        /// The announced length.
        len: u64,
        /// The limit in force.
        max: u64,
    },
    /// A buffer for the announced length could not be allocated.
    #[error("cannot allocate {0} bytes for a message")]
    NoMemory(u64),
    /// Authentication failed (`AuthenticationError`).
    #[error("authentication failed: {0}")]
    Auth(&'static str),
    /// Any other socket error.
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn read_exact_or_eof<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<(), WireError> {
    match r.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(WireError::Eof),
        Err(e) => Err(WireError::Io(e)),
    }
}

/// Reads one message, refusing (before reading its body) any longer than
/// `max` bytes.
pub fn read_frame<R: Read>(r: &mut R, max: u64) -> Result<Vec<u8>, WireError> {
    let len = read_header(r, max)?;
    read_body(r, len)
}

/// Reads a message's length prefix, refusing lengths above `max`.
pub fn read_header<R: Read>(r: &mut R, max: u64) -> Result<u64, WireError> {
    let mut header = [0u8; 8];
    read_exact_or_eof(r, &mut header)?;
    let len = u64::from_be_bytes(header);
    if len > max {
        return Err(WireError::TooBig { len, max });
    }
    Ok(len)
}

/// Reads a message body of `len` bytes into a buffer of exactly that
/// capacity. The buffer's pages are only touched as bytes arrive, so a peer
/// announcing a length it never sends costs address space, not memory.
pub fn read_body<R: Read>(r: &mut R, len: u64) -> Result<Vec<u8>, WireError> {
    let capacity = usize::try_from(len).map_err(|_| WireError::NoMemory(len))?;
    let mut body = Vec::new();
    body.try_reserve_exact(capacity)
        .map_err(|_| WireError::NoMemory(len))?;
    let got = r.take(len).read_to_end(&mut body)?;
    if got != capacity {
        return Err(WireError::Eof);
    }
    Ok(body)
}

/// Writes one message.
pub fn write_frame<W: Write>(w: &mut W, payload: &[u8]) -> io::Result<()> {
    let len = u64::try_from(payload.len()).unwrap_or(u64::MAX);
    if payload.len() <= 64 * 1024 {
        let mut buf = Vec::with_capacity(8 + payload.len());
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(payload);
        w.write_all(&buf)?;
    } else {
        w.write_all(&len.to_be_bytes())?;
        w.write_all(payload)?;
    }
    w.flush()
}

/// The digests Python 3.12 allows in a `{name}` prefix that we implement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Digest {
    Md5,
    Sha256,
    Sha384,
}

impl Digest {
    fn from_name(name: &[u8]) -> Option<Digest> {
        match name {
            b"md5" => Some(Digest::Md5),
            b"sha256" => Some(Digest::Sha256),
            b"sha384" => Some(Digest::Sha384),
            _ => None,
        }
    }

    fn name(self) -> &'static [u8] {
        match self {
            Digest::Md5 => b"md5",
            Digest::Sha256 => b"sha256",
            Digest::Sha384 => b"sha384",
        }
    }

    fn mac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
            match <M as Mac>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(message);
                    m.finalize().into_bytes().to_vec()
                }
                // HMAC takes keys of any length; unreachable in practice.
                Err(_) => Vec::new(),
            }
        }
        match self {
            Digest::Md5 => run::<Hmac<md5::Md5>>(key, message),
            Digest::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
            Digest::Sha384 => run::<Hmac<sha2::Sha384>>(key, message),
        }
    }

    fn verify(self, key: &[u8], message: &[u8], tag: &[u8]) -> bool {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
            match <M as Mac>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(message);
                    m.verify_slice(tag).is_ok()
                }
                Err(_) => false,
            }
        }
        match self {
            Digest::Md5 => run::<Hmac<md5::Md5>>(key, message, tag),
            Digest::Sha256 => run::<Hmac<sha2::Sha256>>(key, message, tag),
            Digest::Sha384 => run::<Hmac<sha2::Sha384>>(key, message, tag),
        }
    }
}

/// Splits a challenge or answer into its digest and payload like Python
/// 3.12: 16- and 20-byte messages are the legacy (MD5, unprefixed) form,
/// anything else needs a `{name}` prefix naming a digest we implement.
fn digest_and_payload(message: &[u8]) -> Result<(Option<Digest>, &[u8]), WireError> {
    if message.len() == 16 || message.len() == 20 {
        return Ok((None, message));
    }
    if message.first() == Some(&b'{') {
        // The longest allowed name ("sha3_384") is 8 bytes.
        let window = message.get(1..message.len().min(10)).unwrap_or_default();
        if let Some(close) = window.iter().position(|&c| c == b'}') {
            let name = window.get(..close).unwrap_or_default();
            if let Some(d) = Digest::from_name(name) {
                return Ok((Some(d), message.get(close + 2..).unwrap_or_default()));
            }
        }
    }
    Err(WireError::Auth(
        "unsupported message length, missing digest prefix, or unsupported digest",
    ))
}

/// Fills `buf` from the kernel's random source.
pub fn random_bytes(buf: &mut [u8]) -> io::Result<()> {
    getrandom::fill(buf).map_err(|e| io::Error::other(e.to_string()))
}

/// Sends a challenge and checks the peer's answer
/// (`connection.deliver_challenge`). On a wrong answer the peer is told
/// `#FAILURE#` and the error is returned.
pub fn deliver_challenge<S: Read + Write>(s: &mut S, authkey: &[u8]) -> Result<(), WireError> {
    let mut message = b"{sha256}".to_vec();
    let mut nonce = [0u8; 40];
    random_bytes(&mut nonce)?;
    message.extend_from_slice(&nonce);
    write_frame(s, &[CHALLENGE, &message].concat())?;
    let response = read_frame(s, AUTH_MAX)?;
    let ok = match digest_and_payload(&response) {
        Ok((digest, tag)) => digest.unwrap_or(Digest::Md5).verify(authkey, &message, tag),
        Err(_) => false,
    };
    if ok {
        write_frame(s, WELCOME)?;
        Ok(())
    } else {
        write_frame(s, FAILURE)?;
        Err(WireError::Auth("digest received was wrong"))
    }
}

/// Answers the peer's challenge (`connection.answer_challenge`) and waits
/// for its verdict.
pub fn answer_challenge<S: Read + Write>(s: &mut S, authkey: &[u8]) -> Result<(), WireError> {
    let challenge = read_frame(s, AUTH_MAX)?;
    let message = challenge
        .strip_prefix(CHALLENGE)
        .ok_or(WireError::Auth("protocol error: expected a challenge"))?;
    if message.len() < 20 {
        return Err(WireError::Auth("challenge too short"));
    }
    let response = match digest_and_payload(message)? {
        (None, _) => Digest::Md5.mac(authkey, message),
        (Some(d), _) => {
            let mut r = [b"{", d.name(), b"}"].concat();
            r.extend_from_slice(&d.mac(authkey, message));
            r
        }
    };
    write_frame(s, &response)?;
    let verdict = read_frame(s, AUTH_MAX)?;
    if verdict == WELCOME {
        Ok(())
    } else {
        Err(WireError::Auth("digest sent was rejected"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn frames_round_trip_and_limits() -> Result<(), WireError> {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"hello")?;
        assert_eq!(buf.get(..8), Some(&5u64.to_be_bytes()[..]));
        assert_eq!(read_frame(&mut buf.as_slice(), 5)?, b"hello");
        assert!(matches!(
            read_frame(&mut buf.as_slice(), 4),
            Err(WireError::TooBig { len: 5, max: 4 })
        ));
        let lying = u64::MAX.to_be_bytes();
        assert!(matches!(
            read_frame(&mut &lying[..], u64::MAX),
            Err(WireError::NoMemory(_))
        ));
        let short = [&(1u64 << 20).to_be_bytes()[..], b"abc"].concat();
        assert!(matches!(
            read_frame(&mut short.as_slice(), u64::MAX),
            Err(WireError::Eof)
        ));
        assert!(matches!(
            read_frame(&mut &b"\0\0"[..], 9),
            Err(WireError::Eof)
        ));
        Ok(())
    }

    #[test]
    fn mutual_authentication() -> Result<(), Box<dyn std::error::Error>> {
        let key = [7u8; 32];
        let (mut a, mut b) = UnixStream::pair()?;
        let server = std::thread::spawn(move || -> Result<(), WireError> {
            deliver_challenge(&mut a, &key)?;
            answer_challenge(&mut a, &key)
        });
        answer_challenge(&mut b, &key)?;
        deliver_challenge(&mut b, &key)?;
        server.join().map_err(|_| "panic")??;
        Ok(())
    }

    #[test]
    fn wrong_key_is_refused_both_ways() -> Result<(), Box<dyn std::error::Error>> {
        let (mut a, mut b) = UnixStream::pair()?;
        let server = std::thread::spawn(move || deliver_challenge(&mut a, &[1u8; 32]));
        assert!(matches!(
            answer_challenge(&mut b, &[2u8; 32]),
            Err(WireError::Auth(_))
        ));
        assert!(matches!(
            server.join().map_err(|_| "panic")?,
            Err(WireError::Auth(_))
        ));
        Ok(())
    }

    #[test]
    fn legacy_python_311_forms() -> Result<(), Box<dyn std::error::Error>> {
        let key = b"k".repeat(32);
        // A 3.11 peer answers our {sha256} challenge with raw HMAC-MD5 over
        // the whole message; it must be accepted.
        let (mut a, mut b) = UnixStream::pair()?;
        let k2 = key.clone();
        let server = std::thread::spawn(move || deliver_challenge(&mut a, &k2));
        let ch = read_frame(&mut b, AUTH_MAX)?;
        let msg = ch.strip_prefix(CHALLENGE).ok_or("no prefix")?;
        write_frame(&mut b, &Digest::Md5.mac(&key, msg))?;
        assert_eq!(read_frame(&mut b, AUTH_MAX)?, WELCOME);
        server.join().map_err(|_| "panic")??;
        // A 3.11 peer challenges with 20 bare bytes and expects raw MD5.
        let (mut a, mut b) = UnixStream::pair()?;
        let k2 = key.clone();
        let server = std::thread::spawn(move || answer_challenge(&mut a, &k2));
        write_frame(&mut b, &[CHALLENGE, &[9u8; 20]].concat())?;
        let answer = read_frame(&mut b, AUTH_MAX)?;
        assert_eq!(answer, Digest::Md5.mac(&key, &[9u8; 20]));
        write_frame(&mut b, WELCOME)?;
        server.join().map_err(|_| "panic")??;
        Ok(())
    }
}
