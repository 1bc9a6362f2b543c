//! The hand-written edge cases of `oracle/edge_cases.py` (every
//! quirk of oslo.policy's rule language (`_parser.py`) and checks
//! (`_checks.py`): tokenizer,
//! precedence, list rules, role lower-casing, %-formatting, Python literal
//! kinds, SyntaxError kinds, creds paths, str() of JSON values), decided by
//! the real oslo.policy and by `oslo-policy eval`: all must agree.

mod common;

#[test]
fn edge_cases_agree_with_oslo_policy() {
    common::oracle_agrees("edge_cases", "edge_cases.py", ", 0 mismatches");
}
