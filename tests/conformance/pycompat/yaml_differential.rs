//! Differential test: `pycompat::yaml::safe_load` (oslo-policy's policy
//! file reader) against PyYAML 6.0.3's
//! `yaml.safe_load` (via `oracle/yaml_oracle.py`, one Python process
//! for every case), on hand-written edge cases and a few thousand
//! generated documents.
//!
//! Every case must agree: both fail, or both load the same value (compared
//! in the oracle's canonical form, `str()`/`repr()` included). The only
//! accepted disagreements are the loader's documented known differences
//! where it fails and PyYAML loads something; they are printed, and their
//! number is capped.

use std::path::Path;

use oslo_test_support::Rng;
use pycompat::value::{Value, float_repr};
use pycompat::yaml::{YamlError, safe_load};
use serde_json::{Value as Json, json};

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The oracle's canonical text of a value.
fn canon(v: &Value, out: &mut String) {
    match v {
        Value::None => out.push('N'),
        Value::Bool(true) => out.push('T'),
        Value::Bool(false) => out.push('F'),
        Value::Str(s) => out.push_str(&format!("S{};", hex(s))),
        Value::Int(i) => out.push_str(&format!("I{i};")),
        Value::Float(f) => out.push_str(&format!("R{};", float_repr(*f))),
        Value::List(items) => {
            out.push('L');
            for item in items {
                canon(item, out);
            }
            out.push(']');
        }
        Value::Dict(items) => {
            out.push('D');
            for (k, v) in items {
                canon(k, out);
                canon(v, out);
            }
            out.push('}');
        }
        Value::Other { str, repr } => out.push_str(&format!("O{},{};", hex(str), hex(repr))),
    }
}

fn ours(doc: &[u8]) -> Result<(String, String), YamlError> {
    safe_load(doc).map(|v| {
        let mut out = String::new();
        canon(&v, &mut out);
        (out, v.py_repr())
    })
}

/// Runs the oracle on every case, in one process.
fn oracle(python: &Path, cases: &[Vec<u8>]) -> Vec<Json> {
    let script = oslo_test_support::conformance("pycompat").join("oracle/yaml_oracle.py");
    let input: Vec<String> = cases
        .iter()
        .map(|c| json!({ "b64": pycompat::base64::b64encode(c) }).to_string())
        .collect();
    oslo_test_support::oracle_lines(python, &script, &input)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("oracle output {l:?}: {e}")))
        .collect()
}

/// Why a failure of ours where PyYAML loads a value is acceptable (a
/// documented known difference), if it is.
fn known_difference(doc: &[u8], err: &YamlError, theirs: &Json) -> Option<&'static str> {
    let text = String::from_utf8_lossy(doc);
    let msg = err.message.as_str();
    if theirs.get("recursive").is_some() || msg.contains("recursive alias") {
        return Some("recursive structure");
    }
    if msg.contains("!!set") {
        return Some("!!set");
    }
    if msg.contains("NEL, LS and PS") {
        return Some("NEL/LS/PS line breaks");
    }
    if msg.contains("nested deeper") || msg.contains("recursion limit exceeded") {
        return Some("nesting depth");
    }
    if text.contains('\t') && msg.contains("'\\t'") {
        return Some("tab check (conservative)");
    }
    if msg.contains("tab cannot be used as indentation") || msg.contains("tabs disallowed") {
        return Some("yaml-rust2: tab in indentation of a quoted/flow continuation line");
    }
    if msg.contains("invalid indentation") {
        return Some("yaml-rust2: quoted or flow continuation line less indented");
    }
    if msg.contains("a plain scalar PyYAML reads differently") {
        return Some("flow `?`/`:` PyYAML reads as an indicator");
    }
    if msg.contains("expected whitespace") && text.trim_end().ends_with('?') {
        return Some("yaml-rust2: `?` at the end of the stream");
    }
    if msg.contains("plain scalar cannot start with '-' followed by") {
        return Some("yaml-rust2: `-` before a flow indicator");
    }
    if msg.contains("simple key expect ':'") && text.contains('*') {
        return Some("yaml-rust2: alias name running into `:` (YAML 1.2 allows it)");
    }
    if msg.contains("comments must be separated from other tokens by whitespace") {
        return Some("yaml-rust2: `#` right after a quoted scalar");
    }
    if msg.contains("wrongly indented line in block scalar") {
        return Some("yaml-rust2: block scalar whose leading blank lines are more indented");
    }
    if msg.contains("a block scalar PyYAML reads differently") {
        return Some("block scalar read differently by yaml-rust2");
    }
    if msg.contains("anchor or alias") && (text.contains('&') || text.contains('*')) {
        return Some("anchor/alias name PyYAML cuts short (`*a:`)");
    }
    None
}

// ---------------------------------------------------------------------------
// Hand-written cases

fn hand_cases() -> Vec<Vec<u8>> {
    let docs: Vec<&str> = vec![
        // Documents.
        "",
        "# only a comment\n",
        "\n\n  \n",
        "---\n",
        "--- \n...\n",
        "a: 1\n...\n",
        "a: 1\n...\n# trailing\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n---\n",
        "---\na: 1\n",
        "--- a\n",
        "%YAML 1.1\n---\na: 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "%YAML 2.0\n---\na: 1\n",
        "%TAG !e! tag:yaml.org,2002:\n---\na: !e!int '12'\n",
        "\u{feff}a: 1\n",
        "a: 1\r\nb: 2\r\n",
        "a: 1\rb: 2\r",
        "a: \u{feff}x\n",
        // Policy-file shapes.
        "\"rule\": \"role:admin or project_id:%(project_id)s\"\n",
        "\"admin_required\": \"role:admin or is_admin:1\"\n\"default\": \"rule:admin_required\"\n",
        "# comment\n\"a\": \"@\"\n# another\n\"b\": \"!\"\n",
        "a: role:admin\nb: rule:a or role:member\n",
        "a: >\n  role:admin or\n  role:member\n",
        "a: |\n  role:admin\n",
        "a: |-\n  role:admin\n\n",
        "a: |+\n  role:admin\n\n",
        "a: >-\n  one\n\n  two\n   three\n  four\n",
        "a: |2\n   x\n  y\n",
        "a: >\n\n  x\n\n\n",
        "a: |\n  x\n\tb: 1\n",
        "a: |\n  \tx\n",
        "a: |\n\tx\n",
        "a: | # c\n  x\n",
        "a: |\t# c\n  x\n",
        "- |\n  x\n- >\n  y\n",
        "a: |\n  x",
        "a: |\n",
        "a: |",
        "a: |+\n  x",
        "a: |+\n  x\n\n",
        "a: |+\n",
        "a: |+\n\n",
        "a: |-\n  x",
        "a: >\n  x\n  y",
        "a: |\n  x\n  ",
        "a: |\n  x\n\n  ",
        "|\n",
        "a: |+\n  x\n  ",
        "a: >+\n  x\n\n  ",
        "a: |\n\n",
        "a: |\n\n  ",
        "a: |2\n",
        "a: |\n\nb: 1\n",
        "a: >\n  x\n\n  y\n   z\n  w\n\n",
        "a: |0\n  x\n",
        "a: |#c\n  x\n",
        "a:\n  |\n x\n",
        "a:\n  b: |\n  x\n",
        "a: !!str # c\n  |\n  x\n",
        "- - |\n    x\n",
        "a: >2-\n   x\n  y\n",
        "a: |\n    x\n  y\n",
        "a: |\n  \n    \n  x\n",
        "- a: |\n    x\n  b: 2\n",
        "{\"a\": \"@\", \"b\": \"!\"}",
        "{\"a\": \"@\",}",
        "{\"a\": \"@\", \"a\": \"!\"}",
        "{\"a\":\t\"@\"}",
        "{\t\"a\": \"@\"}",
        "{\"a\": \"@\"\t}",
        "{\n\t\"a\": \"@\"\n}\n",
        "{\n    \"a\": \"@\",\n    \"b\": \"role:x\"\n}\n",
        "{\"a\": [\"role:x\", [\"role:y\"]]}",
        "{\"a\": \"\\u00e9\\t\\n\\/\"}",
        "{\"a\":\"b\"}",
        "{\"a\":1}",
        "{a:1}",
        "{a: 1, b}",
        "[a, b,]",
        "[a, , b]",
        "[a: 1, b]",
        "[? a : b]",
        "[?a]",
        "[:a]",
        "{? a}",
        "[a\n,b]",
        "[a\n b]",
        "{a: [b, {c: d}]}",
        // Unquoted specials.
        "a: @\n",
        "a: `x`\n",
        "a: !\n",
        "a: ! 123\n",
        "a: ! '123'\n",
        "a: ! \"yes\\n\"\n",
        "a: ! \"1\\n\"\n",
        "a: ! \"2020-01-01\\n\"\n",
        "a: %x\n",
        "a: |x\n",
        "a: -\n",
        "a: - b\n",
        "- - a\n  - b\n- c\n",
        "a: b: c\n",
        "a:b\n",
        "a :b\n",
        "a: b #c\n",
        "a: b#c\n",
        "a: b # c\td\n",
        "a:\tb\n",
        "a: b\t\n",
        "a: b \t\n",
        "\ta: b\n",
        "a:\n\t- b\n",
        "a: 'b\tc'\n",
        "a: \"b\tc\"\n",
        "a: b\tc\n",
        // YAML 1.1 scalars.
        "a: yes\nb: No\nc: ON\nd: off\ne: y\nf: n\ng: TRUE\nh: FaLsE\n",
        "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\n",
        "a: 017\nb: 0x1f\nc: 0b101\nd: 1_000\ne: 0o17\nf: 08\ng: -0\nh: +12\ni: 0_\n",
        "a: 1:30\nb: -1:30:15\nc: 1:60\nd: 1:5\ne: 01:30\n",
        "a: 1.5\nb: 1e3\nc: 1.0e+3\nd: 1.0e3\ne: .5\nf: -.5\ng: 1.\nh: 1_0.5_\n",
        "a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: -.nan\ng: .Nan\n",
        "a: 1:30.5\nb: 190:20:30.15\nc: -1:30.5\n",
        "a: 2020-01-01\nb: 2020-1-1\nc: 2020-13-01\n",
        "a: 2001-12-14t21:59:43.10-05:00\n",
        "a: 2001-12-14 21:59:43.10 -5\n",
        "a: 2001-12-14 21:59:43.10\n",
        "a: 2001-12-14 2:59:43\n",
        "a: 2001-12-14T21:59:43Z\n",
        "a: 2001-12-14T21:59:43+00:00\n",
        "a: 2001-12-14T21:59:43.1234567+05:30\n",
        "a: 2001-12-14T21:59:43.+05:30\n",
        "a: 2001-12-14T25:59:43\n",
        "a: 2001-12-14T21:59:43 +24\n",
        "a: 2001-02-29\n",
        "a: 2000-02-29\n",
        "a: 0000-01-01\n",
        "a: !!timestamp 2020-1-1\n",
        "a: 0b_\n",
        "a: 0x_\n",
        "a: =\n",
        "=: 1\n",
        "a: <<\n",
        "<<: 1\n",
        "a: 123456789012345678901234567890123456789\n",
        "a: 0x123456789abcdef0123456789abcdef0123456789abcdef\n",
        "a: 0b1111111111111111111111111111111111111111111111111111111111111111111\n",
        "a: 0777777777777777777777777777777777777777\n",
        "a: 123456789012345678901234567890:59:59\n",
        "a: 1.7976931348623157e+309\n",
        "a: 1.0e+309\n",
        "a: 4.9e-324\n",
        "a: 0.1\nb: 100.0\nc: 1e+16\nd: 12345678901234567.0\n",
        // Explicit tags.
        "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool 'YeS'\ne: !!null 'x'\n",
        "a: !!int 0o17\nb: !!float 1e3\nc: !!int ' 12 '\nd: !!float inf\n",
        "a: !!int x\n",
        "a: !!bool maybe\n",
        "a: !!float ''\n",
        "a: !!str [a]\n",
        "a: !!seq {a: b}\n",
        "a: !!map [a]\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!binary |\n  aGVs\n  bG8=\n",
        "a: !!binary aGVsbG8\n",
        "a: !!binary 'aGVsbG8=='\n",
        "a: !!binary 'a'\n",
        "a: !!binary ''\n",
        "a: !!binary '/w=='\n",
        "a: !!omap [a: 1, b: 2]\n",
        "a: !!pairs [a: 1, a: 2]\n",
        "a: !!omap [a, b]\n",
        "a: !!set {a, b}\n",
        "a: !foo x\n",
        "a: !!python/object:os.system x\n",
        "a: !<tag:yaml.org,2002:str> 12\n",
        "a: !!str\n",
        "a: !!int\n",
        "a: !!str, b\n",
        "[!!str, a]\n",
        // Anchors, aliases, merges.
        "a: &x 1\nb: *x\n",
        "a: &x 1\nb: &x 2\n",
        "a: *x\n",
        "a: &x [1, 2]\nb: *x\n",
        "a: &a.b x\n",
        "a: &a[ x\n",
        "a: &a [*a]\n",
        "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
        "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
        "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n",
        "a: &a {x: 1}\nb:\n  x: 0\n  <<: *a\n",
        "a: &a {x: 1, <<: {y: 2}}\nb: {<<: *a}\n",
        "a:\n  <<: [1]\n",
        "a:\n  <<: []\n",
        "a:\n  =: 1\n  b: 2\n",
        "- &a x\n- *a\n- *a\n",
        // Keys.
        "1: a\nyes: b\n",
        "1: a\n1.0: b\ntrue: c\n",
        "0: a\nno: b\n0.0: c\n",
        "null: a\n~: b\n",
        "? [a]\n: b\n",
        "? {a: 1}\n: b\n",
        "[a]: b\n",
        "? a\n: b\n",
        "? |\n  x\n: y\n",
        "a: 1\na: 2\nb: 3\n",
        "2020-01-01: a\n",
        ".nan: a\n.nan: b\n",
        // Multi-line scalars and escapes.
        "a: b\n c\n\n d\n",
        "a: 'b\n  c\n\n  d'\n",
        "a: \"b\\\n  c\"\n",
        "a: \"\\x41\\u00e9\\U0001F600\\t\\n\\r\\0\\a\\b\\e\\f\\v\\ \\/\\N\\_\\L\\P\"\n",
        "a: \"\\q\"\n",
        "a: \"\\x4\"\n",
        "a: 'it''s'\n",
        "a: 'unterminated\n",
        "a: \"unterminated\n",
        "- a\n-b\n",
        "-\n  a\n",
        "- \n- a\n",
        "a:\n- b\n- c\n",
        "a:\n  - b\n  c: d\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: b\n  c: d\n",
        "a: [b\n",
        "a: {b: c\n",
        "]",
        "a: b]\n",
        "a: 'b' c\n",
        "\"a\nb\": c\n",
        // Reader.
        "a: \u{85}\n",
        "a: b\u{2028}c\n",
        "a: \u{1}\n",
        "a: \u{7f}\n",
        "a: \u{fffe}\n",
        "a: \u{e000}\n",
        "a: \u{10000}\n",
    ];
    let mut cases: Vec<Vec<u8>> = docs.into_iter().map(|d| d.as_bytes().to_vec()).collect();
    cases.push(b"a: \xff\n".to_vec());
    cases.push(b"a: b\0\n".to_vec());
    cases.push(b"\xff\xfea\x00:\x00 \x001\x00".to_vec());
    cases.push(b"a: \xed\xa0\x80\n".to_vec());
    // Big numbers around Python's 4300-digit int() limit.
    for n in [4300, 4301] {
        cases.push(format!("a: {}\n", "7".repeat(n)).into_bytes());
        cases.push(format!("a: 0x{}\n", "f".repeat(n)).into_bytes());
        cases.push(format!("a: {}:30\n", "1".repeat(n)).into_bytes());
    }
    // Nesting.
    for n in [200, 255, 256, 399, 400, 401] {
        cases.push(format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes());
        let block: String = (0..n).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        cases.push(block.into_bytes());
    }
    cases.push("[".repeat(100_000).into_bytes());
    cases
}

// ---------------------------------------------------------------------------
// Generated cases

const PLAIN: &[&str] = &[
    "a",
    "b",
    "role:admin",
    "rule:x or role:y",
    "@",
    "!",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "NULL",
    "017",
    "0x1F",
    "0b11",
    "1_000",
    "0o17",
    "08",
    "-0",
    "+12",
    "1:30",
    "1:60",
    "1.5",
    "1e3",
    "1.0e+3",
    ".5",
    "-.5",
    "1.",
    ".inf",
    "-.Inf",
    ".NaN",
    "1:30.5",
    "2020-01-01",
    "2020-1-1",
    "2001-12-14 21:59:43.10 -5",
    "2001-12-14t21:59:43Z",
    "=",
    "<<",
    "-",
    "--",
    "?",
    ":",
    "a:b",
    "a #b",
    "a#b",
    "%(x)s",
    "a b",
    "é",
    "0",
    "00",
    "123456789012345678901234567890",
    "-1_2:3_0",
    "a,b",
    "a]",
    "a}",
    "http://x",
    "'",
    "\"",
    "&",
    "*",
    "|",
    ">",
    "`",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "a\tb",
    "",
];

/// Scalars that are valid anywhere.
const COMMON: &[&str] = &[
    "a",
    "role:admin",
    "rule:x or role:y",
    "\"@\"",
    "\"!\"",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "~",
    "null",
    "017",
    "0x1F",
    "0b11",
    "1_000",
    "0o17",
    "08",
    "-0",
    "+12",
    "1:30",
    "1.5",
    "1e3",
    "1.0e+3",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1:30.5",
    "2020-01-01",
    "2001-12-14t21:59:43Z",
    "2001-12-14 21:59:43.10 -5",
    "'%(x)s'",
    "a b",
    "é",
    "0",
    "123456789012345678901234567890",
    "\"role:admin or project_id:%(project_id)s\"",
    "http://x",
    "=",
    "-1_2:3_0",
    "''",
];

const QUOTED: &[&str] = &[
    "'a'",
    "'it''s'",
    "''",
    "'yes'",
    "'1'",
    "\"a\"",
    "\"\"",
    "\"\\t\\n\"",
    "\"\\x41\"",
    "\"\\u00e9\"",
    "\"a\\\"b\"",
    "\"\\/\"",
    "\"\\q\"",
    "'a\tb'",
    "\"a\tb\"",
    "\"rule:%(x)s\"",
    "'multi\n              line'",
    "\"multi\\\n              line\"",
    "'a\n\n              b'",
];

const TAGS: &[&str] = &[
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!",
    "!!binary",
    "!!timestamp",
    "!foo",
    "!!map",
    "!!seq",
    "!!omap",
    "!!merge",
];

const SPACES: &[&str] = &[" ", "  ", " \t", "\t", ""];

struct Gen {
    rng: Rng,
    /// Whether this document may use the odd fragments (tabs, indicators
    /// as scalars, bad escapes) that mostly make PyYAML fail.
    weird: bool,
    anchors: Vec<String>,
    counter: usize,
}

impl Gen {
    fn scalar(&mut self) -> String {
        let mut out = String::new();
        if self.rng.pct(8) {
            out.push_str(self.rng.pick(TAGS));
            out.push(' ');
        }
        if self.rng.pct(6) {
            self.counter += 1;
            let name = format!("a{}", self.counter % 7);
            out.push_str(&format!("&{name} "));
            self.anchors.push(name);
        }
        if self.rng.pct(6) && !self.anchors.is_empty() {
            let i = self.rng.below(self.anchors.len());
            return format!("*{}", self.anchors.get(i).cloned().unwrap_or_default());
        }
        if self.rng.pct(30) {
            let quoted = self.rng.pick(QUOTED);
            if !self.weird && (quoted.contains('\t') || quoted.contains("\\q")) {
                out.push_str("'a'");
            } else {
                out.push_str(quoted);
            }
        } else if !self.weird || self.rng.pct(70) {
            out.push_str(self.rng.pick(COMMON));
        } else {
            out.push_str(self.rng.pick(PLAIN));
        }
        out
    }

    fn flow(&mut self, depth: usize) -> String {
        if depth > 3 || self.rng.pct(50) {
            return self.scalar();
        }
        let n = self.rng.below(4);
        let sep = if !self.weird || self.rng.pct(85) {
            ", "
        } else {
            self.rng.pick(&[",", " ,", ",\n  ", "\t,"])
        };
        if self.rng.pct(50) {
            let items: Vec<String> = (0..n).map(|_| self.flow(depth + 1)).collect();
            let trailing = if self.rng.pct(15) { "," } else { "" };
            format!("[{}{trailing}]", items.join(sep))
        } else {
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let k = self.scalar();
                    let colon = if self.weird {
                        self.rng.pick(&[": ", ": ", ": ", ":", " : ", ":\t"])
                    } else {
                        self.rng.pick(&[": ", ": ", " : "])
                    };
                    format!("{k}{colon}{}", self.flow(depth + 1))
                })
                .collect();
            let trailing = if self.rng.pct(15) { "," } else { "" };
            format!("{{{}{trailing}}}", items.join(sep))
        }
    }

    fn block_scalar(&mut self, indent: usize) -> String {
        let head = self.rng.pick(&["|", ">", "|-", ">+", "|2", ">-", "| # c"]);
        let pad = " ".repeat(indent + 2);
        let mut out = format!("{head}\n");
        for _ in 0..=self.rng.below(3) {
            let extra = if self.weird {
                self.rng.pick(&["", "", " ", "  ", "\t"])
            } else {
                self.rng.pick(&["", "", " ", "  "])
            };
            let word = self.rng.pick(&["x", "role:a", "b c", "", "#", "- y"]);
            out.push_str(&format!("{pad}{extra}{word}\n"));
        }
        if self.rng.pct(20) {
            out.push('\n');
        }
        out
    }

    fn node(&mut self, indent: usize, depth: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        let choice = if depth > 3 { 0 } else { self.rng.below(6) };
        match choice {
            0 | 1 => {
                let v = self.flow(depth);
                out.push_str(&format!(" {v}\n"));
            }
            2 => {
                out.push_str(&format!(" {}", self.block_scalar(indent)));
            }
            3 => {
                out.push('\n');
                for _ in 0..=self.rng.below(3) {
                    out.push_str(&format!("{pad}  -"));
                    self.node(indent + 2, depth + 1, out);
                }
            }
            _ => {
                out.push('\n');
                self.mapping(indent + 2, depth + 1, out);
            }
        }
    }

    fn mapping(&mut self, indent: usize, depth: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        for _ in 0..=self.rng.below(4) {
            if self.rng.pct(10) {
                out.push_str(&format!("{pad}# comment {}\n", self.rng.pick(PLAIN)));
            }
            let key = if self.rng.pct(70) {
                format!(
                    "\"{}\"",
                    self.rng.pick(&["rule", "a", "b", "admin", "x:y", "1"])
                )
            } else {
                self.scalar()
            };
            let colon = if !self.weird || self.rng.pct(95) {
                ":"
            } else {
                self.rng.pick(&[" :", ":\t"])
            };
            out.push_str(&format!("{pad}{key}{colon}"));
            if self.weird && self.rng.pct(5) {
                out.push_str(self.rng.pick(SPACES));
            }
            self.node(indent, depth, out);
            if self.rng.pct(10) {
                if self.weird {
                    out.push_str(self.rng.pick(&["\n", "  \n", "# c\n", "\t\n"]));
                } else {
                    out.push_str(self.rng.pick(&["\n", "  \n", "# c\n"]));
                }
            }
        }
    }

    fn document(&mut self) -> Vec<u8> {
        self.anchors.clear();
        self.weird = self.rng.pct(25);
        let mut out = String::new();
        if self.rng.pct(5) {
            out.push_str("---\n");
        }
        match self.rng.below(10) {
            0 => {
                out.push_str(&self.flow(0));
                out.push('\n');
            }
            1 => {
                let colon = if self.weird {
                    self.rng.pick(&[": ", ":", ":\t"])
                } else {
                    self.rng.pick(&[": ", ":"])
                };
                let json = self.flow(0).replace(": ", colon);
                out.push_str(&json);
            }
            _ => self.mapping(0, 0, &mut out),
        }
        if self.rng.pct(5) {
            out = out.replace('\n', "\r\n");
        }
        let mut bytes = out.into_bytes();
        // Mutations.
        if self.rng.pct(if self.weird { 40 } else { 10 }) {
            for _ in 0..=self.rng.below(2) {
                let pos = self.rng.below(bytes.len() + 1);
                let insert = self
                    .rng
                    .pick(&[
                        " ", "\t", ":", "-", "#", "\"", "'", "\n", "[", "]", "{", "}", ",", "&",
                        "*", "!", "|", ">", "?", "%", "@", "  ", "\n  ", "\n- ",
                    ])
                    .as_bytes()
                    .to_vec();
                if self.rng.pct(30) && pos < bytes.len() {
                    bytes.remove(pos);
                } else if pos <= bytes.len() {
                    bytes.splice(pos..pos, insert);
                }
            }
        }
        bytes
    }
}

fn generated_cases(n: usize) -> Vec<Vec<u8>> {
    let mut g = Gen {
        rng: Rng(0x9E37_79B9_7F4A_7C15),
        weird: false,
        anchors: Vec::new(),
        counter: 0,
    };
    (0..n).map(|_| g.document()).collect()
}

// ---------------------------------------------------------------------------

#[test]
fn safe_load_agrees_with_pyyaml() {
    let Some(python) = oslo_test_support::reference_python("yaml", "yaml_differential") else {
        return;
    };
    let hand = hand_cases();
    let hand_count = hand.len();
    let mut cases = hand;
    cases.extend(generated_cases(5000));
    let answers = oracle(&python, &cases);

    let mut agree_values = 0;
    let mut agree_errors = 0;
    let mut same_line = 0;
    let mut error_kinds: std::collections::BTreeMap<String, usize> = Default::default();
    let mut known: Vec<(String, &'static str, String)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (i, (doc, theirs)) in cases.iter().zip(&answers).enumerate() {
        let origin = if i < hand_count { "hand" } else { "generated" };
        let shown = format!("{:?}", String::from_utf8_lossy(doc));
        let shown = if shown.len() > 400 {
            format!(
                "{}… ({} bytes)",
                shown.chars().take(400).collect::<String>(),
                doc.len()
            )
        } else {
            shown
        };
        let mine = std::panic::catch_unwind(|| ours(doc)).unwrap_or_else(|_| {
            Err(YamlError {
                line: 0,
                column: 0,
                message: "PANIC".into(),
            })
        });
        match (&mine, theirs.get("error").is_some()) {
            (Err(e), true) => {
                agree_errors += 1;
                let kind = theirs.get("msg").and_then(Json::as_str).unwrap_or("");
                let kind = kind
                    .lines()
                    .find(|l| !l.starts_with(' ') && !l.starts_with("while"))
                    .unwrap_or(kind);
                let kind: String = kind.chars().take(60).collect();
                *error_kinds.entry(kind).or_default() += 1;
                if theirs.get("line").and_then(Json::as_u64) == u64::try_from(e.line).ok() {
                    same_line += 1;
                }
                if e.message == "PANIC" {
                    failures.push(format!("[{origin} #{i}] PANIC on {shown}"));
                }
            }
            (Ok((v, _)), false) if theirs.get("canon").and_then(Json::as_str) == Some(v) => {
                agree_values += 1;
            }
            (Err(e), false) => match known_difference(doc, e, theirs) {
                Some(why) => {
                    known.push((format!("{shown}\n    ours:   {e}"), why, theirs.to_string()))
                }
                None => failures.push(format!(
                    "[{origin} #{i}] {shown}\n    ours:   error {e}\n    PyYAML: {theirs}"
                )),
            },
            (Ok((_, repr)), false) if String::from_utf8_lossy(doc).contains("!!set") => {
                known.push((
                    format!("{shown}\n    ours:   {repr}"),
                    "!!set (loaded as a list in document order)",
                    theirs.to_string(),
                ))
            }
            (Ok((_, repr)), _) => failures.push(format!(
                "[{origin} #{i}] {shown}\n    ours:   {repr}\n    PyYAML: {theirs}"
            )),
        }
    }
    eprintln!(
        "yaml differential: {} cases ({hand_count} hand-written), {agree_values} same value, \
         {agree_errors} both errors ({same_line} on the same line), {} known differences, \
         {} failures",
        cases.len(),
        known.len(),
        failures.len()
    );
    let mut kinds: Vec<_> = error_kinds.into_iter().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    for (kind, n) in kinds.iter().take(12) {
        eprintln!("  both fail, PyYAML says: {n:5} × {kind}");
    }
    for (doc, why, theirs) in &known {
        eprintln!("  known difference [{why}]: {doc}\n    PyYAML: {theirs}");
    }
    for f in failures.iter().take(60) {
        eprintln!("MISMATCH {f}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements with PyYAML",
        failures.len()
    );
    assert!(
        known.len() <= 50,
        "too many known differences: {}",
        known.len()
    );
}
