"""Reference side of `external_checks.rs`: the real oslo.policy deciding
cases whose rules include `http:`/`https:` checks, with the
`[oslo_policy] remote_*` options set as the request says.

    external_oracle.py < request.json > answers.json

request  {"policy": "/abs/policy.yaml",
          "options": {"remote_content_type": ..., "remote_timeout": ..., ...},
          "cases": [{"name": ..., "target": {...}, "creds": {...}}, ...]}
answers  ["true" | "false" | "error: <ExceptionType>: <msg>", ...]
"""
import json
import sys

import _reference


def describe(ex):
    return f"{type(ex).__name__}: {str(ex)}".replace("\n", " ")


def main():
    request = json.load(sys.stdin)
    e = _reference.enforcer(request["policy"])
    for key, value in request.get("options", {}).items():
        e.conf.set_override(key, value, "oslo_policy")
    answers = []
    for case in request["cases"]:
        try:
            ok = e.enforce(case["name"], case["target"], dict(case["creds"]))
            answers.append("true" if ok else "false")
        except Exception as ex:  # noqa: BLE001 - every raise is an `error`
            answers.append("error: " + describe(ex))
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
