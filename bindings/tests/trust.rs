//! The handover's trust through the bindings (docs/handover-format.md §1, docs/directory.md): a
//! listed receiver, a receiver verified by its fingerprint (refused without it or with another,
//! then remembered and forgotten), the consent bound to the receiver as verified, the sender's name
//! on the receiving side, and the refusals of a signed directory leaving the one in use.

use std::sync::Arc;

use relais_core::handover::fountain::{DEFAULT_FRAGMENT, Encoder};
use relais_core::referral::directory::ListedOrganisation;
use relais_core::referral::signed;
use relais_ffi::{
    ConsentPurpose, DirectoryRefusal, HandoverProblem, HandoverReceiver, HandoverSender,
    ScanStatus, Vault, VaultError, VaultSettings, Verification, passphrase_only,
};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn vault(dir: &tempfile::TempDir, name: &str) -> Result<Arc<Vault>> {
    let path = dir.path().join(format!("{name}.db"));
    let settings = VaultSettings {
        insecure_fast_kdf_for_tests: true,
        ..VaultSettings::default()
    };
    let v = Vault::create(
        path.to_string_lossy().into_owned(),
        "correct horse 42".into(),
        passphrase_only(),
        settings,
    )?;
    v.set_organisation(name.into())?;
    Ok(v)
}

/// The sample with `listed` added (identity key hex, listed name), re-signed by the sample's
/// fictitious coordinator as `version`.
fn directory_listing(listed: &[(&str, &str)], version: u64) -> Result<String> {
    let mut d = signed::sample().directory.clone();
    for (i, (identity, name)) in listed.iter().enumerate() {
        d.organisations.push(ListedOrganisation {
            id: format!("test-{i}"),
            name: (*name).into(),
            area: "Kwilu/Kikwit".into(),
            identity: (*identity).into(),
            valid_from: 0,
            valid_until: 4_000_000_000,
        });
    }
    Ok(signed::sign(
        &d,
        &signed::fictitious_coordinator(),
        "Secrétariat NRM du Kwilu (fictif)",
        version,
        1_800_000_000,
    )?)
}

fn case(v: &Vault) -> Result<String> {
    let code = v.create_case()?;
    v.add_note(code.clone(), "Parle lingala".into())?;
    Ok(code)
}

/// Every frame of one loop, scanned by a fresh receiver, imported into `to`.
fn deliver(out: &HandoverSender, to: &Vault) -> Result<relais_ffi::ReceivedCase> {
    let scanner = HandoverReceiver::new();
    let mut seq = 1;
    while scanner.progress().status != ScanStatus::Complete && seq < 500 {
        scanner.scan_text(out.frame_text(seq))?;
        seq += 1;
    }
    Ok(to.receive_handover(scanner)?)
}

fn custody(v: &Vault, code: &str) -> Result<usize> {
    Ok(v.case_detail(code.into())?
        .entries
        .iter()
        .filter(|e| e.custody_event.is_some())
        .count())
}

#[test]
fn an_unlisted_receiver_needs_its_fingerprint_then_the_consent_naming_it() -> Result {
    let dir = tempfile::tempdir()?;
    let sender = vault(&dir, "Caritas Kikwit")?;
    let receiver = vault(&dir, "Maison Lisanga")?;
    let code = case(&sender)?;
    let key = receiver.open_receive_session(10, 939)?;
    assert_eq!(key.fingerprint, receiver.identity()?.fingerprint);

    let check = sender.check_receiver(key.text.clone())?;
    assert_eq!(check.verification, Verification::NotVerified);
    assert_eq!(check.claimed, "Maison Lisanga");
    assert_eq!(
        check.fingerprint, key.fingerprint,
        "the screens show the same number"
    );
    assert_eq!(check.fingerprint.len(), 35);
    assert_eq!(check.fingerprint.split(' ').count(), 6);
    assert_eq!(
        check.consent_target,
        format!("Maison Lisanga ({})", check.fingerprint)
    );

    // Nothing is sealed without the comparison, nor with another number.
    let Err(VaultError::ReceiverNotVerified {
        organisation,
        fingerprint,
    }) = sender.send_handover(code.clone(), key.text.clone(), None, false)
    else {
        return Err("expected ReceiverNotVerified".into());
    };
    assert_eq!(organisation, "Maison Lisanga");
    assert_eq!(fingerprint, check.fingerprint);
    let mut wrong = check.fingerprint.clone().into_bytes();
    wrong[0] = if wrong[0] == b'9' { b'1' } else { b'9' };
    let wrong = String::from_utf8(wrong)?;
    assert!(matches!(
        sender.send_handover(code.clone(), key.text.clone(), Some(wrong), true),
        Err(VaultError::FingerprintMismatch)
    ));
    // A consent naming the organisation alone does not cover a receiver no one vouches for.
    sender.record_consent(
        code.clone(),
        ConsentPurpose::Handover,
        "Maison Lisanga".into(),
    )?;
    let Err(VaultError::HandoverConsentRequired { organisation }) = sender.send_handover(
        code.clone(),
        key.text.clone(),
        Some(check.fingerprint.clone()),
        true,
    ) else {
        return Err("expected HandoverConsentRequired".into());
    };
    assert_eq!(organisation, check.consent_target);
    assert_eq!(custody(&sender, &code)?, 0, "nothing sealed so far");
    assert!(
        sender.pinned_receivers()?.is_empty(),
        "not remembered before a send"
    );

    sender.record_consent(
        code.clone(),
        ConsentPurpose::Handover,
        check.consent_target.clone(),
    )?;
    let out = sender.send_handover(
        code.clone(),
        key.text.clone(),
        Some(check.fingerprint.clone()),
        true,
    )?;
    assert_eq!(out.receiver().verification, Verification::NotVerified);
    assert_eq!(out.receiver_organisation(), "Maison Lisanga");
    let got = deliver(&out, &receiver)?;
    assert!(!got.from_verified, "the receiver has no directory");
    assert_eq!(got.from_organisation, "Caritas Kikwit");
    assert_eq!(got.from_fingerprint, sender.identity()?.fingerprint);
    assert_eq!(sender.record_ack(got.ack_text)?, code);

    // Remembered: the next key of that phone is verified by this one.
    let pinned = sender.pinned_receivers()?;
    assert_eq!(pinned.len(), 1);
    assert_eq!(pinned[0].fingerprint, check.fingerprint);
    let next = receiver.open_receive_session(10, 939)?;
    let again = sender.check_receiver(next.text.clone())?;
    assert_eq!(again.verification, Verification::Pinned);
    assert_eq!(again.pinned_at, Some(pinned[0].pinned_at));
    assert_eq!(again.consent_target, check.consent_target);
    sender.send_handover(code.clone(), next.text.clone(), None, false)?;

    // Forgotten: not verified again.
    sender.forget_receiver(check.fingerprint.clone())?;
    assert!(matches!(
        sender.forget_receiver(check.fingerprint.clone()),
        Err(VaultError::NoSuch { .. })
    ));
    let last = receiver.open_receive_session(10, 939)?;
    assert_eq!(
        sender.check_receiver(last.text)?.verification,
        Verification::NotVerified
    );
    Ok(())
}

#[test]
fn a_listed_receiver_is_shown_by_its_listed_name_and_the_sender_too() -> Result {
    let dir = tempfile::tempdir()?;
    let sender = vault(&dir, "Caritas Kikwit")?;
    // The receiver claims another name: its listed one is shown.
    let receiver = vault(&dir, "Lisanga")?;
    let listed = directory_listing(
        &[
            (&receiver.identity()?.key_hex, "Maison Lisanga (Kikwit)"),
            (
                &sender.identity()?.key_hex,
                "Caritas Kikwit (équipe mobile)",
            ),
        ],
        2,
    )?;
    for v in [&sender, &receiver] {
        let status =
            v.import_directory(listed.clone(), Some(relais_ffi::sample_coordinator_key()))?;
        assert!(status.changed && status.fictitious);
        assert_eq!(status.version, 2);
        assert_eq!(
            status.organisations as usize,
            signed::sample().directory.organisations.len() + 2
        );
    }
    let code = case(&sender)?;
    let key = receiver.open_receive_session(10, 939)?;
    let check = sender.check_receiver(key.text.clone())?;
    assert_eq!(check.verification, Verification::Listed);
    assert_eq!(check.organisation, "Maison Lisanga (Kikwit)");
    assert_eq!(check.claimed, "Lisanga");
    assert_eq!(check.area, "Kwilu/Kikwit");
    assert!(check.fictitious);
    assert_eq!(check.consent_target, "Maison Lisanga (Kikwit)");

    // The consent names the listed organisation; no fingerprint is asked.
    assert!(matches!(
        sender.send_handover(code.clone(), key.text.clone(), None, false),
        Err(VaultError::HandoverConsentRequired { organisation }) if organisation == check.consent_target
    ));
    sender.record_consent(code.clone(), ConsentPurpose::Handover, check.consent_target)?;
    let out = sender.send_handover(code.clone(), key.text.clone(), None, false)?;
    assert_eq!(out.receiver_organisation(), "Maison Lisanga (Kikwit)");
    let got = deliver(&out, &receiver)?;
    assert!(got.from_verified);
    assert_eq!(got.from_organisation, "Caritas Kikwit (équipe mobile)");
    assert!(
        sender.pinned_receivers()?.is_empty(),
        "a listed receiver is not pinned"
    );

    // A phone posing as the listed organisation, under its very name: not verified, and the
    // consent to the listed organisation does not cover it, even after its own number is typed.
    let impostor = vault(&dir, "Maison Lisanga (Kikwit)")?;
    let fake = impostor.open_receive_session(10, 939)?;
    let seen = sender.check_receiver(fake.text.clone())?;
    assert_eq!(seen.verification, Verification::NotVerified);
    assert_eq!(seen.claimed, "Maison Lisanga (Kikwit)");
    assert_ne!(seen.consent_target, "Maison Lisanga (Kikwit)");
    assert!(matches!(
        sender.send_handover(code.clone(), fake.text.clone(), None, false),
        Err(VaultError::ReceiverNotVerified { .. })
    ));
    assert!(matches!(
        sender.send_handover(code.clone(), fake.text, Some(fake.fingerprint), false),
        Err(VaultError::HandoverConsentRequired { organisation }) if organisation == seen.consent_target
    ));
    assert_eq!(
        custody(&sender, &code)?,
        1,
        "only the listed handover was sealed"
    );
    Ok(())
}

#[test]
fn refused_directories_leave_the_one_in_use() -> Result {
    let dir = tempfile::tempdir()?;
    let v = vault(&dir, "Caritas Kikwit")?;
    let refusal = |r: std::result::Result<relais_ffi::DirectoryStatus, VaultError>| match r {
        Err(VaultError::Directory { refusal, reason }) => {
            assert!(!reason.is_empty());
            Some(refusal)
        }
        _ => None,
    };
    assert_eq!(v.directory_status()?, None);
    assert!(v.service_directory()?.is_none());
    assert!(!v.has_coordinator()?);
    let sample = relais_ffi::sample_directory_file();
    assert_eq!(
        refusal(v.import_directory(sample.clone(), None)),
        Some(DirectoryRefusal::NoCoordinator)
    );
    assert_eq!(
        refusal(v.import_directory(sample.clone(), Some("12ab".into()))),
        Some(DirectoryRefusal::BadCoordinatorKey)
    );
    // Another coordinator named at the first import: its signature is not the sample's.
    assert_eq!(
        refusal(v.import_directory(sample.clone(), Some("11".repeat(32)))),
        Some(DirectoryRefusal::OtherCoordinator)
    );
    assert!(!v.has_coordinator()?, "a refused first import pins nothing");

    // Read first (the set-up compares the coordinator's fingerprint), then imported.
    let read = relais_ffi::read_directory_file(sample.clone())?;
    assert_eq!(read.coordinator_key, relais_ffi::sample_coordinator_key());
    let first = v.import_directory(sample.clone(), Some(read.coordinator_key.clone()))?;
    assert!(first.changed && first.fictitious);
    assert_eq!(first.coordinator_fingerprint, read.coordinator_fingerprint);
    assert!(first.services > 0 && first.organisations > 0);
    assert_eq!(
        v.service_directory()?.map(|d| d.services().len()),
        Some(first.services as usize)
    );
    assert!(!v.import_directory(sample.clone(), None)?.changed);

    let other_org = signed::hex(
        &signed::fictitious_identity("Autre ONG")
            .verifying_key()
            .to_bytes(),
    );
    let newer = directory_listing(&[(&other_org, "Autre ONG")], 3)?;
    let tampered = newer.replacen("Autre ONG", "Autre OMG", 1);
    assert_eq!(
        refusal(v.import_directory(tampered, None)),
        Some(DirectoryRefusal::BadSignature)
    );
    let junk = refusal(v.import_directory("[1, 2".into(), None));
    assert_eq!(junk, Some(DirectoryRefusal::Invalid));
    assert_eq!(v.directory_status()?.map(|s| s.version), Some(1));

    assert_eq!(v.import_directory(newer, None)?.version, 3);
    let older = directory_listing(&[], 2)?;
    assert_eq!(
        refusal(v.import_directory(older, None)),
        Some(DirectoryRefusal::Older)
    );
    // A directory signed by another key than the pinned one.
    let other = relais_ffi::read_directory_file(sample)?;
    assert_eq!(
        refusal(v.import_directory(relais_ffi::sample_directory_file(), Some("22".repeat(32)))),
        Some(DirectoryRefusal::OtherCoordinator)
    );
    let status = v.directory_status()?;
    assert_eq!(status.as_ref().map(|s| s.version), Some(3));
    assert_eq!(
        status.map(|s| s.coordinator_fingerprint),
        Some(other.coordinator_fingerprint)
    );
    Ok(())
}

#[test]
fn keys_and_envelopes_of_the_first_format_are_refused_as_such() -> Result {
    let dir = tempfile::tempdir()?;
    let v = vault(&dir, "Caritas Kikwit")?;
    let code = case(&v)?;
    let problem = |e: Option<VaultError>| match e {
        Some(VaultError::HandoverRefused { problem, .. }) => Some(problem),
        _ => None,
    };
    assert_eq!(
        problem(v.check_receiver("RLK1:ABC".into()).err()),
        Some(HandoverProblem::OldFormat)
    );
    assert_eq!(
        problem(
            v.send_handover(code.clone(), "rlk1:ABC".into(), None, false)
                .err()
        ),
        Some(HandoverProblem::OldFormat)
    );
    assert_eq!(
        problem(v.check_receiver("HELLO".into()).err()),
        Some(HandoverProblem::NotRelais)
    );
    assert_eq!(
        problem(v.check_receiver("RLK2:ABC".into()).err()),
        Some(HandoverProblem::Damaged)
    );
    let mut old = b"RLE1".to_vec();
    old.extend_from_slice(&[0; 64]);
    assert_eq!(
        problem(v.import_envelope(old).err()),
        Some(HandoverProblem::OldFormat)
    );
    assert_eq!(custody(&v, &code)?, 0);
    Ok(())
}

/// The source frames (parts 1..=k) of any bytes, as an encoder that does not check them would
/// show them: the frames of a tampered directory, or of bytes that are not text.
fn raw_frames(message: &[u8]) -> Result<Vec<String>> {
    let encoder = Encoder::new(message, DEFAULT_FRAGMENT)?;
    Ok((1..=encoder.k())
        .map(|s| encoder.part(s).to_text())
        .collect())
}

fn scanned(frames: &[String]) -> Result<Arc<HandoverReceiver>> {
    let receiver = HandoverReceiver::new();
    for frame in frames {
        receiver.scan_text(frame.clone())?;
    }
    Ok(receiver)
}

#[test]
fn a_directory_imports_from_its_frames_and_refused_frames_change_nothing() -> Result {
    let dir = tempfile::tempdir()?;
    let v = vault(&dir, "Caritas Kikwit")?;
    let sample = relais_ffi::sample_directory_file();
    let frames = relais_ffi::directory_frames(sample.clone())?;
    assert!(
        raw_frames(sample.as_bytes())?.len() > 1,
        "the sample takes several frames"
    );
    assert!(frames.iter().all(|f| f.starts_with("RL1:")));

    // Incomplete: refused, nothing imported.
    let partial = scanned(&frames[..1])?;
    assert_eq!(partial.progress().status, ScanStatus::Receiving);
    assert!(matches!(
        partial.directory_file(),
        Err(VaultError::Invalid { .. })
    ));
    assert!(matches!(
        v.import_directory_frames(partial, Some(relais_ffi::sample_coordinator_key())),
        Err(VaultError::Invalid { .. })
    ));
    assert!(!v.has_coordinator()?);

    // The first frame lost, the rest of the loop read: the file rebuilt as it was; its
    // coordinator's number read before it is trusted, then imported.
    let receiver = scanned(&frames[1..])?;
    assert_eq!(receiver.progress().status, ScanStatus::Complete);
    assert_eq!(receiver.directory_file()?, sample);
    let read = relais_ffi::read_directory_file(receiver.directory_file()?)?;
    assert_eq!(read.coordinator_key, relais_ffi::sample_coordinator_key());
    assert!(!v.has_coordinator()?, "reading trusts nothing");
    let status = v.import_directory_frames(receiver.clone(), Some(read.coordinator_key))?;
    assert!(status.changed && status.fictitious);
    assert!(!v.import_directory_frames(receiver, None)?.changed);

    // The frames of a directory changed after signing: refused, the one in use stays.
    let other_org = signed::hex(
        &signed::fictitious_identity("Autre ONG")
            .verifying_key()
            .to_bytes(),
    );
    let newer = directory_listing(&[(&other_org, "Autre ONG")], 3)?;
    let tampered = newer.replacen("Autre ONG", "Autre OMG", 1);
    assert!(matches!(
        relais_ffi::directory_frames(tampered.clone()),
        Err(VaultError::Directory {
            refusal: DirectoryRefusal::BadSignature,
            ..
        })
    ));
    let refusal = |frames: Vec<String>| -> Result<Option<DirectoryRefusal>> {
        Ok(match v.import_directory_frames(scanned(&frames)?, None) {
            Err(VaultError::Directory { refusal, reason }) => {
                assert!(!reason.is_empty());
                Some(refusal)
            }
            _ => None,
        })
    };
    assert_eq!(
        refusal(raw_frames(tampered.as_bytes())?)?,
        Some(DirectoryRefusal::BadSignature)
    );
    // Bytes that are not text, and the frames of a case handed over.
    assert_eq!(
        refusal(raw_frames(&[0xff, 0xfe, 0x00, 0x80])?)?,
        Some(DirectoryRefusal::Invalid)
    );
    let receiver_vault = vault(&dir, "Maison Lisanga")?;
    let key = receiver_vault.open_receive_session(10, 939)?;
    let code = case(&v)?;
    let check = v.check_receiver(key.text.clone())?;
    v.record_consent(code.clone(), ConsentPurpose::Handover, check.consent_target)?;
    let out = v.send_handover(code, key.text, Some(check.fingerprint), false)?;
    let envelope_frames: Vec<String> = (1..=out.loop_length()).map(|s| out.frame_text(s)).collect();
    let Err(VaultError::Directory { refusal, reason }) =
        v.import_directory_frames(scanned(&envelope_frames)?, None)
    else {
        return Err("expected a Directory refusal for an envelope".into());
    };
    assert_eq!(refusal, DirectoryRefusal::Invalid);
    assert!(reason.contains("case handed over"), "{reason}");
    assert_eq!(v.directory_status()?.map(|s| s.version), Some(1));

    assert_eq!(
        v.import_directory_frames(scanned(&relais_ffi::directory_frames(newer)?)?, None)?
            .version,
        3
    );
    Ok(())
}

#[test]
fn resetting_the_trust_forgets_the_directory_and_its_coordinator() -> Result {
    let dir = tempfile::tempdir()?;
    let v = vault(&dir, "Caritas Kikwit")?;
    let other = vault(&dir, "Maison Lisanga")?;
    // A remembered receiver survives the reset.
    let key = other.open_receive_session(10, 939)?;
    let code = case(&v)?;
    let check = v.check_receiver(key.text.clone())?;
    v.record_consent(code.clone(), ConsentPurpose::Handover, check.consent_target)?;
    v.send_handover(code, key.text, Some(check.fingerprint.clone()), true)?;

    let sample = relais_ffi::sample_directory_file();
    v.import_directory(sample.clone(), Some(relais_ffi::sample_coordinator_key()))?;
    let listed = directory_listing(&[(&other.identity()?.key_hex, "Maison Lisanga")], 2)?;
    v.import_directory(listed, None)?;
    let next = other.open_receive_session(10, 939)?;
    assert_eq!(
        v.check_receiver(next.text.clone())?.verification,
        Verification::Listed
    );

    v.reset_directory_trust()?;
    assert!(!v.has_coordinator()?);
    assert_eq!(v.directory_status()?, None);
    assert!(v.service_directory()?.is_none());
    assert_eq!(
        v.check_receiver(next.text)?.verification,
        Verification::Pinned,
        "no longer listed: only remembered"
    );
    assert_eq!(v.pinned_receivers()?.len(), 1);
    assert!(
        v.audit_log()?.iter().any(|e| e.action == "directory.reset"),
        "the reset is audited"
    );
    // The next import pins whoever it names (after the comparison); the same again is a no-op.
    assert!(matches!(
        v.import_directory(sample.clone(), None),
        Err(VaultError::Directory {
            refusal: DirectoryRefusal::NoCoordinator,
            ..
        })
    ));
    assert_eq!(
        v.import_directory(sample, Some(relais_ffi::sample_coordinator_key()))?
            .version,
        1,
        "an older version than before the reset is accepted: nothing is in use"
    );
    v.reset_directory_trust()?;
    v.reset_directory_trust()?;
    assert!(!v.has_coordinator()?, "resetting twice is harmless");
    Ok(())
}
