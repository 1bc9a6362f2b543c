"""oslopolicy-sample-generator's text, from the real oslo.policy, for a
defaults file (the format of oslo_policy::defaults).

    sample_generator.py DEFAULTS.json [--exclude-deprecated]

Builds the RuleDefault / DocumentedRuleDefault / DeprecatedRule objects the
file describes and prints what `oslopolicy-sample-generator --namespace`
would print for a namespace returning them.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

from oslo_policy import generator  # noqa: E402

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _reference import build_default as build  # noqa: E402


def main():
    rules = [build(d) for d in json.load(open(sys.argv[1]))]
    exclude = "--exclude-deprecated" in sys.argv[2:]
    sys.stdout.write("".join(generator._sort_and_format_by_section({"ns": rules}, exclude_deprecated=exclude)))


if __name__ == "__main__":
    main()
