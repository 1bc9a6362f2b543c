"""Reference side of analysis_matrix.rs: the real oslo.policy deciding
every cell `oslo-policy matrix --format json` reports.

    matrix_oracle.py JOBS.json

For each job (a policy: file, registered defaults, enforce_new_defaults;
and our matrix of it), every cell of every rule and persona:

* allowed / denied: the reference decides so on the persona's own target
  and on another's;
* depends: it allows the cell's allowed_on target and denies its
  denied_on target, and on the own and the other target it decides as the
  cell's condition says there.

Prints one line per disagreement and a summary ending in
", N mismatches"; exits 1 on any.
"""
import json
import sys

from _reference import decide_one as decide, enforcer_for  # noqa: E402


def leaves(value, path):
    """What _find_in_dict compares along a dotted path (str() of each)."""
    key, _, rest = path.partition(".")
    if not isinstance(value, dict) or key not in value:
        return []
    nxt = value[key]
    items = nxt if isinstance(nxt, list) else [nxt]
    out = []
    for item in items:
        out.extend(leaves(item, rest) if rest else [str(item)])
    return out


def holds(atom, creds, target):
    """None when the atom is not a target atom (opaque, or a fault)."""
    kind = atom["atom"]
    if kind == "creds_eq_target":
        attr = atom["target"]
        return attr in target and str(target[attr]) in leaves(creds, atom["path"])
    if kind == "target_eq":
        attr = atom["target"]
        return attr in target and str(target[attr]) == atom["value"]
    return None


def condition(terms, creds, target):
    result = False
    for term in terms:
        values = [holds(a, creds, target) for a in term]
        if any(v is None for v in values):
            return None
        result = result or all(v == a["holds"] for v, a in zip(values, term))
    return result


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    cells = bad = 0
    for job in jobs["jobs"]:
        e = enforcer_for(job["policy"])
        m = job["matrix"]
        for rule in m["rules"]:
            name = rule["name"]
            for persona, cell in zip(m["personas"], rule["cells"]):
                creds = persona["creds"]
                own, other = persona["own_target"], persona["other_target"]
                checks = []
                d = cell["decision"]
                if d in ("allowed", "denied"):
                    want = d == "allowed"
                    checks = [(own, want), (other, want)]
                elif d == "depends":
                    for key, want in (("allowed_on", True), ("denied_on", False)):
                        if not cell[key]["answers"]:
                            checks.append((cell[key]["target"], want))
                    for t in (own, other):
                        c = condition(cell["terms"], creds, t)
                        if c is not None:
                            checks.append((t, c))
                else:
                    bad += 1
                    print(f"{job['label']}: {name} {persona['name']}: undecided: {cell.get('reason')}")
                    continue
                for target, want in checks:
                    cells += 1
                    got = decide(e, name, creds, target)
                    if got != want:
                        bad += 1
                        if bad <= 30:
                            print(f"{job['label']}: {name} {persona['name']} ({d}): the reference "
                                  f"decides {got} on target={target}, the matrix says {want}")
    print(f"{len(jobs['jobs'])} matrices: {cells} cell decisions replayed, {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
