//! Where a value came from: `cfg.Locations` and `cfg.LocationInfo`.

/// Where a value came from (`cfg.Locations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
// Not `#[non_exhaustive]`: the six members of `cfg.Locations`; a caller
// that describes a location should handle each of them.
pub enum Locations {
    /// The option's default.
    OptDefault,
    /// `set_default`.
    SetDefault,
    /// `set_override`.
    SetOverride,
    /// A config file (the user).
    User,
    /// The command line.
    CommandLine,
    /// An environment variable.
    Environment,
}

impl Locations {
    /// `repr(Locations.x)`.
    pub fn py_repr(self) -> &'static str {
        match self {
            Locations::OptDefault => "<Locations.opt_default: (1, False)>",
            Locations::SetDefault => "<Locations.set_default: (2, False)>",
            Locations::SetOverride => "<Locations.set_override: (3, False)>",
            Locations::User => "<Locations.user: (4, True)>",
            Locations::CommandLine => "<Locations.command_line: (5, True)>",
            Locations::Environment => "<Locations.environment: (6, True)>",
        }
    }
}

/// `cfg.LocationInfo`: a [`Locations`] and its detail (the file, the
/// variable name) exactly as the reference reports them, plus where a
/// file value really is (which Python does not track: its `detail` is the
/// last file with a section of that name, or `''`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationInfo {
    /// The kind of source.
    pub location: Locations,
    /// The file path, the environment variable, or `''`.
    pub detail: String,
    /// For file values: the file and line the value was assigned on.
    pub value_at: Option<(String, usize)>,
}

impl LocationInfo {
    /// A location without a line.
    pub fn new(location: Locations, detail: impl Into<String>) -> LocationInfo {
        LocationInfo {
            location,
            detail: detail.into(),
            value_at: None,
        }
    }
}

impl std::fmt::Display for LocationInfo {
    /// Python's `repr` of the namedtuple (what error messages show).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LocationInfo(location={}, detail={})",
            self.location.py_repr(),
            pycompat::value::str_repr(&self.detail)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_repr() {
        let l = LocationInfo::new(Locations::User, "/x/it's.conf");
        assert_eq!(
            l.to_string(),
            "LocationInfo(location=<Locations.user: (4, True)>, detail=\"/x/it's.conf\")"
        );
    }
}
