"""Criterion's `--output-format bencher` lines on stdin -> JSON on stdout.

    bencher.py [PREFIX [GROUP...]]

    test daemon/execute_true ... bench:      617180 ns/iter (+/- 5000)

becomes {"<PREFIX>execute_true": {"median": 0.000617, "p10": ..., "p90": ..., "n": 0}}
(criterion's estimate +/- its spread, in seconds; n = 0 marks a criterion
figure). PREFIX defaults to "rust_client_" and GROUP to "daemon"; with
several groups the key is PREFIX + GROUP + "_" + name.
"""
import json
import re
import sys

prefix = sys.argv[1] if len(sys.argv) > 1 else "rust_client_"
groups = sys.argv[2:] or ["daemon"]
LINE = re.compile(r"^test (\S+?)/(\S+)\s+\.\.\. bench:\s+([\d,]+) ns/iter \(\+/- ([\d,]+)\)")

out = {}
for line in sys.stdin:
    m = LINE.match(line.strip())
    if not m or m.group(1) not in groups:
        continue
    est = int(m.group(3).replace(",", "")) / 1e9
    dev = int(m.group(4).replace(",", "")) / 1e9
    key = prefix + (m.group(2) if len(groups) == 1 else f"{m.group(1)}_{m.group(2)}")
    out[key] = {"median": est, "p10": est - dev, "p90": est + dev, "n": 0}
if not out:
    sys.exit("bencher.py: no criterion results on stdin")
json.dump(out, sys.stdout, indent=1)
