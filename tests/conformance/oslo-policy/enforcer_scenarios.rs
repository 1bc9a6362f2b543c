//! Registered defaults, scope checks, deprecated rules (renamed and
//! changed, with `enforce_new_defaults` on and off) and `policy_dirs`
//! overlays, decided by the real `oslo_policy.policy.Enforcer` and by
//! `oslo-policy eval --defaults ... --policy-dir ...`
//! (`oracle/enforcer_scenarios.py`): every case must agree.

mod common;

#[test]
fn enforcer_scenarios_agree_with_oslo_policy() {
    common::oracle_agrees(
        "enforcer_scenarios",
        "enforcer_scenarios.py",
        ", 0 mismatches",
    );
}
