"""Reference side of service_policies.rs: every rule of the real
combined keystone+nova+neutron+cinder+glance policy (made by
scripts/gen-service-policies.sh), decided for realistic credentials and
targets by the real oslo.policy Enforcer and by `oslo-policy eval
--defaults ...`, with the same registered defaults, compared case by case.

    service_policies.py OUR_BINARY DIR OUR_DEFAULTS

DIR holds combined-defaults.json and combined-policy.yaml. The reference
registers combined-defaults.json; ours gets OUR_DEFAULTS, the same rules
in a form our defaults-file reader accepts (see service_policies.rs).

Scenarios (each: every rule name, every deprecated name and a missing one,
times CREDS, times TARGETS; the empty target only in the first):
  defaults        registered defaults, no policy file
  legacy_flag     the same with enforce_new_defaults = False (deprecated
                  check strings OR-ed in)
  effective_file  combined-policy.yaml (the effective policy) as the file
  old_overrides   a file that sets every deprecated name to its old check
                  string OR-ed with role:legacy (an operator's pre-upgrade
                  overrides), plus a few overrides of new names

Exit status 0 when every case agrees.
"""
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _reference import build_default, decide, enforcer  # noqa: E402


def context(user, project=None, domain=None, system=None, roles=(), **extra):
    """What oslo.context's RequestContext.to_policy_values() gives a
    service, plus keystone's token view."""
    creds = {
        "user_id": user,
        "user_domain_id": "default",
        "system_scope": system,
        "domain_id": domain,
        "project_id": project,
        "project_domain_id": "default" if project else None,
        "roles": list(roles),
        "is_admin_project": True,
        "service_user_id": None,
        "service_user_domain_id": None,
        "service_project_id": None,
        "service_project_domain_id": None,
        "service_roles": [],
    }
    token = {"user": {"id": user, "domain": {"id": "default"}}}
    if project:
        token["project"] = {"id": project, "domain": {"id": "default"}}
    if domain:
        token["domain"] = {"id": domain}
    if system:
        token["system"] = {"all": True}
    creds["token"] = token
    creds.update(extra)
    return creds


CREDS = {
    "project_admin": context("u1", "p1", roles=["admin", "member", "reader"]),
    "project_manager": context("u1", "p1", roles=["manager", "member", "reader"]),
    "project_member": context("u1", "p1", roles=["member", "reader"]),
    "project_reader": context("u1", "p1", roles=["reader"]),
    "other_project_member": context("u2", "p2", roles=["member", "reader"]),
    "no_roles": context("u1", "p1", roles=[]),
    "service": context("nova", "service", roles=["service"], service_roles=["service"]),
    "system_admin": context("u3", system="all", roles=["admin", "member", "reader"]),
    "system_reader": context("u3", system="all", roles=["reader"]),
    "domain_admin": context("u4", domain="d1", roles=["admin", "member", "reader"]),
    "domain_reader": context("u4", domain="d1", roles=["reader"]),
    "legacy_is_admin": context("u1", "p1", roles=["admin"], is_admin=True),
}


def target(project, user, domain):
    return {
        "project_id": project, "tenant_id": project, "user_id": user, "domain_id": domain,
        "owner": project, "visibility": "private",
        "target.user.id": user, "target.user.domain_id": domain,
        "target.project.id": project, "target.project.domain_id": domain,
        "target.domain.id": domain, "target.role.domain_id": None,
        "target.group.domain_id": domain, "target.credential.user_id": user,
        "target.token.user_id": user, "target.trust.trustor_user_id": user,
        "network:tenant_id": project, "network:project_id": project, "shared": False,
    }


TARGETS = {
    "own": target("p1", "u1", "d1"),
    "other": target("p2", "u2", "d2"),
    "empty": {},
}


def scenarios(defaults, effective_file, root):
    old = {d["deprecated_rule"]["name"]: d["deprecated_rule"]["check_str"]
           for d in defaults if d.get("deprecated_rule")}
    overrides = {name: f"({check}) or role:legacy" for name, check in old.items()}
    overrides.update({
        "os_compute_api:servers:show": "role:reader and project_id:%(project_id)s",
        "identity:get_user": "user_id:%(target.user.id)s",
        "context_is_admin": "role:admin or role:cloud_admin",
    })
    old_file = os.path.join(root, "old-overrides.json")
    with open(old_file, "w") as f:
        json.dump(overrides, f)
    missing = os.path.join(root, "no-policy-file.yaml")
    return [
        ("defaults", missing, True),
        ("legacy_flag", missing, False),
        ("effective_file", effective_file, True),
        ("old_overrides", old_file, True),
    ]


def write_cases(path, names, targets):
    cases = [{"name": n, "target": t, "creds": c}
             for n in names for c in CREDS.values() for t in targets]
    with open(path, "w") as f:
        f.write("".join(json.dumps(c) + "\n" for c in cases))
    return cases


def main():
    ours_bin, directory, ours_defaults = sys.argv[1:4]
    with open(os.path.join(directory, "combined-defaults.json"), encoding="utf-8") as f:
        defaults = json.load(f)
    names = [d["name"] for d in defaults]
    names += sorted({d["deprecated_rule"]["name"] for d in defaults if d.get("deprecated_rule")} - set(names))
    names.append("no:such:rule")
    root = tempfile.mkdtemp(prefix="service-policies-")
    # The empty target (every %(key)s missing) only in the first scenario:
    # the reference's enforce() walks every registered default on each
    # call, which makes it the slow side (~0.2-1 ms a decision).
    all_cases = write_cases(os.path.join(root, "all.jsonl"), names, TARGETS.values())
    some_cases = write_cases(os.path.join(root, "some.jsonl"), names,
                             [TARGETS["own"], TARGETS["other"]])
    total = bad = 0
    for i, (label, policy_file, new_defaults) in enumerate(scenarios(
            defaults, os.path.join(directory, "combined-policy.yaml"), root)):
        cases, cases_file = (all_cases, "all.jsonl") if i == 0 else (some_cases, "some.jsonl")
        args = [ours_bin, "eval", "--policy", policy_file, "--cases", os.path.join(root, cases_file),
                "--defaults", ours_defaults]
        if not new_defaults:
            args.append("--no-enforce-new-defaults")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        e = enforcer(policy_file, (), new_defaults)
        e.register_defaults([build_default(d) for d in defaults])
        ref = decide(e, cases)
        stdout, stderr = proc.communicate()
        ours = ["error" if line.startswith("error") else line for line in stdout.splitlines()]
        if proc.returncode != 0 or len(ours) != len(ref):
            print(f"{label}: ours gave {len(ours)} answers for {len(cases)} cases "
                  f"(exit {proc.returncode}): {stderr.strip()[:500]}")
            bad += len(cases)
            continue
        mismatched = Counter()
        for c, a, b in zip(cases, ref, ours):
            total += 1
            if a != b:
                bad += 1
                mismatched[c["name"]] += 1
                if mismatched[c["name"]] == 1 and len(mismatched) <= 20:
                    who = next(k for k, v in CREDS.items() if v == c["creds"])
                    where = next(k for k, v in TARGETS.items() if v == c["target"])
                    print(f"{label}: {c['name']} creds={who} target={where}: reference {a}, ours {b}")
        print(f"{label}: {len(cases)} cases {dict(Counter(ref))}, "
              f"{sum(mismatched.values())} mismatches in {len(mismatched)} rules")
    print(f"service policies: {total} decisions over {len(names)} names, {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
