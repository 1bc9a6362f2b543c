"""Python side of scripts/bench-policy.sh (run with the reference venv's python).

    policy.py POLICY_JSON RUST_JSON

Times, with the real oslo.policy, what oslo-policy/benches/enforce.rs times
with ours on the same policy file: Rules.load of the text, Enforcer +
load_rules, and enforce() of the same four cases; then prints both sets of
figures side by side with the ratios (RUST_JSON: bencher.py's output).
"""
import json
import logging
import statistics
import sys
import timeit
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_config import cfg  # noqa: E402
from oslo_policy import policy  # noqa: E402


def per_call(fn, min_time=1.0):
    """Median seconds per call over 5 repeats of a loop lasting ~min_time/5."""
    timer = timeit.Timer(fn)
    n, t = timer.autorange()
    loops = max(1, int(n * (min_time / 5) / max(t, 1e-9)))
    runs = timer.repeat(repeat=5, number=loops)
    return statistics.median(runs) / loops


def creds(roles, project):
    return {"roles": list(roles), "project_id": project, "user_id": "u1", "is_admin": False}


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

    def show(s):
        return f"{s * 1e3:.2f} ms" if s >= 1e-3 else (f"{s * 1e6:.2f} us" if s >= 1e-6 else f"{s * 1e9:.0f} ns")

    print(f"{'operation':<48} {'Python':>11} {'ours':>11} {'ratio':>8}")
    print("-" * 81)
    for key, label in labels.items():
        if key in rust:
            print(f"{label:<48} {show(py[key]):>11} {show(rust[key]):>11} {py[key] / rust[key]:>7.0f}x")


if __name__ == "__main__":
    main()
