"""The reference implementation of `oslo-config dump`, on the real oslo.config.

    dump_oracle.py --opt-data SCHEMA [APP-ARGS...]

behaves as `oslo-config dump --opt-data SCHEMA [APP-ARGS...]` must.  It is
also imported by dump_fuzz.py, which calls `run(argv)` in-process.

THE DEFINITION (the Rust side mirrors this; nothing else is implied)
=====================================================================

1. Schema.  `yaml.safe_load` of the file's bytes (as oslo-config-validator
   reads --opt-data; JSON is read by the same loader).  Only
   `options[GROUP].opts[]` is used; every other key is ignored.  A missing
   `options`, a group whose value or `opts` is null, count as empty.  Per
   opt entry (a missing key counts as null / false / empty):

   name             the opt name (required)
   dest             passed as `dest=` (null: oslo.config's default)
   default          passed as `default=` unchanged (the YAML value: str,
                    int, float, bool, list, dict, null)
   required         passed as `required=` (null: oslo.config's default,
                    i.e. True only for positional opts)
   deprecated_opts  `[cfg.DeprecatedOpt(d.get('name'), group=d.get('group'))
                    for d in deprecated_opts]`
   positional       `positional=True` is passed only when true (the kwarg is
                    left out otherwise, so a positional BoolOpt raises
                    `ValueError: positional boolean args not supported`)
   short            `short=` when non-empty
   choices          `[[v, desc], ...]` items become tuples `(v, desc)`,
                    other items stay as they are; an empty list or null
                    means no choices (None)
   min, max         passed as they are
   x_cli, x_multi   true / false (the extensions, see below)
   x_type           the type spec (see build() below)

   The opt object:

   * multi-valued (`x_multi: true`, or the type is `multi valued` without
     x_type, or x_type is `{kind: multi_string}`):
         cfg.MultiOpt(name, item_type=T, **common)
     where T = build(x_type) if x_type else LEGACY_TYPE[type]
     (so a plain `multi valued` opt is exactly cfg.MultiStrOpt);
   * else with x_type: kind `boolean` -> cfg.BoolOpt(name, **common);
     any other kind -> cfg.Opt(name, type=build(x_type), **common);
   * else by the `type` name (unknown names count as `string value`):
         string value          StrOpt(name, choices=C)
         boolean value         BoolOpt(name)
         integer value         IntOpt(name, min=, max=, choices=C)
         floating point value  FloatOpt(name, min=, max=)
         port value            PortOpt(name, min=, max=, choices=C)
         list value            ListOpt(name)
         dict value            DictOpt(name)
         IP address value      IPOpt(name)
         hostname value        HostnameOpt(name)
         host address value    HostAddressOpt(name)
         host domain value     HostDomainOpt(name)
         uri value             URIOpt(name)
     (each is the same as cfg.Opt(name, type=LEGACY_TYPE[type]) except that
     BoolOpt also gets the --noNAME flag and refuses `positional`).

   LEGACY_TYPE (item types of `x_multi` opts without x_type):
     string -> types.String(choices=C); boolean -> types.Boolean();
     integer -> types.Integer(min, max, choices=C);
     float -> types.Float(min, max); port -> types.Port(min, max, choices=C);
     list -> types.List(); dict -> types.Dict(); IP -> types.IPAddress();
     hostname -> types.Hostname(); host address -> types.HostAddress();
     host domain -> types.HostDomain(); uri -> types.URI();
     multi valued -> types.MultiString().

   build(x_type), recursively (absent keys: None / False / 0 as noted):
     string   types.String(choices=C, quotes=bool(quotes), regex=regex,
                           ignore_case=bool(ignore_case), max_length=max_length)
     boolean  types.Boolean()
     integer  types.Integer(min=min, max=max, choices=C)
     float    types.Float(min=min, max=max)
     port     types.Port(min=min, max=max, choices=C)
     list     types.List(item_type=build(item_type) or None,
                         bounds=bool(bounds), min_length=min_length or 0)
     dict     types.Dict(value_type=build(value_type) or None,
                         bounds=bool(bounds),
                         key_value_separator=key_value_separator or ':',
                         min_length=min_length or 0)
     ip / host_address / host_domain
              types.IPAddress(version) / HostAddress(version) /
              HostDomain(version)
     hostname types.Hostname()
     uri      types.URI(max_length=max_length, schemes=schemes)
     multi_string  types.MultiString()

2. Registration, in schema order: the `DEFAULT` group first (group=None),
   then every other group in document order, each announced with
   `conf.register_group(cfg.OptGroup(NAME))` before its opts (so empty
   groups exist too).  In DEFAULT, entries *named* `config_file`,
   `config_dir`, `config_source` or `shell_completion` are skipped (never
   built, registered or dumped).  Each opt is built, then registered with
   `conf.register_cli_opt(opt, group)` if `x_cli` is true, else
   `conf.register_opt(opt, group)`, before the next one is built.  An opt
   whose registration returns False (an equal opt was registered before)
   is still dumped under its dest (same value).

3. `conf(args=APP_ARGS, prog='oslo-config', default_config_files=[],
   default_config_dirs=[])` with the process environment as it is.

4. Reading, in the same order: `conf[dest]` for DEFAULT (ConfigOpts
   .__getattr__, which turns every non-ValueError exception into
   NoSuchOptError(dest)), `conf[group][dest]` for the others.

5. Output.  Success: exit 0, stdout = one line, `json.dumps` of
   `{GROUP: {dest: value}}` with exactly the schema's groups (DEFAULT only
   if the schema has it), where
     str / int / bool / None / list / dict are themselves (tuples as lists;
     non-string dict keys as json.dumps converts them),
     finite floats are Python's repr (always with `.` or an exponent),
     nan / inf / -inf are {"$float": "nan"|"inf"|"-inf"},
     a DEFAULT dest that names a group yields the group (ConfigOpts returns
     a GroupAttr for it): {"$group": "<group name>"},
     anything else (never seen) is {"$repr": repr(value)}.
   Failure: the first exception anywhere above ends the run.
     SystemExit(code) (argparse errors: 2; an invalid CLI value: 1): the
       last stderr line is `SystemExit: <code>` and the exit status is the
       code (argparse's usage/error text comes before it);
     any other exception E: the last stderr line(s) are
       `<type(E).__name__>: <str(E)>` and the exit status is 1 (ours may
       use any non-zero status here).  str(E) may
       span lines (a value with a newline in it); the comparer checks that
       stderr ends with the whole text.  RecursionError's message depends on
       where Python's recursion limit was hit, so the comparer checks only
       the class for it.  Likewise a Python set in a message (the allowed
       schemes of a URI error) is printed in string-hash order, which changes
       from process to process: the comparer sorts its items.
   Warnings that oslo.config logs (deprecated names...) may appear on
   stderr before that line; they are not part of the contract.
"""
import json
import math
import sys

import yaml
from oslo_config import cfg, types

SKIPPED_DEFAULT_NAMES = ('config_file', 'config_dir', 'config_source', 'shell_completion')

# yaml.safe_load's loader.  dump_fuzz.py swaps in libyaml's CSafeLoader (same
# constructor, C parser: same results on the schemas it writes, checked by
# its --self-check, which runs this file as a script) because the pure
# Python parser would take most of its time.
YAML_LOADER = yaml.SafeLoader


def choices_of(raw):
    """Opt-data choices -> the `choices=` argument (None when empty)."""
    if not raw:
        return None
    return [tuple(c) if isinstance(c, list) else c for c in raw]


def legacy_type(entry):
    """The types.* object for an opt-data `type` name (item type of x_multi)."""
    t = entry.get('type')
    c = choices_of(entry.get('choices'))
    lo, hi = entry.get('min'), entry.get('max')
    if t == 'boolean value':
        return types.Boolean()
    if t == 'integer value':
        return types.Integer(min=lo, max=hi, choices=c)
    if t == 'floating point value':
        return types.Float(min=lo, max=hi)
    if t == 'port value':
        return types.Port(min=lo, max=hi, choices=c)
    if t == 'list value':
        return types.List()
    if t == 'dict value':
        return types.Dict()
    if t == 'IP address value':
        return types.IPAddress()
    if t == 'hostname value':
        return types.Hostname()
    if t == 'host address value':
        return types.HostAddress()
    if t == 'host domain value':
        return types.HostDomain()
    if t == 'uri value':
        return types.URI()
    if t == 'multi valued':
        return types.MultiString()
    return types.String(choices=c)


def build_type(spec):
    """The types.* object of an x_type spec."""
    if spec is None:
        return None
    kind = spec.get('kind')
    c = choices_of(spec.get('choices'))
    lo, hi = spec.get('min'), spec.get('max')
    if kind == 'string':
        return types.String(choices=c, quotes=bool(spec.get('quotes')), regex=spec.get('regex'),
                            ignore_case=bool(spec.get('ignore_case')), max_length=spec.get('max_length'))
    if kind == 'boolean':
        return types.Boolean()
    if kind == 'integer':
        return types.Integer(min=lo, max=hi, choices=c)
    if kind == 'float':
        return types.Float(min=lo, max=hi)
    if kind == 'port':
        return types.Port(min=lo, max=hi, choices=c)
    if kind == 'list':
        return types.List(item_type=build_type(spec.get('item_type')), bounds=bool(spec.get('bounds')),
                          min_length=spec.get('min_length') or 0)
    if kind == 'dict':
        return types.Dict(value_type=build_type(spec.get('value_type')), bounds=bool(spec.get('bounds')),
                          key_value_separator=spec.get('key_value_separator') or ':',
                          min_length=spec.get('min_length') or 0)
    if kind == 'ip':
        return types.IPAddress(spec.get('version'))
    if kind == 'hostname':
        return types.Hostname()
    if kind == 'host_address':
        return types.HostAddress(spec.get('version'))
    if kind == 'host_domain':
        return types.HostDomain(spec.get('version'))
    if kind == 'uri':
        return types.URI(max_length=spec.get('max_length'), schemes=spec.get('schemes'))
    if kind == 'multi_string':
        return types.MultiString()
    raise ValueError(f'unknown x_type kind {kind!r}')


LEGACY_OPTS = {
    'boolean value': lambda n, e, kw: cfg.BoolOpt(n, **kw),
    'integer value': lambda n, e, kw: cfg.IntOpt(n, min=e.get('min'), max=e.get('max'),
                                                 choices=choices_of(e.get('choices')), **kw),
    'floating point value': lambda n, e, kw: cfg.FloatOpt(n, min=e.get('min'), max=e.get('max'), **kw),
    'port value': lambda n, e, kw: cfg.PortOpt(n, min=e.get('min'), max=e.get('max'),
                                               choices=choices_of(e.get('choices')), **kw),
    'list value': lambda n, e, kw: cfg.ListOpt(n, **kw),
    'dict value': lambda n, e, kw: cfg.DictOpt(n, **kw),
    'IP address value': lambda n, e, kw: cfg.IPOpt(n, **kw),
    'hostname value': lambda n, e, kw: cfg.HostnameOpt(n, **kw),
    'host address value': lambda n, e, kw: cfg.HostAddressOpt(n, **kw),
    'host domain value': lambda n, e, kw: cfg.HostDomainOpt(n, **kw),
    'uri value': lambda n, e, kw: cfg.URIOpt(n, **kw),
}


def make_opt(entry):
    """The cfg.Opt of one opt-data entry (THE DEFINITION, point 1)."""
    name = entry['name']
    kw = {
        'dest': entry.get('dest'),
        'default': entry.get('default'),
        'required': entry.get('required'),
        'deprecated_opts': [cfg.DeprecatedOpt(d.get('name'), group=d.get('group'))
                            for d in entry.get('deprecated_opts') or []],
    }
    if entry.get('short'):
        kw['short'] = entry['short']
    if entry.get('positional'):
        kw['positional'] = True
    x_type = entry.get('x_type')
    multi = bool(entry.get('x_multi')) or (
        x_type.get('kind') == 'multi_string' if x_type is not None else entry.get('type') == 'multi valued')
    if multi:
        item = build_type(x_type) if x_type is not None else legacy_type(entry)
        return cfg.MultiOpt(name, item_type=item, **kw)
    if x_type is not None:
        if x_type.get('kind') == 'boolean':
            return cfg.BoolOpt(name, **kw)
        return cfg.Opt(name, type=build_type(x_type), **kw)
    make = LEGACY_OPTS.get(entry.get('type'))
    if make is None:
        return cfg.StrOpt(name, choices=choices_of(entry.get('choices')), **kw)
    return make(name, entry, kw)


def schema_groups(schema):
    """[(group name, [opt entries])], DEFAULT first, then document order."""
    options = (schema or {}).get('options') or {}
    groups = [(g, ((v or {}).get('opts') or [])) for g, v in options.items()]
    return [g for g in groups if g[0] == 'DEFAULT'] + [g for g in groups if g[0] != 'DEFAULT']


def json_key(k):
    if isinstance(k, str):
        return k
    try:
        return next(iter(json.loads(json.dumps({k: 0}))))
    except (TypeError, ValueError):
        return repr(k)


def to_json(v):
    """A value as THE DEFINITION point 5 shows it, ready for json.dumps."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return {'$float': 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {json_key(k): to_json(x) for k, x in v.items()}
    if isinstance(v, cfg.ConfigOpts.GroupAttr):
        return {'$group': v._group.name}
    return {'$repr': repr(v)}


def dump(schema, app_args):
    """The {group: {dest: value}} dump; raises what the reference raises."""
    conf = cfg.ConfigOpts()
    plan = []
    for gname, entries in schema_groups(schema):
        group = None if gname == 'DEFAULT' else gname
        if group is not None:
            conf.register_group(cfg.OptGroup(group))
        dests = []
        for entry in entries:
            if group is None and entry.get('name') in SKIPPED_DEFAULT_NAMES:
                continue
            opt = make_opt(entry)
            if entry.get('x_cli'):
                conf.register_cli_opt(opt, group)
            else:
                conf.register_opt(opt, group)
            dests.append(opt.dest)
        plan.append((gname, group, dests))
    conf(args=list(app_args), prog='oslo-config', default_config_files=[], default_config_dirs=[])
    out = {}
    for gname, group, dests in plan:
        values = out.setdefault(gname, {})
        for dest in dests:
            values[dest] = conf[dest] if group is None else conf[group][dest]
    return out


def error_text(exc):
    """`Class: message` of an exception, as the contract prints it."""
    if isinstance(exc, SystemExit):
        return f'SystemExit: {exc.code}'
    return f'{type(exc).__name__}: {exc}'


def run(argv):
    """Runs `dump` on argv (after the program name); returns (status, error
    text or None).  Writes to sys.stdout / sys.stderr as they are at call
    time (the fuzz harness swaps them)."""
    out, err = sys.stdout, sys.stderr
    if len(argv) < 2 or argv[0] != '--opt-data':
        err.write('usage: dump_oracle.py --opt-data SCHEMA [APP-ARGS...]\n')
        return 2, None
    try:
        with open(argv[1], 'rb') as f:
            schema = yaml.load(f, Loader=YAML_LOADER)
        result = dump(schema, argv[2:])
        text = json.dumps(to_json(result), allow_nan=False)
    except SystemExit as e:
        text = error_text(e)
        err.write(text + '\n')
        code = e.code if isinstance(e.code, int) else 1
        return code, text
    except Exception as e:  # noqa: BLE001 - the contract prints any exception
        text = error_text(e)
        err.write(text + '\n')
        return 1, text
    out.write(text + '\n')
    return 0, None


if __name__ == '__main__':
    sys.exit(run(sys.argv[1:])[0])
