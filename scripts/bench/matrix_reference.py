"""The reference's nearest counterpart of `oslo-policy matrix`, for
scripts/bench-analysis.sh: the real oslo.policy Enforcer deciding every
rule for every persona of our matrix on the persona's own target and on
another's (two points per cell, where the matrix decides every target).

    matrix_reference.py DEFAULTS MATRIX.json

Prints the seconds it took (load included) and the number of decisions.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../tests/conformance/oslo-policy/oracle"))
from _reference import build_default, enforcer  # noqa: E402


def main():
    defaults_file, matrix_file = sys.argv[1:3]
    with open(matrix_file, encoding="utf-8") as f:
        m = json.load(f)
    start = time.perf_counter()
    with open(defaults_file, encoding="utf-8") as f:
        defaults = json.load(f)
    e = enforcer("/nonexistent/policy.yaml", (), True)
    e.register_defaults([build_default(d) for d in defaults])
    e.load_rules()
    n = 0
    for rule in m["rules"]:
        for p in m["personas"]:
            for t in (p["own_target"], p["other_target"]):
                try:
                    e.enforce(rule["name"], t, dict(p["creds"]))
                except Exception:
                    pass
                n += 1
    print(f"{time.perf_counter() - start:.3f} {n}")


if __name__ == "__main__":
    main()
