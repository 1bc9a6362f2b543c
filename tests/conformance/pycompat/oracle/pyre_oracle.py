"""Oracle for tests/conformance/pycompat/pyre_differential.rs: Python 3.11's own answer
to rootwrap's `re.match(pattern + '$', arg)`.

Reads JSON lines {"p": pattern, "s": subject} on stdin and writes one line
per case: `match`, `nomatch`, `timeout` (Python did not finish), or `error` (the pattern does not compile:
re.error, or the ValueError / OverflowError / RecursionError some patterns
raise, all of which make rootwrap deny).

Subjects use the lone-surrogate encoding of the Rust side (pycompat's
`surrogate` module): U+D800+n is the character U+10F800+n, so an
undecodable byte b (U+DC00+b after surrogateescape decoding) arrives as
U+10FC00+b; each is mapped back to its lone surrogate.
"""
import json
import os
import select
import subprocess
import re
import sys
import warnings

warnings.simplefilter("ignore")


def to_python(text):
    return "".join(
        chr(ord(c) - 0x10F800 + 0xD800) if ord(c) >= 0x10F800 else c for c in text
    )


def verdict(pattern, subject):
    try:
        compiled = re.compile(pattern + "$")
    except Exception:  # re.error, ValueError, OverflowError, RecursionError
        return "error"
    return "match" if compiled.match(subject) else "nomatch"


CASE_SECONDS = 5.0


def worker():
    """Answers one case per input line, flushing each verdict."""
    for line in sys.stdin:
        case = json.loads(line)
        sys.stdout.write(verdict(case["p"], to_python(case["s"])) + "\n")
        sys.stdout.flush()


def main():
    """Runs the cases in a worker process and answers `timeout` for a case
    Python's backtracking matcher cannot finish in CASE_SECONDS (random
    patterns can be catastrophic; `re` cannot be interrupted in-process)."""
    trace = os.environ.get("PYRE_ORACLE_TRACE")
    proc = None
    out = []
    for line in sys.stdin:
        if not line.strip():
            continue
        if trace:
            sys.stderr.write(line)
            sys.stderr.flush()
        if proc is None:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        proc.stdin.write(line if line.endswith("\n") else line + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], CASE_SECONDS)
        answer = proc.stdout.readline().strip() if ready else ""
        if not answer:
            proc.kill()
            proc.wait()
            proc = None
            answer = "timeout"
        out.append(answer)
    if proc is not None:
        proc.stdin.close()
        proc.wait()
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        main()
