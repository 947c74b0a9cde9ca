//! `relais handover key|send|receive|ack`, `relais export file`, `relais import`: moving a case to
//! another device with no network (docs/handover-format.md).

use std::path::Path;

use relais_core::handover::ack::ACK_PREFIX;
use relais_core::handover::fountain::{Encoder, loop_length};
use relais_core::handover::key::KEY_PREFIX;
use relais_core::handover::qr::{self, Ecc};
use relais_core::vault::directory::{ReceiverCheck, Verification};
use relais_core::vault::handover::{Outgoing, SendOptions};
use relais_core::vault::now;
use serde_json::json;

use crate::secrets::{self, vault_error};
use crate::{CliError, FramesOut, TrustArgs, print_json, read_input};

/// The texts of the QR codes in an image (PNG, JPEG, GIF), or the text of a text file.
pub fn read_qr_texts(path: &Path) -> Result<Vec<String>, CliError> {
    let file_error = |message: String| CliError::File {
        path: path.display().to_string(),
        message,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "gif")) {
        // Size first: a huge file is refused before a byte of it is read into memory.
        let len = std::fs::metadata(path)
            .map_err(|e| file_error(e.to_string()))?
            .len();
        if len > qr::MAX_INPUT_BYTES as u64 {
            return Err(file_error(format!(
                "too large for a QR image ({len} bytes; the limit is {})",
                qr::MAX_INPUT_BYTES
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| file_error(e.to_string()))?;
        let texts = qr::decode_image(&bytes).map_err(|e| file_error(e.to_string()))?;
        if texts.is_empty() {
            return Err(file_error("no QR code found in the image".into()));
        }
        return Ok(texts);
    }
    Ok(read_input(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// The one text of `prefix` among those read from a file.
fn one_text(path: &Path, prefix: &str, what: &str) -> Result<String, CliError> {
    read_qr_texts(path)?
        .into_iter()
        .find(|t| {
            t.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        })
        .ok_or_else(|| CliError::File {
            path: path.display().to_string(),
            message: format!("no {what} found"),
        })
}

/// Writes a QR code as a PNG (4 pixels per module, 4-module quiet zone).
pub fn write_png(path: &Path, text: &str) -> Result<(), CliError> {
    let file_error = |message: String| CliError::File {
        path: path.display().to_string(),
        message,
    };
    let m = qr::encode(text, Ecc::M).map_err(|e| file_error(e.to_string()))?;
    let png = qr::to_png(&m, 4, 4).map_err(|e| file_error(e.to_string()))?;
    crate::write_private(path, &png)
}

/// Receiver: opens a session and shows (or writes) its key QR.
pub fn key(
    vault: &Path,
    out: Option<&Path>,
    text_out: Option<&Path>,
    minutes: u32,
    fragment: u16,
    terminal: bool,
) -> Result<(), CliError> {
    let mut v = secrets::unlock(vault)?;
    let now = now();
    let key = v
        .open_receive_session(fragment, minutes, now)
        .map_err(|e| vault_error(vault, e))?;
    // What was applied (the core keeps a key valid 1 minute to 24 hours), not what was asked.
    let minutes = (key.expires_at - now) / 60;
    let text = key.to_text();
    if let Some(path) = out {
        write_png(path, &text)?;
    }
    if let Some(path) = text_out {
        crate::write_private(path, format!("{text}\n").as_bytes())?;
    }
    if terminal || (out.is_none() && text_out.is_none()) {
        let m = qr::encode(&text, Ecc::M).map_err(|e| CliError::Input(e.to_string()))?;
        println!("{}", qr::to_terminal(&m));
    }
    let (_, fingerprint) = v.identity_public().map_err(|e| vault_error(vault, e))?;
    eprintln!(
        "receiver key for {} — valid {} minutes; show it to the sender",
        key.organisation, minutes
    );
    eprintln!("this device's fingerprint (the sender compares it): {fingerprint}");
    Ok(())
}

/// Sender: records the receiver's acknowledgement.
pub fn ack(vault: &Path, file: Option<&Path>, text: Option<&str>) -> Result<(), CliError> {
    let ack = match (file, text) {
        (_, Some(t)) => t.trim().to_string(),
        (Some(path), None) => one_text(path, ACK_PREFIX, "acknowledgement QR")?,
        (None, None) => return Err(CliError::Input("give the ACK image or --text".into())),
    };
    let mut v = secrets::unlock(vault)?;
    let code = v.record_ack(&ack).map_err(|e| vault_error(vault, e))?;
    println!("{code}");
    eprintln!("custody recorded: the receiver acknowledged case {code}");
    Ok(())
}

/// Who the receiver is, as the sender's screen says it.
fn describe(check: &ReceiverCheck) -> String {
    match check.verification {
        Verification::Listed => format!(
            "verified: {} ({}){}",
            check.organisation,
            check.area,
            if check.fictitious {
                " — fictitious directory (demo)"
            } else {
                ""
            }
        ),
        Verification::Pinned => format!(
            "verified by you earlier: {} (fingerprint {})",
            check.organisation, check.fingerprint
        ),
        Verification::NotVerified => format!(
            "NOT VERIFIED: calls itself {}; fingerprint {}",
            check.claimed, check.fingerprint
        ),
    }
}

/// Sender: seals the case to the receiver's key after checking who it is.
fn seal(vault: &Path, id: &str, to: &Path, trust: &TrustArgs) -> Result<Outgoing, CliError> {
    let key_text = one_text(to, KEY_PREFIX, "receiver key QR")?;
    let mut v = secrets::unlock(vault)?;
    let options = SendOptions {
        fingerprint: trust.fingerprint.clone(),
        remember: trust.remember,
    };
    v.send_handover(id, &key_text, &options, now())
        .map_err(|e| vault_error(vault, e))
}

/// `relais handover check`: who a scanned receiver key belongs to, before anything is sealed.
pub fn check(vault: &Path, to: &Path, json_out: bool) -> Result<(), CliError> {
    let key_text = one_text(to, KEY_PREFIX, "receiver key QR")?;
    let v = secrets::unlock(vault)?;
    let c = v
        .check_receiver(&key_text, now())
        .map_err(|e| vault_error(vault, e))?;
    if json_out {
        return print_json(&json!({
            "verification": c.verification,
            "organisation": c.organisation,
            "area": c.area,
            "claimed": c.claimed,
            "fingerprint": c.fingerprint,
            "pinned_at": c.pinned_at,
            "fictitious": c.fictitious,
            "consent_target": c.consent_target(),
        }));
    }
    println!("{}", describe(&c));
    if c.verification == Verification::NotVerified {
        println!(
            "compare these 30 digits with the receiver's screen, in full; then send with --fingerprint \"{}\"",
            c.fingerprint
        );
    }
    Ok(())
}

/// `relais export file`: the sealed envelope in a `.relais` file.
pub fn export_file(
    vault: &Path,
    id: &str,
    to: &Path,
    out: &Path,
    trust: &TrustArgs,
) -> Result<(), CliError> {
    let sent = seal(vault, id, to, trust)?;
    crate::write_private(out, &sent.envelope)?;
    eprintln!("sealed for {}", describe(&sent.receiver));
    Ok(())
}

/// Imports an envelope (from a `.relais` file or rebuilt from frames) and reports it.
pub fn import_envelope(
    vault: &Path,
    envelope: &[u8],
    ack_out: Option<&Path>,
    json_out: bool,
) -> Result<(), CliError> {
    let mut v = secrets::unlock(vault)?;
    let got = v
        .receive_handover(envelope, now())
        .map_err(|e| vault_error(vault, e))?;
    if let Some(path) = ack_out {
        write_png(path, &got.ack)?;
    }
    if json_out {
        return print_json(&json!({
            "id": got.case,
            "ack": got.ack,
            "from": got.from.organisation,
            "from_verified": got.from.verified,
            "from_fingerprint": got.from.fingerprint,
            "already_received": got.already_received,
        }));
    }
    println!("{}", got.case);
    if got.already_received {
        eprintln!("this case version was already received: nothing changed");
    }
    if got.from.verified {
        eprintln!("received from {} (verified)", got.from.organisation);
    } else {
        eprintln!(
            "received from someone calling itself {}, not in the directory (fingerprint {})",
            got.from.organisation, got.from.fingerprint
        );
    }
    eprintln!("show the acknowledgement to the sender");
    Ok(())
}

/// `relais import FILE.relais`.
pub fn import_file(
    vault: &Path,
    file: &Path,
    ack_out: Option<&Path>,
    json_out: bool,
) -> Result<(), CliError> {
    let meta = std::fs::metadata(file).map_err(|e| CliError::File {
        path: file.display().to_string(),
        message: e.to_string(),
    })?;
    if meta.len() > relais_core::handover::envelope::MAX_ENVELOPE as u64 {
        return Err(CliError::File {
            path: file.display().to_string(),
            message: "too large for a Relais envelope".into(),
        });
    }
    let bytes = std::fs::read(file).map_err(|e| CliError::File {
        path: file.display().to_string(),
        message: e.to_string(),
    })?;
    import_envelope(vault, &bytes, ack_out, json_out)
}

/// Sender: seals the case to the receiver's key and writes the frames (PNGs, optional GIF and text).
pub fn send(vault: &Path, args: &crate::SendArgs) -> Result<(), CliError> {
    let sent = seal(vault, &args.id, &args.to, &args.trust)?;
    let encoder = sent.encoder().map_err(|e| CliError::Input(e.to_string()))?;
    let (count, k) = write_frames(&encoder, &args.frames_out)?;
    eprintln!(
        "{count} frames ({k} needed), sealed for {}; then scan their acknowledgement",
        describe(&sent.receiver)
    );
    Ok(())
}

/// Writes a message's frames: PNGs, and optionally a GIF and the texts. Returns (frames, needed).
pub fn write_frames(encoder: &Encoder, args: &FramesOut) -> Result<(u32, u32), CliError> {
    // The source frames, then fountain frames, enough that a few lost frames do not matter.
    let k = encoder.k();
    let count = args.frames.unwrap_or(0).max(loop_length(k));
    let parts = encoder.parts(count);
    crate::create_private_dir(&args.out_dir)?;
    let mut matrices = Vec::with_capacity(parts.len());
    let mut texts = String::new();
    for (i, part) in parts.iter().enumerate() {
        let text = part.to_text();
        let m = qr::encode(&text, Ecc::M).map_err(|e| CliError::Input(e.to_string()))?;
        let png = qr::to_png(&m, 4, 4).map_err(|e| CliError::Input(e.to_string()))?;
        crate::write_private(&args.out_dir.join(format!("frame-{:03}.png", i + 1)), &png)?;
        texts.push_str(&text);
        texts.push('\n');
        matrices.push(m);
    }
    if let Some(path) = &args.gif {
        let gif = qr::to_gif(&matrices, 4, 200).map_err(|e| CliError::Input(e.to_string()))?;
        crate::write_private(path, &gif)?;
    }
    if let Some(path) = &args.text_out {
        crate::write_private(path, texts.as_bytes())?;
    }
    Ok((count, k))
}

/// Receiver: rebuilds the envelope from frames in any order, then imports it.
pub fn receive(
    vault: &Path,
    files: &[std::path::PathBuf],
    text: Option<&Path>,
    ack_out: Option<&Path>,
    json_out: bool,
) -> Result<(), CliError> {
    let envelope = collect(files, text)?;
    import_envelope(vault, &envelope, ack_out, json_out)
}

/// Rebuilds one message from frames (images in any order, or a text file of frames).
pub fn collect(files: &[std::path::PathBuf], text: Option<&Path>) -> Result<Vec<u8>, CliError> {
    use relais_core::handover::fountain::{Collector, Received};
    let mut texts = Vec::new();
    for f in files {
        texts.extend(read_qr_texts(f)?);
    }
    if let Some(t) = text {
        texts.extend(read_qr_texts(t)?);
    }
    if texts.is_empty() {
        return Err(CliError::Input(
            "give frame images, or --text FILE with one frame per line".into(),
        ));
    }
    let mut collector = Collector::new();
    let mut envelope = None;
    let mut best = (0, 0);
    let mut refused = 0;
    for t in &texts {
        match collector.receive_text(t) {
            Ok(Received::Complete { message, .. }) => {
                if envelope.is_some() {
                    return Err(CliError::Input(
                        "the frames hold more than one case: receive them one handover at a time"
                            .into(),
                    ));
                }
                envelope = Some(message);
            }
            Ok(Received::Progress { progress, .. }) => {
                best = best.max((progress.known, progress.k))
            }
            Ok(Received::AlreadyComplete { .. }) => {}
            Err(_) => refused += 1,
        }
    }
    if refused > 0 {
        eprintln!("relais: warning: {refused} frame(s) refused (not Relais frames, or damaged)");
    }
    envelope.ok_or_else(|| {
        CliError::Input(format!(
            "incomplete: {} of {} fragments recovered; scan more frames",
            best.0, best.1
        ))
    })
}
