"""The reference side of the `--dry-run --json` contract.

Computes, with oslo.rootwrap's own code (RawConfigParser, RootwrapConfig,
load_filters, match_filter, get_command, get_environment), the JSON object
and exit status `oslo-rootwrap --dry-run --json CONFIG -- ARGV...` must
produce. Batch mode: one JSON case per stdin line
    {"config": PATH, "argv_hex": [HEX...], "cwd": PATH}
and one JSON line out per case: {"out": JSON_TEXT, "rc": STATUS}.
"""
import configparser
import json
import logging
import os
import sys

from oslo_rootwrap import wrapper

logging.disable(logging.CRITICAL)  # "Skipping unknown filter class" warnings


def decide(config_path, userargs):
    if not userargs:
        return {"allowed": False, "reason": "nocommand"}, 98
    try:
        raw = configparser.RawConfigParser()
        raw.read(config_path)
        config = wrapper.RootwrapConfig(raw)
    except (ValueError, configparser.Error):
        return {"allowed": False, "reason": "badconfig"}, 97
    try:
        filters = wrapper.load_filters(config.filters_path)
    except Exception:  # the reference's traceback
        return {"allowed": False, "reason": "error"}, 1
    try:
        match = wrapper.match_filter(filters, userargs, exec_dirs=config.exec_dirs)
    except wrapper.FilterMatchNotExecutable as exc:
        return {"allowed": False, "reason": "noexec", "filter": exc.match.name}, 96
    except wrapper.NoFilterMatched:
        return {"allowed": False, "reason": "unauthorized"}, 99
    except Exception:
        return {"allowed": False, "reason": "error"}, 1
    try:
        command = match.get_command(userargs, config.exec_dirs)
        saved = dict(os.environ)
        os.environ.clear()  # get_environment copies os.environ: keep only additions
        try:
            env = match.get_environment(userargs)
        finally:
            os.environ.update(saved)
    except Exception:
        return {"allowed": False, "reason": "error"}, 1
    return {
        "allowed": True,
        "filter": match.name,
        "run_as": match.run_as,
        "command": command,
        "env": env or {},
    }, 0


def main():
    if sys.argv[1:2] != ["--batch"]:
        # Single case, same command line as ours: CONFIG -- ARGV...
        config, sep, *argv = sys.argv[1:]
        out, rc = decide(config, argv)
        print(json.dumps(out))
        sys.exit(rc)
    start = os.getcwd()
    for line in sys.stdin:
        case = json.loads(line)
        os.chdir(case.get("cwd") or start)
        argv = [os.fsdecode(bytes.fromhex(h)) for h in case["argv_hex"]]
        out, rc = decide(case["config"], argv)
        sys.stdout.write(json.dumps({"out": json.dumps(out), "rc": rc}) + "\n")
    sys.stdout.flush()


main()
