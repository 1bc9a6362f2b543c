"""PyYAML's side of the YAML loader benchmark (scripts/bench-config.sh):
seconds per load of each file, as JSON on stdout.

    config_yaml.py FILE...

Each file is read as text (as oslo-config-validator and oslo.policy open
it) and loaded with `yaml.safe_load`'s loader, the pure-Python
`yaml.SafeLoader` (what the reference uses), and, for comparison, with
libyaml's `yaml.CSafeLoader` where PyYAML was built with it (which
neither oslo.config nor oslo.policy use). Best of 5 repeats.
"""
import json
import os
import sys
import timeit

import yaml

out = {'pyyaml': yaml.__version__, 'libyaml': bool(getattr(yaml, '__with_libyaml__', False))}
for path in sys.argv[1:]:
    with open(path) as f:
        text = f.read()
    name = os.path.splitext(os.path.basename(path))[0]
    loaders = [('safe', yaml.SafeLoader)]
    if hasattr(yaml, 'CSafeLoader'):
        loaders.append(('csafe', yaml.CSafeLoader))
    entry = {'bytes': len(text.encode())}
    for key, loader in loaders:
        fn = lambda: yaml.load(text, Loader=loader)  # noqa: E731
        number = 1 if key == 'safe' and len(text) > 50_000 else 5
        entry[key] = min(timeit.repeat(fn, number=number, repeat=5)) / number
    out[name] = entry
json.dump(out, sys.stdout)
