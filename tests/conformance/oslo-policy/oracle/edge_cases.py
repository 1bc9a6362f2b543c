"""Hand-written edge cases of oslo.policy's language and checks, decided by
the real oslo.policy and by `oslo-policy eval`, compared case by case.

    edge_cases.py OUR_BINARY

Every rule of POLICIES is enforced for every target in TARGETS and every
credential set in CREDS (plus a name that is not in the file). Exit status
0 when all agree; mismatches are printed one per rule.
"""
import json, logging, os, subprocess, sys, tempfile, warnings
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _reference import decide, enforcer  # noqa: E402
BIN = sys.argv[1]
POLICIES = [
 {"default": "role:admin", "r": "role:a or (role:b and not role:c)", "s": "'x'", "t": "(role:a)and(role:b)", "u": "not(role:a)",
  "v": "role:%(r)s", "w": "a:%(k)r", "x": "a:%(k)d", "y": "50%:x", "z": "%(k)s:x", "aa": "1e3:1000.0", "ab": "0x10:16", "ac": "b'x':b'x'",
  "ad": "is_admin:True", "ae": "is_admin:1", "af": "n:1e+16", "ag": "n:100.0", "ah": "l:['a', 'b']", "ai": "d:{'k': None}",
  "aj": "a.b.c:x", "ak": "ROLE:admin", "al": "rule:", "am": "rule:missing", "an": "@ or 1abc:x", "ao": "! or 1abc:x",
  "ap": "role:a\u001cor\u3000role:b", "aq": "role:ΟΔΟΣ", "ar": "role:İ", "as": "", "at": " ", "au": "not admin", "av": "AND", "aw": "@ AND @ oR !",
  "ax": ["role:a", ["role:b", "role:c"]], "ay": [], "az": [[]], "ba": [["role:a or role:b"]], "bb": [["(role:a)"]], "bc": {"role:a": 1},
  "bd": "%(k)s", "be": "x:%(k)5s|%(k)-3s|%(k).1s", "bf": "True:%(k)s", "bg": "None:None", "bh": "...:Ellipsis", "bi": "[]:[]", "bj": "1j:1j",
  "bk": "a-b:x", "bl": "a#b:x", "bm": "inf:x", "bn": "--1:x", "bo": "class:x", "bp": ":x", "bq": "a..b:x", "br": "'x:y", "bs": "system:all",
  "bt": "roles:admin", "bu": "f'x':x", "bv": "a[0]:x", "bw": "(1,):(1,)", "bx": "set():set()", "by": "{1}:{1}", "bz": "1+2j:(1+2j)",
  "ca": "-0.0:-0.0", "cb": "1_000:1000", "cc": "00:0", "cd": "0o17:15", "ce": "'a''b':ab", "cf": "r'\\n':\\n", "cg": "u'x':x", "ch": "x:%(f)e %(f)g %(f).3f %(n)x %(n)#o",
 },
]
CREDS = [
 {}, {"roles": ["A"]}, {"roles": ["b"]}, {"roles": ["b", "c"]}, {"roles": "Admin"}, {"roles": {"a": 1}}, {"roles": None}, {"roles": [1]},
 {"roles": ["οδος"]}, {"roles": ["i̇"]}, {"is_admin": True}, {"is_admin": 1}, {"n": 1e16}, {"n": 100.0}, {"l": ["a", "b"]}, {"d": {"k": None}},
 {"a": {"b": {"c": "x"}}}, {"a": [{"b": [{"c": "y"}, {"c": "x"}]}]}, {"a": "str"}, {"ROLE": "admin"}, {"system_scope": "all"}, {"a-b": "x"}, {"a#b": "x"}, {"a": "x"},
 {"inf": "x"}, {"roles": ["admin"]}, {"n": 123456789012345678901234567890}, {"a": [[{"b": 1}]]},
]
TARGETS = [{}, {"k": "v", "r": "A", "f": 2.5, "n": 42}, {"k": 5, "r": "b"}]
def reference(rules, cases):
    d = tempfile.mkdtemp(); p = os.path.join(d, "p.json")
    open(p, "w").write(json.dumps(rules))
    return decide(enforcer(p), json.loads(json.dumps(cases))), p
bad = 0; total = 0
for rules in POLICIES:
    cases = [{"name": n, "target": t, "creds": c} for n in list(rules) + ["nope"] for t in TARGETS for c in CREDS]
    ref, p = reference(rules, cases)
    cf = p + ".cases"
    open(cf, "w").write("\n".join(json.dumps(c) for c in cases) + "\n")
    r = subprocess.run([BIN, "eval", "--policy", p, "--cases", cf], capture_output=True, text=True)
    ours = [("error" if l.startswith("error") else l) for l in r.stdout.splitlines()]
    if len(ours) != len(ref):
        print("LEN", len(ours), len(ref), r.stderr[:300]); continue
    seen = set()
    for c, a, b in zip(cases, ref, ours):
        total += 1
        if a != b:
            bad += 1
            key = c["name"]
            if key in seen: continue
            seen.add(key)
            print(f"MISMATCH rule {c['name']!r}={rules.get(c['name'])!r} target={c['target']} creds={c['creds']}: ref {a} ours {b}")
from collections import Counter
print(f"edge cases: {total} cases ({dict(Counter(ref))}), {bad} mismatches")
sys.exit(1 if bad else 0)
