"""Reference results for cli_differential.rs: command lines with
sub-commands, positionals, flags and abbreviations, parsed by the real
oslo.config; and `log_opt_values` output.

    cli_oracle.py OUT.json [--cases N] [--seed S]

The schema (the Rust test registers the same):
  DEFAULT CLI opts: BoolOpt verbose (short v), StrOpt name, MultiStrOpt tag,
                    IntOpt count (default 3)
  group db: CLI StrOpt url (deprecated name old-url)
  SubCommandOpt('action', title='Commands', handler=...):
    list    filter (nargs='?'), --long (store_true)
    show    id, --fields (append)
    delete  ids (nargs='*'), --force (store_true), -y (store_true, dest=yes)
Each case is an argv; the result is {"exit": N, "values": {...}} where
values hold conf.verbose/name/tag/count, conf.db.url, conf.action.name and
each sub-command argument that exists.
"""
import contextlib
import io
import json
import logging
import random
import sys

from oslo_config import cfg

SUB_ARGS = ['filter', 'long', 'id', 'fields', 'ids', 'force', 'yes']


def handler(subparsers):
    p = subparsers.add_parser('list')
    p.add_argument('filter', nargs='?')
    p.add_argument('--long', action='store_true')
    p = subparsers.add_parser('show')
    p.add_argument('id')
    p.add_argument('--fields', action='append')
    p = subparsers.add_parser('delete')
    p.add_argument('ids', nargs='*')
    p.add_argument('--force', action='store_true')
    p.add_argument('-y', action='store_true', dest='yes')


def build():
    conf = cfg.ConfigOpts()
    conf.register_cli_opts([
        cfg.BoolOpt('verbose', short='v'),
        cfg.StrOpt('name'),
        cfg.MultiStrOpt('tag'),
        cfg.IntOpt('count', default=3),
    ])
    conf.register_cli_opt(cfg.StrOpt('url', deprecated_name='old-url'), group='db')
    conf.register_cli_opt(cfg.SubCommandOpt('action', title='Commands', handler=handler))
    return conf


def run(argv):
    conf = build()
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            conf(args=argv, prog='tool', default_config_files=[], default_config_dirs=[])
    except SystemExit as e:
        return {'exit': e.code}
    except Exception as e:  # noqa
        return {'exit': 'error', 'class': type(e).__name__}
    values = {
        'verbose': conf.verbose, 'name': conf.name, 'tag': conf.tag,
        'count': conf.count, 'db.url': conf.db.url, 'action': conf.action.name,
    }
    for a in SUB_ARGS:
        try:
            values['action.' + a] = getattr(conf.action, a)
        except cfg.NoSuchOptError:
            pass
    return {'exit': 0, 'values': values}


TOKENS = ['list', 'show', 'delete', 'bogus', '--verbose', '--noverbose', '-v', '--name', 'x',
          '--name=y', '--na', 'z', '--tag', 't1', '--tag=t2', '--count', '7', '--count=-1',
          '--db-url', 'u', '--db-old-url', 'o', '--db-old_url=o2', '--long', '--fields', 'f',
          '--force', '-y', '-vy', 'id1', 'id2', '--', '-1', '-x', '--unknown', '--cou', '8',
          '--help=no', '--count', 'abc']


GLOBAL = [['--verbose'], ['--noverbose'], ['-v'], ['--name', 'x'], ['--name=y'], ['--na', 'z'],
          ['--tag', 't1'], ['--tag=t2'], ['--count', '7'], ['--count=-1'], ['--cou', '8'],
          ['--db-url', 'u'], ['--old-url', 'o'], ['--old_url=o2'], ['--config-dir', '.'],
          ['--verb'], ['--count', '-5']]
SUB = {
    'list': [['f'], ['--long'], ['--lo'], ['g', '--long'], ['--', '-1']],
    'show': [['id1'], ['--fields', 'a'], ['--fields=b'], ['--fi', 'c'], ['-1']],
    'delete': [['a'], ['b', 'c'], ['--force'], ['-y'], ['-y', 'd'], ['--', '-x', '--force']],
}
FAULTS = [['bogus'], ['--unknown'], ['-x'], ['--name'], ['--count', 'abc'], ['--count'],
          ['--'], ['--help=no'], ['--fields'], ['extra'], ['--verbose=1'], ['-vx']]


def cases(n, seed):
    rng = random.Random(seed)
    fixed = [[], ['list'], ['list', 'f', '--long'], ['show'], ['show', 'id1', '--fields', 'a',
             '--fields', 'b'], ['-v', 'delete', 'a', 'b', '--force', '-y'], ['--name', 'n', 'delete'],
             ['bogus'], ['delete', '--', '-1'], ['--na', 'q', 'list'], ['list', '--verbose'],
             ['--db-old-url', 'o', 'list'], ['--count', 'abc', 'list'], ['--tag', 'a', '--tag', 'b', 'list']]
    yield from fixed
    for _ in range(n):
        argv = []
        for _ in range(rng.randint(0, 3)):
            argv += rng.choice(GLOBAL)
        cmd = rng.choice(list(SUB))
        argv.append(cmd)
        for _ in range(rng.randint(0, 3)):
            argv += rng.choice(SUB[cmd])
        if rng.random() < 0.3:
            at = rng.randint(0, len(argv))
            argv[at:at] = rng.choice(FAULTS)
        yield argv


def log_lines():
    conf = cfg.ConfigOpts()
    conf.register_opts([cfg.StrOpt('password', secret=True, default='s3cret'),
                        cfg.ListOpt('hosts', default=['a', 'b']), cfg.IntOpt('n', default=5),
                        cfg.BoolOpt('flag'), cfg.FloatOpt('ratio', default=0.5)])
    conf.register_opts([cfg.StrOpt('connection', secret=True), cfg.DictOpt('opts', default={'k': 'v'})],
                       group='database')
    conf(args=['--config-file', '/dev/null'], prog='tool', default_config_files=[], default_config_dirs=[])
    out = []

    class H(logging.Handler):
        def emit(self, record):
            out.append(record.getMessage())
    log = logging.getLogger('cli_oracle')
    log.addHandler(H())
    log.setLevel(logging.INFO)
    conf.log_opt_values(log, logging.INFO)
    return out


def main():
    out_path = sys.argv[1]
    n = int(sys.argv[sys.argv.index('--cases') + 1]) if '--cases' in sys.argv else 600
    seed = int(sys.argv[sys.argv.index('--seed') + 1]) if '--seed' in sys.argv else 1
    result = {'cases': [{'argv': a, 'result': run(a)} for a in cases(n, seed)], 'log': log_lines()}
    with open(out_path, 'w') as f:
        json.dump(result, f)
    print(f"{len(result['cases'])} cases written")


if __name__ == '__main__':
    main()
