//! YAML policy files — YAML 1.1 scalars (`yes`, `off`, `017`, `1e3`,
//! dates, sexagesimal), falsy values that allow everyone, truthy values that
//! break the file, JSON read as YAML (tabs refused, trailing commas
//! accepted), anchors, merges, block scalars, tags, BOM/CRLF, several
//! documents, bad UTF-8 — loaded by the real oslo.policy and by
//! `oslo-policy eval` (`oracle/yaml_policies.py`): same load failures,
//! same decisions.

mod common;

#[test]
fn yaml_policies_agree_with_oslo_policy() {
    common::oracle_agrees("yaml_policies", "yaml_policies.py", ", 0 disagreements");
}
