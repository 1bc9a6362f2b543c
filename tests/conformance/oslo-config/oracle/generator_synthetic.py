"""Random options through the reference sample generator.

    python generator_synthetic.py OUT_DIR SEED OPTS

Builds OPTS random options (every Opt class, choices with and without
descriptions, None/'' choices, bounds, floats such as 1e-05/1e+16/60.0,
deprecated names and groups with hyphens, deprecated_for_removal with and
without reason/since, help with long words, hyphens, em-dashes, tabs,
blank lines, line separators and non-ASCII text, sample defaults,
advanced/mutable/secret/required, multi-valued defaults, list and dict
defaults, groups as None, strings in any case and OptGroups with help,
options listed twice, one Opt in several groups) spread over a few
namespaces, and runs oslo_config.generator.generate on them in-process
(`_list_opts` replaced by the listing, cleaned by `_cleanup_opts` as the
real one does). Two listings are made:

* `data`: everything opt-data can carry (OUT_DIR/data/yaml.out is the
  opt-data the Rust generator reads);
* `reg`: what the Rust `Opt` model can carry too (no custom type names or
  callables, float bounds only), dumped as OUT_DIR/reg/listing.json for a
  Rust `NamespaceRegistry`: per namespace, per listed group (kind `none`,
  `str` or `group`, its name and help), the `_build_entry` of each opt
  plus `x_deprecated` (the DeprecatedOpts as registered, names `None`
  kept).

Each variant's output is OUT_DIR/{data,reg}/<variant>.out.
"""

import io
import json
import logging
import os
import random
import sys
import warnings

warnings.simplefilter('ignore')
logging.disable(logging.CRITICAL)

from oslo_config import cfg, generator, types  # noqa: E402

WORDS = [
    'the', 'option', 'value', 'is', 'used', 'to', 'set', 'a', 'timeout', 'for', 'API', 'requests',
    'over-ridden', 'well-known', 'x-y', 'a-b-c-d', 'non-blocking', '--', 'em--dash', 'word--',
    '-leading', 'trailing-', 'e.g.', 'i.e.,', '(see', 'docs)', '`code`', '"quoted"', "it's",
    'café', 'naïve-user', '中文', 'über-long', '\U0001f600', 'https://example.com/a-b/c-d',
    'supercalifragilisticexpialidocious-antidisestablishmentarianism',
    'x' * 75, 'hyphen-' * 12, 'DEPRECATED', 'Note:', '1.5', '2-3', 'a_b', '$var', '%(x)s',
    '٣-٤', 'ab-12-cd', '--flag', '---', 'a--b--c', '\u00a0', 'über', 'Ωmega-ωmega',
]
SEPS = [' ', ' ', ' ', ' ', '  ', '\t', ' \t ', '\n', '\n\n', '\n\n', '\r\n', '\x0c',
        '\u2028', '\n    ', '\n\t', ' \n']


def text(rng, n_max=60):
    n = rng.randint(1, n_max)
    out = []
    for i in range(n):
        out.append(rng.choice(WORDS))
        if i < n - 1:
            out.append(rng.choice(SEPS) if rng.random() < 0.25 else ' ')
    s = ''.join(out)
    r = rng.random()
    if r < 0.05:
        s = '   ' + s
    elif r < 0.1:
        s = s + ':'
    elif r < 0.15:
        s = s + '.\n\n' + text(rng, 10)
    elif r < 0.2:
        s = s + '.'
    elif r < 0.22:
        s = s + '\n'
    return s


NAMES = ['alpha', 'beta_gamma', 'delta-epsilon', 'zeta', 'eta_theta', 'iota', 'kappa-lambda', 'mu',
         'nu', 'xi_omicron', 'pi', 'rho', 'sigma-tau', 'upsilon', 'phi', 'chi', 'psi', 'omega']
FLOATS = [1e-05, 1e+16, 60.0, 0.1, 0.5, 1.0, 2.5e-07, 123456789.0, 1e22, -3.25, 0.0, 100.125]
STRS = ['', 'x', ' leading', 'trailing ', ' both ', 'multi\nline', 'a,b', '$state_path/x',
        'tab\there', 'ünï', '\u00a0nb', '#hash', 'a = b', 'None', 'true', '0']


def maybe(rng, p, f):
    return f() if rng.random() < p else None


def choices_for(rng, values):
    vals = rng.sample(values, rng.randint(1, len(values)))
    if rng.random() < 0.5:
        return [(v, rng.choice([None, '', text(rng, 12), 'short'])) for v in vals]
    return vals


def make_opt(rng, idx, reg):
    name = rng.choice(NAMES) + str(idx)
    if rng.random() < 0.1:
        name = name.replace('_', '-') + '-x'
    kw = {}
    if rng.random() < 0.85:
        kw['help'] = text(rng)
    elif rng.random() < 0.5:
        kw['help'] = ''
    if rng.random() < 0.25:
        r = rng.random()
        if r < 0.3:
            kw['deprecated_name'] = rng.choice(['old_' + name.replace('-', '_'), 'old-' + name, 'legacy'])
        elif r < 0.5:
            kw['deprecated_group'] = rng.choice(['DEFAULT', 'oldgroup', 'Old-Group'])
        elif r < 0.7:
            kw['deprecated_name'] = rng.choice(['old_x', 'old-y'])
            kw['deprecated_group'] = rng.choice(['DEFAULT', 'legacy_group'])
        else:
            kw['deprecated_opts'] = [
                cfg.DeprecatedOpt(rng.choice([None, 'dep_a', 'dep-b', 'dep_c']),
                                  group=rng.choice([None, 'DEFAULT', 'g_old', 'g-old']))
                for _ in range(rng.randint(1, 3))
            ]
    if rng.random() < 0.15:
        kw['deprecated_for_removal'] = True
        if 'help' not in kw and rng.random() < 0.7:
            kw['help'] = text(rng, 10)
        if rng.random() < 0.6:
            kw['deprecated_reason'] = text(rng, 30)
        if rng.random() < 0.6:
            kw['deprecated_since'] = rng.choice(['Queens', '2023.1', 'Z'])
    for flag, p in (('advanced', 0.2), ('mutable', 0.2), ('secret', 0.1), ('required', 0.15)):
        if rng.random() < p:
            kw[flag] = True
    if rng.random() < 0.05:
        kw['short'] = rng.choice('abcxyz')
    if rng.random() < 0.05:
        kw['metavar'] = 'META'
    if rng.random() < 0.05:
        kw['dest'] = name.replace('-', '_') + '_dest'
    kind = rng.randint(0, 23 if reg else 27)
    sd = lambda: rng.choice(STRS + ['<computed>', 'sample', ' padded '])  # noqa: E731
    if kind == 0:
        ch = maybe(rng, 0.4, lambda: choices_for(rng, ['a', 'b', 'c', '', None, 'with space', 'ñ']))
        default = rng.choice([None, 'a', 'b', '', ' x '])
        if ch is not None:
            keys = [c[0] if isinstance(c, tuple) else c for c in ch]
            default = rng.choice(keys)
        o = cfg.StrOpt(name, default=default, choices=ch, **kw)
    elif kind == 1:
        o = cfg.StrOpt(name, default=rng.choice(STRS + [None]), sample_default=maybe(rng, 0.3, sd),
                       quotes=rng.random() < 0.2, max_length=maybe(rng, 0.1, lambda: 100), **kw)
    elif kind == 2:
        o = cfg.BoolOpt(name, default=rng.choice([None, True, False]), **kw)
    elif kind == 3:
        lo = maybe(rng, 0.5, lambda: rng.randint(-10, 10))
        hi = maybe(rng, 0.5, lambda: rng.randint(10, 10**12))
        default = rng.choice([None, lo if lo is not None else 0, 10, hi])
        o = cfg.IntOpt(name, default=default, min=lo, max=hi,
                       sample_default=maybe(rng, 0.1, lambda: rng.choice(['<cpus>', 5, ' 7 '])), **kw)
    elif kind == 4:
        ch = choices_for(rng, [1, 2, 3, 512, 1024, 0, -1])
        keys = [c[0] if isinstance(c, tuple) else c for c in ch]
        o = cfg.IntOpt(name, default=rng.choice(keys + [None]), choices=ch, **kw)
    elif kind == 5:
        lo = maybe(rng, 0.5, lambda: rng.choice([0.0, 0.5, -1.5, 1e-05]))
        hi = maybe(rng, 0.5, lambda: rng.choice([60.0, 1e+16, 100.5]))
        default = rng.choice([None] + [f for f in FLOATS if (lo is None or f >= lo) and (hi is None or f <= hi)])
        if not reg and rng.random() < 0.2:
            default = 60
        o = cfg.FloatOpt(name, default=default, min=lo, max=hi, **kw)
    elif kind == 6:
        if rng.random() < 0.3:
            ch = choices_for(rng, [80, 443, 8080])
            keys = [c[0] if isinstance(c, tuple) else c for c in ch]
            o = cfg.PortOpt(name, default=rng.choice(keys), choices=ch, **kw)
        else:
            lo = maybe(rng, 0.3, lambda: 1024)
            hi = maybe(rng, 0.3, lambda: 49151)
            default = rng.choice([None, 8080] if lo or hi else [None, 0, 80, 65535])
            o = cfg.PortOpt(name, default=default, min=lo, max=hi, **kw)
    elif kind == 7:
        o = cfg.ListOpt(name, default=rng.choice([None, [], ['a'], ['a', ' b ', 'c d'], 'x,y', ['1', '']]),
                        sample_default=maybe(rng, 0.15, lambda: rng.choice(['a,b', ' s '])), **kw)
    elif kind == 8:
        o = cfg.DictOpt(name, default=rng.choice([None, {}, {'b': '2', 'a': '1'}, {'k': 'v w'}]), **kw)
    elif kind == 9:
        o = cfg.IPOpt(name, default=rng.choice([None, '127.0.0.1', '0.0.0.0']),
                      version=rng.choice([None, 4]), **kw)
    elif kind == 10:
        o = cfg.HostnameOpt(name, default=rng.choice([None, 'localhost', 'example.com']), **kw)
    elif kind == 11:
        o = cfg.HostAddressOpt(name, default=rng.choice([None, 'localhost', '10.0.0.1']), **kw)
    elif kind == 12:
        o = cfg.HostDomainOpt(name, default=rng.choice([None, 'foo_bar.example']), **kw)
    elif kind == 13:
        o = cfg.URIOpt(name, default=rng.choice([None, 'http://example.com/a-b', 'https://x.y/']),
                       schemes=rng.choice([None, ['http', 'https']]), **kw)
    elif kind == 14:
        o = cfg.MultiStrOpt(name, default=rng.choice([None, [], ['a'], ['a', ' b ', ''], ['x\ny']]),
                            sample_default=maybe(rng, 0.15, lambda: rng.choice([['s1', ' s2 '], []])), **kw)
    elif kind == 15:
        o = cfg.MultiOpt(name, item_type=types.Integer(), default=rng.choice([None, 3]), **kw)
    elif kind == 16:
        o = cfg.StrOpt(name, default=rng.choice(['x', None]), sample_default=maybe(rng, 0.5, sd),
                       regex=rng.choice([None, '^[a-z]*$']), **kw)
    elif kind == 17:
        o = cfg.BoolOpt(name, default=rng.choice([True, False]), sample_default=maybe(rng, 0.3, lambda: 'true'), **kw)
    elif kind == 18:
        o = cfg.IntOpt(name, default=rng.choice([0, 1, -5, 10**20]), min=-5 if rng.random() < 0.5 else None, **kw)
    elif kind == 19:
        o = cfg.Opt(name, type=types.Dict(value_type=types.Integer()), default=rng.choice([None, {'a': 1, 'b': 2}]), **kw)
    elif kind == 20:
        o = cfg.MultiOpt(name, item_type=types.Float(), default=rng.choice([None, 1e-05]), **kw)
    # Defaults the reference's formatters choke on or pass through.
    elif kind == 21:
        o = cfg.DictOpt(name, default=rng.choice(['a:b', {'z': '1', 'a': '2'}]), **kw)
    elif kind == 22:
        o = cfg.MultiStrOpt(name, default=rng.choice(['ab', ['x']]),
                            sample_default=rng.choice([None, 'a c', 5, {'k': 'v'}]), **kw)
    elif kind == 23:
        o = cfg.IPOpt(name, default=None, sample_default=rng.choice([0, 5, '', '1.2.3.4', False]), **kw)
    # Beyond the Rust Opt model (opt-data only).
    elif kind == 24:
        o = cfg.Opt(name, type=types.String(type_name='custom thing value'), default=rng.choice([None, ' c ', 'c']), **kw)
    elif kind == 25:
        o = cfg.Opt(name, type=lambda s: s, default=rng.choice([None, 'v', 5, True, ' v ']),
                    sample_default=rng.choice([None, ' s ', 'plain', 7]), **kw)
    elif kind == 26:
        o = cfg.FloatOpt(name, default=rng.choice([None, 60, 1.5]), min=rng.choice([0, 1, None]), max=rng.choice([100, None]), **kw)
    else:
        o = cfg.Opt(name, type=str, default=rng.choice([None, 'plain', ' spaced ']), **kw)
    return o


GROUP_NAMES = ['database', 'Keystone_AuthToken', 'oslo_messaging', 'api', 'Cache', 'z_last', 'a-first',
               'DEFAULT', 'default', 'Default', '']


def make_listing(rng, n_opts, reg):
    namespaces = rng.sample(['ns.alpha', 'ns-beta', 'Zeta.lib', 'ns.gamma', 'aaa', 'oslo.fake'], 4)
    group_objs = {}
    pool = []
    listing = []
    made = 0
    for ns in namespaces:
        groups = []
        seen_obj_names = set()
        used = set()
        for _ in range(rng.randint(2, 7)):
            r = rng.random()
            gname = rng.choice(GROUP_NAMES)
            if not reg:
                # Opt-data shows one run of options per namespace and group:
                # two listings of one group (None and 'DEFAULT', an OptGroup
                # and a string) are not told apart, so `data` has none.
                norm = 'DEFAULT' if r < 0.15 or gname.upper() in ('DEFAULT', '') else gname.lower()
                if norm in used:
                    continue
                used.add(norm)
            if r < 0.15:
                group = None
            elif r < 0.55:
                group = gname
            else:
                key = gname or 'grp'
                if key.lower() in seen_obj_names:
                    group = gname or 'grp'
                else:
                    seen_obj_names.add(key.lower())
                    if key not in group_objs:
                        group_objs[key] = cfg.OptGroup(
                            key, help=rng.choice([None, '', text(rng, 25)]), title=rng.choice([None, 'T']))
                    group = group_objs[key]
            count = rng.randint(0, max(1, n_opts // 20))
            opts = []
            for _ in range(count):
                if pool and rng.random() < 0.08:
                    opts.append(rng.choice(pool))
                else:
                    o = make_opt(rng, made, reg)
                    made += 1
                    pool.append(o)
                    opts.append(o)
            if opts and rng.random() < 0.1:
                opts.append(rng.choice(opts))
            groups.append((group, opts))
        listing.append((ns, groups))
    return listing


def run(args, listing):
    conf = cfg.ConfigOpts()
    generator.register_cli_opts(conf)
    conf(args, prog='oslo-config-generator', default_config_files=[], default_config_dirs=[])
    buf = io.StringIO()
    real = generator._list_opts

    def fake(namespaces):
        return generator._cleanup_opts([(ns, [(g, list(o)) for g, o in groups])
                                        for ns, groups in listing if ns in namespaces])

    generator._list_opts = fake
    try:
        generator.generate(conf, output_file=buf)
    finally:
        generator._list_opts = real
    return buf.getvalue()


def dump_listing(listing, path):
    conf = cfg.ConfigOpts()
    out = []
    for ns, groups in listing:
        gl = []
        for group, opts in groups:
            if group is None:
                g = {'kind': 'none', 'name': None, 'help': None}
            elif isinstance(group, cfg.OptGroup):
                g = {'kind': 'group', 'name': group.name, 'help': group.help}
            else:
                g = {'kind': 'str', 'name': group, 'help': None}
            entries = []
            for o in opts:
                e = generator._build_entry(o, 'DEFAULT', ns, conf)
                e['x_deprecated'] = [[d.name, d.group] for d in o.deprecated_opts]
                e['x_multi'] = isinstance(o, cfg.MultiOpt)
                entries.append(e)
            g['opts'] = entries
            gl.append(g)
        out.append({'namespace': ns, 'groups': gl})
    with open(path, 'w') as f:
        json.dump(out, f)


def main():
    out_dir, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    summary = {}
    for which, reg in (('data', False), ('reg', True)):
        listing = make_listing(rng, n, reg)
        d = os.path.join(out_dir, which)
        os.makedirs(d, exist_ok=True)
        if reg:
            # Before generating: _cleanup_opts renames OptGroups in place.
            dump_listing(listing, os.path.join(d, 'listing.json'))
            names = [ns for ns, _ in listing]
            with open(os.path.join(d, 'namespaces.json'), 'w') as f:
                json.dump(names, f)
        ns_args = [a for ns, _ in listing for a in ('--namespace', ns)]
        width = str(rng.choice([1, 2, 3, 5, 10, 25, 33, 50, 72]))
        variants = {
            'yaml': ns_args + ['--format', 'yaml'],
            'json': ns_args + ['--format', 'json'],
            'yaml-opts': ns_args + ['--format', 'yaml', '--wrap-width', width, '--minimal', '--summarize'],
            'ini': ns_args,
            'ini-w0': ns_args + ['--wrap-width', '0'],
            'ini-wn': ns_args + ['--wrap-width', width],
            'ini-minimal': ns_args + ['--minimal'],
            'ini-summarize': ns_args + ['--summarize', '--wrap-width', width],
        }
        for name, args in variants.items():
            text_out = run(args, listing)
            with open(os.path.join(d, name + '.out'), 'w') as f:
                f.write(text_out)
        data = json.loads(run(ns_args + ['--format', 'json'], listing))
        summary[which] = {
            'opts': sum(len(g['opts']) for g in data['options'].values()),
            'width': width,
        }
    with open(os.path.join(out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, sort_keys=True)
    print('done', summary)


if __name__ == '__main__':
    main()
