"""Differential oracle for oslo_config::ini.

Reads a JSONL file of cases written by ini_differential.rs, each
`{"text": ..., "ours": ...}`, parses every text with the reference
(cfg.ConfigParser over a real file, as oslo.config reads config files) and
compares the result with ours. Prints every mismatch and a final
`N cases, M mismatches` line; exits 1 on any mismatch.

Result shape (both sides):
  {"ok": [[section, lineno, [[key, value], ...]], ...]}
  {"err": [lineno, reason, line, message-with-file-F]}
"""

import json
import os
import sys
import tempfile

if not sys.flags.utf8_mode:
    # Config files are read in the locale's encoding; the cases are UTF-8.
    os.execv(sys.executable, [sys.executable, '-X', 'utf8', *sys.argv])

from oslo_config import cfg  # noqa: E402
from oslo_config import iniparser  # noqa: E402


class Recorder(cfg.ConfigParser):
    """ConfigParser that also records headers and assignments in order."""

    def __init__(self, filename):
        super().__init__(filename, {})
        self.events = []

    def new_section(self, section):
        super().new_section(section)
        self.events.append([section, self.lineno, []])

    def assignment(self, key, value):
        super().assignment(key, value)
        self.events[-1][2].append([key, '\n'.join(value)])


def reference(path):
    parser = Recorder(path)
    try:
        parser.parse()
    except iniparser.ParseError as pe:
        pe.filename = 'F'
        return {'err': [pe.lineno, pe.msg, pe.line, str(pe)]}
    return {'ok': parser.events}


def main():
    cases_path = sys.argv[1]
    mismatches = 0
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'case.conf')
        with open(cases_path, encoding='utf-8') as f:
            for n, raw in enumerate(f):
                case = json.loads(raw)
                total += 1
                with open(path, 'wb') as out:
                    out.write(case['text'].encode('utf-8'))
                want = reference(path)
                if want != case['ours']:
                    mismatches += 1
                    if mismatches <= 20:
                        print(f'MISMATCH case {n}: text={case["text"]!r}')
                        print(f'  reference: {json.dumps(want)}')
                        print(f'  ours:      {json.dumps(case["ours"])}')
    print(f'{total} cases, {mismatches} mismatches')
    sys.exit(1 if mismatches else 0)


if __name__ == '__main__':
    main()
