//! The Python exceptions the recogniser raises.

/// A Python exception: class, message, line (`0`: no location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PyErr {
    pub(super) class: &'static str,
    pub(super) msg: String,
    pub(super) line: usize,
}

impl std::fmt::Display for PyErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.class, self.msg)
        } else {
            write!(
                f,
                "{}: {} (<unknown>, line {})",
                self.class, self.msg, self.line
            )
        }
    }
}

pub(super) fn syntax(msg: impl Into<String>, line: usize) -> PyErr {
    PyErr {
        class: "SyntaxError",
        msg: msg.into(),
        line,
    }
}
