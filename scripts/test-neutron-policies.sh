#!/usr/bin/env bash
# The Python accelerator judged by a service's own tests (issue 17; not part
# of scripts/test.sh: about eight minutes on 2 cores, most of it neutron's
# tests running twice). Needs the wheel: scripts/test-python.sh builds it.
#
# neutron's own policy unit tests (neutron/tests/unit/conf/policies), run
# twice in a fresh venv: plain, and with oslo_policy_rs.install() in every
# test process (a sitecustomize.py on PYTHONPATH, so stestr's workers get
# it too). The two runs must agree test by test, and the accelerated run
# must have decided some checks.
#
# pytest is not used: test_rbac's tests are testscenarios.WithScenarios,
# which pytest runs as one item without applying the scenario (they fail
# under pytest with or without the accelerator); stestr is neutron's runner.
#
# usage: run.sh [WORKDIR]   (default: a new temp dir; removed unless KEEP=1)
# env:   WHEEL=path/to/oslo_policy_rs-*.whl (default: newest in
#          $REPO/target/wheels, REPO defaulting to /work/main)
#        TESTS=regex          stestr filter (default: the whole package)
#        CONCURRENCY=N        stestr workers (default: nproc)
#        PYTHON=python3.11    interpreter for the venv
# exit:  0 when both runs pass, no outcome differs and checks were decided.
set -euo pipefail

T0=$(date +%s)
NEUTRON_VERSION=29.0.0
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
PYTHON=${PYTHON:-python3.11}
CONCURRENCY=${CONCURRENCY:-$(nproc)}
TESTS=${TESTS:-}
WHEEL=${WHEEL:-$(ls -t "$REPO"/target/wheels/oslo_policy_rs-*.whl | head -1)}
if [ -n "${1:-}" ]; then
    D=$1; mkdir -p "$D"
else
    D=$(mktemp -d /tmp/neutron-policy-XXXXXX)
    [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$D"' EXIT
fi
D=$(cd "$D" && pwd)
echo "workdir $D; wheel $WHEEL ($(sha256sum "$WHEEL" | cut -c1-16))"

# --- 1. venv, neutron and its test requirements -------------------------
"$PYTHON" -m venv "$D/venv"
PY=$D/venv/bin/python
"$PY" -m pip install -q --upgrade pip
# test-requirements.txt is only in the sdist; the wheel carries the tests.
"$PY" -m pip download -q --no-deps --no-binary :all: -d "$D/dl" \
    "neutron==$NEUTRON_VERSION"
tar -xzf "$D/dl/neutron-$NEUTRON_VERSION.tar.gz" -C "$D/dl" \
    "neutron-$NEUTRON_VERSION/test-requirements.txt"
# Versions as resolved when this script was written (2026-12, PyPI).
cat > "$D/constraints.txt" <<'EOF'
alembic==1.20.1
amqp==5.4.2
attrs==26.1.0
autopage==0.6.0
bcrypt==5.0.0
beautifulsoup4==4.15.0
cachetools==8.0.3
certifi==2026.10.19.post1
cffi==2.1.1
charset-normalizer==3.5.3
cliff==4.17.0
cmd2==4.3.1
cotyledon==2.2.0
coverage==7.18.0
cryptography==50.0.2
ddt==1.7.2
debtcollector==3.1.0
decorator==5.3.2
dnspython==2.9.2
dogpile.cache==1.5.0
eventlet==0.41.3
fasteners==0.20
fixtures==4.3.2
flake8==7.3.0
futurist==3.5.0
greenlet==3.5.6
hacking==8.1.0
httplib2==0.32.1
idna==3.21
iniconfig==2.3.1
invoke==3.0.3
iso8601==2.1.0
junitxml==0.7
Jinja2==3.1.6
jmespath==1.1.0
jsonpatch==1.48
jsonpointer==3.12
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
keystoneauth1==5.18.1
keystonemiddleware==13.0.1
kombu==5.7.0
lxml==6.2.1
Mako==1.4.3
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mccabe==0.7.0
mdurl==0.1.2
msgpack==1.2.4
ncclient==0.7.1
netaddr==1.3.0
neutron==29.0.0
neutron-lib==5.0.1
openstacksdk==4.22.0
os-ken==4.2.2
os-resource-classes==1.1.0
os-service-types==1.9.0
os-traits==3.9.0
os-vif==5.3.0
osc-lib==4.7.0
oslo.cache==4.3.0
oslo.concurrency==7.6.1
oslo.config==10.7.0
oslo.context==6.5.0
oslo.db==18.1.1
oslo.i18n==6.9.0
oslo.log==8.3.2
oslo.messaging==18.3.1
oslo.metrics==0.17.0
oslo.middleware==8.2.0
oslo.policy==6.0.1
oslo.privsep==3.12.0
oslo.reports==3.9.0
oslo.rootwrap==7.10.0
oslo.serialization==5.11.0
oslo.service==4.8.0
oslo.upgradecheck==2.8.0
oslo.utils==10.2.0
oslo.versionedobjects==3.12.0
oslotest==6.1.1
osprofiler==4.4.0
ovs==4.0.0
ovsdbapp==3.0.0
packaging==26.4
paramiko==5.1.0
Paste==3.10.1
PasteDeploy==3.1.0
pbr==7.1.3
pecan==1.8.0
platformdirs==4.14.9
pluggy==1.7.0
prettytable==3.19.0
prometheus-client==0.26.0
prompt-toolkit==3.0.53
psutil==7.2.2
pycadf==4.1.0
pycodestyle==2.14.0
pycparser==3.12
pyflakes==3.4.0
Pygments==2.21.0
PyJWT==2.15.1
PyMySQL==1.2.4
PyNaCl==1.6.2
pyOpenSSL==26.4.0
pyparsing==3.3.3
pyperclip==1.11.0
pyroute2==0.9.7
python-dateutil==4.0.0
python-designateclient==7.0.0
python-keystoneclient==6.0.0
python-neutronclient==14.0.0
python-novaclient==18.13.1
python-subunit==1.4.6
PyYAML==6.0.4
referencing==0.37.0
repoze.lru==0.8
requests==2.34.2
rfc3986==2.0.0
rich==15.0.0
rich-argparse==1.8.0
Routes==2.5.1
rpds-py==2026.9.1
setproctitle==1.3.8
six==1.17.0
sortedcontainers==2.4.0
soupsieve==4.1.4
SQLAlchemy==2.1.9
statsd==4.0.1
stestr==4.2.1
stevedore==5.10.0
tenacity==9.2.1
testresources==2.1.2
testscenarios==0.7.0
testtools==2.9.1
tomlkit==0.15.3
tooz==9.1.0
typing_extensions==4.16.0
tzdata==2026.6
urllib3==2.8.0
vine==5.1.0
voluptuous==0.16.0
waitress==3.0.2
wcwidth==0.9.5
WebOb==1.8.11
WebTest==3.0.7
wrapt==2.5.2
Yappi==1.7.6
EOF
"$PY" -m pip install -q -c "$D/constraints.txt" "neutron==$NEUTRON_VERSION" \
    -r "$D/dl/neutron-$NEUTRON_VERSION/test-requirements.txt" 'oslo.policy==6.0.1' junitxml

# --- 2. the accelerator --------------------------------------------------
"$PY" -m pip install -q --no-deps "$WHEEL"
"$PY" -m pip check
"$PY" - <<'EOF'
import importlib.metadata as m
for d in ('neutron', 'neutron-lib', 'oslo.policy', 'oslo.context', 'oslo-policy-rs'):
    print(f'{d}=={m.version(d)}')
EOF
T1=$(date +%s)

mkdir -p "$D/sitecustom" "$D/counts" "$D/out"
cat > "$D/sitecustom/sitecustomize.py" <<'EOF'
# oslo_policy_rs in every process started with this dir on PYTHONPATH; at
# exit, the process's (decided, left, still installed) to $OSLO_RS_COUNTS_DIR.
import atexit
import os

import oslo_policy_rs

oslo_policy_rs.install()


def _dump():
    from oslo_policy import _checks
    d = os.environ.get('OSLO_RS_COUNTS_DIR')
    if not d:
        return
    hook = _checks._check
    inst = isinstance(hook, oslo_policy_rs._native.Hook)
    decided, left = hook.counts() if inst else (0, 0)
    with open(os.path.join(d, 'counts.%d' % os.getpid()), 'w') as f:
        f.write('%d %d %d\n' % (decided, left, int(inst)))


atexit.register(_dump)
EOF

# --- 3. the two runs -----------------------------------------------------
SP=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export OS_LOG_CAPTURE=true OS_STDOUT_CAPTURE=true OS_STDERR_CAPTURE=true \
    OS_TEST_TIMEOUT=180
run() {  # run NAME [env...]
    local name=$1; shift
    mkdir -p "$D/$name"
    printf '[DEFAULT]\ntest_path=%s\ntop_dir=%s\n' \
        "$SP/neutron/tests/unit/conf/policies" "$SP" > "$D/$name/.stestr.conf"
    local t=$(date +%s) rc=0
    (cd "$D/$name" && env "$@" "$D/venv/bin/stestr" run \
        --concurrency "$CONCURRENCY" $TESTS) > "$D/out/$name.log" 2>&1 || rc=$?
    echo "$name: stestr rc=$rc, $(( $(date +%s) - t ))s wall"
    (cd "$D/$name" && "$D/venv/bin/stestr" last --subunit) > "$D/out/$name.subunit" || true
    "$D/venv/bin/subunit2csv" < "$D/out/$name.subunit" > "$D/out/$name.csv" || true
    "$D/venv/bin/subunit2junitxml" < "$D/out/$name.subunit" > "$D/out/$name.xml" || true
}
run plain PYTHONPATH=
run accel PYTHONPATH="$D/sitecustom" OSLO_RS_COUNTS_DIR="$D/counts"

RC=0
"$PY" - "$D" <<'EOF' || RC=1
import collections, csv, glob, sys
d = sys.argv[1]
def load(n):
    return {r['test']: r['status'] for r in csv.DictReader(open(f'{d}/out/{n}.csv'))}
a, b = load('plain'), load('accel')
ok = True
for n, r in (('plain', a), ('accel', b)):
    print(f'{n}: {len(r)} tests', dict(collections.Counter(r.values())))
    ok &= len(r) > 0 and all(s in ('success', 'skip') for s in r.values())
diff = sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))
for t in diff:
    print(f'DIFFERS: {t}: plain={a.get(t)} accel={b.get(t)}')
decided = left = 0
for f in glob.glob(f'{d}/counts/counts.*'):
    x, y, inst = map(int, open(f).read().split())
    decided, left = decided + x, left + y
    ok &= bool(inst)
print(f'oslo_policy_rs: {decided} checks decided by oslo-rs, '
      f'{left} left to oslo.policy')
ok &= not diff and decided > 0
print('RESULT:', 'same outcomes' if ok else 'FAILED')
sys.exit(0 if ok else 1)
EOF
echo "setup $((T1 - T0))s, total $(( $(date +%s) - T0 ))s"
exit $RC
