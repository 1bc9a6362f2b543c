"""Reference side of `eval_differential.rs`: the real oslo.policy deciding
batches of (policy file, cases), exactly as the `oslo-policy eval` contract
describes.

    policy_oracle.py < requests.jsonl > answers.jsonl

One request per input line, one answer per output line, in order:

  request  {"policy_path": "/abs/p.yaml", "cases_path": "/abs/c.jsonl"}
       or  {"policy_text": "...", "ext": "yaml", "cases": ["<case json>", ...]}
           ("policy_b64" instead of "policy_text" for arbitrary bytes)
  answer   {"load_error": "<ExceptionType>: <msg>"}
       or  {"answers": ["true" | "false" | "error: <ExceptionType>: <msg>", ...]}

The policy is loaded like `Enforcer(conf, policy_file=FILE,
default_rule='default')` with a fresh ConfigOpts, `policy_dirs=[]` and no
registered defaults; each case is `enforce(name, target, creds)` with its
own freshly parsed dicts (enforce mutates creds). Case lines are parsed
with Python's json, so integers are exact at any size.

Standalone (for developing cases without the Rust side):

    policy_oracle.py --policy FILE --cases CASES.jsonl

prints the answers like `oslo-policy eval` would (load failure: one line on
stderr, exit 2).
"""

import base64
import json
import logging
import os
import sys
import tempfile
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_config import cfg  # noqa: E402
from oslo_policy import opts as policy_opts  # noqa: E402
from oslo_policy import policy  # noqa: E402


def _describe(ex):
    msg = str(ex).replace("\n", " ")
    if len(msg) > 300:
        msg = msg[:300] + "..."
    return f"{type(ex).__name__}: {msg}"


def make_enforcer(path):
    conf = cfg.ConfigOpts()
    conf(args=[])
    policy_opts._register(conf)
    conf.set_override("policy_dirs", [], "oslo_policy")
    return policy.Enforcer(conf, policy_file=path, default_rule="default")


def decide(enforcer, line):
    try:
        case = json.loads(line)
        # A fresh dict per case: enforce() copies system_scope into creds.
        result = enforcer.enforce(case["name"], case["target"], case["creds"])
        return "true" if result else "false"
    except RecursionError as ex:
        return "error: " + _describe(ex)
    except Exception as ex:  # noqa: BLE001 - every raise is an `error`
        return "error: " + _describe(ex)


def run(path, case_lines):
    """Returns ("load_error", msg) or ("answers", [...])."""
    try:
        enforcer = make_enforcer(path)
        enforcer.load_rules()
    except RecursionError as ex:
        return "load_error", _describe(ex)
    except Exception as ex:  # noqa: BLE001
        return "load_error", _describe(ex)
    return "answers", [decide(enforcer, line) for line in case_lines]


def case_lines_of(cases_path):
    with open(cases_path, encoding="utf-8") as f:
        return [line for line in f.read().splitlines() if line.strip()]


def serve():
    tmp = tempfile.mkdtemp(prefix="policy-oracle-")
    out = sys.stdout
    for n, raw in enumerate(sys.stdin):
        if not raw.strip():
            continue
        req = json.loads(raw)
        if "policy_path" in req:
            path = os.path.abspath(req["policy_path"])
        else:
            # A new file name per request: no cache can mix two policies up.
            path = os.path.join(tmp, f"p{n}.{req.get('ext', 'yaml')}")
            if "policy_b64" in req:
                data = base64.b64decode(req["policy_b64"])
            else:
                data = req["policy_text"].encode("utf-8")
            with open(path, "wb") as f:
                f.write(data)
        if "cases_path" in req:
            lines = case_lines_of(req["cases_path"])
        else:
            lines = [c if isinstance(c, str) else json.dumps(c) for c in req["cases"]]
        kind, value = run(path, lines)
        out.write(json.dumps({kind: value}) + "\n")
        out.flush()


def standalone(argv):
    args = dict(zip(argv[::2], argv[1::2]))
    kind, value = run(os.path.abspath(args["--policy"]), case_lines_of(args["--cases"]))
    if kind == "load_error":
        sys.stderr.write(f"cannot load {args['--policy']}: {value}\n")
        return 2
    for answer in value:
        print(answer)
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(1000)  # the reference's default, made explicit
    if len(sys.argv) > 1:
        sys.exit(standalone(sys.argv[1:]))
    serve()
