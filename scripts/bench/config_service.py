"""The whole-process benchmark's service on oslo.config (the Rust one is
oslo-config/examples/bench_service.rs): register 300 options in 10 groups,
parse the config file given on the command line, read every value.

    config_service.py --config-file F       # as a process (hyperfine)
    config_service.py --write-conf F        # write the 300-option file
    config_service.py --timeit F            # in-process figures as JSON
"""
import json
import sys
import timeit

from oslo_config import cfg


def opt(i):
    name = f'opt{i}'
    kind = i % 6
    if kind == 0:
        return cfg.StrOpt(name, default=f'value{i}')
    if kind == 1:
        return cfg.IntOpt(name, default=i)
    if kind == 2:
        return cfg.BoolOpt(name, default=False)
    if kind == 3:
        return cfg.FloatOpt(name, default=0.5)
    if kind == 4:
        return cfg.ListOpt(name, default=['a', 'b'])
    return cfg.PortOpt(name, default=8000)


def conf_text():
    values = ['v{i}', '{n}', 'true', '1.25', 'x, y,z', '9000']
    lines = []
    for g in range(10):
        lines.append(f'[group{g}]')
        for i in range(g, 300, 10):
            lines.append(f'opt{i} = ' + values[i % 6].format(i=i, n=i * 7))
        lines.append('')
    return '\n'.join(lines)


def build(args):
    conf = cfg.ConfigOpts()
    for i in range(300):
        conf.register_opt(opt(i), group=f'group{i % 10}')
    conf(args=args, prog='bench', default_config_files=[], default_config_dirs=[])
    return conf


# The 300 (group, option) names, made once: a service names its options
# in its code; building them in the loop would time string formatting
# (the Rust harnesses read precomputed names too).
NAMES = [(f'group{i % 10}', f'opt{i}') for i in range(300)]


def read_all(conf):
    n = 0
    for group, name in NAMES:
        if conf[group][name] is not None:
            n += 1
    return n


def main():
    if sys.argv[1] == '--write-conf':
        with open(sys.argv[2], 'w') as f:
            f.write(conf_text())
        return
    if sys.argv[1] == '--timeit':
        args = ['--config-file', sys.argv[2]]
        conf = build(args)

        def resolve():
            conf._ConfigOpts__cache.clear()
            read_all(conf)

        def whole():
            read_all(build(args))

        out = {}
        for name, fn, number in [('resolve_300', resolve, 20), ('register_parse_resolve_300', whole, 5)]:
            best = min(timeit.repeat(fn, number=number, repeat=7)) / number
            out[name] = best
        json.dump(out, sys.stdout)
        return
    print(read_all(build(sys.argv[1:])))


if __name__ == '__main__':
    main()
