//! `honor offers` (the agents' knowledge base) and `honor parity` (data silos between
//! channels) on the sample rules, as the binary prints them.

mod common;

use common::honor;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"sha256:[0-9a-f]{16}", "sha256:[fingerprint]");
    s
}

#[test]
fn offers_at_a_few_instants_and_channels() {
    let _guard = settings().bind_to_scope();
    let runs: &[(&str, &[&str])] = &[
        (
            "before-the-campaign",
            &["offers", "--at", "2026-11-10T15:00:00Z"],
        ),
        (
            "campaign-store",
            &[
                "offers",
                "--at",
                "2026-12-01T15:00:00Z",
                "--channel",
                "store",
            ],
        ),
        (
            "campaign-web-json",
            &[
                "offers",
                "--at",
                "2026-12-01T15:00:00Z",
                "--channel",
                "web",
                "--format",
                "json",
            ],
        ),
        (
            "after-the-campaign",
            &[
                "offers",
                "--at",
                "2027-02-15T15:00:00Z",
                "--channel",
                "phone",
            ],
        ),
    ];
    for (name, args) in runs {
        let (code, stdout, stderr) = honor(args);
        assert_eq!(code, 0, "{name}: {stderr}");
        insta::assert_snapshot!(*name, stdout);
    }
}

#[test]
fn offers_list_what_a_channel_does_not_honor_with_guidance() {
    let (_, stdout, _) = honor(&[
        "offers",
        "--at",
        "2026-12-01T15:00:00Z",
        "--channel",
        "phone",
        "--format",
        "json",
    ]);
    let listing: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let online = listing["live"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "online_line")
        .expect("still listed");
    assert_eq!(online["honored_here"], false);
    assert!(
        online["elsewhere"]
            .as_str()
            .unwrap()
            .contains("online only")
    );
    let employee = listing["live"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "employee_price")
        .unwrap();
    assert_eq!(
        employee["combination"],
        "cannot be combined with other offers"
    );
    let loyalty = listing["live"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "loyalty_ten")
        .unwrap();
    assert_eq!(loyalty["benefit"], "10% off, at most 25.00 USD");
}

#[test]
fn offers_find_the_offer_behind_a_code() {
    let (code, stdout, _) = honor(&[
        "offers",
        "--code",
        "  upgrade-WINTER26 ",
        "--at",
        "2026-12-01T15:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let listing: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = listing["live"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["free_upgrade"]);
    // an ended offer is still found, marked as ended
    let (code, stdout, _) = honor(&[
        "offers",
        "--code",
        "UPGRADE-WINTER26",
        "--at",
        "2027-03-01T00:00:00Z",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("ended 27 days ago"), "{stdout}");
    let (code, stdout, _) = honor(&[
        "offers",
        "--code",
        "SPRING-99",
        "--at",
        "2026-12-01T15:00:00Z",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("no offer has this code"));
}

const AT: &str = "2026-12-01T15:00:00Z";

#[test]
fn parity_reports() {
    let _guard = settings().bind_to_scope();
    let runs: &[(&str, [&str; 3], i32)] = &[
        (
            "identical",
            [
                "web=rules/parity/web.yaml",
                "store=rules/parity/web.yaml",
                "phone=rules/parity/web.yaml",
            ],
            0,
        ),
        (
            "store-without-code",
            [
                "web=rules/parity/web.yaml",
                "store=rules/parity/store-without-code.yaml",
                "phone=rules/parity/web.yaml",
            ],
            1,
        ),
        (
            "phone-old-tenure",
            [
                "web=rules/parity/web.yaml",
                "store=rules/parity/web.yaml",
                "phone=rules/parity/phone-old-tenure.yaml",
            ],
            1,
        ),
        (
            "not-honored",
            [
                "web=rules/parity/web.yaml",
                "store=rules/parity/store-low-spend.yaml",
                "phone=rules/parity/web.yaml",
            ],
            0,
        ),
    ];
    for (name, contexts, expected) in runs {
        let mut args = vec!["parity", "--at", AT];
        for c in contexts {
            args.extend(["--context", c]);
        }
        let (code, stdout, stderr) = honor(&args);
        assert_eq!(code, *expected, "{name}: {stderr}");
        insta::assert_snapshot!(format!("parity-{name}"), stdout);
        args.extend(["--format", "json"]);
        let (_, json, _) = honor(&args);
        insta::assert_snapshot!(format!("parity-{name}-json"), json);
    }
}

#[test]
fn parity_names_the_missing_field() {
    let (_, stdout, _) = honor(&[
        "parity",
        "--at",
        AT,
        "--format",
        "json",
        "--context",
        "web=rules/parity/web.yaml",
        "--context",
        "store=rules/parity/store-without-code.yaml",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["same"], false);
    let difference = &report["differences"][0];
    assert_eq!(difference["offer"], "free_upgrade");
    assert_eq!(difference["answers"]["store"]["status"], "unknown");
    assert_eq!(difference["fields"][0]["path"], "codes");
    assert_eq!(
        difference["fields"][0]["values"]["store"],
        serde_json::Value::Null
    );
}

#[test]
fn parity_bad_input_exits_2() {
    for (args, expected) in [
        (
            vec!["parity", "--context", "web=rules/parity/web.yaml"],
            "give at least two",
        ),
        (
            vec![
                "parity",
                "--context",
                "web=rules/parity/web.yaml",
                "--context",
                "kiosk=rules/parity/web.yaml",
            ],
            "unknown channel `kiosk`",
        ),
        (
            vec![
                "parity",
                "--context",
                "web=rules/parity/web.yaml",
                "--context",
                "web=rules/parity/web.yaml",
            ],
            "gives channel `web` twice",
        ),
        (
            vec![
                "parity",
                "--context",
                "web=rules/parity/web.yaml",
                "--context",
                "store",
            ],
            "should be CHANNEL=FILE",
        ),
        (
            vec![
                "parity",
                "--context",
                "web=rules/parity/web.yaml",
                "--context",
                "store=nope.yaml",
            ],
            "nope.yaml",
        ),
    ] {
        let (code, _, stderr) = honor(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
