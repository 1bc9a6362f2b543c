//! The text of `oslopolicy-sample-generator` (`generator.py`'s
//! `_format_help_text` and `_format_rule_default_yaml`), byte for byte.

use pycompat::str::{is_py_space, py_rstrip, py_strip};

use crate::defaults::{NamespaceDefaults, RuleDefault};
use crate::textwrap::wrap;

/// `_format_help_text`: a description as `#` comment lines (paragraphs
/// wrapped at 70 columns, indented lines kept as literal blocks).
pub fn help_text(description: Option<&str>) -> String {
    let Some(description) = description.filter(|d| !d.is_empty()) else {
        return "#".to_owned();
    };
    let mut lines: Vec<String> = Vec::new();
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<String>, lines: &mut Vec<String>| {
        lines.extend(wrap(&paragraph.join(" "), 70, "# ", "# "));
        paragraph.clear();
    };
    for line in pycompat::textwrap::splitlines(py_strip(description)) {
        if py_strip(line).is_empty() {
            flush(&mut paragraph, &mut lines);
            lines.push("#".to_owned());
        } else if !line.starts_with(is_py_space) {
            paragraph.push(py_rstrip(line).to_owned());
        } else {
            if !paragraph.is_empty() {
                flush(&mut paragraph, &mut lines);
                lines.push("#".to_owned());
            }
            lines.push(format!("# {}", py_rstrip(line)));
        }
    }
    if !paragraph.is_empty() {
        flush(&mut paragraph, &mut lines);
    }
    lines.join("\n")
}

/// `_format_rule_default_yaml(default, include_help=True,
/// comment_rule=True, add_deprecated_rules=not exclude_deprecated)`.
pub fn rule_block(d: &RuleDefault, add_deprecated: bool) -> String {
    let mut text = format!("\"{}\": \"{}\"\n", d.name, d.check_str);
    let mut op = String::new();
    for o in &d.operations {
        if o.method.truthy() && o.path.truthy() {
            op.push_str(&format!("# {}  {}\n", o.method.py_str(), o.path.py_str()));
        }
    }
    let scope = match &d.scope_types {
        Some(s) => format!("# Intended scope(s): {}\n", s.join(", ")),
        None => String::new(),
    };
    text = format!("{op}{scope}#{text}\n");
    if d.description.as_deref().is_some_and(|s| !s.is_empty()) {
        text = format!("{}\n{text}", help_text(d.description.as_deref()));
    }
    if add_deprecated && d.deprecated_for_removal {
        text = format!(
            "# DEPRECATED\n# \"{}\" has been deprecated since {}.\n{}\n{text}",
            d.name,
            d.deprecated_since.as_deref().unwrap_or("None"),
            help_text(d.deprecated_reason.as_deref())
        );
    } else if let (true, Some(old)) = (add_deprecated, &d.deprecated_rule) {
        let reason = old
            .deprecated_reason
            .clone()
            .or_else(|| d.deprecated_reason.clone());
        let since = old
            .deprecated_since
            .clone()
            .or_else(|| d.deprecated_since.clone())
            .unwrap_or_else(|| "None".to_owned());
        let deprecated_text = format!(
            "\"{}\":\"{}\" has been deprecated since {since} in favor of \"{}\":\"{}\".",
            old.name, old.check_str, d.name, d.check_str
        );
        text = format!(
            "{text}# DEPRECATED\n{}\n{}\n",
            help_text(Some(&deprecated_text)),
            help_text(reason.as_deref())
        );
        if d.name != old.name {
            text.push_str(
                "# WARNING: A rule name change has been identified.\n\
                 #          This may be an artifact of new rules being\n\
                 #          included which require legacy fallback\n\
                 #          rules to ensure proper policy behavior.\n\
                 #          Alternatively, this may just be an alias.\n\
                 #          Please evaluate on a case by case basis\n\
                 #          keeping in mind the format for aliased\n\
                 #          rules is:\n\
                 #          \"old_rule_name\": \"new_rule_name\".\n",
            );
            text.push_str(&format!("# \"{}\": \"rule:{}\"\n", old.name, d.name));
        }
        text.push('\n');
    }
    text
}

/// A whole sample file: sections (namespaces) sorted by name, rules in
/// registration order.
pub fn sample(sections: &[NamespaceDefaults], exclude_deprecated: bool) -> String {
    let mut sorted: Vec<&NamespaceDefaults> = sections.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (_, rules) in sorted {
        for r in rules {
            out.push_str(&rule_block(r, !exclude_deprecated));
        }
    }
    out
}
