"""Reference side of analysis_diff.rs: the real oslo.policy judging what
`oslo-policy diff` claims.

    diff_oracle.py JOBS.json

Each job names two policies (a policy file, registered defaults, the
enforce_new_defaults flag) and our `diff --format json` report on them:

* every witness must be decided by the reference Enforcers as the report
  says (gained: old denies, new allows; lost: the reverse);
* every persona it names for a changed rule must be decided differently
  on the request it gives;
* every rule the report does not list as changed must decide the same on
  both sides for PROBES random requests built from the policies' own
  roles, credential values and target keys (no counterexample).

Prints one line per disagreement and a summary ending in
", N mismatches"; exits 1 on any.
"""
import json
import random
import re
import sys

from _reference import decide_one as decide, enforcer_for  # noqa: E402


def vocabulary(enforcers):
    """Roles, constants and target keys the rules mention."""
    roles, consts, keys, paths = set(), set(), set(), set()
    for e in enforcers:
        for rule in e.rules.values():
            text = str(rule)
            roles.update(m.lower() for m in re.findall(r"role:([^\s)]+)", text))
            for kind, match in re.findall(r"([\w.]+):([^\s)]+)", text):
                if kind in ("role", "rule", "http", "https"):
                    continue
                m = re.fullmatch(r"%\((.+)\)s", match)
                if m:
                    keys.add(m.group(1))
                else:
                    consts.add(match)
                paths.add(kind)
    return sorted(roles), sorted(consts), sorted(keys), sorted(paths)


def random_request(rng, vocab):
    roles, consts, keys, paths = vocab
    values = ["v1", "v2"] + consts
    creds = {"roles": rng.sample(roles, rng.randint(0, min(3, len(roles))))}
    for p in paths:
        if "." in p or rng.random() < 0.4:
            continue
        creds[p] = rng.choice(values)
    for p in ("system_scope", "domain_id", "project_id", "system"):
        if rng.random() < 0.3:
            creds[p] = rng.choice(["all", "v1", "v2", ""])
    target = {k: rng.choice(values) for k in keys if rng.random() < 0.9}
    # Make credential/target equalities likely.
    for p in list(creds):
        if p != "roles" and target and rng.random() < 0.5:
            creds[p] = rng.choice(list(target.values()))
    return creds, target


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    rng = random.Random(jobs.get("seed", 1))
    witnesses = probes = allowed = bad = 0
    for job in jobs["jobs"]:
        old, new = enforcer_for(job["old"]), enforcer_for(job["new"])
        report = job["report"]
        changed = set()
        for rule in report["changed"]:
            name = rule["name"]
            changed.add(name)
            for direction, want in (("gained", (False, True)), ("lost", (True, False))):
                change = rule.get(direction)
                if not change:
                    continue
                w = change["witness"]
                if w["answers"]:
                    continue  # a policy server's answer: not replayable here
                witnesses += 1
                got = (decide(old, rule.get("moved_from") or name, w["creds"], w["target"]),
                       decide(new, name, w["creds"], w["target"]))
                if got != want:
                    bad += 1
                    print(f"{job['label']}: {name} {direction}: reference decides {got} "
                          f"on creds={w['creds']} target={w['target']}")
            # The personas it names: their decision changed on the
            # request given.
            for p in rule.get("personas", []):
                w = p["witness"]
                if w["answers"]:
                    continue
                witnesses += 1
                a = decide(old, rule.get("moved_from") or name, w["creds"], w["target"])
                b = decide(new, name, w["creds"], w["target"])
                if a == b:
                    bad += 1
                    print(f"{job['label']}: {name}: persona {p['name']} unchanged in the "
                          f"reference ({a}) on creds={w['creds']} target={w['target']}")
        changed.update(u["name"] for u in report["undecided"])
        vocab = vocabulary([old, new])
        names = sorted((set(old.rules) | set(new.rules)) - changed)
        for _ in range(job.get("probes", 0)):
            creds, target = random_request(rng, vocab)
            for name in names:
                probes += 1
                a = decide(old, name, creds, target)
                b = decide(new, name, creds, target)
                allowed += a is True
                if a != b:
                    bad += 1
                    if bad <= 30:
                        print(f"{job['label']}: {name} reported the same, but the reference "
                              f"decides {a} / {b} on creds={creds} target={target}")
    print(f"{len(jobs['jobs'])} diffs: {witnesses} witnesses replayed, "
          f"{probes} probes of unchanged rules ({allowed} allowed), {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
