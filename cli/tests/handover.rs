//! Handover between two vaults through the `relais` binary: key QR, frames as PNG images and as
//! text, acknowledgement, `.relais` files; and refusals that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const PASS: &str = "correct horse 42";
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../core/data/directory-kwilu-sample.csv"
);

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
        // The NRM coordinator lists B; A imports the signed directory, pinning the coordinator.
        let coordinator = t.ok(
            "c",
            &["coordinator", "init", "--name", "NRM test coordinator"],
        );
        t.list(&["b"]);
        t.ok(
            "c",
            &[
                "coordinator",
                "sign",
                SAMPLE,
                "--organisations",
                "orgs.json",
                "--out",
                "dir.json",
            ],
        );
        t.ok(
            "a",
            &[
                "directory",
                "import",
                "dir.json",
                "--coordinator",
                coordinator.trim(),
            ],
        );
        t
    }

    /// Writes orgs.json listing these vaults as "Maison Lisanga", "Org 2", …
    fn list(&self, who: &[&str]) {
        let orgs: Vec<Value> = who
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let id = self.ok(w, &["identity"]);
                serde_json::json!({
                    "id": format!("org-{i}"),
                    "name": if i == 0 { "Maison Lisanga".to_string() } else { format!("Org {}", i + 1) },
                    "area": "Kwilu/Kikwit",
                    "identity": id.trim(),
                    "valid_from": 0,
                    "valid_until": 4_102_444_800i64,
                })
            })
            .collect();
        std::fs::write(self.p("orgs.json"), Value::Array(orgs).to_string()).unwrap();
    }

    /// B's fingerprint, as its screen shows it.
    fn fingerprint(&self, who: &str) -> String {
        let v: Value = serde_json::from_str(&self.ok(who, &["identity", "--json"])).unwrap();
        v["fingerprint"].as_str().unwrap().to_string()
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
        self.consent(&id, "Maison Lisanga");
        id
    }

    /// Records on A the person's consent to hand case `id` over to `target`.
    fn consent(&self, id: &str, target: &str) {
        self.ok(
            "a",
            &[
                "cases",
                "consent",
                id,
                "--purpose",
                "handover",
                "--for",
                target,
            ],
        );
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
    let check = t.ok("a", &["handover", "check", "--to", "key.png"]);
    assert!(check.starts_with("verified: Maison Lisanga"), "{check}");
    t.ok(
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
    // Everything written is its owner's only: the vault, the key, the frames, their folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| std::fs::metadata(t.p(p)).unwrap().permissions().mode() & 0o777;
        for file in [
            "a.db",
            "b.db",
            "key.png",
            "frames.gif",
            "frames.txt",
            "frames/frame-001.png",
        ] {
            assert_eq!(mode(file), 0o600, "{file}");
        }
        assert_eq!(mode("frames"), 0o700);
    }
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
    assert_eq!(got["already_received"], false);
    assert_eq!(got["from"], "ONG Bomoi");
    assert_eq!(got["from_verified"], false, "A is in no directory of B's");
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
    // A 2 GiB image (sparse) is refused by its size, before it is read.
    let huge = std::fs::File::create(t.p("huge.png")).unwrap();
    huge.set_len(2 << 30).unwrap();
    t.fails(
        "b",
        &["handover", "receive", "huge.png"],
        "too large for a QR image",
    );
    // The validity printed is the one applied (at most 24 hours).
    let out = t.run(
        "b",
        &[
            "handover",
            "key",
            "--minutes",
            "5000",
            "--text-out",
            "long.txt",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("valid 1440 minutes"));
    assert_eq!(t.cases("b"), 0, "nothing was imported");
    // Sealed for another device (unlisted, its fingerprint compared): refused by B.
    let c = Two::new();
    c.ok("b", &["handover", "key", "--text-out", "ck.txt"]);
    std::fs::copy(c.p("ck.txt"), t.p("ck.txt")).unwrap();
    let fp = c.fingerprint("b");
    let target = format!("Maison Lisanga ({fp})");
    t.consent(&id, &target);
    t.ok(
        "a",
        &[
            "handover",
            "send",
            &id,
            "--to",
            "ck.txt",
            "--fingerprint",
            &fp,
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
    t.ok(
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
    assert_eq!(got["already_received"], false);
    std::fs::write(t.p("bad.relais"), b"RLE2 not really").unwrap();
    t.fails("b", &["import", "bad.relais"], "envelope");
    std::fs::write(t.p("old.relais"), b"RLE1 from an older phone").unwrap();
    t.fails("b", &["import", "old.relais"], "older Relais");
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

#[test]
fn an_unlisted_receiver_is_sent_to_only_after_its_fingerprint_is_typed() {
    let t = Two::new();
    let id = t.case();
    // D is in no directory.
    t.ok("d", &["vault", "init", "--organisation", "Maison Lisanga"]);
    t.ok("d", &["handover", "key", "--text-out", "dkey.txt"]);
    let check = t.ok("a", &["handover", "check", "--to", "dkey.txt"]);
    assert!(
        check.starts_with("NOT VERIFIED: calls itself Maison Lisanga"),
        "{check}"
    );
    let fp = t.fingerprint("d");
    assert!(check.contains(&fp));
    let send = |extra: &[&str]| {
        let mut args = vec![
            "handover",
            "send",
            &id,
            "--to",
            "dkey.txt",
            "--out-dir",
            "fd",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let run = |args: Vec<String>, needle: &str| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        t.fails("a", &a, needle);
    };
    run(send(&[]), "is not verified");
    run(send(&["--fingerprint", &t.fingerprint("b")]), "do not send");
    // Consent to "Maison Lisanga" (the listed one) does not cover D.
    run(
        send(&["--fingerprint", &fp]),
        &format!("Maison Lisanga ({fp})"),
    );
    assert!(!t.p("fd").exists(), "nothing was sealed");
    let target = format!("Maison Lisanga ({fp})");
    t.consent(&id, &target);
    let args = send(&["--fingerprint", &fp, "--remember"]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    t.ok("a", &a);
    assert!(t.ok("a", &["handover", "remembered"]).contains(&fp));
    t.ok("d", &["handover", "key", "--text-out", "dkey.txt"]);
    let check = t.ok("a", &["handover", "check", "--to", "dkey.txt"]);
    assert!(check.starts_with("verified by you earlier"), "{check}");
    t.ok("a", &["handover", "forget", &fp]);
    let check = t.ok("a", &["handover", "check", "--to", "dkey.txt"]);
    assert!(check.starts_with("NOT VERIFIED"), "{check}");
}

#[test]
fn directories_signed_by_the_coordinator_import_by_file_and_by_frames() {
    let t = Two::new();
    let status = t.ok("a", &["directory", "status"]);
    assert!(status.contains("version 1"), "{status}");
    assert!(
        status.contains("signed by NRM test coordinator"),
        "{status}"
    );
    // A second issue: version 2, also as QR frames for a phone to scan.
    t.ok(
        "c",
        &[
            "coordinator",
            "sign",
            SAMPLE,
            "--organisations",
            "orgs.json",
            "--out",
            "dir2.json",
        ],
    );
    t.fails(
        "c",
        &["coordinator", "init", "--name", "again"],
        "already holds a coordinator key",
    );
    t.ok(
        "a",
        &["directory", "frames", "dir2.json", "--out-dir", "dframes"],
    );
    let frames: Vec<String> = std::fs::read_dir(t.p("dframes"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut args = vec!["directory", "import", "--frames"];
    args.extend(frames.iter().map(String::as_str));
    t.ok("a", &args);
    assert!(t.ok("a", &["directory", "status"]).contains("version 2"));
    // Older, tampered, other coordinator: refused, version 2 stays.
    t.fails("a", &["directory", "import", "dir.json"], "not newer");
    let tampered = std::fs::read_to_string(t.p("dir2.json")).unwrap().replacen(
        "Maison Lisanga",
        "Maison Lisanga bis",
        1,
    );
    std::fs::write(t.p("tampered.json"), tampered).unwrap();
    t.fails(
        "a",
        &["directory", "import", "tampered.json"],
        "changed after it was signed",
    );
    let other = t.ok("e", &["coordinator", "init", "--name", "Impostor"]);
    t.ok(
        "e",
        &[
            "coordinator",
            "sign",
            SAMPLE,
            "--organisations",
            "orgs.json",
            "--out",
            "evil.json",
        ],
    );
    t.fails(
        "a",
        &["directory", "import", "evil.json"],
        "another coordinator",
    );
    t.fails(
        "a",
        &[
            "directory",
            "import",
            "evil.json",
            "--coordinator",
            other.trim(),
        ],
        "another coordinator",
    );
    assert!(t.ok("a", &["directory", "status"]).contains("version 2"));
    // A reset forgets the coordinator: then another can be pinned.
    t.fails("a", &["directory", "reset"], "--yes");
    t.ok("a", &["directory", "reset", "--yes"]);
    assert!(
        t.ok("a", &["directory", "status"])
            .contains("no signed directory")
    );
    t.ok(
        "a",
        &[
            "directory",
            "import",
            "evil.json",
            "--coordinator",
            other.trim(),
        ],
    );
    assert!(
        t.ok("a", &["directory", "status"])
            .contains("signed by Impostor")
    );
    let signed: Value =
        serde_json::from_str(&std::fs::read_to_string(t.p("dir2.json")).unwrap()).unwrap();
    let key = signed["directory"]["coordinator"]["key"].as_str().unwrap();
    assert!(
        t.ok("a", &["coordinator", "verify", "dir2.json", "--key", key])
            .contains("version 2")
    );
    t.fails(
        "a",
        &["coordinator", "verify", "evil.json", "--key", key],
        "another coordinator",
    );
}
