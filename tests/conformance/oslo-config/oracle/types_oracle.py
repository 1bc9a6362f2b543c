"""Reference oracle for types_differential.rs.

Reads a JSON-lines file; each line is a case
  {"spec": <x_type spec>, "op": "build"|"call"|"fmt", "input": <typed>,
   "sample": <typed or null>, "ours": <result>}
builds the reference type (oslo_config.types) from the spec, runs it and
compares with what oslo-config computed ("ours"):
  build: constructing the type            -> {"ok": null} or {"err": msg}
  call:  type(input)                      -> {"ok": <typed>} or
                                             {"err": msg, "class": name}
  fmt:   type.format_defaults(input, sample) -> {"ok": [lines]} or
                                             {"err": "<class name>: msg"}
msg is str() of the exception, name its class's __name__.

Typed values are tagged JSON: ["N"] None, ["B", b], ["I", "<decimal>"],
["F", "<repr>"], ["S", s], ["L", [items]], ["D", [[key, value], ...]].

The one canonicalisation: rfc3986's UnpermittedComponentError puts a set
of schemes in its args, printed in (randomised) hash order; the oracle
prints it sorted, as oslo-config does.

Prints the mismatches (the first 60 in full) and "N cases, M mismatches";
exits 1 if there are any.
"""

import collections
import json
import sys
import warnings

import rfc3986.exceptions
from oslo_config import types

warnings.simplefilter("ignore")


def opt(spec, key, default=None):
    value = spec.get(key)
    return default if value is None else value


def choices(spec):
    ch = spec.get("choices")
    if ch is None:
        return None
    if all(isinstance(c, list) and len(c) == 2 and (c[1] is None or isinstance(c[1], str))
           for c in ch):
        return [tuple(c) for c in ch]
    # Mixed forms: the pairs stay tuples and become choices themselves.
    return [tuple(c) if isinstance(c, list) else c for c in ch]


def build(spec):
    kind = opt(spec, "kind", "string")
    if kind == "string":
        return types.String(
            choices=choices(spec),
            quotes=bool(opt(spec, "quotes", False)),
            regex=opt(spec, "regex"),
            ignore_case=bool(opt(spec, "ignore_case", False)),
            max_length=opt(spec, "max_length"),
        )
    if kind == "multi_string":
        return types.MultiString()
    if kind == "boolean":
        return types.Boolean()
    if kind == "integer":
        return types.Integer(min=opt(spec, "min"), max=opt(spec, "max"), choices=choices(spec))
    if kind == "port":
        return types.Port(min=opt(spec, "min"), max=opt(spec, "max"), choices=choices(spec))
    if kind == "float":
        return types.Float(min=opt(spec, "min"), max=opt(spec, "max"))
    if kind == "list":
        item = spec.get("item_type")
        return types.List(
            item_type=None if item is None else build(item),
            bounds=bool(opt(spec, "bounds", False)),
            min_length=opt(spec, "min_length", 0),
        )
    if kind == "dict":
        value = spec.get("value_type")
        return types.Dict(
            value_type=None if value is None else build(value),
            bounds=bool(opt(spec, "bounds", False)),
            key_value_separator=opt(spec, "key_value_separator", ":"),
            min_length=opt(spec, "min_length", 0),
        )
    if kind == "ip":
        return types.IPAddress(version=spec.get("version"))
    if kind == "hostname":
        return types.Hostname()
    if kind == "host_address":
        return types.HostAddress(version=spec.get("version"))
    if kind == "host_domain":
        return types.HostDomain(version=spec.get("version"))
    if kind == "uri":
        return types.URI(max_length=spec.get("max_length"), schemes=spec.get("schemes"))
    raise AssertionError(f"unknown kind {kind!r}")


def dec(t):
    tag = t[0]
    if tag == "N":
        return None
    if tag == "B":
        return t[1]
    if tag == "I":
        return int(t[1])
    if tag == "F":
        return float(t[1])
    if tag == "S":
        return t[1]
    if tag == "L":
        return [dec(x) for x in t[1]]
    if tag == "D":
        return {dec(k): dec(v) for k, v in t[1]}
    raise AssertionError(f"bad tag {t!r}")


def enc(v):
    if v is None:
        return ["N"]
    if isinstance(v, bool):
        return ["B", v]
    if isinstance(v, int):
        return ["I", str(v)]
    if isinstance(v, float):
        return ["F", repr(v)]
    if isinstance(v, str):
        return ["S", v]
    if isinstance(v, (list, tuple)):
        return ["L", [enc(x) for x in v]]
    if isinstance(v, dict):
        return ["D", [[enc(k), enc(x)] for k, x in v.items()]]
    return ["O", repr(v)]


def msg(e):
    inner = e.args[0] if isinstance(e, ValueError) and e.args else None
    if isinstance(inner, rfc3986.exceptions.UnpermittedComponentError):
        a = inner.args
        shown = ", ".join(repr(x) for x in sorted(a[3]))
        return f"({a[0]!r}, {a[1]!r}, {a[2]!r}, {{{shown}}})"
    return str(e)


def reference(case):
    op = case["op"]
    try:
        t = build(case["spec"])
    except Exception as e:
        if op == "build":
            return {"err": msg(e)}
        return {"build_err": msg(e)}
    if op == "build":
        return {"ok": None}
    if op == "call":
        try:
            return {"ok": enc(t(dec(case["input"])))}
        except Exception as e:
            return {"err": msg(e), "class": type(e).__name__}
    if op == "fmt":
        sample = case.get("sample")
        try:
            lines = t.format_defaults(dec(case["input"]),
                                      None if sample is None else dec(sample))
            return {"ok": list(lines)}
        except Exception as e:
            return {"err": f"{type(e).__name__}: {e}"}
    raise AssertionError(f"bad op {op!r}")


def main(path):
    n = 0
    bad = 0
    by_kind = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            n += 1
            ref = reference(case)
            if ref != case["ours"]:
                bad += 1
                by_kind[(case["spec"].get("kind"), case["op"])] += 1
                if bad <= 60:
                    print("MISMATCH", json.dumps({"spec": case["spec"], "op": case["op"],
                                                  "input": case.get("input"),
                                                  "sample": case.get("sample")},
                                                 ensure_ascii=False))
                    print("   ours:", json.dumps(case["ours"], ensure_ascii=False)[:2000])
                    print("   ref: ", json.dumps(ref, ensure_ascii=False)[:2000])
    if bad:
        print("mismatches by (kind, op):", dict(by_kind))
    print(f"{n} cases, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
