"""PyYAML oracle for yaml_differential.rs beside this folder.

Reads JSON lines on stdin, each {"b64": "<base64 bytes>"} or {"doc": "<str>"},
and prints one JSON line per case: how `yaml.safe_load` reads those bytes
when oslo.policy opens the file (text mode, UTF-8, universal newlines).

A loaded value gives {"canon": <text>, "repr": repr(value)}, the canonical
text being (the Rust test builds the same from our Value; strings are the
hex of their UTF-8):
  None "N", True "T", False "F", str "S<hex>;", int "I<decimal>;",
  float "R<repr>;", list "L<items>]", dict "D<key><value>...}",
  anything else (date, datetime, bytes, tuple, set) "O<hex str>,<hex repr>;".
A recursive structure gives {"recursive": true}.
An exception gives {"error": type name, "line": l, "column": c, "msg": text}
with PyYAML's 1-based line/column when the error has a mark, else 0.
"""

import base64
import io
import json
import sys

import yaml


def hexs(s):
    return s.encode("utf-8", "surrogatepass").hex()


def canon(value, stack, out):
    if id(value) in stack:
        raise _Recursive()
    if value is None:
        out.append("N")
    elif value is True:
        out.append("T")
    elif value is False:
        out.append("F")
    elif isinstance(value, str):
        out.append("S" + hexs(value) + ";")
    elif isinstance(value, int):
        out.append("I" + str(value) + ";")
    elif isinstance(value, float):
        out.append("R" + repr(value) + ";")
    elif isinstance(value, list):
        stack.add(id(value))
        out.append("L")
        for v in value:
            canon(v, stack, out)
        out.append("]")
        stack.discard(id(value))
    elif isinstance(value, dict):
        stack.add(id(value))
        out.append("D")
        for k, v in value.items():
            canon(k, stack, out)
            canon(v, stack, out)
        out.append("}")
        stack.discard(id(value))
    else:
        out.append("O" + hexs(str(value)) + "," + hexs(repr(value)) + ";")


class _Recursive(Exception):
    pass


def load(data):
    try:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
        value = yaml.safe_load(text)
    except RecursionError:
        return {"error": "RecursionError", "line": 0, "column": 0, "msg": ""}
    except Exception as exc:  # noqa: BLE001 - any failure is a load error
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        column = mark.column + 1 if mark is not None else 0
        return {"error": type(exc).__name__, "line": line, "column": column, "msg": str(exc)}
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        out = []
        canon(value, set(), out)
        return {"canon": "".join(out), "repr": repr(value)}
    except _Recursive:
        return {"recursive": True}
    finally:
        sys.set_int_max_str_digits(old)


def main():
    sys.setrecursionlimit(1000)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        if "b64" in case:
            data = base64.b64decode(case["b64"])
        else:
            data = case["doc"].encode("utf-8", "surrogatepass")
        sys.stdout.write(json.dumps(load(data)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
