"""The real OpenStack service policies, decided by plain oslo.policy and by
oslo.policy with oslo_policy_rs installed, in the same process.

The cases are exactly those of the Rust conformance test
``tests/conformance/oslo-policy/service_policies.rs`` and its oracle
``oracle/service_policies.py``: every rule of the combined
keystone+nova+neutron+cinder+glance policy, every deprecated name and a
missing one (1,076 names), times the oracle's 12 credentials, times its
targets, in its four scenarios (``defaults`` with the empty target too,
then ``legacy_flag``, ``effective_file`` and ``old_overrides`` with the
own and other targets) -- 1,076 x 12 x (3 + 3 x 2) = 116,208 decisions.
The oracle's module is imported (its ``enforcer``, ``build_default``,
``scenarios``, ``write_cases``, ``CREDS``, ``TARGETS``), not copied.

Each case is decided through the public ``Enforcer.enforce`` by an
enforcer built while the accelerator is uninstalled and by one built
while it is installed; the result's value and type (or the exception's
class and message), and the credentials dict as ``enforce`` left it, must
be the same. A subset is decided again with the credentials as an
``oslo_context`` ``RequestContext``, through ``enforce`` and
``authorize``.

The files come from ``scripts/gen-service-policies.sh``, in the
directory ``$OSLO_RS_SERVICE_POLICIES`` names; without it the tests skip.
"""

import contextlib
import json
import logging
import os
import sys
import time
import warnings
from collections import Counter

import pytest
from oslo_context import context as oslo_context
from oslo_policy import _checks

import oslo_policy_rs

ENV = 'OSLO_RS_SERVICE_POLICIES'
FILES = ('combined-defaults.json', 'combined-policy.yaml')
ORACLE_DIR = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
    'tests', 'conformance', 'oslo-policy', 'oracle'))
#: What service_policies.py reports: "116208 decisions over 1076 names".
EXPECTED_DECISIONS = 116_208
EXPECTED_NAMES = 1076
#: The RequestContext subset: every STRIDE-th name.
STRIDE = 23
#: Mismatches shown in a failure.
SHOWN = 20


@contextlib.contextmanager
def quiet():
    """Logging and warnings off, as the oracle runs (oslo.policy warns
    about every deprecated rule it loads), put back afterwards."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            yield
    finally:
        logging.disable(previous)


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    """The oracle module, the defaults, every name and the four
    scenarios, as service_policies.py's main() makes them."""
    directory = os.environ.get(ENV)
    if not directory:
        pytest.skip(f'{ENV} is not set: it names the directory that '
                    'scripts/gen-service-policies.sh fills '
                    f'({", ".join(FILES)})')
    missing = [f for f in FILES
               if not os.path.isfile(os.path.join(directory, f))]
    if missing:
        pytest.skip(f'{ENV}={directory} lacks {", ".join(missing)} '
                    '(run scripts/gen-service-policies.sh)')
    if not os.path.isfile(os.path.join(ORACLE_DIR, 'service_policies.py')):
        pytest.skip(f'no oracle/service_policies.py in {ORACLE_DIR}')
    saved_path = list(sys.path)
    with quiet():
        # _reference disables logging and warnings for good when imported:
        # quiet() puts logging back, catch_warnings the filters.
        sys.path.insert(0, ORACLE_DIR)
        try:
            import service_policies as oracle
        finally:
            sys.path[:] = saved_path
    with open(os.path.join(directory, 'combined-defaults.json'),
              encoding='utf-8') as f:
        defaults = json.load(f)
    # As main() lists them.
    names = [d['name'] for d in defaults]
    names += sorted({d['deprecated_rule']['name'] for d in defaults
                     if d.get('deprecated_rule')} - set(names))
    names.append('no:such:rule')
    root = str(tmp_path_factory.mktemp('service-policies'))
    scenarios = oracle.scenarios(
        defaults, os.path.join(directory, 'combined-policy.yaml'), root)
    return {
        'oracle': oracle, 'defaults': defaults, 'names': names,
        'root': root, 'scenarios': scenarios,
    }


@pytest.fixture
def restore_install_state():
    """Leave the accelerator as the test found it."""
    was = oslo_policy_rs.installed()
    yield
    if was:
        oslo_policy_rs.install()
    else:
        oslo_policy_rs.uninstall()


def build(service, policy_file, new_defaults):
    """The enforcer service_policies.py's main() builds for a scenario."""
    oracle = service['oracle']
    e = oracle.enforcer(policy_file, (), new_defaults)
    e.register_defaults(
        [oracle.build_default(d) for d in service['defaults']])
    return e


def outcome(call, name, target, creds):
    """What ``call(name, target, creds)`` did: the value and its type, or
    the exception's class and message; and the creds dict afterwards
    (``enforce`` writes ``system`` into it)."""
    try:
        result = call(name, target, creds)
    except Exception as exc:  # every exception is part of the decision
        done = ('raised', type(exc), str(exc))
    else:
        done = ('returned', type(result), result)
    if isinstance(creds, dict):
        return done + (dict(creds),)
    return done


def describe(plain, fast):
    """A mismatch, for a failure message."""
    text = (f'plain {plain[0]} {plain[1].__name__} {plain[2]!r}, '
            f'accelerated {fast[0]} {fast[1].__name__} {fast[2]!r}')
    if plain[3:] != fast[3:]:
        text += (f'; creds afterwards: plain {plain[3:]}, '
                 f'accelerated {fast[3:]}')
    return text


@contextlib.contextmanager
def counting_checks():
    """Counts the ``_checks._check`` calls ``enforce`` makes itself (not
    those nested under a ``rule:``) while plain oslo.policy decides: one
    per decision that reaches the rule tree (``enforce`` returns before it
    for an out-of-scope token): ``[reached, of which raised]``."""
    original = _checks._check
    assert not isinstance(original, oslo_policy_rs._native.Hook)
    depth = 0
    reached = [0, 0]

    def counted(*args, **kwargs):
        nonlocal depth
        if depth == 0:
            reached[0] += 1
        depth += 1
        try:
            return original(*args, **kwargs)
        except BaseException:
            if depth == 1:
                reached[1] += 1
            raise
        finally:
            depth -= 1

    _checks._check = counted
    try:
        yield reached
    finally:
        _checks._check = original


def plain_side(service, policy_file, new_defaults, decide_all):
    """``decide_all(enforcer)`` with oslo_policy_rs uninstalled; also how
    many decisions reached ``_check`` and how many raised there."""
    oslo_policy_rs.uninstall()
    assert not oslo_policy_rs.installed()
    enforcer = build(service, policy_file, new_defaults)
    with counting_checks() as reached:
        results = decide_all(enforcer)
    return results, tuple(reached)


def fast_side(service, policy_file, new_defaults, decide_all):
    """``decide_all(enforcer)`` with oslo_policy_rs installed, and how
    much ``counts()`` grew: (decided in Rust, left to Python)."""
    oslo_policy_rs.install()
    assert oslo_policy_rs.installed()
    hook = _checks._check
    enforcer = build(service, policy_file, new_defaults)
    before = hook.counts()
    results = decide_all(enforcer)
    after = hook.counts()
    oslo_policy_rs.uninstall()
    return results, (after[0] - before[0], after[1] - before[1])


def labels(oracle):
    """Names for the oracle's creds and targets (by identity)."""
    who = {id(v): k for k, v in oracle.CREDS.items()}
    where = {id(v): k for k, v in oracle.TARGETS.items()}
    return who, where


def test_service_policies_decide_the_same_accelerated(
        service, restore_install_state):
    oracle = service['oracle']
    names = service['names']
    assert len(names) == EXPECTED_NAMES
    root = service['root']
    # The empty target only in the first scenario, as in main().
    all_cases = oracle.write_cases(
        os.path.join(root, 'all.jsonl'), names, oracle.TARGETS.values())
    some_cases = oracle.write_cases(
        os.path.join(root, 'some.jsonl'), names,
        [oracle.TARGETS['own'], oracle.TARGETS['other']])
    who, where = labels(oracle)
    total = bad = 0
    shown = []
    summary = []
    undecided = []
    plain_seconds = fast_seconds = 0.0
    with quiet():
        for i, (label, policy_file, new_defaults) in enumerate(
                service['scenarios']):
            cases = all_cases if i == 0 else some_cases

            def decide_all(enforcer):
                enforce = enforcer.enforce
                return [outcome(enforce, c['name'], c['target'],
                                dict(c['creds'])) for c in cases]

            t = time.perf_counter()
            plain, (reached, raised) = plain_side(
                service, policy_file, new_defaults, decide_all)
            plain_seconds += time.perf_counter() - t
            t = time.perf_counter()
            fast, (decided, left) = fast_side(
                service, policy_file, new_defaults, decide_all)
            fast_seconds += time.perf_counter() - t

            assert len(plain) == len(fast) == len(cases)
            mismatched = 0
            for c, a, b in zip(cases, plain, fast):
                total += 1
                if a != b:
                    mismatched += 1
                    if len(shown) < SHOWN:
                        shown.append(
                            f'{label}: {c["name"]} creds={who[id(c["creds"])]}'
                            f' target={where[id(c["target"])]}: '
                            + describe(a, b))
            bad += mismatched
            # Every decision that reaches the rule tree has exact-dict
            # creds and target and a rule of oslo.policy's own check
            # classes: the accelerator decides it, unless oslo.policy
            # raises there (the accelerator then lets it raise its own
            # exception).
            expected = reached - raised
            results = Counter(
                repr(a[2]) if a[0] == 'returned' else a[1].__name__
                for a in plain)
            summary.append(
                f'{label}: {len(cases)} cases {dict(results)}, '
                f'{mismatched} mismatches; {reached} reached _check, '
                f'counts() grew by {decided} decided / {left} left')
            if decided < expected:
                undecided.append(
                    f'{label}: the accelerator decided {decided} checks, '
                    f'expected at least {expected} of {len(cases)} decisions '
                    f'({reached} reached _check, {raised} raised); '
                    f'{left} left to oslo.policy')
    print()
    print('\n'.join(summary))
    print(f'service policies: {total} decisions over {len(names)} names '
          f'compared plain vs accelerated, {bad} mismatches '
          f'(plain {plain_seconds:.1f} s, accelerated {fast_seconds:.1f} s '
          'including enforcer set-up)')
    assert bad == 0, f'{bad} mismatches, the first ones:\n' + '\n'.join(shown)
    assert total == EXPECTED_DECISIONS
    assert not undecided, '\n'.join(undecided)


#: RequestContext arguments the oracle's creds carry under the same name.
CONTEXT_KEYS = (
    'user_id', 'user_domain_id', 'system_scope', 'domain_id', 'project_id',
    'project_domain_id', 'roles', 'is_admin_project', 'service_user_id',
    'service_user_domain_id', 'service_project_id',
    'service_project_domain_id', 'service_roles',
)


def request_context(creds):
    """A RequestContext with the values of one of the oracle's creds."""
    kwargs = {k: creds[k] for k in CONTEXT_KEYS}
    kwargs['roles'] = list(kwargs['roles'])
    kwargs['service_roles'] = list(kwargs['service_roles'])
    return oslo_context.RequestContext(
        overwrite=False, is_admin=creds.get('is_admin', False), **kwargs)


def test_request_context_creds_decide_the_same_accelerated(
        service, restore_install_state):
    oracle = service['oracle']
    # Every STRIDE-th name through enforce, the ones after them through
    # authorize (which raises PolicyNotRegistered for the deprecated and
    # missing names), the own and other targets, every creds, every
    # scenario.
    names = service['names']
    by_call = [('enforce', n) for n in names[::STRIDE]]
    by_call += [('authorize', n) for n in names[1::STRIDE]]
    who = dict(oracle.CREDS)
    targets = [('own', oracle.TARGETS['own']),
               ('other', oracle.TARGETS['other'])]
    cases = [(call, n, t, c) for call, n in by_call
             for c in who for t, _ in targets]
    target_of = dict(targets)
    total = bad = 0
    shown = []
    kinds = Counter()
    with quiet():
        for label, policy_file, new_defaults in service['scenarios']:

            def decide_all(enforcer):
                # A context per side and creds, reused across names
                # (enforce copies its policy values into a new dict).
                contexts = {k: request_context(v) for k, v in who.items()}
                out = []
                for call, n, t, c in cases:
                    ctx = contexts[c]
                    out.append(outcome(getattr(enforcer, call), n,
                                       target_of[t], ctx))
                return out

            plain, (reached, raised) = plain_side(
                service, policy_file, new_defaults, decide_all)
            fast, (decided, left) = fast_side(
                service, policy_file, new_defaults, decide_all)
            for case, a, b in zip(cases, plain, fast):
                total += 1
                kinds[a[1].__name__ if a[0] == 'raised' else repr(a[2])] += 1
                if a != b:
                    bad += 1
                    if len(shown) < SHOWN:
                        call, n, t, c = case
                        shown.append(f'{label}: {call} {n} creds={c} '
                                     f'target={t}: ' + describe(a, b))
            # enforce() turns a RequestContext into a dict of its policy
            # values: those decisions are the accelerator's too.
            assert decided >= reached - raised, (
                f'{label}: accelerator decided {decided}, expected at least '
                f'{reached - raised}; {left} left to oslo.policy')
    print(f'\nRequestContext creds: {total} decisions compared '
          f'({dict(kinds)}), {bad} mismatches')
    assert bad == 0, '\n'.join(shown)
    assert total == 4 * len(cases)
    assert kinds['PolicyNotRegistered'] > 0 and kinds['True'] > 0 \
        and kinds['False'] > 0
