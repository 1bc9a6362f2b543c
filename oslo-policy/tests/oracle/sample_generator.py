"""oslopolicy-sample-generator's text, from the real oslo.policy, for a
defaults file (the format of oslo_policy::defaults).

    sample_generator.py DEFAULTS.json [--exclude-deprecated]

Builds the RuleDefault / DocumentedRuleDefault / DeprecatedRule objects the
file describes and prints what `oslopolicy-sample-generator --namespace`
would print for a namespace returning them.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

from oslo_policy import generator, policy  # noqa: E402


def build(d):
    old = d.get("deprecated_rule")
    dep = (
        policy.DeprecatedRule(old["name"], old["check_str"], deprecated_reason=old.get("deprecated_reason"),
                              deprecated_since=old.get("deprecated_since"))
        if old else None
    )
    kw = dict(deprecated_rule=dep, deprecated_for_removal=d.get("deprecated_for_removal", False),
              deprecated_reason=d.get("deprecated_reason"), deprecated_since=d.get("deprecated_since"),
              scope_types=d.get("scope_types"))
    if "operations" in d:
        return policy.DocumentedRuleDefault(d["name"], d["check_str"], d["description"], d["operations"], **kw)
    return policy.RuleDefault(d["name"], d["check_str"], description=d.get("description"), **kw)


def main():
    rules = [build(d) for d in json.load(open(sys.argv[1]))]
    exclude = "--exclude-deprecated" in sys.argv[2:]
    sys.stdout.write("".join(generator._sort_and_format_by_section({"ns": rules}, exclude_deprecated=exclude)))


if __name__ == "__main__":
    main()
