//! The vault through the `relais` binary: the README's contract for vault, cases, screen --case,
//! refer, referrals and export.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const PASS: &str = "correct horse 42";

struct Env {
    _dir: tempfile::TempDir,
    vault: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("sub/vault.db");
        Env { _dir: dir, vault }
    }

    fn cmd(&self, pass: &str) -> Command {
        let mut c = Command::cargo_bin("relais").unwrap();
        c.env_remove("RELAIS_LANG")
            .env("RELAIS_VAULT", &self.vault)
            .env("RELAIS_PASSPHRASE", pass)
            .env("RELAIS_INSECURE_TEST_KDF", "1");
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(PASS).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// A new case; its code.
    fn new_case(&self) -> String {
        self.json(&["cases", "new", "--json"])["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn fails(&self, pass: &str, args: &[&str], needle: &str) -> String {
        let out = self.cmd(pass).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
        assert!(!stderr.contains("panicked"));
        stderr
    }
}

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/screen")
        .join(name)
}

#[test]
fn cases_notes_screenings_and_the_vault_flag() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    env.fails(PASS, &["vault", "init"], "already exists");
    let id = env.new_case();
    env.ok(&["cases", "note", &id, "--text", "Revoir mardi au centre"]);
    let interview = vector("interview-fr-adult-djibouti-domestic.draft.json");
    env.ok(&[
        "screen",
        "--form",
        "interview",
        "--case",
        &id,
        "--answers",
        interview.to_str().unwrap(),
    ]);
    let list = env.json(&["cases", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["last_outcome"], "possible_trafficking");
    let show = env.json(&["cases", "show", &id, "--json"]);
    let kinds: Vec<&str> = show["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["note", "screening"]);
    assert_eq!(
        show["entries"][0]["content"]["text"],
        "Revoir mardi au centre"
    );
    // A screening without --case goes into a new case when a vault exists; --no-save keeps it out.
    env.ok(&[
        "screen",
        "--form",
        "quick-check",
        "--answers",
        vector("quick-check-en-no-flags.draft.json")
            .to_str()
            .unwrap(),
    ]);
    env.ok(&[
        "screen",
        "--form",
        "quick-check",
        "--no-save",
        "--answers",
        vector("quick-check-en-no-flags.draft.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(
        env.json(&["cases", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The global --vault flag takes precedence over RELAIS_VAULT.
    let other = env.vault.with_file_name("other.db");
    let mut c = env.cmd(PASS);
    c.args(["--vault", other.to_str().unwrap(), "vault", "init"]);
    assert!(c.output().unwrap().status.success());
    assert!(other.is_file());
    env.fails(PASS, &["cases", "show", "RLS-0000-0000"], "no case");
    env.ok(&["cases", "close", &id, "--referred"]);
    assert_eq!(
        env.json(&["cases", "show", &id, "--json"])["status"],
        "ClosedReferred"
    );
    env.ok(&["cases", "delete", &id]);
    assert_eq!(
        env.json(&["cases", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let check = env.json(&["vault", "check", "--json"]);
    assert_eq!(check["ok"], true);
}

#[test]
fn passphrases_duress_and_wipe() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    let id = env.new_case();
    let stderr = env.fails("Zebra-guess-1", &["cases", "list"], "wrong passphrase");
    assert!(
        stderr.contains("9 attempt(s) left") && !stderr.contains("Zebra-guess-1"),
        "{stderr}"
    );
    let mut c = env.cmd(PASS);
    c.env("RELAIS_NEW_PASSPHRASE", "a new passphrase")
        .args(["vault", "passwd"]);
    assert!(c.output().unwrap().status.success());
    env.fails(PASS, &["cases", "list"], "wrong passphrase");
    let mut c = env.cmd("a new passphrase");
    c.env("RELAIS_DURESS_PASSPHRASE", "the duress one")
        .args(["vault", "duress"]);
    assert!(c.output().unwrap().status.success());
    let listed = env
        .cmd("a new passphrase")
        .args(["cases", "list", "--json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&id));
    let empty = env
        .cmd("the duress one")
        .args(["cases", "list", "--json"])
        .output()
        .unwrap();
    assert!(empty.status.success());
    assert_eq!(String::from_utf8_lossy(&empty.stdout).trim(), "[]");
    env.fails(PASS, &["vault", "wipe"], "--yes");
    env.ok(&["vault", "wipe", "--yes"]);
    assert!(!env.vault.exists());
    env.fails(PASS, &["cases", "list"], "no vault");
}

#[test]
fn referrals_are_gated_by_consent_and_follow_their_lifecycle() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    let id = env.new_case();
    env.fails(
        PASS,
        &[
            "refer",
            &id,
            "--service",
            "kk-hgr-01",
            "--reason",
            "blessure",
        ],
        "consent",
    );
    // Consent recorded beforehand for this one referral (and one for a handover).
    env.ok(&[
        "cases",
        "consent",
        &id,
        "--purpose",
        "referral",
        "--for",
        "kk-cps-02",
    ]);
    env.ok(&[
        "cases",
        "consent",
        &id,
        "--purpose",
        "handover",
        "--for",
        "Maison Lisanga",
    ]);
    env.fails(
        PASS,
        &["cases", "consent", &id, "--purpose", "gossip", "--for", "x"],
        "use referral or handover",
    );
    env.ok(&["refer", &id, "--service", "kk-cps-02", "--reason", "écoute"]);
    env.fails(
        PASS,
        &["refer", &id, "--service", "kk-cja-05", "--reason", "x"],
        "consent",
    );
    env.fails(
        PASS,
        &[
            "refer",
            &id,
            "--service",
            "nope",
            "--reason",
            "x",
            "--consent",
        ],
        "no service 'nope'",
    );
    let r1 = env.json(&[
        "refer",
        &id,
        "--service",
        "kk-hgr-01",
        "--priority",
        "emergency",
        "--reason",
        "blessure",
        "--consent",
        "--json",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r2 = env.json(&[
        "refer",
        &id,
        "--service",
        "kk-mai-03",
        "--reason",
        "abri",
        "--override",
        "danger de mort",
        "--json",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&["referrals", "status", &r1, "sent"]);
    env.ok(&["referrals", "status", &r1, "accepted"]);
    env.ok(&["referrals", "status", &r1, "completed"]);
    env.fails(
        PASS,
        &["referrals", "status", &r2, "accepted"],
        "cannot become",
    );
    env.ok(&["referrals", "status", &r2, "sent"]);
    env.fails(PASS, &["referrals", "status", &r2, "rejected"], "reason");
    env.ok(&[
        "referrals",
        "status",
        &r2,
        "rejected",
        "--reason",
        "plus de place",
    ]);
    env.fails(
        PASS,
        &["referrals", "status", &r2, "archived"],
        "unknown referral status",
    );
    let list = env.json(&["referrals", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let show = env.json(&["cases", "show", &id, "--json"]);
    let scopes: Vec<&str> = show["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["content"]["scope"].as_str())
        .collect();
    assert!(
        scopes.contains(&"handover:Maison Lisanga") && scopes.contains(&"referral:kk-cps-02"),
        "{scopes:?}"
    );
    let by_id = |r: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == r)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(&r1)["status"], "completed");
    assert_eq!(by_id(&r2)["details"]["override_reason"], "danger de mort");
    assert_eq!(by_id(&r2)["details"]["rejection_reason"], "plus de place");
    let audit = env.json(&["vault", "audit", "--json"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"referral.create.override") && actions.contains(&"referral.completed"),
        "{actions:?}"
    );
    assert!(
        !audit.to_string().contains("danger de mort"),
        "the audit log holds no content"
    );
}

#[test]
fn exports_take_only_consenting_cases_and_suppress_small_cells() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    let interview = vector("interview-en-child-mali-gold-panning.draft.json");
    // The interview screens a child, so the consent forms of these cases are a child's (the case
    // gives them their context): a child's yes to research counts only with the authority's.
    let consent = vector("consent-es-child-valid.draft.json");
    let mut research: Value =
        serde_json::from_str(&std::fs::read_to_string(&consent).unwrap()).unwrap();
    research["form_version"] = 2.into();
    research["context"] = serde_json::json!({});
    research["answers"]["agree_research"] = "yes".into();
    research["answers"]["guardian_research"] = "yes".into();
    let agreed = env.vault.with_file_name("consent-research.json");
    std::fs::create_dir_all(agreed.parent().unwrap()).unwrap();
    std::fs::write(&agreed, serde_json::to_vec(&research).unwrap()).unwrap();
    // The twelfth case: the child said yes to research, but no adult authorised it.
    research["answers"]["guardian_research"] = "no".into();
    let child_only = env.vault.with_file_name("consent-child-only.json");
    std::fs::write(&child_only, serde_json::to_vec(&research).unwrap()).unwrap();
    let consent = child_only;
    let mut codes = Vec::new();
    for i in 0..12 {
        let id = env.new_case();
        env.ok(&[
            "screen",
            "--form",
            "interview",
            "--case",
            &id,
            "--answers",
            interview.to_str().unwrap(),
        ]);
        let c = if i < 11 { &agreed } else { &consent };
        env.ok(&[
            "screen",
            "--form",
            "consent",
            "--case",
            &id,
            "--answers",
            c.to_str().unwrap(),
        ]);
        codes.push(id);
    }
    let export = env.json(&["export", "htcds", "--format", "json"]);
    assert_eq!(export["cases"].as_array().unwrap().len(), 11);
    assert_eq!(export["excluded_without_consent"], 1);
    let first = &export["cases"][0];
    assert_eq!(
        first["vic_TraffickingStatus"],
        "PossibleVictimOfTrafficking"
    );
    assert_eq!(first["majorityStatus"], "Minor");
    assert_eq!(first["ageBroad"], "9--17");
    assert_eq!(first["cas_Status"], "Active");
    assert_eq!(first["con_Consent"], true);
    assert!(first["vic_MethodsOfControl"].as_array().unwrap().len() >= 2);
    let csv = env.ok(&["export", "htcds", "--format", "csv"]);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("vic_TraffickingStatus")
    );
    assert_eq!(csv.lines().count(), 12);
    let stats = env.json(&["export", "stats", "--format", "json"]);
    assert_eq!(stats["total"], 11);
    assert_eq!(stats["tables"]["majorityStatus"]["Minor"], 11);
    let small = env.json(&["export", "stats", "--k", "12"]);
    assert_eq!(small["total"], "<12");
    let csv = env.ok(&["export", "stats", "--format", "csv"]);
    assert!(csv.starts_with("dimension,value,count"));
    env.fails(PASS, &["export", "stats", "--k", "1"], "k must be");
}

#[test]
fn services_are_proposed_from_what_the_case_found() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    let id = env.new_case();
    // Nothing screened yet: nothing to propose.
    let empty = env.json(&["cases", "services", &id, "--json"]);
    assert_eq!(empty["proposals"].as_array().unwrap().len(), 0);
    for (form, draft) in [
        (
            "interview",
            "interview-fr-child-kikwit-domestic-market.draft.json",
        ),
        ("needs", "needs-fr-adult-emergency.draft.json"),
    ] {
        let draft = vector(draft);
        env.ok(&[
            "screen",
            "--form",
            form,
            "--case",
            &id,
            "--answers",
            draft.to_str().unwrap(),
        ]);
    }
    let found = env.json(&["cases", "services", &id, "--area", "Kikwit", "--json"]);
    let proposals = found["proposals"].as_array().unwrap();
    let categories: Vec<&str> = proposals
        .iter()
        .map(|p| p["category"].as_str().unwrap())
        .collect();
    // The child screening adds child protection; the needs assessment's emergencies come first.
    assert!(categories.contains(&"child_protection"), "{categories:?}");
    assert_eq!(proposals[0]["priority"], "emergency");
    // Only services that take children are proposed for a child.
    for p in proposals {
        for s in p["services"].as_array().unwrap() {
            assert_eq!(s["service"]["takes_children"], true, "{s}");
        }
    }
    env.fails(PASS, &["cases", "services", "RLS-XXXX-XXXX"], "no case");
}

#[test]
fn a_form_started_in_a_case_takes_the_case_s_context() {
    let env = Env::new();
    env.ok(&["vault", "init"]);
    let id = env.new_case();
    let child = vector("interview-v2-en-child-fishing.draft.json");
    env.ok(&[
        "screen",
        "--form",
        "interview",
        "--case",
        &id,
        "--answers",
        child.to_str().unwrap(),
    ]);
    // An adult's consent answers, without a context: in this child's case they are a child's
    // consent form, which needs the child's own assent.
    let adult = vector("consent-v2-fr-adult-valid.draft.json");
    env.fails(
        PASS,
        &[
            "screen",
            "--form",
            "consent",
            "--case",
            &id,
            "--answers",
            adult.to_str().unwrap(),
        ],
        "child_assent",
    );
    // The passphrase is asked before the first question: a wrong one is told at once.
    env.fails(
        "not the passphrase",
        &[
            "screen",
            "--form",
            "consent",
            "--case",
            &id,
            "--answers",
            adult.to_str().unwrap(),
        ],
        "passphrase",
    );
    // `--age` overrides the case's context.
    let r = env.json(&[
        "screen",
        "--form",
        "consent",
        "--case",
        &id,
        "--age",
        "30",
        "--json",
        "--answers",
        adult.to_str().unwrap(),
    ]);
    assert_eq!(r["child"], false);
}
