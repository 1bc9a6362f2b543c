"""Criterion's `--output-format bencher` lines on stdin -> JSON on stdout.

    test daemon/execute_true ... bench:      617180 ns/iter (+/- 5000)

becomes {"rust_client_execute_true": {"median": 0.000617, "p10": ..., "p90": ..., "n": 0}}
(criterion's estimate +/- its spread; n = 0 marks a criterion figure).
"""
import json
import re
import sys

LINE = re.compile(r"^test daemon/(\S+)\s+\.\.\. bench:\s+([\d,]+) ns/iter \(\+/- ([\d,]+)\)")

out = {}
for line in sys.stdin:
    m = LINE.match(line.strip())
    if m:
        est = int(m.group(2).replace(",", "")) / 1e9
        dev = int(m.group(3).replace(",", "")) / 1e9
        out[f"rust_client_{m.group(1)}"] = {"median": est, "p10": est - dev, "p90": est + dev, "n": 0}
if not out:
    sys.exit("bencher.py: no criterion results on stdin")
json.dump(out, sys.stdout, indent=1)
