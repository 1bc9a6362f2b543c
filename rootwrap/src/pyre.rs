//! Temporary API placeholder; replaced by the Python-`re` translator.
#[derive(Debug)]
pub struct PyRegex(fancy_regex::Regex);
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PyReError(pub String);
impl PyRegex {
    pub fn new(pattern: &str) -> Result<Self, PyReError> {
        fancy_regex::Regex::new(&format!("\\A(?:{pattern})(?=\\n?\\z)"))
            .map(Self)
            .map_err(|e| PyReError(e.to_string()))
    }
    pub fn full_match(&self, subject: &str) -> bool {
        matches!(self.0.is_match(subject), Ok(true))
    }
}
