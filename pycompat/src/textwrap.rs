//! Python's `textwrap.wrap` (3.11, default options: tabs expanded,
//! whitespace replaced, long words broken, hyphenated words broken after
//! the hyphen), which the sample generator uses for descriptions; the
//! chunking regex is the standard library's, run by `fancy_regex` because
//! it needs look-behind.

use std::sync::OnceLock;

use fancy_regex::Regex;

const WS: &str = "\t\n\u{b}\u{c}\r ";

fn wordsep() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        let wp = r#"[\w!"'&.,?]"#;
        let lt = r"[^\d\W]";
        let ws = r"[\t\n\x0b\x0c\r ]";
        let nws = r"[^\t\n\x0b\x0c\r ]";
        let pattern = format!(
            r"({ws}+|(?<={wp})-{{2,}}(?=\w)|{nws}+?(?:-(?:(?<={lt}{{2}}-)|(?<={lt}-{lt}-))(?={lt}-?{lt})|(?={ws}|\z)|(?<={wp})(?=-{{2,}}\w)))"
        );
        Regex::new(&pattern).ok()
    })
    .as_ref()
}

fn is_blank(chunk: &str) -> bool {
    chunk.chars().all(crate::str::is_py_space)
}

fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut col = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.push_str(&" ".repeat(n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// `re.split` with one capturing group: the pieces between matches and
/// the matches themselves, empty pieces dropped.
fn split_chunks(text: &str) -> Vec<String> {
    let munged: String = expand_tabs(text)
        .chars()
        .map(|c| if WS.contains(c) { ' ' } else { c })
        .collect();
    let Some(re) = wordsep() else {
        return munged.split(' ').map(str::to_owned).collect();
    };
    let mut out = Vec::new();
    let mut last = 0usize;
    let mut at = 0usize;
    while at <= munged.len() {
        let Ok(Some(m)) = re.find_from_pos(&munged, at) else {
            break;
        };
        if m.end() == m.start() {
            // Zero-width matches do not occur with this pattern; guard anyway.
            at = m.end()
                + munged
                    .get(m.end()..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
            continue;
        }
        if m.start() > last {
            out.push(munged.get(last..m.start()).unwrap_or_default().to_owned());
        }
        out.push(m.as_str().to_owned());
        last = m.end();
        at = m.end();
    }
    if last < munged.len() {
        out.push(munged.get(last..).unwrap_or_default().to_owned());
    }
    out.retain(|c| !c.is_empty());
    out
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// `textwrap.wrap(text, width, initial_indent=, subsequent_indent=)`.
pub fn wrap(
    text: &str,
    width: usize,
    initial_indent: &str,
    subsequent_indent: &str,
) -> Vec<String> {
    wrap_with(text, width, initial_indent, subsequent_indent, true)
}

/// `textwrap.wrap` with `break_long_words` chosen (`False` gives a word
/// longer than the line a line of its own, as oslo.config's sample
/// generator asks).
pub fn wrap_with(
    text: &str,
    width: usize,
    initial_indent: &str,
    subsequent_indent: &str,
    break_long_words: bool,
) -> Vec<String> {
    let mut chunks = split_chunks(text);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    let signed = |n: usize| i128::try_from(n).unwrap_or(i128::MAX);
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut cur_len: i128 = 0;
        let indent = if lines.is_empty() {
            initial_indent
        } else {
            subsequent_indent
        };
        // Python computes `self.width - len(indent)`, which may be <= 0.
        let width = signed(width) - signed(char_len(indent));
        if !lines.is_empty() && chunks.last().is_some_and(|c| is_blank(c)) {
            chunks.pop();
        }
        while let Some(c) = chunks.last() {
            let l = signed(char_len(c));
            if cur_len + l <= width {
                cur_len += l;
                cur.extend(chunks.pop());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| signed(char_len(c)) > width) {
            // _handle_long_word
            if break_long_words {
                let space_left =
                    usize::try_from(if width < 1 { 1 } else { width - cur_len }).unwrap_or(1);
                if let Some(chunk) = chunks.pop() {
                    let chars: Vec<char> = chunk.chars().collect();
                    let mut end = space_left;
                    if chars.len() > space_left {
                        let head = chars.get(..space_left).unwrap_or_default();
                        if let Some(h) = head.iter().rposition(|&c| c == '-') {
                            if h > 0 && chars.get(..h).is_some_and(|p| p.iter().any(|&c| c != '-'))
                            {
                                end = h + 1;
                            }
                        }
                    }
                    let end = end.min(chars.len());
                    cur.push(chars.get(..end).unwrap_or_default().iter().collect());
                    let rest: String = chars.get(end..).unwrap_or_default().iter().collect();
                    chunks.push(rest);
                }
            } else if cur.is_empty() {
                cur.extend(chunks.pop());
            }
        }
        if cur.last().is_some_and(|c| is_blank(c)) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(format!("{indent}{}", cur.concat()));
        }
        // An emptied long word leaves "" behind; drop it.
        if chunks.last().is_some_and(String::is_empty) {
            chunks.pop();
        }
    }
    lines
}

/// `str.splitlines()`: `\n`, `\r\n`, `\r`, `\v`, `\f`, `\x1c`–`\x1e`,
/// `\x85`, `\u2028`, `\u2029` end a line; no empty last line.
pub fn splitlines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        out.extend(text.get(start..i));
        let mut next = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = chars.peek() {
                chars.next();
                next = j + 1;
            }
        }
        start = next;
    }
    if start < text.len() {
        out.extend(text.get(start..));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_wrapping() {
        let text = "Show details for a server. The long-running operations are project-scoped and will wrap here.";
        assert_eq!(
            wrap(text, 70, "# ", "# "),
            vec![
                "# Show details for a server. The long-running operations are project-",
                "# scoped and will wrap here."
            ]
        );
        let long = "x".repeat(80);
        assert_eq!(wrap(&long, 20, "# ", "# ").len(), 5);
        assert_eq!(
            wrap("a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t", 10, "", "")
                .first()
                .map(String::as_str),
            Some("a-b-c-d-e-")
        );
        assert!(wrap("   ", 70, "# ", "# ").is_empty());
    }
}
