"""oslo-rs's policy evaluator inside oslo.policy.

``install()`` makes every ``oslo_policy.policy.Enforcer`` in the process
evaluate its rule trees with oslo-rs (Rust); oslo.policy keeps doing
everything else — files, registered defaults, deprecations, scopes,
exceptions, logging — and decides exactly as before. ``uninstall()``
undoes it. ``Rules`` is oslo-rs's policy rules for direct use.

How (README, "Python accelerator"): ``oslo_policy._checks._check``,
through which every check is evaluated, is replaced by
``_native.Hook``; an enforcer's rules are translated when they change
(the mutators of ``policy.Rules`` and of And/Or checks mark them
changed); check objects oslo-rs does not know are called back in Python,
node by node; anything it cannot represent is left to oslo.policy.
``Enforcer.load_rules`` gets a steady-state path (``_load``).
"""

import threading

from oslo_policy import _checks
from oslo_policy import policy

from . import _load
from . import _native
from ._native import Rules

__all__ = ['install', 'uninstall', 'installed', 'Rules', 'VERSION']
__version__ = _native.__version__
#: This version and the oslo.policy version it follows.
VERSION = _native.VERSION

_CLASSES = (
    _checks.FalseCheck, _checks.TrueCheck, _checks.NotCheck,
    _checks.AndCheck, _checks.OrCheck, _checks.RuleCheck,
    _checks.RoleCheck, _checks.GenericCheck,
)
#: Methods that change a ``policy.Rules`` in place.
_RULES_MUTATORS = (
    '__setitem__', '__delitem__', 'update', 'pop', 'popitem', 'clear',
    'setdefault', '__ior__',
)
#: Methods that change a check tree in place.
_CHECK_MUTATORS = (
    (_checks.AndCheck, 'add_check'),
    (_checks.OrCheck, 'add_check'),
    (_checks.OrCheck, 'pop_check'),
)

_lock = threading.Lock()
#: What install() replaced, to put back: (owner, name, old value or
#: _ABSENT).
_saved = []
_ABSENT = object()


def _marking(method):
    """``method``, marking every enforcer's rules as changed first."""
    bump = _native.bump

    def mutator(self, *args, **kwargs):
        bump()
        return method(self, *args, **kwargs)

    mutator.__name__ = getattr(method, '__name__', 'mutator')
    mutator.__qualname__ = getattr(method, '__qualname__', mutator.__name__)
    mutator.__doc__ = getattr(method, '__doc__', None)
    mutator.__wrapped__ = method
    return mutator


def _replace(owner, name, value):
    _saved.append((owner, name, owner.__dict__.get(name, _ABSENT)))
    setattr(owner, name, value)


def _policy_values_class():
    """oslo.context's ``to_policy_values()`` mapping class: neutron and
    nova pass it as target and credentials. The hook reads its ``_data``
    directly and leaves to oslo.policy any call that would read one of its
    deprecated keys (a read that warns)."""
    try:
        from oslo_context.context import _DeprecatedPolicyValues
    except ImportError:
        return None
    return _DeprecatedPolicyValues if isinstance(
        _DeprecatedPolicyValues, type) else None


def installed():
    """Whether ``install()`` is in effect."""
    return isinstance(_checks._check, _native.Hook)


def install():
    """Accelerate every ``oslo_policy.policy.Enforcer`` (idempotent)."""
    with _lock:
        if installed():
            return
        hook = _native.Hook(
            _checks._check, policy.Enforcer, policy.Rules,
            list(_CLASSES), [cls.__call__ for cls in _CLASSES],
            _policy_values_class())
        for name in _RULES_MUTATORS:
            _replace(policy.Rules, name,
                     _marking(getattr(policy.Rules, name)))
        for cls, name in _CHECK_MUTATORS:
            _replace(cls, name, _marking(cls.__dict__[name]))
        _replace(policy.Enforcer, 'load_rules',
                 _load.wrap(policy.Enforcer.__dict__['load_rules']))
        _replace(_checks, '_check', hook)
        _native.bump()


def uninstall():
    """Put oslo.policy back as it was (idempotent)."""
    with _lock:
        while _saved:
            owner, name, old = _saved.pop()
            if old is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
        _native.bump()
