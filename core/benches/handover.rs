//! Handover figures of docs/benchmarks.md: how big a typical full case is as JSON, as the CBOR
//! bundle and sealed; how many frames it takes at the default size; how many with 20 % of frames
//! lost; and how long sealing and opening take.
//! Run: `cargo bench -p relais-core --bench handover`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::path::Path;
use std::time::Instant;

use relais_core::effects::{ConsentPurpose, Priority};
use relais_core::handover::envelope::Envelope;
use relais_core::handover::fountain::{DEFAULT_FRAGMENT, Encoder, frames_needed};
use relais_core::handover::key::ReceiverKey;
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::handover::SendOptions;
use relais_core::vault::records::NewReferral;
use relais_core::vault::{NoPlatformSecret, Vault, VaultOptions};
use relais_core::{Draft, run_draft};

fn draft(name: &str) -> Draft {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/screen")
        .join(name);
    Draft::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--test") {
        return; // `cargo test --benches`: nothing to check here
    }
    let dir = tempfile::tempdir().unwrap();
    let options = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    };
    let mut sender = Vault::create(
        &dir.path().join("a.db"),
        "bench passphrase",
        &NoPlatformSecret,
        options,
    )
    .unwrap();
    let mut receiver = Vault::create(
        &dir.path().join("b.db"),
        "bench passphrase",
        &NoPlatformSecret,
        options,
    )
    .unwrap();
    receiver.set_organisation("Maison Lisanga").unwrap();
    // A typical full case: the interview, needs, risk and consent, three notes, two referrals.
    let code = sender.create_case().unwrap();
    for name in [
        "interview-fr-adult-djibouti-domestic.draft.json",
        "needs-fr-adult-emergency.draft.json",
        "risk-fr-self-harm-high.draft.json",
        "consent-fr-adult-valid.draft.json",
    ] {
        let d = draft(name);
        sender
            .save_result(&code, &d, &run_draft(&d).unwrap())
            .unwrap();
    }
    for note in [
        "Rencontrée au marché central avec une voisine. Dit travailler chez une famille depuis huit mois, sans salaire depuis trois. Passeport gardé par l'employeur.",
        "Deuxième entretien au centre : plus détendue. Souhaite contacter sa sœur à Djibouti-ville. Pas de blessure visible ; fatigue, douleurs au dos.",
        "Accord pour l'orientation vers l'hébergement et l'assistance juridique. Préfère une interprète femme pour l'afar.",
    ] {
        sender.add_note(&code, note).unwrap();
    }
    // An unlisted receiver, verified by fingerprint: consent names it with its fingerprint.
    let (_, receiver_fp) = receiver.identity_public().unwrap();
    let target = format!("Maison Lisanga ({receiver_fp})");
    sender
        .record_consent(
            &code,
            ConsentPurpose::Handover,
            &format!("handover:{target}"),
        )
        .unwrap();
    for (service, reason) in [
        ("kk-mai-03", "hébergement sûr"),
        ("kk-cja-05", "documents et plainte"),
    ] {
        sender
            .create_referral(
                &code,
                NewReferral {
                    service_id: service.into(),
                    organisation: "[FICTIF] service".into(),
                    service: "service".into(),
                    categories: vec!["shelter".into()],
                    priority: Priority::Urgent,
                    reason: reason.into(),
                    override_reason: None,
                },
            )
            .unwrap();
    }
    let now = relais_core::vault::now();
    let key = receiver
        .open_receive_session(DEFAULT_FRAGMENT as u16, 10, now)
        .unwrap();
    let check = sender.check_receiver(&key.to_text(), now).unwrap();
    let cbor = sender.handover_bundle(&code, &check).unwrap();
    let json = relais_core::handover::cbor::decode(&cbor)
        .unwrap()
        .to_string();
    let options = SendOptions {
        fingerprint: Some(receiver_fp.clone()),
        remember: false,
    };
    let out = sender
        .send_handover(&code, &key.to_text(), &options, now)
        .unwrap();
    let envelope = out.envelope.clone();
    let k = Encoder::new(&envelope, DEFAULT_FRAGMENT).unwrap().k();
    let ratios: Vec<f64> = (0..1000u64)
        .map(|seed| {
            f64::from(frames_needed(envelope.len(), DEFAULT_FRAGMENT, 0.2, seed)) / f64::from(k)
        })
        .collect();
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let p95 = sorted[(sorted.len() as f64 * 0.95) as usize];

    // Timing: seal (bundle → envelope) and open (verify, decrypt, inflate, check).
    let identity = sender.identity().unwrap();
    let runs = 200;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(Envelope::seal(&cbor, &key, &identity, "ONG Bomoi", now).unwrap());
    }
    let seal_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
    let (key2, secret) = ReceiverKey::generate(&identity, "x", 939, now + 600).unwrap();
    let env2 = Envelope::seal(&cbor, &key2, &identity, "ONG Bomoi", now)
        .unwrap()
        .to_bytes();
    let t = Instant::now();
    for _ in 0..runs {
        let e = Envelope::from_bytes(&env2).unwrap();
        std::hint::black_box(e.open(&key2, &secret, now).unwrap());
    }
    let open_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
    let t = Instant::now();
    let got = receiver.receive_handover(&envelope, now).unwrap();
    let receive_ms = t.elapsed().as_secs_f64() * 1e3;
    assert!(!got.already_received);

    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| typical full case as JSON (the bundle, minified) | {} bytes |",
        json.len()
    );
    println!("| as deterministic CBOR | {} bytes |", cbor.len());
    println!(
        "| sealed envelope (signature, deflate, padding to its bucket, HPKE) | {} bytes |",
        envelope.len()
    );
    println!(
        "| frames at the default fragment ({DEFAULT_FRAGMENT} bytes, QR v25 at ECC M) | {k} |"
    );
    println!("| frames sent with 20 % lost, ÷ minimum ({k}): mean over 1,000 runs | {mean:.3} |");
    println!("| same, 95th percentile | {p95:.3} |");
    println!("| seal (bundle → envelope) | {seal_us:.0} µs |");
    println!("| open + verify (envelope → bundle) | {open_us:.0} µs |");
    println!(
        "| receive into the vault (open, verify, import, destroy key, ACK) | {receive_ms:.1} ms |"
    );
}
