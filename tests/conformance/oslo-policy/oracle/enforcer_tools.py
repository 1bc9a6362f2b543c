"""oslopolicy-policy-generator and oslopolicy-list-redundant output from the
real oslo.policy, for an Enforcer built from a defaults file (the format of
oslo_policy::defaults), a policy file and policy_dirs.

    enforcer_tools.py TOOL DEFAULTS.json POLICY [DIR...]

TOOL is policy-generator, list-redundant or validator (which also prints
"rc=N", the tool's exit status).
"""
import json
import logging
import sys
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_config import cfg  # noqa: E402
from oslo_policy import generator  # noqa: E402

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _reference import build_default as build, enforcer  # noqa: E402


def main():
    tool, defaults, policy_file, dirs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    # The validator reads the global CONF's policy_file.
    e = enforcer(policy_file, dirs, conf=cfg.CONF)
    cfg.CONF.set_override("policy_file", policy_file, "oslo_policy")
    e.register_defaults([build(d) for d in json.load(open(defaults))])
    generator._get_enforcer = lambda namespace: e
    if tool == "policy-generator":
        generator._generate_policy("ns")
    elif tool == "list-redundant":
        generator._list_redundant("ns")
    else:
        print(f"rc={generator._validate_policy('ns')}")


if __name__ == "__main__":
    main()
