//! `fmt` and `test --update` replace a file in one step (a new file renamed over the old
//! one, so a full disk or a kill leaves the old one whole) and never write through a link.

mod common;

use std::os::unix::fs::MetadataExt;

use common::{honor_in, scratch};

const UNFORMATTED: &str = "channels web,store\ncontext {\n customer.plan text\n}\noffer a { title \"A\"\n when customer.plan == \"x\" }\n";

#[test]
fn fmt_replaces_the_file_rather_than_rewriting_it_in_place() {
    let dir = scratch("fmt-atomic");
    let file = dir.join("a.offer");
    std::fs::write(&file, UNFORMATTED).unwrap();
    // a second name for the old file: what a reader that opened it before would see
    std::fs::hard_link(&file, dir.join("old.offer.link")).unwrap();
    let before = std::fs::metadata(&file).unwrap().ino();
    let (code, stdout, stderr) = honor_in(&dir, &["fmt", "a.offer"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("a.offer: formatted"), "{stdout}");
    assert_ne!(
        std::fs::metadata(&file).unwrap().ino(),
        before,
        "a new file"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("old.offer.link")).unwrap(),
        UNFORMATTED,
        "the old file is left whole"
    );
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_ne!(formatted, UNFORMATTED);
    // no temporary file is left behind
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn fmt_does_not_write_through_a_link() {
    let dir = scratch("fmt-link");
    std::fs::write(dir.join("target.txt"), UNFORMATTED).unwrap();
    std::os::unix::fs::symlink(dir.join("target.txt"), dir.join("a.offer")).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["fmt", "a.offer"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("target.txt")).unwrap(),
        UNFORMATTED
    );
    assert!(
        std::fs::symlink_metadata(dir.join("a.offer"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn test_update_does_not_write_through_a_linked_snapshot() {
    let dir = scratch("snapshot-link");
    std::fs::write(dir.join("a.offer"), common::SMALL_RULES).unwrap();
    std::fs::write(
        dir.join("a.test.yaml"),
        "at: 2026-12-01T15:00:00Z\ncases:\n  - name: one\n    context: {customer: {plan: x}}\n    expect:\n      a: eligible\n",
    )
    .unwrap();
    std::fs::write(dir.join("elsewhere.txt"), "precious\n").unwrap();
    std::os::unix::fs::symlink(dir.join("elsewhere.txt"), dir.join("a.snap.json")).unwrap();
    let (code, _, stderr) = honor_in(&dir, &["--rules", "a.offer", "test", "--update"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("a.snap.json` is a symbolic link"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("elsewhere.txt")).unwrap(),
        "precious\n"
    );
    // with the link gone, the snapshot is written as a file of its own
    std::fs::remove_file(dir.join("a.snap.json")).unwrap();
    let (code, stdout, stderr) = honor_in(&dir, &["--rules", "a.offer", "test", "--update"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        std::fs::metadata(dir.join("a.snap.json"))
            .unwrap()
            .is_file()
    );
}
