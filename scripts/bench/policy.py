"""Python side of scripts/bench-policy.sh (run with the reference venv's python).

    policy.py POLICY_JSON RUST_JSON [SERVICE_CASES_JSON [CHECKER_JSON]]

Times, with the real oslo.policy, what oslo-policy/benches/enforce.rs times
with ours on the same policy file: Rules.load of the text, Enforcer +
load_rules, and enforce() of the same four cases; then prints both sets of
figures side by side with the ratios (RUST_JSON: bencher.py's output).

With SERVICE_CASES_JSON (written by the bench when the real service
policies exist: their directory and the enforce cases), the same for the
combined keystone+nova+neutron+cinder+glance policy: loading it with the
defaults registered, enforce() of nova's and keystone's rules, and the
checks alone; CHECKER_JSON is hyperfine's export for oslopolicy-checker
over all nova rules (ours, then Python). Ends with the issue's targets.
"""
import json
import logging
import statistics
import sys
import timeit
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

import os  # noqa: E402

from oslo_config import cfg  # noqa: E402
from oslo_policy import _checks, policy  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../oslo-policy/tests/oracle"))
from _reference import build_default  # noqa: E402


def per_call(fn, min_time=1.0):
    """Median seconds per call over 5 repeats of a loop lasting ~min_time/5."""
    timer = timeit.Timer(fn)
    n, t = timer.autorange()
    loops = max(1, int(n * (min_time / 5) / max(t, 1e-9)))
    runs = timer.repeat(repeat=5, number=loops)
    return statistics.median(runs) / loops


def creds(roles, project):
    return {"roles": list(roles), "project_id": project, "user_id": "u1", "is_admin": False}


def show(s):
    return f"{s * 1e3:.2f} ms" if s >= 1e-3 else (f"{s * 1e6:.2f} us" if s >= 1e-6 else f"{s * 1e9:.0f} ns")


def table(rows, py, rust):
    rows = list(rows)
    w = max(len(label) for _, label in rows)
    print(f"{'operation':<{w}} {'Python':>11} {'ours':>11} {'ratio':>8}")
    print("-" * (w + 33))
    for key, label in rows:
        if key in rust and key in py:
            print(f"{label:<{w}} {show(py[key]):>11} {show(rust[key]):>11} {py[key] / rust[key]:>7.0f}x")
        elif key in rust:
            print(f"{label:<{w}} {'-':>11} {show(rust[key]):>11}")


def service_enforcer(policy_file, defaults):
    conf = cfg.ConfigOpts()
    conf(args=[])
    e = policy.Enforcer(conf, policy_file=policy_file, default_rule="default")
    conf.set_override("policy_dirs", [], "oslo_policy")
    e.register_defaults(defaults)
    e.load_rules()
    return e


def services(cases_json, rust, checker_json):
    """The combined service policy: what enforce.rs's `service` group times."""
    spec = json.load(open(cases_json))
    d = spec["dir"]
    policy_file = os.path.join(d, "combined-policy.yaml")
    no_file = os.path.join(d, "no-such-policy-file.yaml")
    text = open(os.path.join(d, "combined-defaults.json"), "rb").read()

    def parse():
        return [build_default(x) for x in json.loads(text)]

    defaults = parse()
    py = {}
    py["service_load_combined"] = per_call(lambda: service_enforcer(policy_file, defaults), 2.0)
    py["service_load_combined_defaults_only"] = per_call(lambda: service_enforcer(no_file, defaults), 2.0)
    py["service_load_combined_from_defaults_file"] = per_call(lambda: service_enforcer(policy_file, parse()), 2.0)
    py["service_parse_defaults_file"] = per_call(parse, 2.0)
    enforcer = service_enforcer(policy_file, defaults)
    for label, c in spec["cases"].items():
        name, target, creds = c["name"], c["target"], c["creds"]
        py[f"service_enforce_{label}"] = per_call(
            lambda: enforcer.enforce(name, target, dict(creds)))
        check = enforcer.rules[name]
        py[f"service_rules_{label}"] = per_call(
            lambda: _checks._check(rule=check, target=target, creds=creds, enforcer=enforcer, current_rule=name))
    if checker_json:
        runs = json.load(open(checker_json))["results"]
        rust["service_checker_nova"] = runs[0]["median"]
        py["service_checker_nova"] = runs[1]["median"]
    n = len(json.load(open(os.path.join(d, "combined-defaults.json"))))
    print(f"\nreal service policies: keystone+nova+neutron+cinder+glance combined, {n} rules\n")
    rows = [
        ("service_load_combined", "load: Enforcer + registered defaults + policy file"),
        ("service_load_combined_defaults_only", "load: Enforcer + registered defaults, no file"),
        ("service_load_combined_from_defaults_file", "load: defaults file read too (--defaults)"),
        ("service_parse_defaults_file", "read the defaults file (509 KB JSON) alone"),
    ]
    for label in spec["cases"]:
        c = spec["cases"][label]
        rows.append((f"service_enforce_{label}", f"enforce {label}: {c['name']}"))
        if f"service_rules_{label}" in rust:
            rows.append((f"service_rules_{label}", "  the check alone (no scope/file check)"))
    rows.append(("service_checker_nova", "oslopolicy-checker, all nova rules (process)"))
    table(rows, py, rust)

    def ratio(key):
        return py[key] / rust[key] if key in py and key in rust else float("nan")

    print("\ntargets (issue 2):")
    print(f"  load+compile of the combined policy >= 30x faster: {ratio('service_load_combined'):.1f}x "
          f"(Python {show(py['service_load_combined'])}, ours {show(rust['service_load_combined'])})")
    for label in ("nova_servers_show", "nova_servers_create", "keystone_get_user_self"):
        key = f"service_enforce_{label}"
        print(f"  enforce {spec['cases'][label]['name']} >= 200x faster: {ratio(key):.0f}x "
              f"(Python {show(py[key])}, ours {show(rust[key])})")
    for key in ("service_rules_role_admin", "service_enforce_role_admin"):
        if key in rust:
            print(f"  role:admin under 100 ns ({key.split('_', 2)[1]}): ours {show(rust[key])}")
    if "service_checker_nova" in rust:
        print(f"  checker over all nova rules under 10 ms as a process: ours {show(rust['service_checker_nova'])}"
              f" (Python {show(py['service_checker_nova'])}, {ratio('service_checker_nova'):.0f}x)")


def main():
    path, rust_json = sys.argv[1], sys.argv[2]
    text = open(path, "rb").read()
    py = {}
    py["load_1000_rules"] = per_call(lambda: policy.Rules.load(text, "default"))

    def enforcer_load():
        conf = cfg.ConfigOpts()
        conf(args=[])
        e = policy.Enforcer(conf, policy_file=path, default_rule="default")
        conf.set_override("policy_dirs", [], "oslo_policy")
        e.load_rules()
        return e

    enforcer = enforcer_load()
    target = {"project_id": "p1"}
    cases = {
        "enforce_role_admin": ("context_is_admin", creds(["admin"], "p9")),
        "enforce_nova_start_owner": ("os_compute_api:servers:action0", creds(["member"], "p1")),
        "enforce_nova_start_denied": ("os_compute_api:servers:action3", creds(["member"], "p2")),
        "enforce_missing_rule": ("no:such:rule", creds(["member"], "p1")),
    }
    for key, (name, who) in cases.items():
        py[key] = per_call(lambda name=name, who=who: enforcer.enforce(name, target, dict(who)))

    rust = {k[len("rust_"):]: v["median"] for k, v in json.load(open(rust_json)).items()}
    labels = {
        "load_1000_rules": "load + parse 1,000 rules (Rules.load)",
        "enforce_role_admin": "enforce role:admin",
        "enforce_nova_start_owner": "enforce nova-like rule chain, owner",
        "enforce_nova_start_denied": "enforce nova-like rule chain, denied",
        "enforce_missing_rule": "enforce a name not in the file (default rule)",
    }

    table(labels.items(), py, rust)
    if len(sys.argv) > 3:
        services(sys.argv[3], rust, sys.argv[4] if len(sys.argv) > 4 else None)


if __name__ == "__main__":
    main()
