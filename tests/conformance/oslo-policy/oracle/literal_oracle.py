"""How oslo.policy's GenericCheck reads each check kind: one JSON string
per input line, one answer per output line, in one process:

    V <str(ast.literal_eval(kind)) as JSON>   a literal, compared by str()
    N                                          ValueError: a credentials lookup
    E <exception class>                        anything else: the check raises

`ast.parse` runs five Python frames deep (module, main, classify,
literal_eval, parse), the depth literal.rs's AST_DEPTH_LIMIT assumes.
"""
import ast
import json
import sys
import warnings

warnings.simplefilter("ignore")


def classify(kind):
    try:
        value = ast.literal_eval(kind)
        text = str(value)
    except ValueError:
        return "N"
    except BaseException as e:  # noqa: B902 - the reference lets them all through
        return "E " + type(e).__name__
    return "V " + json.dumps(text)


def main():
    out = sys.stdout
    for line in sys.stdin:
        out.write(classify(json.loads(line)) + "\n")
    out.flush()


main()
