"""Registered defaults, scopes, deprecated rules and policy_dirs, decided by
the real oslo.policy Enforcer and by `oslo-policy eval --defaults ...
--policy-dir ... [--no-enforce-new-defaults]`, compared case by case.

    enforcer_scenarios.py OUR_BINARY

Exit status 0 when every case agrees.
"""
import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _reference import build_default, decide, enforcer  # noqa: E402

BIN = sys.argv[1]

DEFAULTS = [
    {"name": "context_is_admin", "check_str": "role:admin"},
    {"name": "sys_only", "check_str": "role:reader", "scope_types": ["system"]},
    {"name": "proj_or_dom", "check_str": "role:member", "scope_types": ["project", "domain"]},
    {"name": "renamed", "check_str": "role:new",
     "deprecated_rule": {"name": "old_name", "check_str": "role:old", "deprecated_reason": "r", "deprecated_since": "W"}},
    {"name": "renamed_to_self", "check_str": "role:new2",
     "deprecated_rule": {"name": "old2", "check_str": "role:old2", "deprecated_reason": "r", "deprecated_since": "W"}},
    {"name": "changed", "check_str": "role:after",
     "deprecated_rule": {"name": "changed", "check_str": "role:before", "deprecated_reason": "r", "deprecated_since": "W"}},
    {"name": "overridden", "check_str": "role:registered", "scope_types": ["project"]},
    {"name": "no_scopes", "check_str": "role:member", "scope_types": []},
    {"name": "going", "check_str": "@", "deprecated_for_removal": True, "deprecated_reason": "r", "deprecated_since": "X"},
    {"name": "documented", "check_str": "rule:context_is_admin", "description": "Do it",
     "operations": [{"path": "/x", "method": "GET"}]},
]

SCENARIOS = [
    # (main file rules, {dir: {file: rules}}, enforce_new_defaults)
    ({}, {}, True),
    ({}, {}, False),
    ({"old_name": "role:legacy", "old2": "rule:renamed_to_self", "overridden": "role:file"}, {}, True),
    ({"old_name": "role:legacy", "renamed": "role:explicit"}, {}, False),
    ({"old_name": "role:old"}, {}, False),
    ({"a": "role:x", "default": "role:dflt"}, {"d1": {"20.yaml": {"a": "role:z"}, "10.json": {"a": "role:y", "b": "@"}, ".hidden": {"a": "!"}}}, True),
    (None, {"d1": {"x.txt": {"a": "role:q"}}}, True),
    ({"sys_only": "@"}, {}, True),
]

NAMES = ["context_is_admin", "sys_only", "proj_or_dom", "renamed", "renamed_to_self", "changed",
         "overridden", "no_scopes", "going", "documented", "old_name", "a", "b", "nope"]
ROLES = [[], ["admin"], ["reader"], ["member"], ["new"], ["old"], ["legacy"], ["new2"], ["old2"],
         ["before"], ["after"], ["registered"], ["file"], ["explicit"], ["x"], ["y"], ["z"], ["q"], ["dflt"]]
SCOPES = [{}, {"system_scope": "all"}, {"domain_id": "d"}, {"system": "all", "domain_id": "d"}]


def reference(policy_file, dirs, new_defaults, cases):
    e = enforcer(policy_file, dirs, new_defaults)
    for d in DEFAULTS:
        e.register_default(build_default(d))
    return decide(e, cases)


def main():
    from collections import Counter
    seen_answers = Counter()
    total = bad = 0
    for i, (main_rules, dirs, new_defaults) in enumerate(SCENARIOS):
        root = tempfile.mkdtemp()
        policy_file = os.path.join(root, "policy.json")
        if main_rules is not None:
            with open(policy_file, "w") as f:
                json.dump(main_rules, f)
        dir_paths = []
        for dname, files in dirs.items():
            dp = os.path.join(root, dname)
            os.mkdir(dp)
            for fname, rules in files.items():
                with open(os.path.join(dp, fname), "w") as f:
                    json.dump(rules, f)
            dir_paths.append(dp)
        defaults_file = os.path.join(root, "defaults.json")
        with open(defaults_file, "w") as f:
            json.dump(DEFAULTS, f)
        cases = [{"name": n, "target": {}, "creds": dict(s, roles=r)} for n in NAMES for r in ROLES for s in SCOPES]
        ref = reference(policy_file, dir_paths, new_defaults, cases)
        seen_answers.update(ref)
        cases_file = os.path.join(root, "cases.jsonl")
        with open(cases_file, "w") as f:
            f.write("\n".join(json.dumps(c) for c in cases) + "\n")
        args = [BIN, "eval", "--policy", policy_file, "--cases", cases_file, "--defaults", defaults_file]
        for dp in dir_paths:
            args += ["--policy-dir", dp]
        if not new_defaults:
            args.append("--no-enforce-new-defaults")
        r = subprocess.run(args, capture_output=True, text=True)
        ours = ["error" if l.startswith("error") else l for l in r.stdout.splitlines()]
        if len(ours) != len(ref):
            print(f"scenario {i}: {len(ours)} answers for {len(ref)} cases: {r.stderr.strip()[:300]}")
            bad += len(ref)
            continue
        seen = set()
        for c, a, b in zip(cases, ref, ours):
            total += 1
            if a != b:
                bad += 1
                if c["name"] not in seen:
                    seen.add(c["name"])
                    print(f"scenario {i}: {c['name']} creds={c['creds']}: reference {a}, ours {b}")
    print(f"enforcer scenarios: {total} cases ({dict(seen_answers)}), {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
