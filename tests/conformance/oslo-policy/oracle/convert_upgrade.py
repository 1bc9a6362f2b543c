"""The real oslopolicy-convert-json-to-yaml, oslopolicy-policy-upgrade and
PyYAML's safe_dump, for convert_upgrade.rs (one process, many cases).

Reads JSON lines on stdin and prints one JSON line per case:

  {"dump": VALUE}
      -> {"out": yaml.safe_dump(VALUE, default_flow_style=False)}
         or {"error": "..."}
  {"tool": "convert" | "upgrade", "args": [...]}
      -> {"rc": N, "stdout": "<hex of the bytes written to stdout>"}

A tool case runs the real entry point (generator.convert_policy_json_to_yaml
or generator.upgrade_policy) with ARGS on a fresh ConfigOpts. Each
`--namespace NS` names a defaults file (the format of oslo_policy::defaults):
the namespace's registered defaults are the RuleDefault /
DocumentedRuleDefault objects it describes (oracle/_reference.py).
rc is 0, the SystemExit code, or 1 for an exception (the console script's
traceback); stdout is encoded as UTF-8, strictly, as the tools' stdout is.
"""
import io
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _reference import build_default  # noqa: E402  (also silences logging)

import yaml  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_policy import generator  # noqa: E402


def policies_dict(namespaces):
    with_rules = {}
    for ns in namespaces:
        with open(ns) as f:
            with_rules[ns] = [build_default(d) for d in json.load(f)]
    return with_rules


generator.get_policies_dict = policies_dict

TOOLS = {
    "convert": generator.convert_policy_json_to_yaml,
    "upgrade": generator.upgrade_policy,
}


def run_tool(tool, args):
    buf = io.BytesIO()
    out = io.TextIOWrapper(buf, encoding="utf-8", errors="strict", newline="\n")
    real = sys.stdout
    sys.stdout = out
    rc = 0
    try:
        TOOLS[tool](args, conf=cfg.ConfigOpts())
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: B036 - the console script's traceback
        rc = 1
    finally:
        sys.stdout = real
    try:
        out.flush()
    except Exception:
        pass
    return {"rc": rc, "stdout": buf.getvalue().hex()}


def main():
    for line in sys.stdin:
        case = json.loads(line)
        if "dump" in case:
            try:
                answer = {"out": yaml.safe_dump(case["dump"], default_flow_style=False)}
            except Exception as e:
                answer = {"error": f"{type(e).__name__}: {e}"}
        else:
            answer = run_tool(case["tool"], case["args"])
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
