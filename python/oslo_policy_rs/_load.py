"""The steady-state path of ``Enforcer.load_rules``.

oslo.policy calls ``load_rules()`` at the start of every ``enforce``. When
nothing changed it still walks every registered default (about 57% of an
``enforce`` on a 1,000-rule policy). This module remembers what a full
``load_rules()`` left behind and, on the next call, repeats only what
could make it do anything else — the same file lookups, ``stat`` calls and
mtime comparisons oslo.policy makes — plus what it would repeat anyway
(the deprecated-for-removal warnings, through oslo.policy's own method).
If any of them says something changed, or anything it remembered differs,
oslo.policy's own ``load_rules`` runs, unchanged.

What it cannot see, and so documents (README): a ``RuleDefault``'s
``deprecated_for_removal`` flipped after registration, and a
``registered_rules`` entry replaced in place under the same name.
"""

import functools
import os

from oslo_config import cfg

from . import _native

#: Where an enforcer keeps its snapshot (in its ``__dict__``).
ATTR = '_oslo_policy_rs_loaded'


class Snapshot:
    """What a full ``load_rules()`` left: the state that makes the next
    call a no-op apart from its file checks and warnings."""

    __slots__ = (
        'rules', 'generation', 'conf', 'policy_file', 'policy_path',
        'overwrite', 'registered', 'registered_len', 'file_rules',
        'file_cache', 'dir_mtimes', 'policy_dirs', 'existing_dirs',
        'removals', 'suppress',
    )

    def __copy__(self):
        return None

    def __deepcopy__(self, memo):
        return None


def _snapshot(enforcer, policy_dirs, existing_dirs):
    s = Snapshot()
    s.rules = enforcer.rules
    s.generation = _native.generation()
    s.conf = enforcer.conf
    s.policy_file = enforcer.policy_file
    s.policy_path = enforcer.policy_path
    s.overwrite = enforcer.overwrite
    s.registered = enforcer.registered_rules
    s.registered_len = len(enforcer.registered_rules)
    s.file_rules = enforcer.file_rules
    s.file_cache = enforcer._file_cache
    s.dir_mtimes = enforcer._policy_dir_mtimes
    s.policy_dirs = policy_dirs
    s.existing_dirs = existing_dirs
    s.removals = [d for d in enforcer.registered_rules.values()
                  if d.deprecated_for_removal]
    s.suppress = enforcer.suppress_deprecation_warnings
    return s


def _same(s, enforcer):
    """Whether the enforcer is still as the snapshot found it."""
    return (s.generation == _native.generation()
            and enforcer.use_conf
            and s.rules is enforcer.rules
            and s.conf is enforcer.conf
            and s.policy_file == enforcer.policy_file
            and s.policy_path == enforcer.policy_path
            and s.overwrite == enforcer.overwrite
            and s.registered is enforcer.registered_rules
            and s.registered_len == len(enforcer.registered_rules)
            and s.file_rules is enforcer.file_rules
            and s.file_cache is enforcer._file_cache
            and s.dir_mtimes is enforcer._policy_dir_mtimes
            and s.suppress == enforcer.suppress_deprecation_warnings
            and not enforcer._need_check_rule
            and (enforcer.policy_path or enforcer._informed_no_policy_file))


def _dirs(enforcer, policy_dirs):
    """``policy_dirs`` found as ``load_rules`` finds them."""
    existing = []
    for path in policy_dirs:
        try:
            existing.append(enforcer._get_policy_path(path))
        except cfg.ConfigFilesNotFoundError:
            continue
    return existing


def _unchanged(enforcer, s, policy_dirs):
    """Whether ``load_rules`` would find nothing to reload; any doubt
    (an error included) is a no, and oslo.policy's own code decides."""
    if policy_dirs != s.policy_dirs:
        return False
    if not enforcer.policy_path:
        # It looks for the file on every call until it exists.
        try:
            enforcer._get_policy_path(enforcer.policy_file)
            return False
        except cfg.ConfigFilesNotFoundError:
            pass
    else:
        # _load_policy_file: a newer file, or empty rules, reload.
        cached = enforcer._file_cache.get(enforcer.policy_path)
        if not cached or not enforcer.rules:
            return False
        if os.path.getmtime(enforcer.policy_path) > cached.get('mtime', 0):
            return False
    existing = _dirs(enforcer, policy_dirs)
    if existing != s.existing_dirs:
        return False
    for path in existing:
        # _is_directory_updated, without updating its cache.
        cached = enforcer._policy_dir_mtimes.get(path)
        if cached is None:
            return False
        mtime = 0.0
        if os.path.exists(path):
            if not os.path.isdir(path):
                return False
            files = [path] + [os.path.join(path, f) for f in os.listdir(path)]
            mtime = os.path.getmtime(max(files, key=os.path.getmtime))
        if mtime > cached.get('mtime', 0.0):
            return False
    return True


def wrap(load_rules):
    """``Enforcer.load_rules`` with the steady-state path."""

    @functools.wraps(load_rules)
    def fast_load_rules(self, force_reload=False):
        state = self.__dict__
        s = state.get(ATTR)
        try:
            unchanged = (not force_reload and s is not None and _same(s, self)
                         and _unchanged(self, s, list(
                             self.conf.oslo_policy.policy_dirs)))
        except Exception:
            # Any doubt: oslo.policy's own code decides (and raises).
            unchanged = False
        if unchanged:
            # What load_rules repeats on every call, in its order (and
            # raising as it would, e.g. under warnings.simplefilter).
            for default in s.removals:
                self._emit_deprecated_for_removal_warning(default)
            return None
        state.pop(ATTR, None)
        result = load_rules(self, force_reload)
        try:
            if self.use_conf:
                policy_dirs = list(self.conf.oslo_policy.policy_dirs)
                state[ATTR] = _snapshot(
                    self, policy_dirs, _dirs(self, policy_dirs))
        except Exception:
            pass
        return result

    fast_load_rules.__wrapped__ = load_rules
    return fast_load_rules
