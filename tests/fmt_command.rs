//! `honor fmt` on files: it rewrites them in the canonical layout, `--check` lists those
//! that would change, and a file with errors is left as it is.

use std::path::PathBuf;

mod common;

use common::honor_in as honor;

fn scratch() -> PathBuf {
    common::scratch("fmt")
}

const MESSY: &str = "# the spring sale\noffer spring{note \"Say hi\"   when c.n>=12 and c.t in [\"a\",\"b\"] # who\ntitle \"Spring\" benefit 20% off up to 50 USD valid 2016-05-01 to 2016-05-31}\ncontext { c.n number\nc.t text }\n";

const TIDY: &str = "# the spring sale\noffer spring {\n  title     \"Spring\"\n  valid     2016-05-01 to 2016-05-31\n  when      c.n >= 12 and c.t in [\"a\", \"b\"]  # who\n  benefit   20% off up to 50.00 USD\n  note      \"Say hi\"\n}\n\ncontext {\n  c.n  number\n  c.t  text\n}\n";

#[test]
fn formats_checks_and_leaves_broken_files_alone() {
    let dir = scratch();
    std::fs::write(dir.join("sale.offer"), MESSY).unwrap();
    std::fs::write(dir.join("tidy.offer"), TIDY.replace("spring", "other")).unwrap();
    let (code, stdout, _) = honor(&dir, &["--rules", ".", "fmt", "--check"]);
    assert_eq!(
        (code, stdout.as_str()),
        (1, "./sale.offer: not formatted\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sale.offer")).unwrap(),
        MESSY,
        "--check changes nothing"
    );
    let (code, stdout, _) = honor(&dir, &["--rules", ".", "fmt"]);
    assert_eq!((code, stdout.as_str()), (0, "./sale.offer: formatted\n"));
    assert_eq!(
        std::fs::read_to_string(dir.join("sale.offer")).unwrap(),
        TIDY
    );
    let (code, stdout, _) = honor(&dir, &["--rules", ".", "fmt", "--check"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    let broken = "offer broken { title \"B\" when c.n 12 }\n";
    std::fs::write(dir.join("broken.offer"), broken).unwrap();
    let (code, _, stderr) = honor(&dir, &["fmt", "broken.offer"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("broken.offer:1:35: error: expected a comparison"),
        "{stderr}"
    );
    assert!(
        stderr.contains("broken.offer: left as it is: it has errors"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.offer")).unwrap(),
        broken
    );
}

#[test]
fn the_sample_rules_are_formatted() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (code, stdout, stderr) = honor(&root, &["fmt", "--check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}
