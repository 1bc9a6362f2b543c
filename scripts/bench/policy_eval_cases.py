"""Real-world `oslo-policy eval` cases for scripts/bench-policy.sh.

    policy_eval_cases.py POLICY_YAML COUNT OUT.jsonl

Writes COUNT case lines (`{"name", "target", "creds"}`, as the `eval`
contract reads them) over every rule of POLICY_YAML (the combined
keystone+nova+neutron+cinder+glance policy, flat `"name": "rule"` lines),
round-robin: each name in turn, with the request-context credentials a
service passes (oslo.context's `to_policy_values()` plus keystone's token
view: the twelve personas of tests/conformance/oslo-policy/oracle/service_policies.py) and the
target such an API call has (a server's, a user's, a network's, an
image's, ...: ~100 bytes). About 600 bytes a line. Deterministic: the same
file on every machine, no randomness.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/conformance/oslo-policy/oracle"))
from service_policies import CREDS  # noqa: E402


def target(name, project, user, domain):
    """What the service passes as the target of an API call to `name`."""
    if name.startswith("identity:"):
        return {"target.user.id": user, "target.user.domain_id": domain,
                "target.project.id": project, "target.project.domain_id": domain}
    if name.startswith(("os_compute_api:", "compute:")):
        return {"project_id": project, "user_id": user}
    if name.startswith(("volume", "backup:", "group:", "message:", "workers:", "clusters:",
                        "scheduler_extension:", "limits_extension:", "snapshot")):
        return {"project_id": project, "user_id": user, "volume_type_id": "vt1"}
    if name.endswith(("_image", "_images", "_member", "_members", "_image_location",
                      "_image_tag", "_namespace", "_task", "_tasks")):
        return {"project_id": project, "owner": project, "visibility": "private",
                "member_id": project}
    if name.startswith(("create_", "get_", "update_", "delete_", "add_", "remove_")):
        return {"project_id": project, "tenant_id": project, "network:tenant_id": project,
                "network:project_id": project, "shared": False}
    return {"project_id": project, "user_id": user}


def names_of(policy_yaml):
    """The rule names of a flat `"name": "rule"` YAML policy, in order."""
    out = []
    with open(policy_yaml, encoding="utf-8") as f:
        for line in f:
            if line.startswith('"'):
                out.append(json.loads(line.split('": ', 1)[0] + '"'))
    return out


def main():
    policy_yaml, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    names = names_of(policy_yaml) + ["no:such:rule"]
    personas = list(CREDS.values())
    owners = [("p1", "u1", "d1"), ("p2", "u2", "d2")]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            name = names[i % len(names)]
            creds = personas[(i // len(names)) % len(personas)]
            project, user, domain = owners[(i // 7) % len(owners)]
            case = {"name": name, "target": target(name, project, user, domain), "creds": creds}
            f.write(json.dumps(case) + "\n")


if __name__ == "__main__":
    main()
