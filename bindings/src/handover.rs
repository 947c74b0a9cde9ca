//! A case travelling from one phone to another as QR codes, with no network (docs/handover-format.md
//! and docs/handover-frames.md). The receiver shows its key; the sender seals the case to it and
//! shows an endless loop of frames; the receiver scans them in any order until the case is rebuilt,
//! imports it, and shows an acknowledgement for the sender to scan. Before anything is sealed the
//! sender's phone checks who the key belongs to (`Vault.checkReceiver`): listed in the signed
//! directory, remembered on this phone, or not verified, when the two screens' fingerprints are
//! compared in full first.

use std::sync::{Arc, Mutex, MutexGuard};

use relais_core::handover::fountain::{Collector, Encoder, Received, loop_length};
use relais_core::handover::qr::{self, Ecc};
use relais_core::vault::directory::{ReceiverCheck, Verification as CoreVerification};
use relais_core::vault::handover::Outgoing;

use crate::error::HandoverError;
use crate::live::{Kind, Live};

/// A QR symbol to draw: `size × size` modules, row-major, 1 = dark, without the quiet zone (leave
/// four light modules around it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrMatrix {
    /// The text it encodes.
    pub text: String,
    pub size: u32,
    /// QR version, 1–40.
    pub version: u8,
    pub modules: Vec<u8>,
}

/// The QR code of `text` (a receiver key or an acknowledgement), at error correction M.
#[uniffi::export]
pub fn qr_matrix(text: String) -> Result<QrMatrix, HandoverError> {
    let m = qr::encode(&text, Ecc::M)?;
    Ok(QrMatrix {
        size: u32::try_from(m.size).unwrap_or(0),
        version: m.version,
        modules: m.modules.iter().map(|&dark| u8::from(dark)).collect(),
        text,
    })
}

/// Reads every QR code in one camera frame (8-bit luminance, `width × height` bytes: the Y plane
/// of Android's YUV_420_888) with the core's decoder: the sender scans the receiver's key and its
/// acknowledgement with it. An empty list: no code in this frame, keep scanning.
#[uniffi::export]
pub fn decode_qr_luma(
    width: u32,
    height: u32,
    luma: Vec<u8>,
) -> Result<Vec<String>, HandoverError> {
    Ok(qr::decode_luma(width, height, &luma)?)
}

/// What the receiver's screen shows first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiverKey {
    /// The key's QR text (`RLK2:…`), for the sender to scan.
    pub text: String,
    pub qr: QrMatrix,
    /// The receiving organisation, as it names itself (the sender's phone shows its listed name
    /// instead when the directory lists it).
    pub organisation: String,
    /// This device's identity fingerprint (30 digits in six groups of five), to show under the
    /// key QR: a sender whose phone cannot verify the key compares it in full.
    pub fingerprint: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// How the sender's phone knows who a receiver is (docs/handover-format.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Verification {
    /// Its identity key is listed in the signed NRM directory: show the listed name and area.
    Listed,
    /// Verified by fingerprint on this phone before, and remembered: "verified by you on …".
    Pinned,
    /// Neither: show the name as a claim and the fingerprint, to compare in full with the
    /// receiver's screen before anything is sealed.
    NotVerified,
}

impl From<CoreVerification> for Verification {
    fn from(v: CoreVerification) -> Self {
        match v {
            CoreVerification::Listed => Verification::Listed,
            CoreVerification::Pinned => Verification::Pinned,
            CoreVerification::NotVerified => Verification::NotVerified,
        }
    }
}

/// A scanned receiver key, and who it belongs to as far as this phone can tell.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiverCheckView {
    pub verification: Verification,
    /// The listed name (listed), the name recorded when remembered (pinned), or the name the key
    /// claims (not verified: show it as a claim, "calls itself …").
    pub organisation: String,
    /// The listed area (listed receivers only; empty otherwise).
    pub area: String,
    /// The name inside the key QR (never shown as the name of a listed receiver).
    pub claimed: String,
    /// The receiver's identity fingerprint: 30 digits in six groups of five.
    pub fingerprint: String,
    /// When a remembered receiver was verified (Unix seconds).
    pub pinned_at: Option<i64>,
    /// The directory that lists it is fictitious (training data): say so.
    pub fictitious: bool,
    /// What the person's consent must name for this handover: the listed name, or for any other
    /// receiver `"<name> (<fingerprint>)"` (record it with `ConsentPurpose.HANDOVER`).
    pub consent_target: String,
    /// When the key stops being usable (Unix seconds).
    pub expires_at: i64,
}

impl From<&ReceiverCheck> for ReceiverCheckView {
    fn from(c: &ReceiverCheck) -> Self {
        ReceiverCheckView {
            verification: c.verification.into(),
            organisation: c.organisation.clone(),
            area: c.area.clone(),
            claimed: c.claimed.clone(),
            fingerprint: c.fingerprint.clone(),
            pinned_at: c.pinned_at,
            fictitious: c.fictitious,
            consent_target: c.consent_target(),
            expires_at: c.key.expires_at,
        }
    }
}

/// A case received.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceivedCase {
    /// The case's code on this device.
    pub case_code: String,
    /// The acknowledgement (`RLA2:…`) to show as a QR to the sender.
    pub ack_text: String,
    /// The sender's listed name when verified, else the name it gives itself (a claim).
    pub from_organisation: String,
    /// The sender's identity is listed in this phone's signed directory.
    pub from_verified: bool,
    /// The sender's identity fingerprint (30 digits in six groups of five).
    pub from_fingerprint: String,
    /// The same case version had been received already: nothing changed.
    pub already_received: bool,
}

/// The sending phone: a sealed case and its frames.
#[derive(uniffi::Object)]
pub struct HandoverSender {
    outgoing: Outgoing,
    encoder: Encoder,
    _live: Live,
}

impl HandoverSender {
    pub(crate) fn new(outgoing: Outgoing) -> Result<Arc<HandoverSender>, HandoverError> {
        let encoder = outgoing.encoder().map_err(|e| HandoverError::Encode {
            reason: e.to_string(),
        })?;
        Ok(Arc::new(HandoverSender {
            outgoing,
            encoder,
            _live: Live::new(Kind::Sender),
        }))
    }
}

#[uniffi::export]
impl HandoverSender {
    /// Who the case was sealed to, as verified before sealing.
    pub fn receiver(&self) -> ReceiverCheckView {
        ReceiverCheckView::from(&self.outgoing.receiver)
    }

    /// The receiver's verified name: listed, remembered, or (after the fingerprint comparison)
    /// the name its key gives.
    pub fn receiver_organisation(&self) -> String {
        self.outgoing.receiver.organisation.clone()
    }

    /// Frames the receiver needs at the least (the source fragments).
    pub fn frames_needed(&self) -> u32 {
        self.encoder.k()
    }

    /// Frames in one loop of the animation; showing `frame(seq)` for seq = 1, 2, 3, … without
    /// end also works (later frames are new fountain frames, useful to a receiver that missed some).
    pub fn loop_length(&self) -> u32 {
        loop_length(self.encoder.k())
    }

    /// The text of frame `seq` (1-based).
    pub fn frame_text(&self, seq: u32) -> String {
        self.encoder.part(seq).to_text()
    }

    /// Frame `seq` (1-based) as a QR matrix to draw.
    pub fn frame(&self, seq: u32) -> Result<QrMatrix, HandoverError> {
        qr_matrix(self.frame_text(seq))
    }

    /// The sealed envelope, to write as a `.relais` file instead of showing frames.
    pub fn envelope(&self) -> Vec<u8> {
        self.outgoing.envelope.clone()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ScanStatus {
    /// Nothing read yet (or no QR code in this camera frame).
    Waiting,
    /// Frames are arriving; the case is not complete.
    Receiving,
    /// The case is rebuilt: import it with `Vault.receiveHandover`.
    Complete,
}

/// How far the reception has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ScanProgress {
    pub status: ScanStatus,
    /// Distinct frames taken.
    pub received: u32,
    /// Source fragments solved, out of `needed`.
    pub known: u32,
    pub needed: u32,
    pub percent: u32,
    /// Codes read that were not Relais frames, or damaged ones.
    pub refused: u32,
}

struct ReceiverState {
    collector: Collector,
    envelope: Option<Vec<u8>>,
    last: (u32, u32, u32),
    refused: u32,
}

/// The receiving phone's scanner: takes frame texts (or camera frames) in any order, with
/// duplicates and losses, until one case is rebuilt.
#[derive(uniffi::Object)]
pub struct HandoverReceiver {
    state: Mutex<ReceiverState>,
    _live: Live,
}

impl HandoverReceiver {
    fn state(&self) -> MutexGuard<'_, ReceiverState> {
        // Every change to the state is one assignment: a poisoned lock holds a consistent state.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The rebuilt envelope, once complete.
    pub(crate) fn envelope(&self) -> Option<Vec<u8>> {
        self.state().envelope.clone()
    }
}

fn progress(s: &ReceiverState) -> ScanProgress {
    let (received, known, needed) = s.last;
    let status = if s.envelope.is_some() {
        ScanStatus::Complete
    } else if received == 0 {
        ScanStatus::Waiting
    } else {
        ScanStatus::Receiving
    };
    ScanProgress {
        status,
        received,
        known,
        needed,
        percent: if s.envelope.is_some() {
            100
        } else {
            (known * 100).checked_div(needed).unwrap_or(0)
        },
        refused: s.refused,
    }
}

fn take(s: &mut ReceiverState, text: &str) -> Result<(), HandoverError> {
    match s.collector.receive_text(text) {
        Ok(Received::Complete { key, message }) => {
            if s.envelope.is_some() {
                return Err(HandoverError::SeveralCases);
            }
            s.last = (s.last.0.saturating_add(1), key.k, key.k);
            s.envelope = Some(message);
            Ok(())
        }
        Ok(Received::Progress { progress, .. }) => {
            if s.envelope.is_none() {
                s.last = (progress.received, progress.known, progress.k);
            }
            Ok(())
        }
        Ok(Received::AlreadyComplete { .. }) => Ok(()),
        Err(e) => {
            s.refused = s.refused.saturating_add(1);
            Err(e.into())
        }
    }
}

#[uniffi::export]
impl HandoverReceiver {
    #[uniffi::constructor]
    pub fn new() -> Arc<HandoverReceiver> {
        Arc::new(HandoverReceiver {
            state: Mutex::new(ReceiverState {
                collector: Collector::new(),
                envelope: None,
                last: (0, 0, 0),
                refused: 0,
            }),
            _live: Live::new(Kind::Receiver),
        })
    }

    /// Takes one frame's text, as a QR scanner read it. A text that is not a Relais frame, or a
    /// damaged one, throws `HandoverException.InvalidFrame` and changes nothing: keep scanning.
    pub fn scan_text(&self, text: String) -> Result<ScanProgress, HandoverError> {
        let mut s = self.state();
        take(&mut s, &text)?;
        Ok(progress(&s))
    }

    /// Reads the QR codes of one camera frame (8-bit luminance, `width × height` bytes: the Y
    /// plane of Android's YUV_420_888) with the core's decoder, and takes every Relais frame in
    /// it. Other codes are counted in `refused`; a frame with no code changes nothing.
    pub fn scan_luma(
        &self,
        width: u32,
        height: u32,
        luma: Vec<u8>,
    ) -> Result<ScanProgress, HandoverError> {
        let texts = qr::decode_luma(width, height, &luma)?;
        let mut s = self.state();
        for text in texts {
            // Other codes (not Relais frames, damaged ones) are counted and passed over.
            if let Err(HandoverError::SeveralCases) = take(&mut s, &text) {
                return Err(HandoverError::SeveralCases);
            }
        }
        Ok(progress(&s))
    }

    pub fn progress(&self) -> ScanProgress {
        progress(&self.state())
    }

    /// Starts again from nothing (a new handover, or the sender restarted).
    pub fn reset(&self) {
        let mut s = self.state();
        *s = ReceiverState {
            collector: Collector::new(),
            envelope: None,
            last: (0, 0, 0),
            refused: 0,
        };
    }
}
