"""A service's registered policy defaults as a defaults file (the format of
oslo-policy/src/defaults.rs, read by `--defaults FILE` of our tools).

    dump_defaults.py NAMESPACE [OUTPUT.json]

Loads the `oslo.policy.policies` entry point NAMESPACE (e.g. `nova` ->
`nova.policies:list_rules`) the way oslopolicy-sample-generator does,
calls it and writes every RuleDefault / DocumentedRuleDefault, with its
description, operations, scope_types, deprecated_rule (name, check_str,
deprecated_reason, deprecated_since) and deprecated_for_removal/reason/
since, as one JSON list in registration order. Prints the rule count on
stderr. Run it with a Python that has oslo.policy and the service.

The inverse is `build_default` of tests/conformance/oslo-policy/oracle/_reference.py;
`dump_defaults.py --check FILE NAMESPACE` rebuilds the defaults from FILE
with it and demands that they equal the entry point's, attribute by
attribute (exit 1 otherwise).
"""
import importlib.metadata
import json
import logging
import os
import sys
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_policy import policy  # noqa: E402


def entry_point_rules(namespace):
    """What stevedore's NamedExtensionManager('oslo.policy.policies',
    names=[namespace], invoke_on_load=True) hands the generators."""
    eps = importlib.metadata.entry_points(group="oslo.policy.policies", name=namespace)
    eps = list(eps)
    if not eps:
        sys.exit(f"dump_defaults.py: no oslo.policy.policies entry point named {namespace!r}")
    return list(eps[0].load()())


def _jsonable(v):
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def entry(rule):
    """One defaults-file entry; keys that hold their default value are
    left out, so the file reads like a registration."""
    d = {"name": rule.name, "check_str": rule.check_str}
    if getattr(rule, "description", None) is not None:
        d["description"] = rule.description
    if isinstance(rule, policy.DocumentedRuleDefault):
        d["operations"] = _jsonable(rule.operations)
    if rule.scope_types is not None:
        d["scope_types"] = list(rule.scope_types)
    old = rule.deprecated_rule
    if old is not None:
        d["deprecated_rule"] = {
            "name": old.name,
            "check_str": old.check_str,
            "deprecated_reason": old.deprecated_reason,
            "deprecated_since": old.deprecated_since,
        }
    if rule.deprecated_for_removal:
        d["deprecated_for_removal"] = True
    if rule.deprecated_reason is not None:
        d["deprecated_reason"] = rule.deprecated_reason
    if rule.deprecated_since is not None:
        d["deprecated_since"] = rule.deprecated_since
    return d


def attrs(rule):
    """Everything the generators and the Enforcer read from a default."""
    old = rule.deprecated_rule
    return (
        type(rule).__name__,
        rule.name,
        rule.check_str,
        rule.description,
        getattr(rule, "operations", None),
        rule.scope_types,
        (old.name, old.check_str, old.deprecated_reason, old.deprecated_since) if old else None,
        rule.deprecated_for_removal,
        rule.deprecated_reason,
        rule.deprecated_since,
    )


def check(path, namespace):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "../../tests/conformance/oslo-policy/oracle"))
    from _reference import build_default  # noqa: E402

    with open(path, encoding="utf-8") as f:
        rebuilt = [build_default(d) for d in json.load(f)]
    original = entry_point_rules(namespace)
    bad = [a for a, b in zip(map(attrs, original), map(attrs, rebuilt)) if a != b]
    if bad or len(original) != len(rebuilt):
        sys.exit(f"dump_defaults.py: {path} does not round-trip: {len(original)} vs {len(rebuilt)} "
                 f"rules; first difference: {bad[:1]}")


def main(argv):
    if argv[:1] == ["--check"] and len(argv) == 3:
        check(argv[1], argv[2])
        return
    if len(argv) not in (1, 2):
        sys.exit(__doc__)
    rules = [entry(r) for r in entry_point_rules(argv[0])]
    text = json.dumps(rules, indent=1, ensure_ascii=False) + "\n"
    if len(argv) == 2:
        with open(argv[1], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print(f"{argv[0]}: {len(rules)} rules", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
