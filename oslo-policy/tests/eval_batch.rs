//! `oslo-policy eval` over case files of many blocks (it reads 64 KiB of
//! lines at a time and decides blocks on every CPU): answers come out in
//! the order of the lines, line numbers in messages count across blocks,
//! a line longer than a block is one line, and a line that cannot be read
//! ends the run after every answer before it, as reading line after line
//! does. The answers are known by construction (`@` allows, `!` denies;
//! the parse errors are serde_json's), so no reference is needed.
#![cfg(test)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const OURS: &str = env!("CARGO_BIN_EXE_oslo-policy");

/// A case file of `lines` lines (1-based numbers) and the answers
/// expected, in order.
fn cases(lines: usize, path: &Path) -> (Vec<u8>, String) {
    let mut text = Vec::new();
    let mut expected = String::new();
    let shown = path.display();
    for n in 1..=lines {
        // A varied mix, so that a swapped or dropped block shows.
        let line = match n % 11 {
            0 => format!("{{\"name\": \"allow\", \"target\": {{\"n\": {n}}}}}"),
            1 | 4 | 6 => format!("{{\"name\": \"deny\", \"creds\": {{\"n\": \"{n}\"}}}}"),
            2 => String::new(),
            3 => "{\"name\": \"allow\"}\r".to_owned(),
            5 => format!("{{\"name\": {n}}}"),
            7 => format!(
                "{{\"name\": \"allow\", \"target\": {{\"pad\": \"{}\"}}}}",
                "x".repeat(n % 900)
            ),
            8 => "   \t".to_owned(),
            9 => format!("[{n}"),
            // One line in 2,000 is longer than three blocks.
            _ => {
                let pad = if n % 2000 < 11 { 200_000 } else { 10 };
                format!(
                    "{{\"name\": \"deny\", \"target\": {{\"pad\": \"{}\"}}}}",
                    "y".repeat(pad)
                )
            }
        };
        text.extend_from_slice(line.as_bytes());
        text.push(b'\n');
        match n % 11 {
            0 | 3 | 7 => expected.push_str("true\n"),
            1 | 4 | 6 | 10 => expected.push_str("false\n"),
            2 | 8 => {}
            5 => writeln!(expected, "error: {shown}:{n}: \"name\" must be a string").unwrap(),
            9 => {
                let e = serde_json::from_str::<serde_json::Value>(&line).unwrap_err();
                writeln!(expected, "error: {shown}:{n}: not JSON: {e}").unwrap();
            }
            _ => unreachable!(),
        }
    }
    (text, expected)
}

fn policy(dir: &Path) -> std::path::PathBuf {
    let policy = dir.join("policy.yaml");
    std::fs::write(&policy, "allow: '@'\ndeny: '!'\n").unwrap();
    policy
}

/// `oslo-policy eval --policy POLICY --cases CASES`.
fn eval(policy: &Path, cases: &Path) -> Command {
    let mut command = Command::new(OURS);
    command
        .arg("eval")
        .arg("--policy")
        .arg(policy)
        .arg("--cases")
        .arg(cases);
    command
}

#[test]
fn many_blocks_are_answered_in_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path());
    let path = dir.path().join("cases.jsonl");
    let (text, expected) = cases(30_000, &path);
    assert!(text.len() > 40 * 64 * 1024, "only {} bytes", text.len());
    std::fs::write(&path, &text).unwrap();
    let out = eval(&policy, &path).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    // Line by line, so that a failure shows where.
    for (i, (got, want)) in stdout.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "answer {}", i + 1);
    }
    assert_eq!(stdout.lines().count(), expected.lines().count());
    assert_eq!(stdout, expected);
}

#[test]
fn the_last_line_needs_no_line_end() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path());
    let path = dir.path().join("cases.jsonl");
    let (mut text, expected) = cases(5_000, &path);
    assert_eq!(text.pop(), Some(b'\n'));
    std::fs::write(&path, &text).unwrap();
    let out = eval(&policy, &path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn a_line_that_is_not_utf8_ends_the_run_after_every_answer_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path());
    let path = dir.path().join("cases.jsonl");
    let bad = 17_003;
    let (good, expected_before) = cases(bad - 1, &path);
    let mut text = good;
    text.extend_from_slice(b"{\"name\": \"allow\", \"x\": \"\xff\"}\n");
    // More lines after it, in later blocks: never answered.
    let (rest, _) = cases(3_000, &path);
    text.extend_from_slice(&rest);
    std::fs::write(&path, &text).unwrap();
    let out = eval(&policy, &path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "oslo-policy: {}:{bad}: stream did not contain valid UTF-8\n",
            path.display()
        )
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, expected_before);
}

/// Cases from a pipe that stays open: a line that cannot be read ends
/// the run at once, as reading line after line does, without waiting for
/// the rest of the pipe.
#[test]
fn a_bad_line_on_an_open_pipe_ends_the_run_at_once() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path());
    let mut child = eval(&policy, Path::new("/dev/stdin"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"name\": \"allow\"}\n{\"name\": \"deny\"}\n\xff\n")
        .unwrap();
    stdin.flush().unwrap();
    // The pipe stays open (`stdin` lives to the end of the test).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("eval still waits for the pipe after a line that is not UTF-8");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "true\nfalse\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "oslo-policy: /dev/stdin:3: stream did not contain valid UTF-8\n"
    );
}

/// A line that cannot be read is said on stderr even when stdout cannot
/// take the answers before it (`/dev/full`).
#[test]
fn a_bad_line_is_said_when_stdout_is_full() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path());
    let path = dir.path().join("cases.jsonl");
    std::fs::write(&path, b"{\"name\": \"allow\"}\n\xff\n").unwrap();
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = eval(&policy, &path).stdout(full).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "oslo-policy: {}:2: stream did not contain valid UTF-8\n",
            path.display()
        )
    );
}
