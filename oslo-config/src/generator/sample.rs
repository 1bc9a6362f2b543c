//! The INI sample (`--format ini`): `_OptFormatter` and `_output_opts`.

use pycompat::value::Value;

use crate::error::Error;
use crate::types::Type;

use super::model::{GroupInfo, Groups, SampleOpt, Warnings};
use pycompat::textwrap::{splitlines, wrap_with};

/// The Python exception the reference meets formatting an option (its
/// text goes into the sample).
fn python(class: &'static str, message: String) -> Error {
    Error::Python { class, message }
}

/// `_OptFormatter`'s settings.
pub(crate) struct Formatter {
    /// `conf.wrap_width or 998`.
    pub wrap_width: usize,
    /// `--minimal`.
    pub minimal: bool,
    /// `--summarize`.
    pub summarize: bool,
}

/// One default as `format()` prints it after `#{dest} =`.
enum DefaultText {
    /// A string from the type's formatter.
    Formatted(String),
    /// A non-string falsy value a formatter returned unchanged, which the
    /// f-string prints with `str()` right after the `=`.
    RawFalsy(String),
}

/// `quote_trailing_and_leading_space`.
fn quote(s: &str) -> String {
    if pycompat::str::py_strip(s) != s {
        format!("\"{s}\"")
    } else {
        s.to_owned()
    }
}

/// The value a formatter sees for a single-valued type: a non-string
/// sample default, else the default (`None`: the type's own handling,
/// a string sample default or `<None>`).
fn formatted_value<'a>(default: &'a Value, sample_default: Option<&'a Value>) -> Option<&'a Value> {
    match sample_default {
        Some(Value::Str(_)) => None,
        Some(v) => Some(v),
        None if default.is_none() => None,
        None => Some(default),
    }
}

/// `opt.type.format_defaults(opt.default, opt.sample_default)`, with the
/// cases where the reference's formatter raises (the message of the
/// exception) or hands back a non-string value.
fn default_texts(sample: &SampleOpt) -> Result<Vec<DefaultText>, Error> {
    let opt = &sample.opt;
    let sample_default = opt.sample_default.as_ref().filter(|v| !v.is_none());
    if sample.type_name == "unknown value" {
        // A type without `format_defaults` (a plain callable): the
        // generator's own `_format_defaults`, which `str()`s and quotes
        // the sample default too.
        let text = match sample_default {
            Some(v) => v.py_str(),
            None if opt.default.is_none() => "<None>".to_owned(),
            None => opt.default.py_str(),
        };
        return Ok(vec![DefaultText::Formatted(quote(&text))]);
    }
    let delegate = || {
        opt.ty
            .format_defaults(&opt.default, sample_default)
            .into_iter()
            .map(DefaultText::Formatted)
            .collect()
    };
    match &opt.ty {
        Type::MultiString => {
            let value = match sample_default {
                Some(v) => Some(v),
                None if !opt.default.truthy() => None,
                None => Some(&opt.default),
            };
            match value {
                None | Some(Value::List(_)) => Ok(delegate()),
                // Iterating a string gives its characters, a dict its keys.
                Some(Value::Str(s)) => Ok(s
                    .chars()
                    .map(|c| DefaultText::Formatted(quote(&c.to_string())))
                    .collect()),
                Some(Value::Dict(items)) => Ok(items
                    .iter()
                    .map(|(k, _)| DefaultText::Formatted(quote(&k.py_str())))
                    .collect()),
                Some(other) => Err(python(
                    "TypeError",
                    format!("'{}' object is not iterable", other.type_name()),
                )),
            }
        }
        Type::Dict(_) => match formatted_value(&opt.default, sample_default) {
            Some(v) if !matches!(v, Value::Dict(_)) => Err(python(
                "AttributeError",
                format!("'{}' object has no attribute 'items'", v.type_name()),
            )),
            _ => Ok(delegate()),
        },
        Type::IpAddress(_)
        | Type::Hostname
        | Type::HostAddress(_)
        | Type::HostDomain(_)
        | Type::Uri(_) => match formatted_value(&opt.default, sample_default) {
            Some(v) if !matches!(v, Value::Str(_)) => {
                if v.truthy() {
                    Err(python(
                        "AttributeError",
                        format!("'{}' object has no attribute 'replace'", v.type_name()),
                    ))
                } else {
                    Ok(vec![DefaultText::RawFalsy(v.py_str())])
                }
            }
            _ => Ok(delegate()),
        },
        _ => Ok(delegate()),
    }
}

impl Formatter {
    /// `_format_help`: each line of `text` wrapped behind `# ` (an empty
    /// line is `#`).
    pub(crate) fn format_help(&self, text: &str, out: &mut String) {
        for line in splitlines(text) {
            let wrapped = wrap_with(line, self.wrap_width, "# ", "# ", false);
            if wrapped.is_empty() {
                out.push('#');
            } else {
                out.push_str(&wrapped.join("\n"));
            }
            out.push('\n');
        }
    }

    /// `format_group`: the header and, for an `OptGroup` with help, the help.
    fn format_group(&self, name: &str, info: &GroupInfo, out: &mut String) {
        out.push('[');
        out.push_str(name);
        out.push_str("]\n");
        if let Some(help) = info.object.as_ref().and_then(|g| g.help.as_deref()) {
            if !help.is_empty() {
                self.format_help(help, out);
            }
        }
    }

    /// `format()`: one option's description and default lines, or the
    /// text of the exception the reference meets on the way.
    fn format_opt(
        &self,
        sample: &SampleOpt,
        group: &str,
        warnings: &mut Warnings,
    ) -> Result<String, Error> {
        let opt = &sample.opt;
        let help = opt.help.as_deref();
        if help.is_none_or(str::is_empty) {
            warnings.push(format!(
                "WARNING:oslo_config.generator:\"{}\" is missing a help string",
                opt.dest
            ));
        }
        let mut prefix = "";
        if opt.deprecated_for_removal {
            match help {
                None => {
                    return Err(python(
                        "AttributeError",
                        "'NoneType' object has no attribute 'startswith'".to_owned(),
                    ));
                }
                Some(h) if !h.starts_with("DEPRECATED") => prefix = "DEPRECATED: ",
                Some(_) => {}
            }
        }
        let help_text = match help.filter(|h| !h.is_empty()) {
            Some(h) => {
                let body = if self.summarize {
                    let mut parts = h.split("\n\n");
                    let first = parts.next().unwrap_or_default();
                    let mut body = first.trim_end_matches(':').trim_end_matches('.').to_owned();
                    if parts.next().is_some() {
                        body.push_str(". For more information, refer to the documentation.");
                    }
                    body
                } else {
                    h.to_owned()
                };
                format!("{prefix}{body} ({})", sample.type_name)
            }
            None => format!("({})", sample.type_name),
        };
        let mut out = String::new();
        self.format_help(&help_text, &mut out);
        if !sample.min.is_none() {
            out.push_str(&format!("# Minimum value: {}\n", sample.min.py_str()));
        }
        if !sample.max.is_none() {
            out.push_str(&format!("# Maximum value: {}\n", sample.max.py_str()));
        }
        if !sample.choices.is_empty() {
            out.push_str("# Possible values:\n");
            for (value, desc) in &sample.choices {
                let text = match value {
                    Value::None => "<None>".to_owned(),
                    Value::Str(s) if s.is_empty() => "''".to_owned(),
                    other => other.py_str(),
                };
                let desc = if desc.truthy() {
                    desc.py_str()
                } else {
                    "<No description provided>".to_owned()
                };
                self.format_help(&format!("{text} - {desc}"), &mut out);
            }
        }
        if opt.mutable {
            out.push_str("# Note: This option can be changed without restarting.\n");
        }
        for (dgroup, dname) in &sample.ini_deprecated {
            out.push_str(&format!(
                "# Deprecated group/name - [{}]/{dname}\n",
                dgroup.as_deref().unwrap_or(group)
            ));
        }
        if opt.deprecated_for_removal {
            match opt.deprecated_since.as_deref().filter(|s| !s.is_empty()) {
                Some(since) => out.push_str(&format!(
                    "# This option is deprecated for removal since {since}.\n"
                )),
                None => out.push_str("# This option is deprecated for removal.\n"),
            }
            out.push_str("# Its value may be silently ignored in the future.\n");
            if let Some(reason) = opt.deprecated_reason.as_deref().filter(|r| !r.is_empty()) {
                self.format_help(&format!("Reason: {reason}"), &mut out);
            }
        }
        if opt.advanced {
            out.push_str(
                "# Advanced Option: intended for advanced users and not used\n\
                 # by the majority of users, and might have a significant\n\
                 # effect on stability and/or performance.\n",
            );
        }
        if opt.sample_default.as_ref().is_some_and(Value::truthy) {
            out.push_str(
                "#\n\
                 # This option has a sample default set, which means that\n\
                 # its actual default value may vary from the one documented\n\
                 # below.\n",
            );
        }
        let comment = if self.minimal { "" } else { "#" };
        for text in default_texts(sample)? {
            let text = match text {
                DefaultText::Formatted(s) if s.is_empty() => String::new(),
                DefaultText::Formatted(s) => format!(" {}", s.replace('\n', "\n#    ")),
                DefaultText::RawFalsy(s) => s,
            };
            out.push_str(&format!("{comment}{} ={text}\n", opt.dest));
        }
        Ok(out)
    }

    /// `_output_opts`: a group's header and its options, namespace by
    /// namespace.
    fn output_group(
        &self,
        name: &str,
        info: &GroupInfo,
        out: &mut String,
        warnings: &mut Warnings,
    ) {
        self.format_group(name, info, out);
        let mut blocks: Vec<&(String, Vec<SampleOpt>)> = info.blocks.iter().collect();
        blocks.sort_by(|a, b| a.0.cmp(&b.0));
        for (namespace, opts) in blocks {
            out.push_str(&format!("\n#\n# From {namespace}\n#\n"));
            let mut opts: Vec<&SampleOpt> = opts.iter().collect();
            opts.sort_by_key(|o| o.opt.advanced);
            for sample in opts {
                if self.minimal && !sample.opt.required {
                    continue;
                }
                out.push('\n');
                match self.format_opt(sample, name, warnings) {
                    Ok(text) => out.push_str(&text),
                    Err(err) => {
                        out.push_str(&format!(
                            "# Warning: Failed to format sample for {}\n# {err}\n",
                            sample.opt.dest
                        ));
                    }
                }
            }
        }
    }

    /// The whole sample: `[DEFAULT]` first, then the other groups by name.
    pub(crate) fn sample(&self, groups: &Groups, warnings: &mut Warnings) -> String {
        let mut out = String::new();
        let mut rest: Vec<&(String, GroupInfo)> = Vec::new();
        for entry in &groups.groups {
            if entry.0 == "DEFAULT" {
                self.output_group(&entry.0, &entry.1, &mut out, warnings);
            } else {
                rest.push(entry);
            }
        }
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, info) in rest {
            out.push_str("\n\n");
            self.output_group(name, info, &mut out, warnings);
        }
        out
    }
}
