//! Running the real binary, shared by the command-line tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The crate's folder: where `rules/` and `tests/` are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `honor` in `dir` with `args`, feeding `stdin` when given.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the honor binary runs");
    let mut pipe = child.stdin.take().expect("a standard input");
    let input = stdin.map(<[u8]>::to_vec);
    // Written on its own thread: a large input would otherwise fill the pipe while honor
    // waits for us to read its output.
    let writer = std::thread::spawn(move || {
        if let Some(input) = input {
            let _ = pipe.write_all(&input);
        }
    });
    let out = child.wait_with_output().expect("the honor binary ends");
    let _ = writer.join();
    out
}

/// Starts `honor` in the crate's folder with piped standard streams, for a test that talks
/// to it while it runs.
pub fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_honor"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the honor binary runs")
}

/// Exit code, standard output and standard error as text.
pub fn parts(out: Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `honor` in the crate's folder.
pub fn honor(args: &[&str]) -> (i32, String, String) {
    parts(run_in(root(), args, None))
}

/// Runs `honor` in `dir`.
pub fn honor_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    parts(run_in(dir, args, None))
}

/// Runs `honor` in the crate's folder with `input` on standard input.
pub fn honor_with_input(args: &[&str], input: &[u8]) -> (i32, String, String) {
    parts(run_in(root(), args, Some(input)))
}

/// A fresh, empty scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("honor-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The smallest rule set: one file, one offer, written in `dir`.
pub const SMALL_RULES: &str = "channels web, store\n\ncontext {\n  customer.plan  text\n}\n\noffer a {\n  title  \"A\"\n  when   customer.plan == \"x\"\n}\n";
