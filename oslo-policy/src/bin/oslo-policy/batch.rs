//! `eval`'s case lines decided on every CPU, answered in their order.
//!
//! A reader thread reads the cases file in blocks of whole lines and deals
//! them out in turn to the workers (a thread per CPU, the first with the
//! enforcer the policy was loaded into, each other one with a clone of its
//! own, and each with a [`json::Reader`] of its own); the calling thread
//! takes the answered blocks back in the same turn and writes them. The output
//! is what deciding line after line in one thread writes, byte for byte:
//! the same answers in the same order, and on a line that cannot be read
//! (not UTF-8, an I/O error) everything before it, then the error on
//! stderr and exit status 2.
//!
//! Why: a case line's JSON costs several times what deciding it does (a
//! profile of 30,000 real-world lines: about 10,000 of 16,000 instructions
//! a line are the parser's), lines are independent, and the enforcer makes
//! two system calls a decision (its change check): on the 2-CPU machine
//! the bench runs on, 30,000 lines take 15-30% less time than on one
//! thread (see the commit).
//!
//! A policy with `http:`/`https:` checks is decided on one worker: a
//! policy server gets the requests one at a time, in line order, as from
//! the reference.
//!
//! Deviation, only while the policy changes during a run: each worker's
//! enforcer sees a change at its next decision, as the reference's does,
//! but the workers decide different lines at the same time, so lines just
//! before the change may be decided with the new rules and lines just
//! after it with the old ones, and a change that breaks the policy is
//! reported once per worker. What a run decides while no file changes is
//! exactly the reference's. Lines longer than a block are held whole, in
//! as many blocks as are in flight (a few per worker), where one thread
//! held one.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use oslo_policy::Value;
use oslo_policy::enforcer::{EnforceError, Enforcer};
use oslo_policy::json;

/// Bytes read per block (a block ends at a line's end, so it may be
/// longer): about four hundred real-world case lines.
const BLOCK: usize = 256 * 1024;
/// Blocks waiting for a worker, and answered blocks waiting for the
/// writer, each.
const QUEUED: usize = 2;
/// No more workers than this, however many CPUs.
const MAX_WORKERS: usize = 8;

/// Whole lines and their answers. Blocks go round: the reader fills
/// `text`, a worker writes the answers to `out`, the writer writes them
/// out and hands the block back to the reader (no allocation per block).
#[derive(Default)]
struct Block {
    /// The number of the first line of `text`.
    first_line: usize,
    text: Vec<u8>,
    /// What ended the reading after `text`, if not the end of the file.
    error: Option<std::io::Error>,
    out: Vec<u8>,
    /// The line that ended the run, and why.
    fatal: Option<(usize, std::io::Error)>,
}

/// Why a case line was not decided.
enum CaseError {
    NotJson(serde_json::Error),
    Name,
}

/// Decides every case line of `file` (named `cases` in messages) and
/// writes one answer per line to stdout.
///
/// Only the writer runs in this thread: when it stops (the end, or a line
/// that cannot be read) the command is over, even while the reader waits
/// on a pipe that has more to come.
pub fn eval(rules: Enforcer, cases: &Path, file: std::fs::File) -> ExitCode {
    // One worker when a policy server is asked (see above), or when the
    // rules cannot be told.
    let workers = if rules.asks_a_server().unwrap_or(true) {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, MAX_WORKERS)
    };
    let rules = Arc::new(rules);
    let cases: Arc<Path> = Arc::from(cases);
    let mut to_workers = Vec::with_capacity(workers);
    let mut from_workers = Vec::with_capacity(workers);
    for i in 0..workers {
        let (to_worker, blocks) = sync_channel::<Block>(QUEUED);
        let (answers, from_worker) = sync_channel::<Block>(QUEUED);
        to_workers.push(to_worker);
        from_workers.push(from_worker);
        let (rules, cases) = (Arc::clone(&rules), Arc::clone(&cases));
        let started = spawn(move || {
            if i == 0 {
                work(&rules, &cases, &blocks, &answers);
            } else {
                // A clone of its own, made in its thread: the workers
                // write to nothing they share.
                let mine = Enforcer::clone(&rules);
                drop(rules);
                work(&mine, &cases, &blocks, &answers);
            }
        });
        if let Err(code) = started {
            return code;
        }
    }
    let (give_back, spare) = channel::<Block>();
    if let Err(code) = spawn(move || read_blocks(file, &to_workers, &spare)) {
        return code;
    }
    write_answers(&cases, &from_workers, &give_back)
}

/// Starts a thread; 2 (said on stderr) when none can be had.
fn spawn(f: impl FnOnce() + Send + 'static) -> Result<(), ExitCode> {
    std::thread::Builder::new().spawn(f).map(drop).map_err(|e| {
        eprintln!("oslo-policy: eval: cannot start a thread: {e}");
        ExitCode::from(2)
    })
}

/// Reads `file` into blocks of whole lines (the blocks handed back, or new
/// ones), dealt out in turn; an I/O error ends the reading (the block it
/// ends carries it). Stops when a worker has stopped taking blocks (the
/// writer has given up).
fn read_blocks(mut file: std::fs::File, workers: &[SyncSender<Block>], spare: &Receiver<Block>) {
    let mut first_line = 1;
    let mut carry = Vec::new();
    for worker in workers.iter().cycle() {
        let mut block = spare.try_recv().unwrap_or_default();
        let text = &mut block.text;
        text.clear();
        text.append(&mut carry);
        let mut at_end = false;
        // Read until the block holds a line's end past BLOCK bytes, or
        // the file ends.
        let cut = loop {
            let filled = text.len();
            text.resize(filled + BLOCK, 0);
            let read = read(&mut file, text.get_mut(filled..).unwrap_or_default());
            text.truncate(filled + *read.as_ref().unwrap_or(&0));
            match read {
                Ok(0) => {
                    at_end = true;
                    break text.len();
                }
                Ok(_) => {}
                Err(e) => {
                    block.error = Some(e);
                    // Whole lines only before the error, as `read_line`
                    // would have answered them.
                    break memchr::memrchr(b'\n', text).map_or(0, |i| i + 1);
                }
            }
            if let Some(i) = text.get(filled..).and_then(|t| memchr::memrchr(b'\n', t)) {
                break filled + i + 1;
            }
        };
        carry.extend_from_slice(text.get(cut..).unwrap_or_default());
        text.truncate(cut);
        let lines = memchr::memchr_iter(b'\n', text).count();
        block.first_line = first_line;
        let last = at_end || block.error.is_some();
        if worker.send(block).is_err() || last {
            return;
        }
        first_line += lines;
    }
}

/// One `read`, again when interrupted.
fn read(file: &mut std::fs::File, into: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(into) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            done => return done,
        }
    }
}

/// Decides the lines of each block it is given, until there are none.
fn work(rules: &Enforcer, cases: &Path, blocks: &Receiver<Block>, answers: &SyncSender<Block>) {
    let mut reader = json::Reader::default();
    while let Ok(mut block) = blocks.recv() {
        block.out.clear();
        let mut n = block.first_line;
        let mut start = 0;
        while let Some(line) = next_line(&block.text, &mut start) {
            let Ok(line) = std::str::from_utf8(line) else {
                block.fatal = Some((n, invalid_utf8()));
                break;
            };
            answer(rules, &mut reader, cases, n, line, &mut block.out);
            n += 1;
        }
        if block.fatal.is_none() {
            block.fatal = block.error.take().map(|e| (n, e));
        }
        if answers.send(block).is_err() {
            return;
        }
    }
}

/// The line of `text` at `start`, with its line end; `start` moves past it.
fn next_line<'t>(text: &'t [u8], start: &mut usize) -> Option<&'t [u8]> {
    let rest = text.get(*start..).filter(|rest| !rest.is_empty())?;
    let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
    *start += len;
    rest.get(..len)
}

/// The error `BufRead::read_line` gives for a line that is not UTF-8.
fn invalid_utf8() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

/// Takes the answered blocks back in the order they were dealt, writes
/// their answers and hands them back to the reader; 2 when a line could
/// not be read or stdout cannot be written.
fn write_answers(cases: &Path, workers: &[Receiver<Block>], give_back: &Sender<Block>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    for worker in workers.iter().cycle() {
        // A worker without an answer has no more blocks: neither has any
        // worker after it in the turn.
        let Ok(mut block) = worker.recv() else {
            break;
        };
        if out.write_all(&block.out).is_err() {
            return ExitCode::from(2);
        }
        if let Some((n, e)) = block.fatal.take() {
            // Said even when stdout cannot take the answers before it.
            eprintln!("oslo-policy: {}:{n}: {e}", cases.display());
            let _ = out.flush();
            return ExitCode::from(2);
        }
        // The reader may have finished: the block is dropped then.
        let _ = give_back.send(block);
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// The answer to line `n` (its text with its line end), if it is not
/// blank: `true`, `false` or `error: ...`.
fn answer(
    rules: &Enforcer,
    reader: &mut json::Reader,
    cases: &Path,
    n: usize,
    line: &str,
    out: &mut Vec<u8>,
) {
    // What `lines()` yields: without the "\n" or "\r\n".
    let text = match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    };
    if text.trim().is_empty() {
        return;
    }
    // Writing to a Vec cannot fail.
    let _ = match decide_line(rules, reader, text) {
        Ok(Ok(true)) => out.write_all(b"true\n"),
        Ok(Ok(false)) => out.write_all(b"false\n"),
        Ok(Err(e)) => writeln!(out, "error: {e}"),
        Err(CaseError::NotJson(e)) => {
            writeln!(out, "error: {}:{n}: not JSON: {e}", cases.display())
        }
        Err(CaseError::Name) => writeln!(
            out,
            "error: {}:{n}: \"name\" must be a string",
            cases.display()
        ),
    };
}

/// One case line (`{"name": ..., "target": ..., "creds": ...}`) decided:
/// parsed straight into values, decided on in place (no copy) and handed
/// back to `reader` after; a missing target or creds is an empty dict.
fn decide_line(
    rules: &Enforcer,
    reader: &mut json::Reader,
    text: &str,
) -> Result<Result<bool, EnforceError>, CaseError> {
    let case = reader.read(text).map_err(CaseError::NotJson)?;
    let Value::Dict(mut items) = case else {
        reader.recycle(case);
        return Err(CaseError::Name);
    };
    let (mut name, mut target, mut creds) = (None, None, None);
    for (key, value) in &mut items {
        if let Value::Str(key) = key {
            match key.as_str() {
                "name" => name = Some(value),
                "target" => target = Some(value),
                "creds" => creds = Some(value),
                _ => {}
            }
        }
    }
    let (mut no_target, mut no_creds) = (Value::Dict(Vec::new()), Value::Dict(Vec::new()));
    let decision = match name {
        Some(Value::Str(name)) => Ok(rules.enforce(
            name,
            target.unwrap_or(&mut no_target),
            creds.unwrap_or(&mut no_creds),
        )),
        _ => Err(CaseError::Name),
    };
    reader.recycle(Value::Dict(items));
    decision
}
