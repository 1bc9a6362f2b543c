"""Reference outputs of oslo-config-generator for an installed service.

    python generator_services.py OUT_DIR NAMESPACE[,NAMESPACE...] [CONF_OPTS]

Runs the reference generator in-process (oslo_config.generator.generate,
as `oslo-config-generator` does) for the namespaces, once per variant,
and writes OUT_DIR/<variant>.out. Variants whose options opt-data cannot
describe exactly are also written as OUT_DIR/<variant>.optdata.out: the
same run with the options changed to what opt-data says about them
(DeprecatedOpt names equal to the option's read as missing, list types as
plain string lists, no sample_min/sample_max). OUT_DIR/gen.conf is a
generator config file (`[DEFAULT]` namespace lines, CONF_OPTS such as
`wrap_width=80;summarize=true`, and `output_file = OUT_DIR/ours-conf.out`,
where the Rust generator writes) used by the `conf-*` variants.
OUT_DIR/summary.json records per variant how many lines the exact output
and the opt-data equivalent differ by, and the option counts.

Optional third-party modules a service's option modules import but the
environment lacks (cinder's Google backup driver) are stubbed.
"""

import copy
import difflib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import logging
import os
import sys
import warnings
from unittest import mock

STUB_ROOTS = [r for r in ('googleapiclient',) if importlib.util.find_spec(r) is None]


class _Stubs(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in STUB_ROOTS:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        m = mock.MagicMock(name=spec.name)
        m.__path__ = []
        m.__spec__ = spec
        m.__name__ = spec.name
        return m

    def exec_module(self, module):
        pass


sys.meta_path.append(_Stubs())
warnings.simplefilter('ignore')
logging.disable(logging.CRITICAL)

from oslo_config import cfg, generator, types  # noqa: E402


def optdata_view(listing):
    """The listing with each opt as opt-data describes it."""
    out = []
    for ns, groups in listing:
        new_groups = []
        for group, opts in groups:
            new_opts = []
            for o in opts:
                o2 = copy.copy(o)
                o2.deprecated_opts = [
                    cfg.DeprecatedOpt(None if d.name == o.name else d.name, group=d.group)
                    for d in o.deprecated_opts
                ]
                t = o.type
                if isinstance(t, types.List) and (
                    t.bounds or type(t.item_type) is not types.String
                ):
                    t2 = copy.copy(t)
                    t2.bounds = False
                    t2.item_type = types.String()
                    o2.type = t2
                if getattr(t, 'sample_min', None) is not None or getattr(
                    t, 'sample_max', None
                ) is not None:
                    t2 = copy.copy(o2.type)
                    t2.sample_min = None
                    t2.sample_max = None
                    o2.type = t2
                new_opts.append(o2)
            new_groups.append((group, new_opts))
        out.append((ns, new_groups))
    return out


def run(args, view=None):
    conf = cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(args, prog='oslo-config-generator', default_config_files=[], default_config_dirs=[])
    buf = io.StringIO()
    real = generator._list_opts
    if view is not None:
        generator._list_opts = lambda namespaces: view(real(namespaces))
    try:
        generator.generate(conf, output_file=buf)
    finally:
        generator._list_opts = real
    return buf.getvalue()


def main():
    out_dir, namespaces = sys.argv[1], sys.argv[2].split(',')
    conf_opts = [kv for kv in (sys.argv[3] if len(sys.argv) > 3 else '').split(';') if kv]
    os.makedirs(out_dir, exist_ok=True)
    gen_conf = os.path.join(out_dir, 'gen.conf')
    with open(gen_conf, 'w') as f:
        f.write('[DEFAULT]\n')
        f.write('output_file = %s\n' % os.path.join(out_dir, 'ours-conf.out'))
        for kv in conf_opts:
            f.write(kv.replace('=', ' = ', 1) + '\n')
        for ns in namespaces:
            f.write(f'namespace = {ns}\n')
    ns_args = [a for ns in namespaces for a in ('--namespace', ns)]
    out_file = os.path.join(out_dir, 'written.conf')
    variants = {
        'yaml': ns_args + ['--format', 'yaml'],
        'json': ns_args + ['--format', 'json'],
        'yaml-opts': ns_args
        + ['--format', 'yaml', '--wrap-width', '0', '--minimal', '--summarize', '--output-file', out_file],
        'ini': ns_args,
        'ini-w80': ns_args + ['--wrap-width', '80'],
        'ini-w0': ns_args + ['--wrap-width', '0'],
        'ini-w12': ns_args + ['--wrap-width', '12'],
        'ini-minimal': ns_args + ['--minimal'],
        'ini-summarize': ns_args + ['--summarize', '--wrap-width', '79'],
        'conf-ini': ['--config-file', gen_conf],
        'conf-json': ['--config-file', gen_conf, '--format', 'json'],
    }
    summary = {}
    for name, args in variants.items():
        exact = run(args)
        with open(os.path.join(out_dir, name + '.out'), 'w') as f:
            f.write(exact)
        entry = {'bytes': len(exact)}
        if 'ini' in name:
            seen = run(args, optdata_view)
            if seen != exact:
                with open(os.path.join(out_dir, name + '.optdata.out'), 'w') as f:
                    f.write(seen)
                diff = list(difflib.unified_diff(exact.splitlines(), seen.splitlines(), lineterm='', n=0))
                entry['lossy_lines'] = sum(
                    1 for d in diff if d[:1] in '+-' and d[:3] not in ('+++', '---')
                )
                entry['lossy_diff'] = diff[:60]
        summary[name] = entry
    data = json.loads(run(ns_args + ['--format', 'json']))
    summary['opts'] = sum(len(g['opts']) for g in data['options'].values())
    summary['groups'] = len(data['options'])
    summary['stubbed'] = [r for r in STUB_ROOTS if r in sys.modules]
    with open(os.path.join(out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print('done', out_dir)


if __name__ == '__main__':
    main()
