#!/usr/bin/env python3
"""Fails if a package of the dependency graph needs a newer Rust than the
workspace's declared rust-version (Cargo.toml), by the package's own
rust-version. Reads `cargo metadata --format-version 1` on stdin."""
import json
import sys


def version(text):
    """'1.85' and '1.85.0' alike."""
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


meta = json.load(sys.stdin)
members = [p for p in meta["packages"] if p["id"] in meta["workspace_members"]]
declared = max(version(p["rust_version"]) for p in members if p.get("rust_version"))
shown = "%d.%d" % declared[:2]
late = [
    "%s %s needs Rust %s" % (p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p.get("rust_version") and version(p["rust_version"]) > declared
]
if late:
    sys.exit("newer than the declared rust-version %s: %s" % (shown, "; ".join(late)))
print("rust-version %s: none of the %d packages needs a newer Rust" % (shown, len(meta["packages"])))
