"""Python side of scripts/bench-policy.sh (run with the reference venv's python).

    policy.py POLICY_JSON RUST_JSON [SERVICE_CASES_JSON [CHECKER_JSON [EVAL_JSON]]]

Times, with the real oslo.policy, what oslo-policy/benches/enforce.rs times
with ours on the same policy file: Rules.load of the text, Enforcer +
load_rules, and enforce() of the same four cases; then prints both sets of
figures side by side with the ratios (RUST_JSON: bencher.py's output).

With SERVICE_CASES_JSON (written by the bench when the real service
policies exist: their directory and the enforce cases), the same for the
combined keystone+nova+neutron+cinder+glance policy: loading it with the
defaults registered, enforce() of nova's and keystone's rules, and the
checks alone; CHECKER_JSON is hyperfine's export for oslopolicy-checker
over all nova rules (ours, then Python); EVAL_JSON names hyperfine's export
for `oslo-policy eval` of the 30,000 real-world case lines (ours, then the
reference's policy_oracle.py) and both peak RSS. Ends with one table of the
issues' targets: workload | Python | ours | ratio | target | MET/NOT MET.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/conformance/oslo-policy/oracle"))
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
    if s >= 1:
        return f"{s:.2f} s"
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


def services(cases_json, rust, checker_json, eval_json=None):
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
    rss = {}
    if eval_json:
        spec_eval = json.load(open(eval_json))
        runs = json.load(open(spec_eval["runs"]))["results"]
        rust["service_eval_30000"] = runs[0]["median"]
        py["service_eval_30000"] = runs[1]["median"]
        rss = {"ours": spec_eval["rss_ours_kb"], "python": spec_eval["rss_python_kb"]}
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
    rows.append(("service_eval_30000", "oslo-policy eval, 30,000 case lines (process)"))
    table(rows, py, rust)

    def ratio(key):
        return py[key] / rust[key] if key in py and key in rust else float("nan")

    def mb(kb):
        return f"{kb / 1024:.1f} MB" if isinstance(kb, (int, float)) else "?"

    # (issue, workload, key, kind, bound): kind "x" = ratio at least bound,
    # "abs" = ours under bound seconds.
    targets = [
        (15, "oslo-policy eval, 30,000 real-world cases, whole process", "service_eval_30000", "x", 50),
    ]
    for label in ("nova_servers_show", "nova_servers_create", "keystone_get_user_self"):
        targets.append((15, f"Enforcer::enforce {spec['cases'][label]['name']}",
                        f"service_enforce_{label}", "x", 200))
    targets += [
        (2, "load+compile of the combined policy", "service_load_combined", "x", 30),
        (2, "role:admin, the check alone", "service_rules_role_admin", "abs", 100e-9),
        (2, "oslopolicy-checker, all nova rules, whole process", "service_checker_nova", "abs", 10e-3),
    ]
    out = []
    for issue, label, key, kind, bound in targets:
        if key not in rust:
            continue
        if kind == "x":
            r = ratio(key)
            target, met, shown = f">= {bound}x", r >= bound, f"{r:.0f}x"
        else:
            target, met, shown = f"< {show(bound)}", rust[key] < bound, f"{ratio(key):.0f}x"
        ours, python = show(rust[key]), show(py[key]) if key in py else "-"
        if key == "service_eval_30000" and rss:
            ours += f" ({mb(rss['ours'])})"
            python += f" ({mb(rss['python'])})"
        out.append((f"#{issue} {label}", python, ours, shown, target, "MET" if met else "NOT MET"))
    head = ("workload", "Python", "ours", "ratio", "target", "")
    widths = [max(len(r[i]) for r in out + [head]) for i in range(len(head))]
    print("\ntargets (whole-process rows: median wall time, peak RSS in brackets):\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in out:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")


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
        services(sys.argv[3], rust, sys.argv[4] if len(sys.argv) > 4 else None,
                 sys.argv[5] if len(sys.argv) > 5 else None)


if __name__ == "__main__":
    main()
