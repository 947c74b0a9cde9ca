//! Handover between two vaults through the `relais` binary: key QR, frames as PNG images and as
//! text, acknowledgement, `.relais` files; and refusals that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const PASS: &str = "correct horse 42";

struct Two {
    dir: tempfile::TempDir,
}

impl Two {
    fn new() -> Two {
        let t = Two {
            dir: tempfile::tempdir().unwrap(),
        };
        t.ok("a", &["vault", "init", "--organisation", "ONG Bomoi"]);
        t.ok("b", &["vault", "init", "--organisation", "Maison Lisanga"]);
        t
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, who: &str, args: &[&str]) -> std::process::Output {
        let mut c = Command::cargo_bin("relais").unwrap();
        c.env("RELAIS_PASSPHRASE", PASS)
            .env("RELAIS_INSECURE_TEST_KDF", "1")
            .env_remove("RELAIS_VAULT")
            .current_dir(self.dir.path())
            .arg("--vault")
            .arg(self.p(&format!("{who}.db")))
            .args(args);
        let out = c.output().unwrap();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        out
    }

    fn ok(&self, who: &str, args: &[&str]) -> String {
        let out = self.run(who, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, who: &str, args: &[&str], needle: &str) {
        let out = self.run(who, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    }

    /// A screened case on A, with consent to hand it over to Maison Lisanga.
    fn case(&self) -> String {
        let id = self.ok("a", &["cases", "new"]).trim().to_string();
        let draft = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/screen/interview-fr-child-kikwit-domestic-market.draft.json");
        self.ok(
            "a",
            &[
                "screen",
                "--form",
                "interview",
                "--case",
                &id,
                "--answers",
                draft.to_str().unwrap(),
            ],
        );
        self.ok(
            "a",
            &["cases", "note", &id, "--text", "Note ZEBRA pour la maison"],
        );
        self.ok(
            "a",
            &[
                "cases",
                "consent",
                &id,
                "--purpose",
                "handover",
                "--for",
                "Maison Lisanga",
            ],
        );
        id
    }

    fn cases(&self, who: &str) -> usize {
        let v: Value = serde_json::from_str(&self.ok(who, &["cases", "list", "--json"])).unwrap();
        v.as_array().unwrap().len()
    }
}

#[test]
fn frames_as_images_end_to_end_with_acknowledgement() {
    let t = Two::new();
    let id = t.case();
    t.ok("b", &["handover", "key", "--out", "key.png"]);
    let sas = t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "key.png",
            "--out-dir",
            "frames",
            "--gif",
            "frames.gif",
            "--text-out",
            "frames.txt",
        ],
    );
    let frames: Vec<PathBuf> = {
        let mut f: Vec<PathBuf> = std::fs::read_dir(t.p("frames"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        f.sort();
        f.reverse(); // any order
        f
    };
    assert!(frames.len() >= 4);
    assert!(t.p("frames.gif").is_file());
    // An independent decoder reads the frames exactly.
    let texts = std::fs::read_to_string(t.p("frames.txt")).unwrap();
    let first = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(t.p("frames/frame-001.png"))
        .output()
        .expect("zbarimg (zbar-tools) must be installed");
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        texts.lines().next().unwrap()
    );
    let mut args = vec!["handover", "receive", "--ack-out", "ack.png", "--json"];
    let frame_args: Vec<String> = frames.iter().map(|p| p.display().to_string()).collect();
    args.extend(frame_args.iter().map(String::as_str));
    let got: Value = serde_json::from_str(&t.ok("b", &args)).unwrap();
    assert_eq!(got["sas"], sas.trim(), "both screens show the same code");
    assert_eq!(got["already_received"], false);
    let show: Value = serde_json::from_str(&t.ok(
        "b",
        &["cases", "show", got["id"].as_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert!(
        show["imported"]
            .to_string()
            .contains("Note ZEBRA pour la maison")
    );
    assert_eq!(t.ok("a", &["handover", "ack", "ack.png"]).trim(), id);
    let sender: Value =
        serde_json::from_str(&t.ok("a", &["cases", "show", &id, "--json"])).unwrap();
    assert!(sender.to_string().contains("acknowledged"));
}

#[test]
fn frames_as_text_shuffled_with_losses_and_duplicates() {
    let t = Two::new();
    let id = t.case();
    t.ok("b", &["handover", "key", "--text-out", "key.txt"]);
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "key.txt",
            "--out-dir",
            "frames",
            "--frames",
            "12",
            "--text-out",
            "frames.txt",
        ],
    );
    let all: Vec<String> = std::fs::read_to_string(t.p("frames.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(all.len() >= 12);
    // Drop every fifth frame (20 %), shuffle, repeat some.
    let mut kept: Vec<String> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 1)
        .map(|(_, l)| l.clone())
        .collect();
    kept.reverse();
    kept.push(kept[0].clone());
    kept.push(kept[3].clone());
    std::fs::write(t.p("lossy.txt"), kept.join("\n")).unwrap();
    t.ok("b", &["handover", "receive", "--text", "lossy.txt"]);
    assert_eq!(t.cases("b"), 1);
    // The same frames again: no change; a new envelope for the used key: refused.
    let again: Value = serde_json::from_str(&t.ok(
        "b",
        &["handover", "receive", "--text", "lossy.txt", "--json"],
    ))
    .unwrap();
    assert_eq!(again["already_received"], true);
    t.ok("a", &["cases", "note", &id, "--text", "later"]);
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "key.txt",
            "--out-dir",
            "frames2",
            "--text-out",
            "frames2.txt",
        ],
    );
    t.fails(
        "b",
        &["handover", "receive", "--text", "frames2.txt"],
        "already used",
    );
    assert_eq!(t.cases("b"), 1);
}

#[test]
fn mixed_damaged_truncated_and_foreign_frames_change_nothing() {
    let t = Two::new();
    let id = t.case();
    t.ok("b", &["handover", "key", "--text-out", "k1.txt"]);
    t.ok("b", &["handover", "key", "--text-out", "k2.txt"]);
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "k1.txt",
            "--out-dir",
            "f1",
            "--text-out",
            "f1.txt",
        ],
    );
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "k2.txt",
            "--out-dir",
            "f2",
            "--text-out",
            "f2.txt",
        ],
    );
    let f1 = std::fs::read_to_string(t.p("f1.txt")).unwrap();
    let f2 = std::fs::read_to_string(t.p("f2.txt")).unwrap();
    // Two handovers mixed: kept apart, never merged; both complete → refused as ambiguous.
    std::fs::write(t.p("mixed.txt"), format!("{f1}{f2}")).unwrap();
    t.fails(
        "b",
        &["handover", "receive", "--text", "mixed.txt"],
        "more than one case",
    );
    // Truncated: only the first frame.
    std::fs::write(t.p("one.txt"), f1.lines().next().unwrap()).unwrap();
    t.fails(
        "b",
        &["handover", "receive", "--text", "one.txt"],
        "incomplete",
    );
    // Damaged frames: each altered in its body.
    let damaged: Vec<String> = f1
        .lines()
        .map(|l| {
            let mut c: Vec<char> = l.chars().collect();
            let i = c.len() / 2;
            c[i] = if c[i] == 'A' { 'B' } else { 'A' };
            c.into_iter().collect()
        })
        .collect();
    std::fs::write(t.p("damaged.txt"), damaged.join("\n")).unwrap();
    t.fails(
        "b",
        &["handover", "receive", "--text", "damaged.txt"],
        "incomplete",
    );
    // Foreign text and random bytes.
    std::fs::write(
        t.p("foreign.txt"),
        "HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B\nhello",
    )
    .unwrap();
    t.fails(
        "b",
        &["handover", "receive", "--text", "foreign.txt"],
        "incomplete",
    );
    std::fs::write(t.p("noise.png"), [0x89u8, b'P', b'N', b'G', 1, 2, 3]).unwrap();
    t.fails("b", &["handover", "receive", "noise.png"], "noise.png");
    assert_eq!(t.cases("b"), 0, "nothing was imported");
    // Sealed for another device: refused.
    let c = Two::new();
    c.ok("b", &["handover", "key", "--text-out", "ck.txt"]);
    std::fs::copy(c.p("ck.txt"), t.p("ck.txt")).unwrap();
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "ck.txt",
            "--out-dir",
            "f3",
            "--text-out",
            "f3.txt",
        ],
    );
    t.fails(
        "b",
        &["handover", "receive", "--text", "f3.txt"],
        "another receiver",
    );
    assert_eq!(t.cases("b"), 0);
}

#[test]
fn relais_files_and_consent() {
    let t = Two::new();
    let id = t.case();
    t.ok("b", &["handover", "key", "--text-out", "key.txt"]);
    let sas = t.ok(
        "a",
        &[
            "export",
            "file",
            &id,
            "--to",
            "key.txt",
            "--out",
            "case.relais",
        ],
    );
    let got: Value =
        serde_json::from_str(&t.ok("b", &["import", "case.relais", "--json"])).unwrap();
    assert_eq!(got["sas"], sas.trim());
    std::fs::write(t.p("bad.relais"), b"RLE1 not really").unwrap();
    t.fails("b", &["import", "bad.relais"], "envelope");
    // No consent, no handover.
    let other = t.ok("a", &["cases", "new"]).trim().to_string();
    t.ok("b", &["handover", "key", "--text-out", "key2.txt"]);
    t.fails(
        "a",
        &[
            "handover",
            "send",
            &other,
            "--to",
            "key2.txt",
            "--out-dir",
            "x",
        ],
        "consented",
    );
    assert!(!t.p("x").exists() || std::fs::read_dir(t.p("x")).unwrap().next().is_none());
}
