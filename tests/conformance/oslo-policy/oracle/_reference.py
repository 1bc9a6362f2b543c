"""What the oracle scripts share: the real oslo.policy Enforcer set up as
`oslo-policy eval` sets up ours, rule defaults from a defaults-file entry,
and deciding a batch of cases."""
import json
import logging
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_config import cfg  # noqa: E402
from oslo_policy import policy  # noqa: E402


def enforcer(policy_file, dirs=(), new_defaults=True, conf=None):
    """Enforcer(conf, policy_file=..., default_rule='default') with
    policy_dirs and enforce_new_defaults overridden."""
    conf = conf or cfg.ConfigOpts()
    conf(args=[])
    e = policy.Enforcer(conf, policy_file=policy_file, default_rule="default")
    conf.set_override("policy_dirs", list(dirs), "oslo_policy")
    conf.set_override("enforce_new_defaults", new_defaults, "oslo_policy")
    return e


def build_default(d):
    """The RuleDefault / DocumentedRuleDefault a defaults-file entry describes."""
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


def decide(e, cases):
    """'true'/'false'/'error' per case; each case gets its own creds dict
    (enforce() writes system_scope into it)."""
    out = []
    for c in cases:
        try:
            out.append("true" if e.enforce(c["name"], c["target"], dict(c["creds"])) else "false")
        except Exception:
            out.append("error")
    return out


def enforcer_for(spec):
    """An Enforcer for {"policy", "defaults" (a defaults file or None),
    "new_defaults"}, its rules loaded (the analysis oracles' jobs)."""
    e = enforcer(spec["policy"], (), spec["new_defaults"])
    if spec.get("defaults"):
        with open(spec["defaults"], encoding="utf-8") as f:
            e.register_defaults([build_default(d) for d in json.load(f)])
    e.load_rules()
    return e


def decide_one(e, name, creds, target):
    """enforce() on copies: True/False, or "error: Class" where it raises
    (a service denies)."""
    try:
        return bool(e.enforce(name, dict(target), dict(creds)))
    except Exception as exc:
        return "error: %s" % type(exc).__name__
