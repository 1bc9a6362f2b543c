"""Oracle for tests/conformance/pycompat/named_escape_differential.rs: what Python
3.11's `re` makes of `\\N{NAME}`.

Reads one JSON string (a name) per line on stdin; writes one line per name:
the code point in decimal, or `error` where `re` raises (undefined name,
named sequence, ...).
"""
import json
import re
import sys

out = []
for line in sys.stdin:
    name = json.loads(line)
    try:
        [(_op, value)] = list(re._parser.parse("\\N{%s}" % name))
        out.append(str(value))
    except re.error:
        out.append("error")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
