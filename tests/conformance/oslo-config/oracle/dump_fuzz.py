"""Differential fuzzing of `oslo-config dump` against the real oslo.config.

    dump_fuzz.py OUR_BINARY [--seed S] [--cases N] [--jobs J] [--show M]
    dump_fuzz.py OUR_BINARY --case K     # one case: its inputs, both outputs
    dump_fuzz.py OUR_BINARY --shrink K   # a minimal case with the same mismatch
    dump_fuzz.py --self-check [--cases N]

Every case is a schema (opt-data, YAML or JSON), config files and
directories, environment variables and an argv, generated from (seed, K)
alone, so `--case K` and `--shrink K` regenerate exactly case K.  Cases
K are random for K = 0..N-1; the hand-written cases of dump_cases/*.yaml
run as well (ids `NAME` for them; `--no-handwritten` leaves them out).

What is generated: 1-4 groups (DEFAULT, odd-case and hyphenated names)
of 0-8 opts of every type, plain or as x_type specs (choices, regex,
ignore_case, bounds, separators, versions, schemes, nested item types),
x_multi / x_cli / positional / short, deprecated names across groups,
required opts, defaults (typed, `$ref`, `\\$`, wrong types), custom dests,
duplicates; 0-3 config files and 0-2 config dirs (sort-order traps,
dotfiles, other extensions, glob characters in names, a `x.conf`
directory), missing ones, in mixed argv order; section spelling variants,
deprecated keys, continuation lines, quotes, `:` separators, comments,
Unicode whitespace, CR/CRLF line ends, every parse error, interpolations
(`$opt`, `${group.opt}`, `$$`, `\\$`, unknown names, groups, cycles);
OS_<GROUP>__<DEST> variables; CLI flags in every form, invalid values,
unknown flags, missing values, abbreviations.  The name pools are small on
purpose: collisions (DEFAULT opt vs group, CLI flags, argparse dests) are
part of what is tested.  About a third of the cases fail in the reference:
candidate values, defaults and type specs are tried with the reference's own
types (dump_oracle.build_type) and an invalid one is kept only at a set
rate.  A case K depends on the seed and on this file's version.

Each case runs in its own directory (also the working directory of both
sides), with an environment holding only its variables and PATH.  The
reference is dump_oracle.py's `run()`, called in this process (a fresh
cfg.ConfigOpts each time, os.environ / cwd / sys.stdout / sys.stderr
swapped); our binary runs as `OUR_BINARY dump --opt-data SCHEMA ARGS...`.

Comparison (the contract in dump_oracle.py's docstring):
* reference exit 0: ours exits 0 and its stdout is one JSON object equal to
  the reference's (parsed; key order ignored; 1, 1.0 and true differ; floats
  compared by repr, so -0.0 != 0.0);
* reference fails: ours exits non-zero (with the same status for
  `SystemExit: N`) and its stderr, trailing whitespace removed, ends with
  the reference's whole `Class: message` text on a line boundary -- only
  `RecursionError:` itself for a RecursionError (its message depends on
  where the recursion limit was hit).

Python set reprs in messages (the URI schemes of rfc3986 errors) are
compared with their items sorted: their order follows per-process string
hashes.

`--self-check` validates the harness: the in-process reference against
`python dump_oracle.py` run as a subprocess like our binary.

Prints `N cases, M mismatches` (exit 1 when M > 0), the mismatches grouped
by cause, and the details of the first few.
"""
import argparse
import concurrent.futures
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if not sys.flags.utf8_mode:
    # Config files are read in the locale's encoding: make it UTF-8 here as
    # in the subprocesses (which get no LANG).
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONUTF8='1'))
sys.path.insert(0, HERE)

import yaml  # noqa: E402

import dump_oracle  # noqa: E402

SafeDumper = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)
dump_oracle.YAML_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)

DEFAULT_SEED = 20260511
DEFAULT_CASES = 1500
PATH = os.environ.get('PATH', '/usr/bin:/bin')
TIMEOUT = 20

# ===================================================================== pools
# Small vocabularies on purpose: collisions between names (DEFAULT opt vs
# group, CLI flags, argparse dests) are part of what is tested.

OPT_NAMES = ['foo', 'bar', 'baz', 'debug', 'host', 'port', 'name', 'a', 'b', 'x-y', 'log-dir', 'max_count',
             'Mixed', 'enable', 'url', 'items', 'ratio', 'level', 'y', 'x', 'opt1', 'database', 'log', 'file',
             'a_b', 'x_y']
GROUP_NAMES = ['database', 'Database', 'my-grp', 'keystone_authtoken', 'default', 'x', 'GRP', 'Grp-2', 'log',
               'a', 'config']
DEPRECATED_NAMES = ['old-name', 'old_name', 'legacy', 'foo', 'bar', 'Mixed', 'x-y', 'y']
STRINGS = ['abc', 'Hello World', ' padded ', '', 'ünï cödé', 'a,b', 'k:v', "'sq'", '"dq"', 'a # no comment',
           'x=y', '中文', 'tab\there', 'end\\', 'semi;colon', 'C:\\path', 'a\u3000b', 'null', 'True', '42', '1.5']
STRING_CHOICES = ['a', 'b', 'Red', 'green', 'BLUE', '', 'x y', 'none']
REGEXES = [(r'^[a-z]+$', ['abc', 'xyz', 'ABC', 'a1', '']), (r'\d{2}', ['a12b', '99', 'a1b', '']),
           (r'^(foo|bar)$', ['foo', 'bar', 'FOO', 'baz', 'foobar']), (r'b.r', ['bar', 'xbzr', 'br', 'B-R'])]
QUOTED = ["'abc'", '"abc"', '"abc', "'", '"', "'a\"", '""', "'x y'"]
BOOLS = ['true', 'false', 'True', 'FALSE', '1', '0', 'on', 'Off', 'yes', 'NO', 'tRuE']
BAD_BOOLS = ['y', 't', '', '2', ' true', 'none', 'ja', 'truee']
INTS = ['0', '1', '42', '-7', '+8', ' 12 ', '007', '1_000', '٣', '１２', '99999999999999999999999', '', '  ', '-0']
BAD_INTS = ['0x10', '1.0', '1e3', 'abc', '1__0', '_1', '1_', '--1', '1 2', '½', 'inf']
FLOATS = ['0.5', '1', '-2.25', ' 3e2 ', 'inf', '-Infinity', 'nan', 'NaN', '.5', '5.', '1_0.5', '1e-5', '1e16', '',
          '-0.0', '1e400', '0.1', '123456789.125', '1E5', '+.5e-3']
BAD_FLOATS = ['abc', '1,5', '0x1p3', '1.2.3', 'in f', 'infinit', '1e', '.', '1__0.5']
PORTS = ['0', '80', '8080', '65535', ' 443 ', '22', '']
BAD_PORTS = ['65536', '-1', 'http', '80.0', '1e2']
IPS = ['127.0.0.1', '10.0.0.255', '::1', '2001:db8::1', '::ffff:1.2.3.4', '0.0.0.0', 'fe80::', '::',
       '1:2:3:4:5:6:7:8']
BAD_IPS = ['1.2.3', '256.0.0.1', '010.1.1.1', '127.1', '::1%eth0', ' 1.2.3.4', '1::2::3', '', 'abc', '1.2.3.4.',
           '::ffff:1.2.3', '0x7f.0.0.1', '1:2:3:4:5:6:7:8:9']
HOSTNAMES = ['example.com', 'example.com.', 'localhost', 'a-b.c-d.org', 'xn--bcher-kva.example', 'UPPER.Case',
             'h.1a', 'a' * 63 + '.com', 'x1']
BAD_HOSTNAMES = ['-bad.com', 'bad-.com', 'a..b', '1.2.3.4', '_x.com', 'foo_bar.example', 'a' * 64 + '.com',
                 'x' * 254, '', 'exa mple.com', 'a.b..', '.', '_srv.x']
URIS = ['http://example.com', 'https://example.com:8443/p?q=1#f', 'ftp://h.example/x', 'HTTP://EXAMPLE.COM',
        'http://[::1]:80/', 'http://1.2.3.4/', 'git+ssh://host/repo', 'http://user:pw@host/']
BAD_URIS = ['file:///etc/x', 'mailto:a@b.c', 'http://', 'example.com', 'http://exa mple.com', 'http://h/%zz',
            '://x', 'http://[::1', '', 'http://h:port/']
DICT_KEYS = ['a', 'b', 'key', 'x y', 'k1', 'B']
WS_TAILS = [' ', '\t', '\x0c', '\u3000', '\x1c', '\xa0', '  \t']
DIR_ENTRIES = ['10-a.conf', '9-b.conf', 'B.conf', 'a.conf', '.hidden.conf', 'x.txt', 'README', 'z.conf.bak',
               'ü.conf', 'UPPER.CONF', ' sp.conf', 'nested/c.conf']
KINDS = [('string', 20), ('boolean', 10), ('integer', 12), ('float', 7), ('port', 5), ('list', 10), ('dict', 6),
         ('ip', 5), ('hostname', 4), ('host_address', 3), ('host_domain', 3), ('uri', 4), ('multi_string', 5)]
LEGACY_NAMES = {'string': 'string value', 'boolean': 'boolean value', 'integer': 'integer value',
                'float': 'floating point value', 'port': 'port value', 'list': 'list value', 'dict': 'dict value',
                'ip': 'IP address value', 'hostname': 'hostname value', 'host_address': 'host address value',
                'host_domain': 'host domain value', 'uri': 'uri value', 'multi_string': 'multi valued'}


def default_ok(o, v):
    """Does oslo.config accept v as the default of opt o, and convert it on
    reading (generator steering)?"""
    try:
        t = dump_oracle.build_type(o.spec)
    except Exception:
        return True
    if v is None or (isinstance(v, str) and '$' in v.replace('\\$', '').replace('$$', '')):
        return True
    try:
        t(v)  # the check at construction
        for item in (v if o.multi else [v]):  # the conversion on reading
            t(item)
        return True
    except Exception:
        return False


def value_ok(o, v, env=False):
    """Does opt o accept the raw value v (generator steering)?"""
    try:
        t = dump_oracle.build_type(o.spec)
        for item in (v if env and o.multi else [v]):
            t(item)
        return True
    except Exception:
        return False


def spec_ok(spec):
    """Can the spec be built (generator steering)?"""
    try:
        dump_oracle.build_type(spec)
        return True
    except Exception:
        return False


class Opt:
    """One opt of a generated schema (the generator's own model of it)."""

    def __init__(self, group, name, spec):
        self.group = group          # 'DEFAULT' or a group name
        self.name = name
        self.dest = name.replace('-', '_')
        self.spec = spec            # x_type-style spec of the (item) type
        self.multi = spec['kind'] == 'multi_string'
        self.cli = False
        self.positional = False
        self.short = None
        self.deprecated = []        # [(name or None, group or None)]

    @property
    def is_bool_opt(self):
        return self.spec['kind'] == 'boolean' and not self.multi


# ================================================================= generator

class CaseGen:
    """Generates case K of a seed: {schema, schema_format, files, argv, env}."""

    def __init__(self, seed, k):
        self.r = random.Random(f'{seed}/{k}')
        self.opts = []
        self.groups = []

    # -- helpers
    def p(self, prob):
        return self.r.random() < prob

    def pick(self, seq):
        return self.r.choice(seq)

    def weighted(self, pairs):
        return self.r.choices([a for a, _ in pairs], [w for _, w in pairs])[0]

    # -- types
    def gen_spec(self, depth=0, kinds=KINDS):
        kind = self.weighted(kinds)
        s = {'kind': kind}
        r = self.r
        if kind == 'string':
            if self.p(0.2):
                ch = r.sample(STRING_CHOICES, r.randint(1, 4))
                s['choices'] = [[c, self.pick([None, 'desc'])] for c in ch] if self.p(0.5) else ch
            if self.p(0.1) and ('choices' not in s or self.p(0.1)):
                s['regex'] = self.pick(REGEXES)[0]
            if ('choices' in s or 'regex' in s) and self.p(0.4):
                s['ignore_case'] = True
            if self.p(0.1):
                s['max_length'] = r.randint(1, 8)
            if self.p(0.1):
                s['quotes'] = True
        elif kind in ('integer', 'port', 'float'):
            if self.p(0.3):
                lo = r.randint(-5, 20) if kind != 'port' else r.randint(0, 1024)
                if self.p(0.03):
                    lo = -1 if kind == 'port' else lo  # Port min < 0: ValueError
                hi = lo + r.randint(0, 100)
                if self.p(0.03):
                    hi = lo - 1  # max < min: ValueError
                if kind == 'float' and self.p(0.5):
                    lo, hi = lo + 0.5, hi + 0.25
                s['min'] = lo if self.p(0.8) else None
                s['max'] = hi if self.p(0.8) else None
            if kind != 'float' and self.p(0.12):
                lo = s.get('min') if s.get('min') is not None else 0
                hi = s.get('max') if s.get('max') is not None else lo + 500
                lo, hi = int(min(lo, hi)), int(max(lo, hi))
                ch = r.sample(sorted({lo, hi, r.randint(lo, hi), r.randint(lo, hi), 1, 80}), r.randint(1, 3))
                s['choices'] = [[c, None] for c in ch] if self.p(0.5) else ch
        elif kind in ('list', 'dict'):
            if depth < 2 and self.p(0.5):
                sub = self.gen_spec(depth + 1, [(k, w) for k, w in KINDS if k not in ('multi_string',)])
                s['item_type' if kind == 'list' else 'value_type'] = sub
            if self.p(0.15):
                s['bounds'] = True
            if self.p(0.1):
                s['min_length'] = r.randint(1, 3)
            if kind == 'dict' and self.p(0.2):
                s['key_value_separator'] = self.pick(['=', '=>', ' ', '|', ':'])
        elif kind in ('ip', 'host_address', 'host_domain'):
            if self.p(0.3):
                s['version'] = self.pick([4, 6, None])
        elif kind == 'uri':
            if self.p(0.3):
                s['schemes'] = self.pick([['http', 'https'], ['ftp'], ['HTTP'], ['git+ssh', 'http']])
            if self.p(0.15):
                s['max_length'] = r.randint(10, 30)
        return s

    @staticmethod
    def legacy_ok(spec):
        """Can the spec be written with the generator's plain fields?"""
        k = spec['kind']
        extra = set(spec) - {'kind'}
        if k == 'string':
            return extra <= {'choices'}
        if k in ('integer', 'port'):
            return True
        if k == 'float':
            return extra <= {'min', 'max'}
        if k in ('ip', 'host_address', 'host_domain'):
            return spec.get('version') is None
        return not extra

    # -- raw values (strings as found in files / env / argv)
    def raw(self, spec, bad=None):
        """A string for a value of `spec`; `bad` asks for a likely-invalid one."""
        r = self.r
        if bad is None:
            bad = self.p(0.025)
        k = spec['kind']
        if k in ('string', 'multi_string'):
            choices = spec.get('choices')
            if choices and not bad and self.p(0.8):
                c = self.pick(choices)
                c = c[0] if isinstance(c, list) else c
                if self.p(0.3):
                    c = self.pick([c.upper(), c.lower(), c.title()])
                return c
            if spec.get('regex') and self.p(0.7):
                return self.pick([p for rx, p in REGEXES if rx == spec['regex']][0])
            if spec.get('quotes') and self.p(0.5):
                return self.pick(QUOTED)
            if spec.get('max_length') and self.p(0.4):
                return 'abcdefghijkl'[:r.randint(0, 10)]
            return self.pick(STRINGS + (['not-a-choice'] if bad else []))
        if k == 'boolean':
            return self.pick(BAD_BOOLS if bad else BOOLS)
        if k in ('integer', 'port'):
            if spec.get('choices') and self.p(0.7):
                c = self.pick(spec['choices'])
                return str(c[0] if isinstance(c, list) else c) if not bad else '5'
            if (spec.get('min') is not None or spec.get('max') is not None) and self.p(0.6):
                lo = spec.get('min') if spec.get('min') is not None else spec['max'] - 10
                hi = spec.get('max') if spec.get('max') is not None else lo + 10
                return str(r.randint(int(lo) - 2, int(hi) + 2))
            if k == 'port':
                return self.pick(BAD_PORTS if bad else PORTS)
            return self.pick(BAD_INTS if bad else INTS)
        if k == 'float':
            if (spec.get('min') is not None or spec.get('max') is not None) and self.p(0.6):
                base = spec.get('min') if spec.get('min') is not None else spec['max']
                return repr(base + r.choice([-1.5, -0.25, 0, 0.5, 3, 200]))
            return self.pick(BAD_FLOATS if bad else FLOATS)
        if k == 'ip':
            return self.pick(BAD_IPS if bad else IPS)
        if k == 'hostname':
            return self.pick(BAD_HOSTNAMES if bad else HOSTNAMES)
        if k in ('host_address', 'host_domain'):
            return self.pick((BAD_HOSTNAMES + BAD_IPS) if bad else (HOSTNAMES + IPS))
        if k == 'uri':
            return self.pick(BAD_URIS if bad else URIS)
        if k == 'list':
            item = spec.get('item_type') or {'kind': 'string'}
            n = r.randint(0, 4)
            items = [self.raw(item, bad=(bad and i == 0)) for i in range(n)]
            s = self.pick([',', ', ', ' , ']).join(items)
            if self.p(0.15):
                s += ','
            if bool(spec.get('bounds')) != self.p(0.1):
                s = '[' + s + ']'
            return s
        if k == 'dict':
            sep = spec.get('key_value_separator') or ':'
            vt = spec.get('value_type') or {'kind': 'string'}
            keys = r.sample(DICT_KEYS, r.randint(0, 3))
            pairs = [f'{key}{self.pick([sep, sep, " " + sep + " "])}{self.raw(vt, bad=False)}' for key in keys]
            if bad:
                fault = self.pick(['dup', 'nosep', 'trailing', 'emptykey', 'value'])
                if fault == 'dup' and pairs:
                    pairs.append(pairs[0])
                elif fault == 'nosep':
                    pairs.append('lonely')
                elif fault == 'trailing':
                    pairs.append('')
                elif fault == 'emptykey':
                    pairs.append(f'{sep}v')
                else:
                    pairs.append(f'k9{sep}{self.raw(vt, bad=True)}')
            s = ','.join(pairs)
            if bool(spec.get('bounds')) != self.p(0.1):
                s = '{' + s + '}'
            return s
        raise AssertionError(k)

    def ref(self, here):
        """A `$` interpolation expression, mostly naming an opt of the case."""
        same = [x for x in self.opts if here and x.spec['kind'] == here.spec['kind'] and x is not here]
        o = self.pick(same if same and self.p(0.6) else self.opts) if self.opts else None
        dest = o.dest if o else 'foo'
        good = [
            lambda: f'${dest}',
            lambda: f'${{{dest}}}',
            lambda: f'${{{o.group}.{dest}}}' if o and o.group != 'DEFAULT' else f'${dest}',
            lambda: f'${o.group}.{dest}' if o and o.group != 'DEFAULT' else f'${{{dest}}}',
            lambda: f'pre-${{{dest}}}-post',
            lambda: '$$literal',
            lambda: '\\$literal',
            lambda: f'${self.pick(o.deprecated)[0] or dest}' if o and o.deprecated else f'${dest}',
            lambda: f'${here.dest}' if here else '$foo',
            lambda: self.pick(['$5', '$', '${x', '$-', 'a$']),
        ]
        bad = [
            lambda: f'${self.pick(self.groups)}' if self.groups else '$nope',
            lambda: '$nope',
            lambda: '${unknown_group.foo}',
            lambda: f'${dest}.',
            lambda: f'${dest.upper()}',
            lambda: f'${{DEFAULT.{dest}}}',
        ]
        return self.pick(good if self.p(0.88) else bad)()

    def value(self, o, bad=None, env=False):
        """A raw value for opt o (for the environment: multi opts take each
        character as a value), sometimes an interpolation; invalid when
        `bad`, by default rarely."""
        if self.p(0.015):
            return self.ref(o)
        if bad is None:
            bad = self.p(0.007)
        for _ in range(12):
            v = self.raw(o.spec, bad)
            if value_ok(o, v, env) != bad:
                break
        return v

    # -- defaults (typed YAML values)
    def typed(self, spec):
        """A typed (YAML) value that is usually valid for spec."""
        k = spec['kind']
        r = self.r
        if k in ('string', 'multi_string'):
            if spec.get('choices') and self.p(0.8):
                c = self.pick(spec['choices'])
                return c[0] if isinstance(c, list) else c
            return self.raw(spec, bad=False)
        if k == 'boolean':
            return self.p(0.5)
        if k in ('integer', 'port'):
            if spec.get('choices') and self.p(0.8):
                c = self.pick(spec['choices'])
                return c[0] if isinstance(c, list) else c
            lo = spec.get('min') if spec.get('min') is not None else 0
            return r.randint(int(lo), int(lo) + 50)
        if k == 'float':
            lo = spec.get('min') if spec.get('min') is not None else 0
            return self.pick([lo + 0.5, lo, float(lo) + 1e-5, lo + 10, 1e16 if spec.get('max') is None else lo])
        if k == 'list':
            item = spec.get('item_type') or {'kind': 'string'}
            return [self.typed(item) for _ in range(r.randint(0, 3))]
        if k == 'dict':
            vt = spec.get('value_type') or {'kind': 'string'}
            return {key: self.typed(vt) for key in r.sample(DICT_KEYS, r.randint(0, 2))}
        return self.raw(spec, bad=False)

    def default(self, o):
        """A default for opt o, or None; invalid (DefaultValueError) rarely."""
        if self.p(0.35):
            return None
        want_ok = not self.p(0.004)
        for _ in range(12):
            v = self.default_candidate(o)
            if default_ok(o, v) == want_ok:
                return v
        return None

    def default_candidate(self, o):
        stringy = o.spec['kind'] in ('string', 'multi_string') and not o.multi
        if self.p(0.05 if stringy else 0.008):
            return self.ref(o)
        if self.p(0.04 if stringy else 0.01):
            return self.pick(['a\\$b', '$$x', 'x\\$', '\\${foo}'])
        if self.p(0.1):  # other YAML types: some convert, most do not
            return self.pick(['abc', 'maybe', 5, 5.7, True, 1e16, [1, 'a'], {'k': 1}, 'a,b', '', '1', -1, 70000,
                              [], {}, 0.0, -0.0, float('inf'), float('nan'), 12345678901234567890])
        if o.multi:
            if self.p(0.2 if o.spec['kind'] in ('string', 'multi_string') else 0.03):
                return self.raw(o.spec, bad=False)  # a string: iterated per character
            return [self.typed(o.spec) for _ in range(self.r.randint(0, 3))]
        if self.p(0.15):
            return self.raw(o.spec, bad=False)  # a string default for any type
        return self.typed(o.spec)

    # -- schema
    def gen_opts(self):
        r = self.r
        groups = []
        if self.p(0.92):
            groups.append('DEFAULT')
        groups += r.sample(GROUP_NAMES, r.randint(0 if groups else 1, 3))
        self.groups = [g for g in groups if g != 'DEFAULT']
        per_group = {}
        for g in groups:
            n = 0 if self.p(0.04) else self.weighted([(1, 3), (2, 4), (3, 4), (4, 3), (5, 2), (6, 1), (7, 1), (8, 1)])
            names = r.sample(OPT_NAMES, n)
            opts = []
            for name in names:
                want_ok = not self.p(0.006)
                for _ in range(12):
                    spec = self.gen_spec()
                    if spec_ok(spec) == want_ok:
                        break
                o = Opt(g, name, spec)
                if o.spec['kind'] != 'multi_string' and self.p(0.12):
                    o.multi = True
                if self.p(0.04):
                    o.dest = o.dest + '_d' if self.p(0.85) else self.pick(OPT_NAMES).replace('-', '_')
                if self.p(0.3):
                    o.cli = True
                    if self.p(0.05) and (not o.is_bool_opt or self.p(0.05)):
                        o.positional = True
                    if self.p(0.08 if not o.positional else 0.004):
                        o.short = self.pick('abcdefgijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0h')
                if self.p(0.2 if not o.positional else 0.02):
                    for _ in range(r.randint(1, 2)):
                        dname = None if self.p(0.15) else self.pick(
                            [self.pick(DEPRECATED_NAMES), f'old_{name}', f'{name}-old', f'{name}2', 'old_' + name,
                             f'{name}_x'])
                        dgroup = self.pick([g, g, 'DEFAULT', None, 'old_grp', self.pick(groups)])
                        if dname is None and dgroup is None:
                            dname = 'old_name'
                        o.deprecated.append((dname, dgroup))
                opts.append(o)
            per_group[g] = opts
            self.opts += opts
        return groups, per_group

    def entry(self, o):
        """The opt-data entry of opt o."""
        spec = o.spec
        e = {'name': o.name}
        if self.p(0.85) or o.dest != o.name.replace('-', '_'):
            e['dest'] = o.dest
        legacy = self.legacy_ok(spec) and self.p(0.75)
        if legacy:
            e['type'] = LEGACY_NAMES[spec['kind']]
            if spec.get('choices'):
                e['choices'] = [c if isinstance(c, list) else [c, None] for c in spec['choices']]
            elif self.p(0.8):
                e['choices'] = []
            for key in ('min', 'max'):
                if spec.get(key) is not None or self.p(0.5):
                    e[key] = spec.get(key)
        else:
            e['type'] = self.pick([LEGACY_NAMES[spec['kind']], 'unknown value'])
            e['x_type'] = spec
        if o.multi and spec['kind'] != 'multi_string' or (o.multi and self.p(0.2)):
            e['x_multi'] = True
        if o.cli:
            e['x_cli'] = True
        e['default'] = self.default(o)
        if self.p(0.03):
            e['required'] = True
            while e['default'] is None and self.p(0.7):
                e['default'] = self.default(o)
        elif self.p(0.7):
            e['required'] = False
        if o.positional:
            e['positional'] = True
        elif self.p(0.6):
            e['positional'] = False
        if o.short:
            e['short'] = o.short
        elif self.p(0.5):
            e['short'] = None
        if o.deprecated or self.p(0.6):
            e['deprecated_opts'] = [{'name': n, 'group': g} for n, g in o.deprecated]
        if self.p(0.5):  # the rest of what oslo-config-generator writes
            e.update({'advanced': False, 'deprecated_for_removal': False, 'deprecated_reason': None,
                      'deprecated_since': None, 'help': 'Some help.', 'metavar': None, 'mutable': False,
                      'namespace': 'fuzz', 'sample_default': None, 'secret': False})
        return e

    def gen_schema(self, groups, per_group):
        options = {}
        for g in groups:
            entries = [self.entry(o) for o in per_group[g]]
            if entries and self.p(0.02):  # duplicates: equal (no-op) or not
                dup = json.loads(json.dumps(entries[self.r.randrange(len(entries))]))
                if self.p(0.5):
                    dup['default'] = 'something else'
                entries.insert(self.r.randint(0, len(entries)), dup)
            if g == 'DEFAULT' and self.p(0.03):
                entries.append({'name': self.pick(['config_file', 'config_dir', 'config_source', 'shell_completion']),
                                'type': 'integer value', 'default': 'not an int'})
            if self.p(0.005):
                entries.append({'name': self.pick(['project', 'prog', 'version', 'usage', '_hidden']),
                                'type': 'string value'})
            group_data = {'opts': entries}
            if self.p(0.5):
                group_data.update({'driver_option': '', 'dynamic_group_owner': '', 'help': '',
                                   'standard_opts': [e['name'] for e in entries]})
            options[g] = group_data
        schema = {'options': options}
        if self.p(0.5):
            schema['deprecated_options'] = {}
            schema['generator_options'] = {'namespace': ['fuzz'], 'format_': 'yaml'}
        return schema

    # -- config files
    def section_name(self, g):
        if g == 'DEFAULT':
            return self.weighted([('DEFAULT', 85), ('default', 8), ('Default', 4), (' DEFAULT ', 3)])
        return self.weighted([(g, 70), (g.lower(), 10), (g.upper(), 10), (g.title(), 5), (f' {g} ', 2),
                              (g + 'x', 3)])

    def keys_for(self, g):
        """(key, opt or None) candidates for a section of group g."""
        out = []
        for o in self.opts:
            if (g == 'DEFAULT') == (o.group == 'DEFAULT') and o.group.lower() == g.lower() or self.p(0.02):
                out += [(o.dest, o)] * 4
                if o.name != o.dest:
                    out.append((o.name, o))
            for dname, dgroup in o.deprecated:
                if (dgroup or o.group).lower() == g.lower():
                    out.append(((dname or o.dest), o))
                    if dname and '-' in dname:
                        out.append((dname.replace('-', '_'), o))
        out.append(('unknown_key', None))
        return out

    def assignment(self, key, o):
        v = self.value(o) if o else self.raw({'kind': 'string'})
        first, *rest = v.split('\n')
        if (first != first.strip() and self.p(0.6)) or self.p(0.08):
            q = self.pick(['"', "'"])
            first = q + first + q
        sep = self.weighted([(' = ', 60), ('=', 15), (': ', 10), (' : ', 5), (':', 5), (' =  ', 5), ('\t=\t', 2)])
        lines = [key + sep + first]
        for line in rest:
            lines.append(self.pick([' ', '\t', '    ']) + line)
        if self.p(0.02 if o and o.spec['kind'] == 'string' else 0.004):
            lines.append(self.pick(['  continued', '\tmore text', '  # an indented comment']))
        return lines

    def file_text(self):
        r = self.r
        lines = []
        if self.p(0.004):
            lines.append('early = value')
        section_groups = ['DEFAULT'] + self.groups + [dg for o in self.opts for _, dg in o.deprecated if dg]
        for _ in range(r.randint(1, 4)):
            g = self.pick(section_groups + ['unknown_section'])
            lines.append('[' + self.section_name(g) + ']')
            if self.p(0.05):
                lines.append(self.pick(['# comment', '; comment', '#foo = 1', '']))
            for _ in range(r.randint(0, 5)):
                key, o = self.pick(self.keys_for(g))
                lines += self.assignment(key, o)
                if self.p(0.15):
                    lines.append(self.pick(['', '# a comment', '; another', '#', '']))
        if self.p(0.006):  # parse errors of every kind
            bad = self.pick(['garbage line', '[unterminated', '[]', '  orphan continuation', '= value',
                             ': value', '[a]]', 'key', '\ufeffkey = v'])
            pos = r.randint(0, len(lines))
            if bad == '  orphan continuation':
                lines[pos:pos] = ['[DEFAULT]', bad]
            else:
                lines.insert(pos, bad)
        for i in range(len(lines)):
            if self.p(0.04):
                lines[i] += self.pick(WS_TAILS)
        nl = self.weighted([('\n', 85), ('\r\n', 8), ('\r', 4), ('mixed', 3)])
        if nl == 'mixed':
            text = ''.join(line + self.pick(['\n', '\r\n', '\r']) for line in lines)
        else:
            text = nl.join(lines) + (nl if self.p(0.8) else '')
        if self.p(0.002):
            text = '\ufeff' + text
        if self.p(0.002):
            return {'hex': (text.encode() + b'\n#\xff\xfe bad utf-8\n').hex()}
        return text

    def gen_files_and_argv(self):
        """files {relpath: text | {'hex'} | None for a directory}, argv items."""
        r = self.r
        files = {}
        items = []   # each a list of argv strings, in argv order
        for i in range(self.weighted([(0, 15), (1, 40), (2, 30), (3, 15)])):
            name = f'f{i}.conf'
            if self.p(0.02):
                name = self.pick(['a$b.conf', 'c$$.conf', 'd${foo}.conf', 'e\\$.conf'])
            files[name] = self.file_text()
            items.append(self.config_arg('--config-file', name))
        for i in range(self.weighted([(0, 60), (1, 30), (2, 10)])):
            dname = self.pick(['conf.d', f'd{i}', 'we[i]rd', 'st*r', 'sp ace']) if self.p(0.1) else f'd{i}'
            made = False
            for entry in r.sample(DIR_ENTRIES, r.randint(0, 4)):
                files[f'{dname}/{entry}'] = self.file_text()
                made = True
            if self.p(0.015):
                files[f'{dname}/x.conf/'] = None   # a directory named *.conf
                made = True
            if not made:
                files[f'{dname}/'] = None
            items.append(self.config_arg('--config-dir', dname))
        if files and self.p(0.04):  # the same file twice
            items.append(self.config_arg('--config-file', self.pick(sorted(files))))
        if self.p(0.012):
            items.append(self.config_arg('--config-file', 'missing.conf'))
        if self.p(0.006):
            items.append(self.config_arg('--config-file', 'missing2.conf'))
        if self.p(0.01):
            items.append(self.config_arg('--config-dir', 'nodir'))
        if self.p(0.005):
            files['adir/'] = None
            items.append(self.config_arg('--config-file', 'adir'))
        if self.p(0.01) and files:
            f = self.pick([k for k in files if not k.endswith('/')] or ['x'])
            items.append(self.config_arg('--config-dir', f))
        return files, items

    def config_arg(self, flag, rel):
        form = self.weighted([('abs', 80), ('rel', 12), ('dot', 5), ('up', 3)])
        path = {'abs': '{D}/' + rel, 'rel': rel, 'dot': './' + rel, 'up': f'd0/../{rel}'}[form]
        if self.p(0.02):
            flag = {'--config-file': '--config-f', '--config-dir': '--config-d'}[flag]
        if self.p(0.003):
            flag = '--config'  # ambiguous
        if self.p(0.3):
            return [f'{flag}={path}']
        return [flag, path]

    # -- argv of CLI opts
    def cli_items(self, o):
        prefix = '' if o.group == 'DEFAULT' else o.group + '-'
        long = '--' + prefix + o.name
        dep = [dg if dg and dg != 'DEFAULT' else None for _, dg in o.deprecated]
        dep_flags = []
        for (dname, _), dg in zip(o.deprecated, dep):
            if dname or dg:
                dep_flags.append('--' + (dg + '-' if dg else '') + (dname or o.name))
        if o.positional:
            n = self.r.randint(0, 3) if o.multi else 1
            return [[self.value(o)] for _ in range(n)]
        if o.is_bool_opt:
            form = self.weighted([('on', 45), ('off', 35), ('short', 10 if o.short else 0),
                                  ('dep', 10 if dep_flags else 0), ('explicit', 1), ('abbrev', 2)])
            if form == 'on':
                return [[long]]
            if form == 'off':
                return [['--' + prefix + 'no' + o.name]]
            if form == 'short':
                return [['-' + o.short]]
            if form == 'dep':
                return [[self.pick(dep_flags)]]
            if form == 'explicit':
                return [[long + '=true']]
            return [[self.abbrev(long)]]
        out = []
        for _ in range(self.r.randint(1, 3) if o.multi else 1):
            v = self.value(o, bad=self.p(0.02))
            form = self.weighted([('sep', 50), ('eq', 30), ('short', 10 if o.short else 0),
                                  ('shortjoined', 5 if o.short else 0), ('dep', 8 if dep_flags else 0),
                                  ('abbrev', 1)])
            if form == 'sep':
                out.append([long, v])
            elif form == 'eq':
                out.append([f'{long}={v}'])
            elif form == 'short':
                out.append(['-' + o.short, v])
            elif form == 'shortjoined':
                out.append(['-' + o.short + v])
            elif form == 'dep':
                out.append([self.pick(dep_flags), v])
            else:
                out.append([self.abbrev(long), v])
        return out

    def abbrev(self, flag):
        cut = self.r.randint(3, max(3, len(flag) - 1))
        a = flag[:cut]
        return flag if '--help'.startswith(a) else a

    def gen_argv(self, config_items):
        items = list(config_items)
        positional = []
        for o in self.opts:
            if o.cli and (o.positional or self.p(0.35)):
                for it in self.cli_items(o):
                    (positional if o.positional else items).append(it)
        self.r.shuffle(items)
        # keep the config files / dirs in generation order among themselves
        cfg_iter = iter(config_items)
        items = [next(cfg_iter) if it in config_items else it for it in items]
        if positional:
            if self.p(0.1):
                items.append(['--'])
            items += positional
        if self.p(0.008):
            items.insert(self.r.randint(0, len(items)), [self.pick(['--zz-unknown', '--zz=1', '-Z', 'stray'])])
        if self.p(0.008):
            valued = [o for o in self.opts if o.cli and not o.positional and not o.is_bool_opt]
            if valued:
                o = self.pick(valued)
                items.append(['--' + ('' if o.group == 'DEFAULT' else o.group + '-') + o.name])
        if self.p(0.005):
            # not `bash`/`zsh` first: the reference would print a completion
            # script (and this installation lacks its template)
            items.append(['--shell_completion', self.pick(['fish', ''])])
        return [a for it in items for a in it]

    def gen_env(self):
        env = {}
        for o in self.opts:
            if self.p(0.12):
                env[f'OS_{o.group.upper()}__{o.dest.upper()}'] = self.value(o, env=True)
            if o.deprecated and self.p(0.05):
                dname, dgroup = self.pick(o.deprecated)
                env[f'OS_{(dgroup or o.group).upper()}__{(dname or o.dest).upper()}'] = self.value(o)
            if self.p(0.01):
                env[f'OS_{o.group}__{o.dest}'] = self.value(o)
        return env

    def generate(self):
        groups, per_group = self.gen_opts()
        schema = self.gen_schema(groups, per_group)
        files, config_items = self.gen_files_and_argv()
        argv = self.gen_argv(config_items)
        env = self.gen_env()
        fmt = self.weighted([('yaml', 60), ('yaml-unsorted', 25), ('json', 15)])
        return {'schema': schema, 'schema_format': fmt, 'files': files, 'argv': argv, 'env': env}


# =================================================================== running

def schema_text(case):
    if 'schema_text' in case:
        return case['schema_text'], 'yaml'
    fmt = case.get('schema_format', 'yaml')
    if fmt == 'json':
        return json.dumps(case['schema'], sort_keys=True) + '\n', 'json'
    return yaml.dump(case['schema'], Dumper=SafeDumper, default_flow_style=False, sort_keys=(fmt == 'yaml'),
                     allow_unicode=(fmt != 'yaml')), 'yaml'


def materialize(case, d):
    """Writes the case into directory d; returns (schema path, app args, env)."""
    os.makedirs(d)
    text, ext = schema_text(case)
    schema = os.path.join(d, 'schema.' + ext)
    with open(schema, 'w', encoding='utf-8') as f:
        f.write(text)
    for rel, content in (case.get('files') or {}).items():
        path = os.path.join(d, rel)
        if content is None or rel.endswith('/'):
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = bytes.fromhex(content['hex']) if isinstance(content, dict) else content.encode('utf-8')
        with open(path, 'wb') as f:
            f.write(data)
    args = [a.replace('{D}', d) for a in case.get('argv') or []]
    env = {'PATH': PATH}
    env.update(case.get('env') or {})
    return schema, args, env


class Outcome:
    def __init__(self, status, stdout, stderr, error=None):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.error = error      # the reference's `Class: message`, if known

    def last_line(self):
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ''

    def show(self):
        if self.status == 0:
            return f'exit 0, stdout {self.stdout.strip()[:1500]}'
        return f'exit {self.status}, stderr ends {self.stderr.rstrip()[-600:]!r}'


def run_reference(schema, args, env, d):
    """dump_oracle.run() in this process, in the case's environment."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_out, saved_err = sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(d)
        sys.stdout, sys.stderr = out, err
        status, error = dump_oracle.run(['--opt-data', schema] + args)
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Outcome(status, out.getvalue(), err.getvalue(), error)


def run_command(cmd, env, d):
    try:
        p = subprocess.run(cmd, cwd=d, env=env, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Outcome(None, '', f'TIMEOUT after {TIMEOUT}s')
    except OSError as e:
        return Outcome(None, '', f'cannot run {cmd[0]}: {e}')
    return Outcome(p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace'))


def run_ours(binary, schema, args, env, d):
    return run_command([binary, 'dump', '--opt-data', schema] + args, env, d)


def run_oracle_subprocess(schema, args, env, d):
    env = dict(env, PYTHONUTF8='1')
    return run_command([sys.executable, os.path.join(HERE, 'dump_oracle.py'), '--opt-data', schema] + args, env, d)


# ================================================================ comparison

def canon(v):
    """A hashable form in which 1, 1.0, true and -0.0 / 0.0 all differ."""
    if isinstance(v, bool):
        return ('bool', v)
    if isinstance(v, int):
        return ('int', v)
    if isinstance(v, float):
        return ('float', repr(v))
    if isinstance(v, str):
        return ('str', v)
    if v is None:
        return ('null',)
    if isinstance(v, list):
        return ('list', tuple(canon(x) for x in v))
    return ('dict', tuple(sorted((k, canon(x)) for k, x in v.items())))


def first_difference(a, b, path=()):
    if canon(a) == canon(b):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return path + (k,)
            d = first_difference(a[k], b[k], path + (k,))
            if d:
                return d
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, path + (i,))
            if d:
                return d
    return path


def parse_json_strictly(text):
    def no_constants(c):
        raise ValueError(f'non-JSON constant {c}')

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f'duplicate keys in {keys}')
        return dict(pairs)
    return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)


SET_OF_STRINGS = re.compile(r"\{'[^'\\]*'(?:, '[^'\\]*')+\}")


def normalize(text):
    """Sorts the items of Python set reprs ({'http', 'ftp'} in URI scheme
    messages): their order follows str hashes, which differ per process."""
    return SET_OF_STRINGS.sub(lambda m: '{' + ', '.join(sorted(m.group()[1:-1].split(', '))) + '}', text)


def error_class(text):
    return (text or '').split(':', 1)[0]


def describe_opt(case, group, dest):
    """A short type description of the schema opt (group, dest), for grouping."""
    options = (case.get('schema') or {}).get('options') or {}
    for e in (options.get(group) or {}).get('opts') or []:
        if e.get('dest', str(e.get('name')).replace('-', '_')) == dest:
            def spec_name(s):
                if s is None:
                    return 'string'
                sub = s.get('item_type') or s.get('value_type')
                return s.get('kind') + (f'[{spec_name(sub)}]' if sub else '')
            t = spec_name(e['x_type']) if e.get('x_type') else e.get('type')
            return ('multi ' if e.get('x_multi') else '') + str(t) + (' cli' if e.get('x_cli') else '')
    return '?'


def compare(case, ref, ours):
    """None when they agree, else (cause, detail)."""
    if ours.status is None:
        return 'ours: timeout or not runnable', ours.stderr
    if ref.status == 0:
        if ours.status != 0:
            return (f'ours fails ({error_class(ours.last_line())}), reference succeeds',
                    f'ours: {ours.last_line()}')
        want = json.loads(ref.stdout)
        try:
            got = parse_json_strictly(ours.stdout)
        except ValueError as e:
            return 'ours: stdout is not one JSON object', f'{e}: {ours.stdout[:300]!r}'
        path = first_difference(want, got)
        if path is None:
            return None
        if len(path) >= 2:
            what = describe_opt(case, path[0], path[1])
        else:
            what = 'group set'
        detail = f'at {list(path)}: reference {pick_path(want, path)!r} ours {pick_path(got, path)!r}'
        return f'value differs ({what})', detail
    want = ref.error or ref.last_line()
    if ours.status == 0:
        return f'reference fails ({error_class(want)}), ours succeeds', f'reference: {want}'
    if want.startswith('SystemExit: ') and str(ours.status) != want.split(': ', 1)[1]:
        return f'exit status for {want}', f'ours exits {ours.status}'
    tail = normalize(ours.stderr.rstrip())
    if want.startswith('RecursionError:'):
        ok = ours.last_line().startswith('RecursionError:')
    else:
        w = normalize(want.rstrip())
        ok = tail.endswith(w) and (len(tail) == len(w) or tail[-len(w) - 1] == '\n')
    if ok:
        return None
    rc, oc = error_class(want), error_class(ours.last_line())
    if rc != oc:
        return f'error class {rc} vs ours {oc}', f'reference: {want}\nours:      {ours.last_line()}'
    return f'error message differs ({rc})', f'reference: {want}\nours:      {ours.last_line()}'


def pick_path(v, path):
    for p in path:
        try:
            v = v[p]
        except (KeyError, IndexError, TypeError):
            return '<absent>'
    return v


# ===================================================================== cases

_HANDWRITTEN = []


def handwritten_cases():
    """The cases of dump_cases/*.yaml (read once)."""
    if not _HANDWRITTEN:
        folder = os.path.join(HERE, 'dump_cases')
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.endswith('.yaml'):
                with open(os.path.join(folder, name), encoding='utf-8') as f:
                    for c in yaml.load(f, Loader=dump_oracle.YAML_LOADER) or []:
                        c['id'] = c['name']
                        _HANDWRITTEN.append(c)
    return [json.loads(json.dumps(c)) for c in _HANDWRITTEN]


def make_case(seed, k):
    case = CaseGen(seed, k).generate()
    case['id'] = k
    return case


def case_ids(args):
    ids = [] if args.no_handwritten else [c['id'] for c in handwritten_cases()]
    return ids + list(range(args.cases))


def get_case(seed, cid):
    if isinstance(cid, int) or str(cid).isdigit():
        return make_case(seed, int(cid))
    for c in handwritten_cases():
        if c['id'] == cid:
            return c
    sys.exit(f'no case {cid}')


def with_dir(v, d):
    """v with every `{D}` in its strings replaced by the case directory."""
    if isinstance(v, str):
        return v.replace('{D}', d)
    if isinstance(v, list):
        return [with_dir(x, d) for x in v]
    if isinstance(v, dict):
        return {with_dir(k, d): with_dir(x, d) for k, x in v.items()}
    return v


def check_expectations(case, ref, d):
    """A hand-written case may say what the reference does; None if it does."""
    if 'expect' in case:
        want = with_dir(case['expect'], d)
        if ref.status != 0:
            return 'reference disagrees with the case file', f'expected {want}, got {ref.error}'
        got = json.loads(ref.stdout)
        if canon(got) != canon(want):
            return 'reference disagrees with the case file', f'expected {want}\ngot      {got}'
    if 'expect_error' in case:
        want = case['expect_error'].replace('{D}', d)
        if ref.error != want:
            return 'reference disagrees with the case file', f'expected {want!r}\ngot      {ref.error!r}'
    return None


# ==================================================================== output

class CaseDumper(yaml.SafeDumper):
    """Shows multi-line strings (file contents) double-quoted, one line."""


CaseDumper.add_representer(str, lambda dumper, s: dumper.represent_scalar(
    'tag:yaml.org,2002:str', s, style='"' if '\n' in s or '\r' in s else None))


def case_as_yaml(case):
    """A case in the dump_cases/ format."""
    shown = {k: case[k] for k in ('name', 'schema', 'schema_format', 'schema_text', 'files', 'argv', 'env')
             if k in case}
    return yaml.dump([shown], Dumper=CaseDumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=1000)


def report(results, total, seed, show, started):
    mismatches = [r for r in results if r[1]]
    errors = sum(1 for r in results if r[2] is not None and r[2].status != 0)
    print(f'seed {seed}: {total} cases ({errors} where the reference fails), '
          f'{time.time() - started:.1f}s')
    if mismatches:
        causes = {}
        for cid, (cause, _), _ in mismatches:
            causes.setdefault(cause, []).append(cid)
        print('\nmismatches by cause:')
        for cause, ids in sorted(causes.items(), key=lambda kv: -len(kv[1])):
            print(f'  {len(ids):5d}  {cause}   e.g. case {", ".join(map(str, ids[:4]))}')
        print(f'\nfirst {min(show, len(mismatches))} mismatches (details: --case ID, minimal case: --shrink ID):')
        for cid, (cause, detail), _ in mismatches[:show]:
            print(f'--- case {cid}: {cause}')
            print('    ' + detail.replace('\n', '\n    '))
    print(f'{total} cases, {len(mismatches)} mismatches')
    return 1 if mismatches else 0


# ================================================================ shrinking

def shrink_steps(case):
    """Smaller variants of a case, each one removal."""
    for key in list(case.get('env') or {}):
        c = json.loads(json.dumps(case))
        del c['env'][key]
        yield c
    argv = case.get('argv') or []
    for i in range(len(argv)):
        for n in (2, 1):
            if i + n <= len(argv):
                c = json.loads(json.dumps(case))
                del c['argv'][i:i + n]
                yield c
    for key in list(case.get('files') or {}):
        c = json.loads(json.dumps(case))
        del c['files'][key]
        yield c
    options = (case.get('schema') or {}).get('options') or {}
    for g in list(options):
        c = json.loads(json.dumps(case))
        del c['schema']['options'][g]
        yield c
    for g in list(options):
        for i, e in enumerate((options[g] or {}).get('opts') or []):
            c = json.loads(json.dumps(case))
            del c['schema']['options'][g]['opts'][i]
            yield c
            for key in list(e):
                if key != 'name':
                    c = json.loads(json.dumps(case))
                    del c['schema']['options'][g]['opts'][i][key]
                    yield c
        extra = [k for k in (options[g] or {}) if k != 'opts']
        if extra:
            c = json.loads(json.dumps(case))
            c['schema']['options'][g] = {'opts': options[g].get('opts')}
            yield c
    extra = [k for k in (case.get('schema') or {}) if k != 'options']
    if extra:
        c = json.loads(json.dumps(case))
        c['schema'] = {'options': options}
        yield c
    for key, text in (case.get('files') or {}).items():
        if isinstance(text, str):
            lines = text.splitlines(keepends=True)
            for i in range(len(lines)):
                c = json.loads(json.dumps(case))
                c['files'][key] = ''.join(lines[:i] + lines[i + 1:])
                yield c


def shrink(case, check):
    """Greedy removal while check(case) still gives the same cause."""
    target = check(case)
    if target is None:
        return case, None
    changed = True
    while changed:
        changed = False
        for smaller in shrink_steps(case):
            if check(smaller) == target:
                case, changed = smaller, True
                break
    return case, target


# ====================================================================== main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('binary', nargs='?', help='our oslo-config binary')
    ap.add_argument('--seed', type=int, default=DEFAULT_SEED)
    ap.add_argument('--cases', type=int, default=DEFAULT_CASES, help='random cases (default %(default)s)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--show', type=int, default=15, help='mismatches shown in detail')
    ap.add_argument('--case', help='print one case (random K or a hand-written name) and both outputs')
    ap.add_argument('--shrink', help='minimise case K while its mismatch persists')
    ap.add_argument('--self-check', action='store_true',
                    help='compare the in-process reference with dump_oracle.py as a subprocess')
    ap.add_argument('--no-handwritten', action='store_true')
    ap.add_argument('--keep', action='store_true', help='keep the case directories')
    args = ap.parse_args()
    if not args.self_check and not args.binary:
        ap.error('OUR_BINARY is required (or --self-check)')
    binary = os.path.abspath(args.binary) if args.binary else None
    if binary and not args.self_check and not os.access(binary, os.X_OK):
        ap.error(f'{binary} is not an executable')
    other = (lambda s, a, e, d: run_oracle_subprocess(s, a, e, d)) if args.self_check else \
        (lambda s, a, e, d: run_ours(binary, s, a, e, d))
    base = os.path.realpath(tempfile.mkdtemp(prefix='dump-fuzz-'))
    counter = iter(range(10 ** 9))
    try:
        def run_pair(case):
            d = os.path.join(base, f'c{next(counter)}')
            schema, app, env = materialize(case, d)
            ref = run_reference(schema, app, env, d)
            return d, ref, other(schema, app, env, d)

        if args.case is not None:
            case = get_case(args.seed, args.case)
            d, ref, ours = run_pair(case)
            print(case_as_yaml(case))
            print(f'case directory: {d}')
            print(f'argv: {["dump", "--opt-data", os.path.join(d, "schema.*")] + [a.replace("{D}", d) for a in case.get("argv") or []]}')
            print(f'\nreference: {ref.show()}\n  stderr: {ref.stderr[-1500:]!r}')
            print(f'\nours:      {ours.show()}\n  stderr: {ours.stderr[-1500:]!r}')
            res = compare(case, ref, ours) or check_expectations(case, ref, d)
            print('\n' + ('agree' if res is None else f'MISMATCH: {res[0]}\n{res[1]}'))
            args.keep = True
            return 0 if res is None else 1

        if args.shrink is not None:
            def check(c):
                d, ref, ours = run_pair(c)
                shutil.rmtree(d, ignore_errors=True)
                res = compare(c, ref, ours)
                return res and res[0]
            small, cause = shrink(get_case(args.seed, args.shrink), check)
            if cause is None:
                print('no mismatch in that case')
                return 0
            print(f'# {cause}\n' + case_as_yaml(small))
            d, ref, ours = run_pair(small)
            print(f'reference: {ref.show()}\nours:      {ours.show()}')
            print((compare(small, ref, ours) or ('', ''))[1])
            return 1

        started = time.time()
        results = []
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            pending = []
            for cid in case_ids(args):
                case = get_case(args.seed, cid) if not isinstance(cid, int) else make_case(args.seed, cid)
                d = os.path.join(base, f'c{next(counter)}')
                schema, app, env = materialize(case, d)
                ref = run_reference(schema, app, env, d)
                pending.append((cid, case, d, ref, pool.submit(other, schema, app, env, d)))
            for cid, case, d, ref, fut in pending:
                ours = fut.result()
                res = compare(case, ref, ours) or check_expectations(case, ref, d)
                results.append((cid, res, ref))
        return report(results, len(results), args.seed, args.show, started)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f'(case directories kept in {base})')


if __name__ == '__main__':
    sys.exit(main())
