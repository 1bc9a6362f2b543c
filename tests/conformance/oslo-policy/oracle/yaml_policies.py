"""YAML policy files (YAML 1.1 quirks, JSON read as YAML, load errors)
loaded by the real oslo.policy Enforcer and by `oslo-policy eval`: the same
load failures and the same decision for every rule.

    yaml_policies.py OUR_BINARY

Exit status 0 when everything agrees.
"""
import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _reference import decide, enforcer  # noqa: E402

BIN = sys.argv[1]

DOCS = [
    b'"admin": "role:admin"\n"owner": project_id:%(project_id)s\n"yes_rule": yes\n"off_rule": off\n"null_rule": ~\n"empty_rule":\n"zero": 0\n"zero_f": 0.0\n"list0": []\n"map0": {}\n"str0": ""\n"space": " "\n',
    b'a: 5\n', b'a: true\n', b'a: 2020-01-01\n', b'a: 1:30\n', b'a: .inf\n', b'a: .nan\n', b'a: 1.5\n',
    b'a: !!binary aGVsbG8=\n', b'a: !!python/object:os.system x\n',
    b'a:\n  - role:x\n  - [role:y, role:z]\n  - []\nb:\n  - - role:q\n    - "@"\n',
    b'a: role:x\na: role:y\n',
    b'base: &b role:x\nalias: *b\n',
    b'folded: >\n  role:x or\n  role:y\nliteral: |\n  role:z\n',
    b'{"a": "role:x",\t"b": "@"}\n', b'{"a": "role:x", "b": "@",}\n', b'{\n\t"a": "role:x"\n}\n',
    b'a: "@"\n---\nb: "@"\n', b'- a\n- b\n', b'just a string\n', b'42\n', b'', b'# nothing\n', b'~\n',
    b'a: !\n', b'a: @\n', b'\xef\xbb\xbfa: role:x\r\nb: "@"\r\n', b'1: "@"\nyes: "role:x"\n1.0: "!"\n',
    b'base: &base {a: "role:x", b: "role:y"}\nm:\n  <<: *base\n  b: "role:z"\n',
    b'a: !!str 5\nb: !!int "7"\nc: !!float 1\n', b'caf\xc3\xa9: "role:\xc3\xa9"\n', b'a: "\xff"\n', b'a: "x\x00"\n',
    b'x: 0o17\ny: 1e3\nz: 017\nw: 0x1f\n', b'a: "role:x" # comment\n#b: "@"\n', b'a: [role:x, role:y\n',
    b'a: b: c\n', b'a: "unterminated\n', b"a: 'it''s'\n", b'a: "\\u00e9\\t"\n', b'? complex\n: "@"\n',
    b'a: [[role:x, role:y], role:z]\n', b'a: {role:x: 1, role:y: 2}\n', b'a: !!set {x, y}\n',
    b'  a: "@"\n b: "@"\n', b'a:\n\t- x\n', b'a: |-\n  role:x\n', b'a: "role:x"\n...\n', b'...\na: "@"\n', b'# c\n...\n', b'%YAML 1.1\n---\na: "@"\n',
    b'a: &x [role:x]\nb: *x\nc: *y\n', b'"a": "@"\n"b": ["role:x", "@"]\n', b'a: - x\n', b'a: >-\n\n  role:x\n\n',
]

NAMES = ["admin", "owner", "yes_rule", "off_rule", "null_rule", "empty_rule", "zero", "zero_f", "list0", "map0",
         "str0", "space", "a", "b", "c", "w", "x", "y", "z", "alias", "base", "folded", "literal", "m", "café", "1", "nope"]
CREDS = [{}, {"roles": ["admin", "x"], "project_id": "p"}, {"roles": ["y", "z", "q", "é"]}]
TARGETS = [{"project_id": "p"}]


def reference(path, cases):
    e = enforcer(path)
    try:
        e.load_rules()
    except Exception as ex:
        return None, type(ex).__name__
    return decide(e, cases), None


def main():
    bad = total = 0
    for i, doc in enumerate(DOCS):
        root = tempfile.mkdtemp()
        path = os.path.join(root, "policy.yaml")
        with open(path, "wb") as f:
            f.write(doc)
        cases = [{"name": n, "target": t, "creds": c} for n in NAMES for t in TARGETS for c in CREDS]
        ref, load_error = reference(path, cases)
        cases_file = os.path.join(root, "cases.jsonl")
        with open(cases_file, "w") as f:
            f.write("\n".join(json.dumps(c) for c in cases) + "\n")
        r = subprocess.run([BIN, "eval", "--policy", path, "--cases", cases_file], capture_output=True, text=True)
        total += 1
        if load_error:
            ok = r.returncode != 0 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
            if not ok:
                bad += 1
                print(f"doc {i} {doc!r}: reference fails to load ({load_error}); ours exit {r.returncode}, stdout {r.stdout[:60]!r}")
            continue
        if r.returncode != 0:
            bad += 1
            print(f"doc {i} {doc!r}: reference loads; ours fails: {r.stderr.strip()}")
            continue
        ours = ["error" if l.startswith("error") else l for l in r.stdout.splitlines()]
        for c, a, b in zip(cases, ref, ours):
            if a != b:
                bad += 1
                print(f"doc {i} {doc!r}: {c['name']} creds={c['creds']}: reference {a}, ours {b}")
                break
    print(f"yaml policies: {len(DOCS)} documents, {bad} disagreements")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
