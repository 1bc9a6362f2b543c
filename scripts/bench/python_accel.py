"""Python side of scripts/bench-python.sh (run with target/pyext-venv's python).

    python_accel.py SERVICE_POLICIES_DIR [--reps N] [--list-reps N] [--block SECONDS]
                    [--ports N] [--json OUT]

The Python accelerator (python/, oslo_policy_rs.install()) against plain
oslo.policy, side by side in one process: the same Enforcer, the same calls,
install() and uninstall() alternating between timing blocks (perf_counter,
gc off while a block runs, the median of the blocks of each side is shown).

The Enforcer is a real service's: the combined registered defaults of
keystone+nova+neutron+cinder+glance (combined-defaults.json, 1,012 rules,
built as tests/conformance/oslo-policy/oracle/_reference.py builds them)
and combined-policy.yaml as its policy file (use_conf=True, policy_dirs
emptied as scripts/bench/policy.py does). Scenarios:

  a. enforce() of six nova and keystone rules, a project member's
     credentials, the targets nova and keystone build: creds given as the
     dict RequestContext.to_policy_values() holds, and as the RequestContext
     itself (oslo.policy converts it on every call); and, for one rule, the
     to_policy_values() mapping passed as is (not a dict: left to Python),
     and an Enforcer with policy_dirs left at its default ['policy.d'];
  b. a neutron port list of 1,000 ports as a project member sees it:
     per port, neutron.policy.check(ctx, 'get_port', port) (a RuleCheck
     built per call, the registered rule's scope_types copied onto it) and
     then, as neutron's pecan PolicyHook._exclude_attributes_by_policy does,
     check(ctx, 'get_port:<attr>', port, might_not_exist=True) for every
     attribute of the port: enforce() for those that have a rule; the
     context is a neutron_lib-style RequestContext subclass. Per list, and
     per enforce() call of that list (100 ports, no check() around).

Before anything is timed, every scenario runs once both ways and the
decisions must be the same (and the ones the scenario expects); so must
those of every timed block. The accelerator's hook counts show how many
calls it decided itself. Ends with where the accelerated enforce() spends
its time: load_rules' fast path, the creds conversion, the hook.
"""
import argparse
import gc
import importlib.metadata as metadata
import json
import logging
import os
import platform
import random
import statistics
import sys
import time
import uuid
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

from oslo_config import cfg  # noqa: E402
from oslo_context import context as oslo_context  # noqa: E402
from oslo_policy import _checks, policy  # noqa: E402

import oslo_policy_rs  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../tests/conformance/oslo-policy/oracle"))
from _reference import build_default  # noqa: E402

PLAIN_CHECK = _checks._check
PROJECT = "8b3e1ab0c63a4e3e8f6e5bb2a9f1d1c4"
OTHER_PROJECT = "0d9a7c1f2e4b4f4c9a6b3f1e2d7c8b90"
USER = "5f1c7d2a9b8e4a6f8c3d2e1b0a9f8e7d"


# --------------------------------------------------------------- setup

def service_enforcer(d, policy_dirs=()):
    """Enforcer(conf, policy_file=combined-policy.yaml) with the combined
    registered defaults, its rules loaded (as scripts/bench/policy.py);
    policy_dirs=None keeps oslo.policy's default (['policy.d'])."""
    conf = cfg.ConfigOpts()
    conf(args=[])
    e = policy.Enforcer(conf, policy_file=os.path.join(d, "combined-policy.yaml"))
    if policy_dirs is not None:
        conf.set_override("policy_dirs", list(policy_dirs), "oslo_policy")
    with open(os.path.join(d, "combined-defaults.json"), encoding="utf-8") as f:
        defaults = [build_default(x) for x in json.load(f)]
    e.register_defaults(defaults)
    e.load_rules()
    assert e.use_conf and e.policy_path, "the policy file was not found"
    return e, len(defaults)


class NeutronStyleContext(oslo_context.RequestContext):
    """neutron_lib.context.Context's to_policy_values(): oslo.context's
    values plus neutron's (deprecated-key) extras."""

    def to_policy_values(self):
        values = super().to_policy_values()
        values["tenant_id"] = self.project_id
        values["is_admin"] = self.is_admin
        values["has_global_access"] = self.is_admin
        values["user"] = self.user_id
        values["tenant"] = self.project_id
        values["domain"] = self.domain_id
        values["user_domain"] = self.user_domain_id
        values["project_domain"] = self.project_domain_id
        values["tenant_name"] = self.project_name
        values["project_name"] = self.project_name
        values["user_name"] = self.user_name
        return values


def member_context(cls=oslo_context.RequestContext):
    """A project-scoped member's context, as keystonemiddleware's headers
    make it."""
    return cls(
        user_id=USER, user_name="alice", user_domain_id="default",
        project_id=PROJECT, project_name="demo", project_domain_id="default",
        roles=["member", "reader"], is_admin=False, is_admin_project=False,
        auth_token="gAAAAABm-token", request_id="req-" + str(uuid.UUID(int=7)),
        overwrite=False)


def enforce_cases():
    """(label, rule name, target, expected decision): what nova's and
    keystone's API code passes for a project member."""
    user_ref = {  # keystone flattens {'target': {'user': ref}}
        "target.user.id": USER, "target.user.name": "alice",
        "target.user.domain_id": "default", "target.user.enabled": True,
        "target.user.default_project_id": PROJECT,
        "target.user.password_expires_at": None,
        "target.user.options": {},
    }
    project_ref = {
        "target.project.id": PROJECT, "target.project.name": "demo",
        "target.project.domain_id": "default", "target.project.enabled": True,
        "target.project.is_domain": False, "target.project.parent_id": "default",
        "target.project.description": "", "target.project.tags": [],
        "target.project.options": {},
    }
    return [
        ("nova servers:index", "os_compute_api:servers:index",
         {"project_id": PROJECT}, True),
        ("nova servers:show, other project", "os_compute_api:servers:show",
         {"project_id": OTHER_PROJECT}, False),
        ("nova servers:create", "os_compute_api:servers:create",
         {"project_id": PROJECT, "user_id": USER, "availability_zone": None}, True),
        ("keystone get_user, self", "identity:get_user", user_ref, True),
        ("keystone get_project, own", "identity:get_project", project_ref, True),
        ("keystone list_projects", "identity:list_projects",
         {"target.domain_id": "default"}, False),
    ]


def make_ports(n, rng):
    """n ports of one project, as ML2 (OVS) returns them from get_ports."""
    def uid():
        return str(uuid.UUID(int=rng.getrandbits(128)))

    networks = [uid() for _ in range(8)]
    subnets = {net: (uid(), uid()) for net in networks}
    sg = [uid(), uid()]
    ports = []
    for i in range(n):
        net = rng.choice(networks)
        v4, v6 = subnets[net]
        owner = rng.choice(["compute:nova"] * 8 + ["network:dhcp", "network:router_interface"])
        ip4 = f"10.{networks.index(net)}.{i // 250}.{i % 250 + 2}"
        ip6 = f"fd00:{networks.index(net):x}::{i + 2:x}"
        host = f"compute-{rng.randrange(64):02d}"
        stamp = "2025-%02d-%02dT%02d:%02d:%02dZ" % (
            rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60))
        ports.append({
            "id": uid(),
            "name": f"port-{i}" if owner == "compute:nova" else "",
            "network_id": net,
            "tenant_id": PROJECT,
            "project_id": PROJECT,
            "mac_address": "fa:16:3e:%02x:%02x:%02x" % (rng.randrange(256), rng.randrange(256), rng.randrange(256)),
            "admin_state_up": True,
            "status": rng.choice(["ACTIVE"] * 9 + ["DOWN"]),
            "device_id": uid(),
            "device_owner": owner,
            "fixed_ips": [{"subnet_id": v4, "ip_address": ip4}, {"subnet_id": v6, "ip_address": ip6}],
            "allowed_address_pairs": [],
            "extra_dhcp_opts": [],
            "security_groups": list(sg) if owner == "compute:nova" else [],
            "description": "",
            "binding:vnic_type": "normal",
            "binding:profile": {},
            "binding:vif_type": "ovs",
            "binding:vif_details": {"connectivity": "l2", "port_filter": True, "ovs_hybrid_plug": False,
                                    "datapath_type": "system", "bridge_name": "br-int"},
            "binding:host_id": host,
            "port_security_enabled": owner == "compute:nova",
            "qos_policy_id": None,
            "qos_network_policy_id": None,
            "resource_request": None,
            "ip_allocation": "immediate",
            "dns_name": "",
            "dns_assignment": [{"ip_address": ip4, "hostname": "host-" + ip4.replace(".", "-"),
                                "fqdn": "host-" + ip4.replace(".", "-") + ".openstacklocal."}],
            "dns_domain": "",
            "tags": [],
            "created_at": stamp,
            "updated_at": stamp,
            "revision_number": rng.randrange(1, 9),
            "propagate_uplink_status": False,
            "mac_learning_enabled": False,
            "numa_affinity_policy": None,
            "hints": None,
            "trusted": None,
        })
    return ports


class NeutronPolicy:
    """neutron.policy.check() and the pecan PolicyHook's per-item
    filtering (neutron/policy.py, neutron/pecan_wsgi/hooks/
    policy_enforcement.py), reduced to what reaches oslo.policy for a GET
    of a collection."""

    def __init__(self, enforcer):
        self.enforcer = enforcer

    def _match_rule(self, action):
        # _build_match_rule for a GET: enforce_attr_based_check is False.
        match_rule = policy.RuleCheck("rule", action)
        registered = self.enforcer.registered_rules.get(action)
        if registered and registered.scope_types:
            match_rule.scope_types = registered.scope_types
        return match_rule

    def check(self, context, action, target, might_not_exist=False, pluralized=None):
        e = self.enforcer
        if not e.conf.oslo_policy.enforce_new_defaults and context.is_admin:
            return True
        if might_not_exist and not (e.rules and action in e.rules):
            return True
        return e.enforce(self._match_rule(action), target, context, pluralized=pluralized)

    def list_ports(self, context, ports, out):
        """The ports `context` may see, each with the attributes it may
        see; the decisions are appended to `out` (for the sanity check)."""
        result = []
        for port in ports:
            allowed = self.check(context, "get_port", port, pluralized="ports")
            out.append(bool(allowed))
            if not allowed:
                continue
            exclude = []
            for attr in list(port):
                if attr == "project_id":
                    continue
                ok = self.check(context, f"get_port:{attr}", port, might_not_exist=True, pluralized="ports")
                if not ok:
                    exclude.append(attr)
                    if attr == "tenant_id":
                        exclude.append("project_id")
            out.append(tuple(exclude))
            result.append({k: v for k, v in port.items() if k not in exclude})
        return result


# ------------------------------------------------------------- timing

def set_mode(accelerated):
    if accelerated:
        oslo_policy_rs.install()
        assert oslo_policy_rs.installed() and _checks._check is not PLAIN_CHECK
    else:
        oslo_policy_rs.uninstall()
        assert not oslo_policy_rs.installed() and _checks._check is PLAIN_CHECK


def hook_counts():
    return _checks._check.counts() if oslo_policy_rs.installed() else (0, 0)


def time_block(block, n):
    """(seconds per unit, what the block's last unit decided)."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        last = block(n)
        return (time.perf_counter() - t0) / n, last
    finally:
        gc.enable()


class Scenario:
    """One row. `block(n)` does the unit of work n times and returns the
    decisions of the last one; `warm()` is one cheap call of the same kind
    (the first call after install()/uninstall() translates the rules and
    reloads them in full: not what is measured)."""

    def __init__(self, label, block, warm, unit="us", expect=None):
        self.label, self.block, self.warm, self.unit, self.expect = label, block, warm, unit, expect
        self.times = {False: [], True: []}
        self.once = {}
        self.n = {}
        self.reference = None
        self.counts = None


def sanity(scenarios):
    """Each scenario's unit of work once each way: the decisions must be
    identical, and what the scenario expects; the accelerator's hook must
    have been called."""
    set_mode(False)
    for s in scenarios:
        s.warm()
        s.once[False], s.reference = time_block(s.block, 1)
        if s.expect is not None:
            assert s.reference == s.expect, f"{s.label}: oslo.policy decided {s.reference!r}, expected {s.expect!r}"
    set_mode(True)
    for s in scenarios:
        s.warm()
        before = hook_counts()
        s.once[True], got = time_block(s.block, 1)
        after = hook_counts()
        s.counts = (after[0] - before[0], after[1] - before[1])
        assert got == s.reference, f"{s.label}: accelerated {got!r} != oslo.policy {s.reference!r}"
        assert sum(s.counts) > 0, f"{s.label}: the accelerator's hook was never called"


def calibrate(s, mode, block_seconds):
    """Units per timing block of about block_seconds."""
    per = s.once[mode]
    if per < block_seconds / 20:
        set_mode(mode)
        s.warm()
        n = 1
        while True:
            per, _ = time_block(s.block, n)
            if per * n >= block_seconds / 10:
                break
            n *= 4
    return max(1, round(block_seconds / per))


def measure(scenarios, reps, block_seconds):
    for s in scenarios:
        s.n = {mode: calibrate(s, mode, block_seconds) for mode in (False, True)}
        for _ in range(reps):
            for mode in (False, True):
                set_mode(mode)
                s.warm()
                per, got = time_block(s.block, s.n[mode])
                # Every timed block decided as the sanity check did.
                assert got == s.reference, f"{s.label}: a timed block decided {got!r}, not {s.reference!r}"
                s.times[mode].append(per)
        print(f"  {s.label}: {statistics.median(s.times[False]) / statistics.median(s.times[True]):.1f}x",
              file=sys.stderr)


def first_call_after_install(enforcer, name, target, creds):
    """Seconds of install() + the first enforce (the translation of all
    the rules, and a full load_rules), and of uninstall() + the first
    enforce without the accelerator; median of 5."""
    out = {False: [], True: []}
    for _ in range(5):
        for mode in (False, True):
            set_mode(not mode)
            enforcer.enforce(name, target, creds)
            t0 = time.perf_counter()
            set_mode(mode)
            enforcer.enforce(name, target, creds)
            out[mode].append(time.perf_counter() - t0)
    return statistics.median(out[False]), statistics.median(out[True])


def interleaved(parts, reps=7, target=0.03):
    """{name: seconds per call of fn, the best of reps loops of ~target
    seconds}, the parts taking turns (so a busy moment hits them alike)."""
    n = {}
    for name, fn in parts.items():
        k = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(k):
                fn()
            t = time.perf_counter() - t0
            if t >= target / 5:
                break
            k *= 4
        n[name] = max(1, round(k * target / t))
    out = {name: float("inf") for name in parts}
    for _ in range(reps):
        for name, fn in parts.items():
            k = n[name]
            gc.disable()
            t0 = time.perf_counter()
            for _ in range(k):
                fn()
            out[name] = min(out[name], (time.perf_counter() - t0) / k)
            gc.enable()
    return out


def breakdown(enforcer, cases):
    """Where an accelerated enforce() spends its time: each part timed on
    its own, the rest of enforce() by difference."""
    set_mode(True)
    head = ("accelerated enforce()", "total", "load_rules", "(warnings)", "creds", "hook", "rest")
    rows, notes = [], []
    for label, name, per_call_rule, target, creds in cases:
        def rule():
            return policy.RuleCheck("rule", name) if per_call_rule else name
        enforcer.enforce(rule(), target, creds)
        snap = enforcer.__dict__.get("_oslo_policy_rs_loaded")
        assert snap is not None, "the load_rules fast path is not in effect"
        if isinstance(creds, oslo_context.RequestContext):
            cdict = enforcer._map_context_attributes_into_creds(creds)
        else:
            cdict = creds
        check, current = (None, None) if per_call_rule else (enforcer.rules[name], name)

        def node():
            return rule() if check is None else check
        parts = {
            "total": lambda: enforcer.enforce(rule(), target, creds),
            "load": enforcer.load_rules,
            "warn": lambda: [enforcer._emit_deprecated_for_removal_warning(d) for d in snap.removals],
            "hook": lambda: _checks._check(rule=node(), target=target, creds=cdict, enforcer=enforcer,
                                           current_rule=current),
        }
        if cdict is not creds:
            parts["conv"] = lambda: enforcer._map_context_attributes_into_creds(creds)
        if len(target) > 5:
            keys = {"project_id": target["project_id"]}
            parts["small"] = lambda: _checks._check(rule=node(), target=keys, creds=cdict,
                                                    enforcer=enforcer, current_rule=current)
        t = interleaved(parts)
        conv = t.get("conv")
        rows.append((label, t["total"], t["load"], t["warn"], conv, t["hook"],
                     t["total"] - t["load"] - (conv or 0.0) - t["hook"]))
        if "small" in t:
            notes.append(f"{label}: the hook, given the whole port ({len(target)} keys, nested; it converts "
                         f"only the keys the rule reads): {t['hook'] * 1e6:.2f} µs; given only "
                         f"{{'project_id'}}: {t['small'] * 1e6:.2f} µs.")
    fmt = [lambda x: x] + [lambda x: f"{x * 1e6:.2f}" if x is not None else "-"] * 6
    cells = [head] + [tuple(f(v) for f, v in zip(fmt, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    for r in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |")
    return "\n".join(lines), notes, len(snap.removals)


# ------------------------------------------------------------- output

def show(s, unit):
    if unit == "ms":
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.2f} µs"


def table(scenarios):
    head = ("scenario", "oslo.policy", "accelerated", "speed-up", "decided in Rust")
    rows = []
    for s in scenarios:
        py, rs = statistics.median(s.times[False]), statistics.median(s.times[True])
        decided, left = s.counts
        rows.append((s.label, show(py, s.unit), show(rs, s.unit), f"{py / rs:.1f}×",
                     f"{decided:,}/{decided + left:,}"))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("policies", help="the service policies directory (combined-defaults.json, combined-policy.yaml)")
    ap.add_argument("--reps", type=int, default=7, help="timing blocks per side and scenario (the median is shown)")
    ap.add_argument("--list-reps", type=int, default=5, help="the same for the 1,000-port list")
    ap.add_argument("--block", type=float, default=0.1, help="seconds per timing block (at least one unit)")
    ap.add_argument("--ports", type=int, default=1000)
    ap.add_argument("--json", help="also write the raw figures here")
    args = ap.parse_args()
    started = time.perf_counter()

    set_mode(False)
    enforcer, n_defaults = service_enforcer(args.policies)
    n_rules = len(enforcer.rules)
    scenarios = []

    # a. enforce of nova's and keystone's rules.
    cases = enforce_cases()
    for creds_kind in ("dict", "RequestContext"):
        for label, name, target, expect in cases:
            assert name in enforcer.registered_rules and name in enforcer.rules, name
            ctx = member_context()
            creds = dict(ctx.to_policy_values()) if creds_kind == "dict" else ctx

            def block(n, e=enforcer.enforce, name=name, target=target, creds=creds):
                for _ in range(n):
                    r = e(name, target, creds)
                return bool(r)

            def warm(name=name, target=target, creds=creds):
                enforcer.enforce(name, target, creds)

            scenarios.append(Scenario(f"enforce {label}, creds {creds_kind}", block, warm, expect=expect))
    # The same with to_policy_values()'s own mapping (a MutableMapping,
    # not a dict), as some services pass it.
    label, name, target, expect = cases[0]
    ctx = member_context()

    def block_tpv(n, e=enforcer.enforce, name=name, target=target, ctx=ctx):
        for _ in range(n):
            r = e(name, target, ctx.to_policy_values())
        return bool(r)

    scenarios.append(Scenario(f"enforce {label}, creds ctx.to_policy_values() as is", block_tpv,
                              lambda: enforcer.enforce(name, target, ctx.to_policy_values()), expect=expect))

    # The same with oslo.policy's default policy_dirs (['policy.d'], as a
    # service that does not set it; none exists): load_rules looks for it
    # on every call.
    e_dirs, _ = service_enforcer(args.policies, policy_dirs=None)
    creds_d = dict(member_context().to_policy_values())

    def block_dirs(n, e=e_dirs.enforce, name=name, target=target, creds=creds_d):
        for _ in range(n):
            r = e(name, target, creds)
        return bool(r)

    scenarios.append(Scenario(f"enforce {label}, creds dict, policy_dirs left at ['policy.d'] (none found)",
                              block_dirs, lambda: e_dirs.enforce(name, target, creds_d), expect=expect))

    # b. the neutron port list.
    ports = make_ports(args.ports, random.Random(20250101))
    neutron = NeutronPolicy(enforcer)
    nctx = member_context(NeutronStyleContext)
    attr_rules = [a for a in ports[0] if f"get_port:{a}" in enforcer.rules]
    all_get_port = sorted(r for r in enforcer.rules if r.startswith("get_port:"))
    hidden = tuple(a for a in ports[0] if a in attr_rules and a != "tags")  # admin/service only
    expect_list = [True, hidden] * len(ports)

    def block_list(n):
        for _ in range(n):
            out = []
            neutron.list_ports(nctx, ports, out)
        return out

    def warm_list():
        neutron.check(nctx, "get_port", ports[0])

    scenarios.append(Scenario(
        f"neutron: list {len(ports):,} ports (get_port + {len(attr_rules)} attribute rules each)",
        block_list, warm_list, unit="ms", expect=expect_list))

    # The list's enforce() calls alone (match rules built per call), per call.
    sample = ports[:100]
    actions = ["get_port"] + ["get_port:" + a for a in attr_rules]

    def block_enforce(n):
        e, mr = enforcer.enforce, neutron._match_rule
        for _ in range(n):
            out = [bool(e(mr(a), p, nctx)) for p in sample for a in actions]
        return out

    per_unit = len(sample) * len(actions)
    s_enf = Scenario(f"neutron: enforce(RuleCheck, port, ctx), mean of the list's {len(actions)} rules",
                     block_enforce, warm_list, expect=([True] + [a == "tags" for a in attr_rules]) * len(sample))
    scenarios.append(s_enf)

    print(f"== sanity: {len(scenarios)} scenarios, plain and accelerated", file=sys.stderr)
    sanity(scenarios)

    print("== first call after install()", file=sys.stderr)
    c0 = cases[0]
    first_plain, first_accel = first_call_after_install(enforcer, c0[1], c0[2],
                                                        dict(member_context().to_policy_values()))

    print(f"== timing: {args.reps} blocks of ~{args.block} s per side and scenario "
          f"({args.list_reps} for the list), alternating", file=sys.stderr)
    list_scen = [s for s in scenarios if s.unit == "ms"]
    measure([s for s in scenarios if s.unit != "ms"], args.reps, args.block)
    measure(list_scen, args.list_reps, args.block)
    for mode in (False, True):  # per enforce() call
        s_enf.times[mode] = [t / per_unit for t in s_enf.times[mode]]

    print("== breakdown", file=sys.stderr)
    c3 = cases[0]
    bd, notes, n_removals = breakdown(enforcer, [
        (f"{c3[1]}, creds dict", c3[1], False, c3[2], dict(member_context().to_policy_values())),
        (f"{c3[1]}, creds RequestContext", c3[1], False, c3[2], member_context()),
        ("neutron: RuleCheck get_port, a port, neutron ctx", "get_port", True, ports[0], nctx),
    ])
    set_mode(False)

    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"oslo_policy_rs {oslo_policy_rs.VERSION} against plain oslo.policy {metadata.version('oslo.policy')} "
          f"(oslo.context {metadata.version('oslo.context')}, oslo.config {metadata.version('oslo.config')}); "
          f"Python {platform.python_version()}, {platform.machine()}, {cores} cores ({usable} usable), "
          f"load average {load:.2f} at the end")
    print(f"Enforcer: {n_defaults} registered defaults (combined-defaults.json) + combined-policy.yaml "
          f"({n_rules} rules), use_conf=True; a project member's credentials. Median of {args.reps} "
          f"timing blocks of ~{args.block} s per side ({args.list_reps} for the list), install()/uninstall() "
          f"alternating; every timed block decided as plain oslo.policy does. \"decided in Rust\": calls "
          f"the accelerator's hook decided itself, of all it got, in one unit of the scenario.\n")
    print(table(scenarios))
    a = [s for s in scenarios if s.label.startswith("enforce") and "as is" not in s.label]
    geo = statistics.geometric_mean(
        statistics.median(s.times[False]) / statistics.median(s.times[True]) for s in a)
    print(f"\nenforce rows, dict and RequestContext creds: geometric mean speed-up {geo:.1f}×.")
    print(f"The rules: {'; '.join(f'{c[0]} = {c[1]}' for c in cases)}.")
    print(f"neutron: per port, check(ctx, 'get_port', port), then check(ctx, 'get_port:<attr>', port, "
          f"might_not_exist=True) for each of its {len(ports[0]) - 1} attributes; enforce() for those with a rule: "
          f"{', '.join(attr_rules)} (of the policy's {len(all_get_port)} get_port:* rules; the others name "
          f"attributes ML2/OVS ports do not have).")
    print(f"First enforce after install() (translates all {n_rules} rules, one full load_rules): "
          f"{first_accel * 1e3:.1f} ms, against {first_plain * 1e3:.1f} ms after uninstall().")
    print(f"\nWhere the accelerated enforce() spends its time (µs per call, each part timed alone, "
          f"best of 7 loops, the parts taking turns; rest: the rest of enforce(), by difference; load_rules: "
          f"its steady-state fast path, of which (warnings): the {n_removals} deprecated-for-removal warnings "
          f"it re-emits as oslo.policy does; creds: the RequestContext made a dict; hook: _checks._check):\n")
    print(bd)
    for note in notes:
        print(f"\n{note}")
    print(f"\nwall time of this run: {time.perf_counter() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({s.label: {"plain": s.times[False], "accelerated": s.times[True],
                                 "n": {"plain": s.n.get(False), "accelerated": s.n.get(True)},
                                 "hook_counts": s.counts} for s in scenarios}, f, indent=1)


if __name__ == "__main__":
    main()
