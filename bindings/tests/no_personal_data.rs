//! What the bindings throw reaches the apps' exception handlers, and from there perhaps a crash
//! report or a log: no error message may carry what a person said, a passphrase or a typed value.
//! Each call below is fed a sentinel standing for such content, fails, and its error's Display
//! and Debug forms are searched for it.

use relais_ffi::{
    ConsentPurpose, HandoverReceiver, Interview, Language, Vault, VaultSettings, passphrase_only,
    qr_matrix,
};

/// What a person might say, in the places a wrong value could be echoed back.
const SECRET: &str = "Mbuyi Kalala 0812345678";

fn assert_clean<E: std::fmt::Display + std::fmt::Debug>(what: &str, result: Result<impl Sized, E>) {
    assert_quotes_none(what, &[SECRET, "Mbuyi", "0812345678"], result);
}

fn assert_quotes_none<E: std::fmt::Display + std::fmt::Debug>(
    what: &str,
    needles: &[&str],
    result: Result<impl Sized, E>,
) {
    assert!(result.is_err(), "{what}: expected an error");
    let Err(e) = result else { return };
    for text in [e.to_string(), format!("{e:?}")] {
        for needle in needles {
            assert!(
                !text.contains(needle),
                "{what}: the error quotes the input: {text}"
            );
        }
    }
}

fn settings() -> VaultSettings {
    VaultSettings {
        max_failed_unlocks: 10,
        retention_days: None,
        unlock_target_ms: 0,
        insecure_fast_kdf_for_tests: true,
    }
}

#[test]
fn drafts_with_wrong_values_are_refused_without_quoting_them() {
    let draft = |answers: &str| {
        format!(
            r#"{{"format":"relais.draft","schema":1,"form":"quick-check","form_version":1,
               "language":"fr","answers":{answers}}}"#
        )
    };
    for (what, json) in [
        (
            "a typed text where a choice is due",
            draft(&format!(r#"{{"papers_held":"{SECRET}"}}"#)),
        ),
        (
            "an array of texts",
            draft(&format!(r#"{{"papers_held":["{SECRET}"]}}"#)),
        ),
        (
            "a wrongly typed answers object",
            draft(&format!(r#"["{SECRET}"]"#)),
        ),
        ("broken JSON", format!(r#"{{"answers": {{"x": "{SECRET}""#)),
        ("an unknown format", format!(r#"{{"format":"{SECRET}"}}"#)),
    ] {
        assert_clean(what, Interview::resume(json));
    }
}

#[test]
fn vault_errors_do_not_quote_passphrases_or_notes() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("vault.db").to_string_lossy().into_owned();
    let vault = Vault::create(
        path.clone(),
        "correct horse 42".into(),
        passphrase_only(),
        settings(),
    )?;
    let code = vault.create_case()?;
    vault.add_note(code.clone(), SECRET.into())?;

    assert_quotes_none(
        "a weak passphrase",
        &["Mbuyi"],
        Vault::create(
            format!("{path}.2"),
            "Mbuyi".into(),
            passphrase_only(),
            settings(),
        ),
    );
    assert_clean(
        "a wrong passphrase",
        Vault::unlock(path.clone(), SECRET.into(), passphrase_only()),
    );
    assert_clean("an unknown case", vault.case_detail(SECRET.into()));
    assert_clean(
        "a note on an unknown case",
        vault.add_note(SECRET.into(), SECRET.into()),
    );
    assert_clean(
        "a consent on an unknown case",
        vault.record_consent(SECRET.into(), ConsentPurpose::Handover, SECRET.into()),
    );
    assert_clean("a bad acknowledgement", vault.record_ack(SECRET.into()));
    assert_clean(
        "a bad receiver key",
        vault.send_handover(code.clone(), SECRET.into(), None, false),
    );
    assert_clean(
        "a bad receiver key checked",
        vault.check_receiver(SECRET.into()),
    );
    assert_clean(
        "a bad envelope",
        vault.import_envelope(SECRET.as_bytes().to_vec()),
    );
    for prefix in ["RLK2:", "RLK1:"] {
        assert_clean(
            "a receiver key with a made-up body",
            vault.send_handover(code.clone(), prefix.to_string() + SECRET, None, false),
        );
    }
    assert_clean(
        "a fingerprint typed for a bad key",
        vault.send_handover(code.clone(), SECRET.into(), Some(SECRET.into()), true),
    );
    assert_clean(
        "a directory file that is not one",
        vault.import_directory(format!(r#"{{"format":"{SECRET}"}}"#), None),
    );
    assert_clean(
        "a directory of the wrong shape",
        vault.import_directory(
            format!(r#"{{"format":"relais.signed-directory","version":1,"directory":{{"name":"{SECRET}"}},"signature":"{SECRET}"}}"#),
            Some(relais_ffi::sample_coordinator_key()),
        ),
    );
    assert_clean(
        "a coordinator key that is not one",
        vault.import_directory(relais_ffi::sample_directory_file(), Some(SECRET.into())),
    );
    assert_clean(
        "a file picked by mistake",
        relais_ffi::read_directory_file(format!(r#"["{SECRET}"]"#)),
    );
    // Frames that rebuild something other than a directory (scanned by mistake).
    for message in [
        format!(r#"{{"format":"{SECRET}"}}"#),
        format!(r#"["{SECRET}"]"#),
        format!("RLE2{SECRET}"),
    ] {
        let encoder = relais_core::handover::fountain::Encoder::new(message.as_bytes(), 939)?;
        let scanner = HandoverReceiver::new();
        for seq in 1..=encoder.k() {
            scanner.scan_text(encoder.part(seq).to_text())?;
        }
        assert_clean(
            "frames of something else",
            vault.import_directory_frames(scanner.clone(), None),
        );
        assert_clean(
            "frames of something else, read before a first import",
            scanner
                .directory_file()
                .and_then(relais_ffi::read_directory_file),
        );
    }
    assert_clean(
        "a directory to show as frames that is not one",
        relais_ffi::directory_frames(format!(r#"{{"format":"{SECRET}"}}"#)),
    );
    assert_clean(
        "forgetting a receiver never remembered",
        vault.forget_receiver(SECRET.into()),
    );

    // The note is still there, untouched by all of the above.
    let detail = vault.case_detail(code)?;
    assert!(
        detail
            .entries
            .iter()
            .any(|e| e.note.as_deref() == Some(SECRET))
    );
    Ok(())
}

#[test]
fn scanned_junk_is_refused_without_quoting_it() {
    let scanner = HandoverReceiver::new();
    assert_clean(
        "a QR code that is not a frame",
        scanner.scan_text(SECRET.into()),
    );
    assert_clean(
        "a frame with a bad part",
        scanner.scan_text(format!("RL1:{SECRET}")),
    );
    assert_eq!(scanner.progress().refused, 2);
    // A text too long for any QR code.
    assert_clean("an oversized QR text", qr_matrix(SECRET.repeat(400)));
}

#[test]
fn an_unknown_form_is_named_and_nothing_else() {
    // A form that does not exist: the id is echoed (it is not personal), nothing else.
    let e = Interview::new("no-such-form".into(), Language::Fr, None).err();
    assert!(e.is_some_and(|e| e.to_string().contains("no-such-form")));
}
