//! Audit records sent to syslog exactly as the reference's
//! `logging.handlers.SysLogHandler(address='/dev/log')` sends them:
//! `<PRI>PROGRAM: MESSAGE\0` over the local datagram (or stream) socket.
//!
//! A syslog crate is not used because none reproduces this framing (the
//! reference sends no timestamp or hostname and appends a NUL byte); the
//! socket code needed is a few lines of `std`.

use std::io::Write;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::Path;

/// Python logging levels used by rootwrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `logging.INFO` (allowed commands).
    Info = 20,
    /// `logging.WARNING` (skipped filter classes).
    Warning = 30,
    /// `logging.ERROR` (denials).
    Error = 40,
}

impl Level {
    /// The syslog severity `SysLogHandler.mapPriority` gives the level.
    fn severity(self) -> u8 {
        match self {
            Level::Info => 6,
            Level::Warning => 4,
            Level::Error => 3,
        }
    }
}

/// What the reference prints when `use_syslog` is set but `/dev/log`
/// cannot be reached.
pub const UNAVAILABLE: &str = "Unable to setup syslog, maybe /dev/log socket needs to be restarted. Ignoring syslog configuration options.";

enum Socket {
    Datagram(UnixDatagram),
    Stream(UnixStream),
}

/// A connection to the local syslog daemon.
pub struct Syslog {
    socket: Socket,
    facility: Option<u8>,
    min_level: u8,
    program: String,
}

impl std::fmt::Debug for Syslog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syslog")
            .field("facility", &self.facility)
            .field("min_level", &self.min_level)
            .field("program", &self.program)
            .finish()
    }
}

impl Syslog {
    /// Connects to `address` (normally `/dev/log`) like `SysLogHandler`:
    /// datagram first, then stream. `program` is the basename of `argv[0]`.
    pub fn connect(
        address: &Path,
        facility: Option<u8>,
        min_level: u8,
        program: &str,
    ) -> std::io::Result<Syslog> {
        let socket = match UnixDatagram::unbound().and_then(|s| s.connect(address).map(|()| s)) {
            Ok(s) => Socket::Datagram(s),
            Err(_) => Socket::Stream(UnixStream::connect(address)?),
        };
        Ok(Syslog {
            socket,
            facility,
            min_level,
            program: program.to_owned(),
        })
    }

    /// The audit log `rootwrap.conf` asks for, connected to `/dev/log`:
    /// `Ok(None)` without `use_syslog`; an error when the socket cannot be
    /// reached (callers print [`UNAVAILABLE`] and carry on, as the reference
    /// does). `program` names the program in every record (see
    /// [`crate::audit::program_name`]).
    pub fn for_config(
        config: &crate::config::RootwrapConfig,
        program: &str,
    ) -> std::io::Result<Option<Syslog>> {
        if !config.use_syslog {
            return Ok(None);
        }
        Syslog::connect(
            Path::new("/dev/log"),
            config.syslog.facility,
            config.syslog.level,
            program,
        )
        .map(Some)
    }

    /// The bytes sent for a message (`<PRI>PROGRAM: MESSAGE\0`), or `None`
    /// when the level is filtered out or the facility is not a number.
    /// Control characters in the program name and the message are escaped
    /// ([`escape_controls`]): a command line cannot start a forged record.
    pub fn frame(&self, level: Level, message: &str) -> Option<Vec<u8>> {
        if (level as u8) < self.min_level {
            return None;
        }
        let facility = self.facility?;
        let pri = (u32::from(facility) << 3) | u32::from(level.severity());
        Some(
            format!(
                "<{pri}>{}: {}\0",
                escape_controls(&self.program),
                escape_controls(message)
            )
            .into_bytes(),
        )
    }

    /// Sends one record; failures are ignored like logging's handlers do.
    pub fn log(&mut self, level: Level, message: &str) {
        let Some(frame) = self.frame(level, message) else {
            return;
        };
        let _ = match &mut self.socket {
            Socket::Datagram(s) => s.send(&frame).map(drop),
            Socket::Stream(s) => s.write_all(&frame),
        };
    }
}

/// `text` with every control character (C0, DEL, C1) and the Unicode line
/// and paragraph separators written as Python's `repr` writes them (`\n`,
/// `\t`, `\r`, `\x1b`, `\u2028`), so that a logged field never holds a
/// line break or a terminal escape. The reference logs them raw, which lets
/// a caller forge records; this is a deliberate difference.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) && u32::from(c) <= 0xff => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if needs(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_like_sysloghandler() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let addr = dir.path().join("log");
        let server = UnixDatagram::bind(&addr)?;
        let mut log = Syslog::connect(&addr, Some(5), 20, "nova-rootwrap")?;
        log.log(Level::Info, "hello");
        log.log(Level::Error, "bad");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf)?;
        assert_eq!(buf.get(..n), Some(&b"<46>nova-rootwrap: hello\0"[..]));
        let n = server.recv(&mut buf)?;
        assert_eq!(buf.get(..n), Some(&b"<43>nova-rootwrap: bad\0"[..]));
        let quiet = Syslog::connect(&addr, Some(5), 40, "x")?;
        assert_eq!(quiet.frame(Level::Info, "m"), None);
        Ok(())
    }

    #[test]
    fn records_cannot_carry_line_breaks() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let addr = dir.path().join("log");
        let _server = UnixDatagram::bind(&addr)?;
        let log = Syslog::connect(&addr, Some(4), 20, "x\n<38>sshd[1]")?;
        let frame = log
            .frame(
                Level::Error,
                "Unauthorized command: a\n<38>sshd[1]: forged\u{2028}\x1b[2J\u{85}",
            )
            .unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&frame),
            "<35>x\\n<38>sshd[1]: Unauthorized command: a\\n<38>sshd[1]: forged\\u2028\\x1b[2J\\x85\0"
        );
        assert_eq!(escape_controls("plain text"), "plain text");
        Ok(())
    }
}
