"""The reference side of `rootwrap::pyos::realpath`.

Batch mode, one JSON case per stdin line:
    {"cwd_hex": [HEX, ...], "gone": NAME_HEX | null, "query_hex": HEX}
The process changes into each `cwd_hex` entry in turn (the first absolute,
the others relative, so that working directories longer than PATH_MAX can be
reached); with `gone`, it then creates that directory, enters it and removes
it (a deleted working directory). It answers one JSON line per case:
    {"ok": HEX} or {"err": "ExceptionClass"}, plus "depth"
where `ok` is `os.fsencode(oslo_rootwrap.filters.realpath(os.fsdecode(q)))`,
exactly as PathFilter computes it, and `depth` is how deeply
`posixpath._joinrealpath` nested (0 = no symlink followed), measured in a
second, instrumented run with a raised recursion limit, so that the caller
can tell a chain deeper than its own bound from a genuine difference.
"""
import json
import os
import posixpath
import sys

from oslo_rootwrap import filters

_ORIGINAL = posixpath._joinrealpath
_STATE = {"cur": 0, "max": 0}


def _counting(path, rest, strict, seen):
    # _joinrealpath recurses through the module global, i.e. through us.
    _STATE["cur"] += 1
    _STATE["max"] = max(_STATE["max"], _STATE["cur"])
    try:
        return _ORIGINAL(path, rest, strict, seen)
    finally:
        _STATE["cur"] -= 1


def reference(query):
    try:
        return {"ok": os.fsencode(filters.realpath(query)).hex()}
    except Exception as exc:  # the reference's uncaught exception
        return {"err": type(exc).__name__}


def depth(query):
    _STATE["cur"] = _STATE["max"] = 0
    limit = sys.getrecursionlimit()
    posixpath._joinrealpath = _counting
    sys.setrecursionlimit(100000)
    try:
        filters.realpath(query)
    except Exception:
        pass
    finally:
        sys.setrecursionlimit(limit)
        posixpath._joinrealpath = _ORIGINAL
    return max(_STATE["max"] - 1, 0)


def main():
    start = os.getcwd()
    for line in sys.stdin:
        case = json.loads(line)
        for step in case["cwd_hex"]:
            os.chdir(bytes.fromhex(step))
        if case.get("gone"):
            name = bytes.fromhex(case["gone"])
            os.mkdir(name)
            os.chdir(name)
            os.rmdir(b"../" + name)
        query = os.fsdecode(bytes.fromhex(case["query_hex"]))
        out = reference(query)
        out["depth"] = depth(query)
        os.chdir(start)
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


main()
