"""The accelerator decides as oslo.policy does: each case is run with plain
oslo.policy and with ``install()``, and the outcomes (value and type, or
exception class and message) must be the same."""

import os
import threading
import time
import warnings

import pytest
from oslo_config import cfg
from oslo_policy import _checks
from oslo_policy import opts
from oslo_policy import policy

import oslo_policy_rs


def outcome(fn):
    try:
        r = fn()
        return ('value', type(r).__name__, repr(r))
    except Exception as e:  # noqa: BLE001 - the class is the outcome
        return ('raised', type(e).__name__, str(e))


def both(make, calls):
    """Outcomes of ``calls(enforcer)`` (a list of thunks) with a fresh
    enforcer from ``make()``, plain then accelerated."""
    oslo_policy_rs.uninstall()
    plain = [outcome(c) for c in calls(make())]
    oslo_policy_rs.install()
    fast = [outcome(c) for c in calls(make())]
    oslo_policy_rs.uninstall()
    return plain, fast


def conf(args=()):
    c = cfg.ConfigOpts()
    c(list(args))
    return c


def enforcer_with(rules, default_rule=None):
    def make():
        e = policy.Enforcer(conf(), use_conf=False, default_rule=default_rule)
        e.set_rules(policy.Rules.from_dict(rules, default_rule))
        return e
    return make


def decided():
    return _checks._check.counts()[0]


CREDS = {'roles': ['Member', 'reader'], 'project_id': 'p1', 'user_id': 'u1',
         'system_scope': None, 'is_admin': False,
         'token': {'project': {'id': 'p1'}}}
TARGETS = [{}, {'project_id': 'p1'}, {'project_id': 'p2', 'user_id': 'u1'},
           {'project_id': 1, 'flag': True}, {'project_id': None}]
RULES = {
    'default': 'role:admin',
    'owner': 'project_id:%(project_id)s',
    'admin_or_owner': 'rule:admin or rule:owner',
    'admin': 'role:admin',
    'member': 'role:member and not role:banned',
    'deep': 'token.project.id:%(project_id)s',
    'literal': 'True:%(flag)s',
    'lit_none': 'None:%(project_id)s',
    'int': '1:%(project_id)s',
    'user': 'user_id:%(user_id)s or @',
    'nothing': '!',
    'missing_ref': 'rule:no_such_rule',
    'empty': '',
    'bad_format': 'project_id:%(project_id)d',
}


def test_install_uninstall_restore_everything():
    original = _checks._check
    setitem = policy.Rules.__dict__.get('__setitem__')
    load_rules = policy.Enforcer.load_rules
    add_check = _checks.OrCheck.add_check
    assert not oslo_policy_rs.installed()
    oslo_policy_rs.install()
    oslo_policy_rs.install()
    assert oslo_policy_rs.installed()
    assert _checks._check is not original
    assert _checks._check.original is original
    oslo_policy_rs.uninstall()
    oslo_policy_rs.uninstall()
    assert _checks._check is original
    assert policy.Rules.__dict__.get('__setitem__') is setitem
    assert policy.Enforcer.load_rules is load_rules
    assert _checks.OrCheck.add_check is add_check


def test_builtin_checks_decide_as_oslo_policy():
    names = list(RULES) + ['not_a_rule']

    def calls(e):
        return [lambda n=n, t=t: e.enforce(n, dict(t), dict(CREDS))
                for n in names for t in TARGETS]
    plain, fast = both(enforcer_with(RULES, 'default'), calls)
    assert plain == fast
    oslo_policy_rs.install()
    before = decided()
    e = enforcer_with(RULES, 'default')()
    for n in names:
        if n != 'bad_format':
            e.enforce(n, {'project_id': 'p1'}, dict(CREDS))
    assert decided() - before == len(names) - 1


def test_a_missing_or_check_object_default_rule():
    for default in (None, 'nothing_here', '', _checks.TrueCheck()):
        plain, fast = both(
            enforcer_with({'a': 'role:x', 'b': 'rule:zz'}, default),
            lambda e: [lambda: e.enforce(n, {}, {'roles': ['y']})
                       for n in ('a', 'b', 'zz')])
        assert plain == fast, default


class Raw(_checks.Check):
    """A custom check returning what it was given, not a bool."""

    def __call__(self, target, creds, enforcer, current_rule=None):
        return ('raw', self.match, current_rule)


class Raises(_checks.Check):
    def __call__(self, target, creds, enforcer, current_rule=None):
        raise {'KeyError': KeyError, 'ValueError': ValueError}[self.match](
            'from the check')


class Legacy(_checks.Check):
    """The three-argument signature oslo.policy still supports."""

    def __call__(self, target, creds, enforcer):
        return creds.get('legacy') == self.match


@pytest.fixture
def custom_kinds():
    saved = dict(_checks.registered_checks)
    _checks.register('raw', Raw)
    _checks.register('raises', Raises)
    _checks.register('legacy', Legacy)
    yield
    _checks.registered_checks.clear()
    _checks.registered_checks.update(saved)


def test_custom_checks_are_called_back(custom_kinds):
    rules = {
        'raw': 'raw:x',
        'hop': 'rule:raw',
        'hop2': 'rule:hop',
        'mixed': 'role:member and raw:y',
        'not_raw': 'not raw:z',
        'key': 'raises:KeyError',
        'key_hop': 'rule:key',
        'not_key_hop': 'not rule:key',
        'value': 'raises:ValueError',
        'value_hop': 'rule:value or @',
        'legacy': 'legacy:yes or role:admin',
        'short': 'role:member or raises:ValueError',
    }

    def calls(e):
        return [lambda n=n, c=c: e.enforce(n, {}, dict(c))
                for n in rules
                for c in (CREDS, {'roles': ['member'], 'legacy': 'yes'})]
    plain, fast = both(enforcer_with(rules), calls)
    assert plain == fast
    # The raw result went through: not made a bool.
    assert ('value', 'tuple', "('raw', 'x', 'hop2')") in fast


def test_callbacks_around_rust_stay_in_rust(custom_kinds):
    oslo_policy_rs.install()
    e = enforcer_with({'mixed': 'role:member and legacy:yes'})()
    before = _checks._check.counts()
    assert e.enforce('mixed', {}, {'roles': ['member'], 'legacy': 'yes'})
    after = _checks._check.counts()
    assert after[0] == before[0] + 1, 'decided by the hook, with a callback'


def test_deep_and_cyclic_rules_fail_as_in_python():
    chain = {f'r{i}': f'rule:r{i + 1}' for i in range(400)}
    chain['r400'] = '@'
    chain['loop'] = 'rule:loop2'
    chain['loop2'] = 'rule:loop'
    chain['short'] = 'rule:r300'

    def calls(e):
        return [lambda n=n: e.enforce(n, {}, {}) for n in ('r0', 'loop', 'short', 'r100')]
    plain, fast = both(enforcer_with(chain), calls)
    assert plain == fast
    assert plain[0][:2] == ('raised', 'TypeError')


def test_objects_rust_does_not_model_are_left_to_python():
    rules = {'roles': 'role:member', 'owner': 'project_id:%(project_id)s',
             'nested': 'a.b:%(x)s'}
    odd = [
        ({'project_id': ('p1',)}, {'roles': ('member',), 'project_id': "('p1',)"}),
        ({'project_id': 'p1'}, {'roles': {'member': 1}, 'project_id': 'p1'}),
        ('not a dict', {'roles': ['member']}),
        ({'x': 1.5}, {'a': [{'b': '1.5'}, 'str']}),
        ({'x': 10 ** 30}, {'a': {'b': str(10 ** 30)}}),
        ({'x': '\udcff'}, {'a': {'b': '\udcff'}}),
        ({'project_id': 'p1'}, {'roles': ['member', 7]}),
    ]

    def calls(e):
        return [lambda n=n, t=t, c=c: e.enforce(n, t, dict(c))
                for n in rules for t, c in odd]
    plain, fast = both(enforcer_with(rules), calls)
    assert plain == fast


def test_request_context_creds():
    from oslo_context import context
    ctx = context.RequestContext(user_id='u1', project_id='p1',
                                 roles=['member', 'reader'])
    plain, fast = both(
        enforcer_with(RULES, 'default'),
        lambda e: [lambda n=n: e.enforce(n, {'project_id': 'p1'}, ctx)
                   for n in RULES])
    assert plain == fast


def test_changes_to_the_rules_are_seen():
    oslo_policy_rs.install()
    e = policy.Enforcer(conf(), use_conf=False)
    e.set_rules(policy.Rules.from_dict({'a': 'role:x', 'b': 'role:y or rule:a'}))
    creds = {'roles': ['x']}
    assert e.enforce('b', {}, creds) is True
    e.set_rules(policy.Rules.from_dict({'a': 'role:z'}), overwrite=False)
    assert e.enforce('b', {}, creds) is False
    e.rules['a'] = _checks.RoleCheck('role', 'x')
    assert e.enforce('b', {}, creds) is True
    del e.rules['a']
    assert e.enforce('b', {}, creds) is False
    e.rules['b'].add_check(_checks.RoleCheck('role', 'x'))
    assert e.enforce('b', {}, creds) is True
    e.rules = policy.Rules({'b': _checks.FalseCheck()})
    assert e.enforce('b', {}, creds) is False
    e.rules = policy.Rules({'a': _checks.TrueCheck()}, default_rule='a')
    assert e.enforce('zz', {}, creds) is True
    e.rules.default_rule = None
    assert e.enforce('zz', {}, creds) is False
    e.clear()
    assert e.enforce('a', {}, creds) is False


def test_a_check_object_passed_to_enforce(custom_kinds):
    """As neutron does: a tree built per request around named rules."""
    rules = {'get_port': 'role:member', 'get_port:binding:host_id': 'role:admin'}

    def calls(e):
        trees = [
            _checks.RuleCheck('rule', 'get_port'),
            _checks.AndCheck([_checks.RuleCheck('rule', 'get_port'),
                              _checks.RuleCheck('rule', 'get_port:binding:host_id')]),
            _checks.OrCheck([_checks.RoleCheck('role', 'nobody'),
                             Raw('raw', 'q')]),
            _checks.RuleCheck('rule', 'nope'),
            Raw('raw', 'direct'),
        ]
        return [lambda t=t, c=c: e.enforce(t, {'id': 'x'}, dict(c))
                for t in trees for c in ({'roles': ['member']}, {'roles': ['admin']})]
    plain, fast = both(enforcer_with(rules), calls)
    assert plain == fast


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
    # Make each rewrite visibly newer, as oslo.policy's mtime check needs.
    t = time.time() + write.bump
    write.bump += 2
    os.utime(path, (t, t))


write.bump = 10


def test_policy_files_and_dirs_are_reloaded(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_dir = tmp_path / 'policy.d'
    policy_dir.mkdir()
    write(policy_file, '"a": "role:x"\n')

    def make():
        c = conf(['--config-dir', str(tmp_path)])
        opts.set_defaults(c, policy_file=str(policy_file),
                          policy_dirs=[str(policy_dir)])
        e = policy.Enforcer(c)
        e.register_default(policy.RuleDefault('b', 'role:y'))
        return e

    def steps(e):
        creds = {'roles': ['x', 'z']}
        out = []
        out.append(lambda: e.enforce('a', {}, creds))
        out.append(lambda: e.enforce('b', {}, creds))
        out.append(lambda: write(policy_file, '"a": "role:nobody"\n'))
        out.append(lambda: e.enforce('a', {}, creds))
        out.append(lambda: write(policy_dir / '10.yaml', '"b": "role:z"\n'))
        out.append(lambda: e.enforce('b', {}, creds))
        out.append(lambda: write(policy_dir / '10.yaml', '"b": "role:none"\n'))
        out.append(lambda: e.enforce('b', {}, creds))
        out.append(lambda: os.unlink(policy_dir / '10.yaml'))
        out.append(lambda: e.enforce('b', {}, creds))
        out.append(lambda: e.load_rules(force_reload=True))
        out.append(lambda: e.enforce('b', {}, creds))
        return out
    write(policy_file, '"a": "role:x"\n')
    plain = [outcome(s) for s in steps(make())]
    for f in policy_dir.iterdir():
        f.unlink()
    write(policy_file, '"a": "role:x"\n')
    oslo_policy_rs.install()
    fast = [outcome(s) for s in steps(make())]
    assert plain == fast
    assert [o[2] for o in plain if o[1] == 'bool'] == [
        'True', 'False', 'False', 'True', 'False', 'False', 'False']


def test_deprecation_warnings_repeat_as_in_oslo_policy(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    write(policy_file, '"gone": "role:x"\n"renamed_old": "role:x"\n')

    def run():
        c = conf()
        opts.set_defaults(c, policy_file=str(policy_file))
        e = policy.Enforcer(c)
        e.register_default(policy.RuleDefault(
            'gone', 'role:y', deprecated_for_removal=True,
            deprecated_reason='r', deprecated_since='1'))
        e.register_default(policy.RuleDefault(
            'renamed', 'role:y', deprecated_rule=policy.DeprecatedRule(
                'renamed_old', 'role:x', deprecated_reason='r',
                deprecated_since='1')))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            results = [e.enforce(n, {}, {'roles': ['x']})
                       for _ in range(5) for n in ('gone', 'renamed')]
        return results, [str(w.message) for w in caught]
    plain = run()
    oslo_policy_rs.install()
    fast = run()
    assert plain == fast
    assert len(plain[1]) >= 5


def test_threads_decide_consistently():
    oslo_policy_rs.install()
    e = enforcer_with(RULES, 'default')()
    expected = {n: e.enforce(n, {'project_id': 'p1'}, dict(CREDS)) for n in RULES
                if n != 'bad_format'}
    errors = []

    def worker():
        for _ in range(300):
            for n, want in expected.items():
                if e.enforce(n, {'project_id': 'p1'}, dict(CREDS)) != want:
                    errors.append(n)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(50):
        e.rules['unrelated'] = _checks.TrueCheck()   # recompiles meanwhile
    for t in threads:
        t.join()
    assert errors == []


def test_rules_for_direct_use(tmp_path):
    rules = oslo_policy_rs.Rules.load(
        '{"a": "role:admin or project_id:%(project_id)s", "b": "not rule:a"}',
        default_rule='a')
    assert len(rules) == 2 and 'a' in rules and rules.names() == ['a', 'b']
    assert rules.default_rule == 'a'
    assert rules.enforce('a', {'project_id': 'p'}, {'project_id': 'p'}) is True
    assert rules.enforce('b', {'project_id': 'p'}, {'roles': ['admin']}) is False
    assert rules.enforce('zz', {}, {'roles': ['admin']}) is True
    tree = rules.explain('b', {'project_id': 'p'}, {'roles': ['ADMIN']})
    assert tree['result'] is False and tree['error'] is None
    (b,) = tree['children']
    assert b['check'] == 'not rule:a' and b['result'] is False
    (hop,) = b['children']
    (a,) = hop['children']
    assert a['check'] == '(role:admin or project_id:%(project_id)s)'
    role, owner = a['children']
    assert role['result'] is True and owner['result'] is None
    assert 'lower-cased' in role['detail']
    f = tmp_path / 'p.yaml'
    f.write_text('"x": "@"\n')
    assert oslo_policy_rs.Rules.load_file(str(f)).enforce('x', {}, {})
    with pytest.raises(ValueError, match='not a mapping'):
        oslo_policy_rs.Rules.load('[1, 2]')
    with pytest.raises(OSError):
        oslo_policy_rs.Rules.load_file(str(tmp_path / 'missing.yaml'))
    with pytest.raises(TypeError, match='creds'):
        rules.enforce('a', {}, {'roles': ('admin',)})
    with pytest.raises(TypeError, match='real number is required'):
        oslo_policy_rs.Rules.load('{"r": "project_id:%(x)d"}').enforce(
            'r', {'x': 'text'}, {})


class CountingDict(dict):
    values_calls = 0

    def values(self):
        CountingDict.values_calls += 1
        return super().values()


def test_unchanged_load_rules_skips_the_defaults_loop(tmp_path):
    """The steady-state path is taken: oslo.policy walks the registered
    defaults on every enforce; with the accelerator only the first
    enforce (and the snapshot after it) does."""
    policy_file = tmp_path / 'policy.yaml'
    write(policy_file, '"a": "role:x"\n')

    def run():
        c = conf()
        opts.set_defaults(c, policy_file=str(policy_file))
        e = policy.Enforcer(c)
        e.registered_rules = CountingDict()
        e.register_default(policy.RuleDefault('b', 'role:y'))
        CountingDict.values_calls = 0
        results = [e.enforce(n, {}, {'roles': ['x']}) for _ in range(10)
                   for n in ('a', 'b')]
        return results, CountingDict.values_calls
    plain = run()
    oslo_policy_rs.install()
    fast = run()
    assert plain[0] == fast[0]
    assert plain[1] == 20 and fast[1] == 2


def test_a_broken_check_object_breaks_only_its_own_rule():
    """Translation never raises: Python raises, when it evaluates the
    broken node, what it always raised."""
    def make():
        e = enforcer_with({'ok': 'role:x', 'broken': 'not role:x',
                           'uses': 'rule:broken or role:x'})()
        del e.rules['broken'].rule
        e.rules['odd'] = _checks.RoleCheck('role', 5)
        return e
    plain, fast = both(make, lambda e: [
        lambda n=n: e.enforce(n, {}, {'roles': ['x']})
        for n in ('ok', 'broken', 'uses', 'odd')])
    assert plain == fast
    assert plain[0] == ('value', 'bool', 'True')
    assert plain[1][:2] == ('raised', 'AttributeError')


def test_counts_include_calls_that_raise(custom_kinds):
    oslo_policy_rs.install()
    e = enforcer_with({'x': 'role:member and raises:ValueError'})()
    before = _checks._check.counts()
    with pytest.raises(ValueError, match='from the check'):
        e.enforce('x', {}, {'roles': ['member']})
    assert _checks._check.counts() == (before[0] + 1, before[1])


def test_only_what_the_rules_read_is_converted():
    """Values the rules never read may be anything (neutron's ports carry
    many keys); a `%s` formats the whole target, so then all of it
    counts; `%%`, nested parentheses in a key and dotted kinds too."""
    rules = {
        'owner': 'project_id:%(project_id)s',
        'whole': 'x:%s',
        'percent': 'role:100%%',
        'paren': 'x:%(a(b)c)s',
        'dotted': 'a.b:%(k)s',
        'literal': "'v':%(k)s",
    }
    targets = [
        {'project_id': 'p1', 'extra': ('a', 'tuple'), 'k': 'v', 'a(b)c': 'p1'},
        {'project_id': ('p1',), 'k': {'set'}},
        {'project_id': 'p1', 'k': 'v'},
    ]
    creds = [
        {'project_id': 'p1', 'x': "{'project_id': 'p1', 'k': 'v'}", 'roles': ['100%'],
         'a': [{'b': 'v'}], 'unread': ('t',)},
        {'project_id': 'p1', 'roles': ('100%',), 'a': {'b': ('v',)}},
    ]

    def calls(e):
        return [lambda n=n, t=t, c=c: e.enforce(n, dict(t), dict(c))
                for n in rules for t in targets for c in creds]
    plain, fast = both(enforcer_with(rules), calls)
    assert plain == fast
    oslo_policy_rs.install()
    e = enforcer_with({'owner': rules['owner']})()
    before = decided()
    assert e.enforce('owner', targets[0], creds[0]) is True
    assert decided() == before + 1, 'the tuples under "extra" and "unread" are never read'
    e.rules['whole'] = _checks.GenericCheck('x', '%s')
    e.rules['uses_whole'] = _checks.NotCheck(_checks.RuleCheck('rule', 'whole'))
    assert e.enforce('owner', targets[0], creds[0]) is True
    assert decided() == before + 2, 'what "owner" reads is unchanged'
    assert e.enforce('uses_whole', targets[0], creds[0]) is True
    assert decided() == before + 2, 'the whole target is read: Python decides'


def test_to_policy_values_mappings_as_neutron_passes_them():
    """neutron's Context authorizes with ctx.to_policy_values() as target
    and creds: decided in Rust unless a deprecated key (whose read warns)
    is needed; the warnings must be the same."""
    from oslo_context import context

    class NeutronishContext(context.RequestContext):
        def to_policy_values(self):
            values = super().to_policy_values()
            values['tenant_id'] = self.project_id     # deprecated: warns
            values['is_advsvc'] = False
            return values

    ctx = NeutronishContext(user_id='u1', project_id='p1',
                            roles=['member', 'reader'], is_admin=False)
    rules = {
        'context_is_admin': 'role:admin',
        'owner': 'project_id:%(project_id)s',
        'member': 'role:member and user_id:%(user_id)s',
        'tenant': 'tenant_id:%(tenant_id)s',
        'tenant_or_member': 'role:member or tenant_id:%(project_id)s',
    }

    def run(e):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            out = []
            for n in rules:
                v = ctx.to_policy_values()
                out.append(outcome(lambda: e.enforce(n, v, v)))
                out.append(outcome(lambda: e.authorize(n, v, v)))
        return out, sorted(str(w.message) for w in caught)

    def make():
        e = enforcer_with(rules)()
        for n in rules:
            e.register_default(policy.RuleDefault(n, rules[n]))
        return e
    plain = run(make())
    oslo_policy_rs.install()
    fast = run(make())
    assert plain == fast
    assert any('tenant_id' in w for w in plain[1])
    # Without a rule reading a deprecated key, all of it is decided here.
    e = enforcer_with({k: rules[k] for k in ('context_is_admin', 'owner', 'member')})()
    before = _checks._check.counts()
    for n in ('context_is_admin', 'owner', 'member'):
        v = ctx.to_policy_values()
        e.enforce(n, v, v)
    assert _checks._check.counts() == (before[0] + 3, before[1])
