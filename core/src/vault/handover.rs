//! The vault's side of a handover: the worker identity, receive sessions (the ephemeral secret kept
//! sealed until used), the consent-checked case bundle, and custody records of what was sent,
//! received and acknowledged.

use ed25519_dalek::SigningKey;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::directory::{ReceiverCheck, Verification};
use super::records::EntryKind;
use super::{Result, Vault, VaultError, crypto, hex, meta_get, meta_set};
use crate::draft::{DRAFT_FORMAT, DRAFT_SCHEMA, Draft};
use crate::effects::ConsentPurpose;
use crate::handover::ack::Ack;
use crate::handover::envelope::{Envelope, HandoverError};
use crate::handover::fingerprint;
use crate::handover::fountain::{Encoder, FrameError};
use crate::handover::key::ReceiverKey;
use crate::handover::wire::unhex;
use crate::handover::{cbor, wire};

/// The format of a case bundle (what travels inside an envelope).
pub const BUNDLE_FORMAT: &str = "relais.case";

/// What a receiver keeps of an open session: the secret until used; then only what it opened and
/// the acknowledgement it signed, to show that same acknowledgement again.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SessionData {
    Open { secret: String, key_text: String },
    Used { digest: String, ack: String },
}

/// How the sender confirmed an unlisted receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// The receiver's fingerprint as compared with its screen (typed, or confirmed on a phone
    /// screen that showed both): needed for a receiver neither listed nor remembered.
    pub fingerprint: Option<String>,
    /// Remember this unlisted receiver once its fingerprint matched.
    pub remember: bool,
}

/// A case on its way out.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub envelope: Vec<u8>,
    /// Who it was sealed to, as verified.
    pub receiver: ReceiverCheck,
    /// The fragment size for frames (what the receiver's key asked, at most the default).
    pub fragment: usize,
}

impl Outgoing {
    /// The frame encoder for this envelope.
    pub fn encoder(&self) -> std::result::Result<Encoder, FrameError> {
        Encoder::new(&self.envelope, self.fragment)
    }
}

/// Who sent a received case, as far as this device can tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sender {
    /// Listed in this device's signed directory.
    pub verified: bool,
    /// The listed name, or the name the sender gives itself.
    pub organisation: String,
    pub fingerprint: String,
}

/// A case received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    /// The new case's code on this device.
    pub case: String,
    /// The acknowledgement to show as a QR to the sender.
    pub ack: String,
    pub from: Sender,
    /// The same case version had been received already: nothing changed.
    pub already_received: bool,
}

/// A finished form as it travelled (its answers), rebuilt by this core from the same form version:
/// the full result with its explanation, as if it had been filled in here. A form this core cannot
/// rebuild (another version) keeps its answers and the outcome it was sent with.
fn rebuilt_form(c: &Value) -> Value {
    let draft = json!({
        "format": DRAFT_FORMAT,
        "schema": DRAFT_SCHEMA,
        "form": c["form"],
        "form_version": c["form_version"],
        "language": c["language"],
        "context": if c["context"].is_object() { c["context"].clone() } else { json!({}) },
        "answers": c["answers"],
        "skipped": if c["skipped"].is_array() { c["skipped"].clone() } else { json!([]) },
    });
    let rebuilt = serde_json::from_value::<Draft>(draft)
        .ok()
        .and_then(|d| crate::run_draft(&d).ok().map(|r| (d, r)));
    match rebuilt {
        Some((draft, result)) => json!({
            "form": draft.form,
            "form_version": draft.form_version,
            "language": draft.language,
            "scope": c["scope"],
            "answers": draft,
            "result": result,
            "received": true,
        }),
        None => {
            let mut kept = c.clone();
            kept["result"] = json!({"kind": c["result_kind"], "outcome": c["outcome"]});
            kept["received"] = Value::Bool(true);
            kept
        }
    }
}

/// Adds the entries of a received case bundle to the new case, with their dates, so that the
/// receiver's screens, listings, proposals and exports see them as they see their own.
fn add_received_entries(v: &mut Vault, code: &str, bundle: &Value) -> Result<()> {
    let Some(entries) = bundle["entries"].as_array() else {
        return Ok(());
    };
    for e in entries {
        let kind = match e["kind"].as_str() {
            Some("screening") => EntryKind::Screening,
            Some("assessment") => EntryKind::Assessment,
            Some("consent") => EntryKind::Consent,
            Some("note") => EntryKind::Note,
            // Custody events are the sender's own; nothing else is known.
            _ => continue,
        };
        let content = &e["content"];
        let mut content = if content["form"].is_string() {
            rebuilt_form(content)
        } else {
            content.clone()
        };
        // Received text is untrusted: control characters (terminal escapes, NUL) are replaced,
        // as a note typed here would have been refused; nothing else of it is lost.
        if let Some(text) = content["text"].as_str() {
            content["text"] = Value::String(crate::text::without_controls(text).into_owned());
        }
        let created_at = e["created_at"].as_i64().unwrap_or_else(super::now);
        v.add_entry_at(code, kind, created_at, &content)?;
    }
    Ok(())
}

impl Vault {
    /// This device's worker identity (Ed25519), created on first use and kept sealed.
    pub fn identity(&mut self) -> Result<SigningKey> {
        let aad = crypto::aad("meta", "identity", "ed25519");
        if let Some(sealed) = meta_get(self.conn(), "identity")? {
            let seed = crypto::open(self.keys_values(), &sealed, &aad)
                .map_err(|_| VaultError::Tampered("meta/identity".into()))?;
            let seed: [u8; 32] = seed
                .as_slice()
                .try_into()
                .map_err(|_| VaultError::Tampered("meta/identity".into()))?;
            return Ok(SigningKey::from_bytes(&seed));
        }
        let seed = Zeroizing::new(crypto::random_bytes::<32>()?);
        let sealed = crypto::seal(self.keys_values(), seed.as_ref(), &aad)?;
        meta_set(self.conn(), "identity", &sealed)?;
        self.audit("identity.create", "")?;
        Ok(SigningKey::from_bytes(&seed))
    }

    /// The organisation this device works for, as it names itself to the other side of a handover.
    pub fn organisation(&self) -> Result<String> {
        Ok(meta_get(self.conn(), "organisation")?
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_else(|| "Relais".to_string()))
    }

    /// Sets that name: 1 to 80 characters, refused (never cut) otherwise.
    pub fn set_organisation(&mut self, name: &str) -> Result<()> {
        let name = wire::checked_name(name)?.to_string();
        meta_set(self.conn(), "organisation", name.as_bytes())?;
        self.audit("vault.organisation", "")
    }

    /// This device's identity key and its fingerprint (what the coordinator lists, and what the
    /// receiving screen shows for comparison).
    pub fn identity_public(&mut self) -> Result<([u8; 32], String)> {
        let key = self.identity()?.verifying_key().to_bytes();
        Ok((key, fingerprint::fingerprint(&key)))
    }

    /// Opens a receive session: a fresh key QR, its secret kept sealed until used or expired.
    pub fn open_receive_session(
        &mut self,
        max_fragment: u16,
        minutes: u32,
        now: i64,
    ) -> Result<ReceiverKey> {
        let identity = self.identity()?;
        let expires_at = now + i64::from(minutes.clamp(1, 24 * 60)) * 60;
        let (key, secret) =
            ReceiverKey::generate(&identity, &self.organisation()?, max_fragment, expires_at)?;
        let id = hex(&key.session);
        let kept = SessionData::Open {
            secret: hex(secret.as_ref()),
            key_text: key.to_text(),
        };
        let data = self.seal_json("handover_sessions", &id, "data", &kept)?;
        self.conn().execute(
            "INSERT INTO handover_sessions (id, created_at, expires_at, state, data) VALUES (?1, ?2, ?3, 'open', ?4)",
            params![id, now, expires_at, data],
        )?;
        self.audit("handover.key", &id)?;
        Ok(key)
    }

    /// The case as it travels: deterministic CBOR of its records, only when the person consented to
    /// this handover to this receiver as verified: a consent naming the listed organisation (or the
    /// case's consent form, for a listed organisation), or naming an unlisted receiver with its
    /// fingerprint.
    pub fn handover_bundle(&self, code: &str, to: &ReceiverCheck) -> Result<Vec<u8>> {
        let case = self.case(code)?;
        if !case.damaged.is_empty() {
            return Err(VaultError::Tampered(case.damaged.join(", ")));
        }
        let target = to.consent_target();
        let scope = super::records::consent_scope(ConsentPurpose::Handover, &target);
        // The case's consent form covers handover within the mechanism: listed organisations only.
        let listed = to.verification == Verification::Listed;
        if self
            .consent_for(&case, ConsentPurpose::Handover, &scope, listed)
            .is_none()
        {
            return Err(VaultError::HandoverConsentRequired(target));
        }
        let internal = self.case_row(code)?;
        let vault_id = meta_get(self.conn(), "vault_id")?.unwrap_or_default();
        let uid = &hex(&crypto::mac(
            self.index_key(),
            &[b"case.uid", &vault_id, internal.as_bytes()],
        ))[..32];
        // A finished form travels as its answers (and the outcome id, for listings): the
        // receiver's core recomputes the full result, in the receiver's language, from the same
        // form version. Notes and consent records travel as they are.
        let entries: Vec<Value> = case
            .entries
            .iter()
            .filter(|e| e.kind != EntryKind::Custody)
            .map(|e| {
                let c = &e.content;
                let content = if c["form"].is_string() {
                    json!({
                        "form": c["form"],
                        "form_version": c["form_version"],
                        "language": c["language"],
                        "scope": c["scope"],
                        "answers": c["answers"]["answers"],
                        "context": c["answers"]["context"],
                        "skipped": c["answers"]["skipped"],
                        "result_kind": c["result"]["kind"],
                        "outcome": c["result"]["outcome"],
                    })
                } else {
                    c.clone()
                };
                json!({"kind": e.kind, "created_at": e.created_at, "content": content})
            })
            .collect();
        let referrals: Vec<Value> = case
            .referrals
            .iter()
            .map(|r| json!({"status": r.status, "created_at": r.created_at, "details": r.details}))
            .collect();
        let mut bundle = json!({
            "format": BUNDLE_FORMAT,
            "version": 1,
            "uid": uid,
            "status": case.status.id(),
            "created_at": case.created_at,
            "entries": entries,
            "referrals": referrals,
        });
        if let Some(imported) = &case.imported {
            bundle["imported"] = imported
                .parse()
                .map_err(|_| VaultError::Tampered(format!("cases/{internal}#data")))?;
        }
        Ok(cbor::encode(&bundle))
    }

    /// Seals a case to the receiver's key (read from its QR text), signs it, and records the custody
    /// event on the case. A receiver neither listed nor remembered needs its fingerprint compared
    /// (`options.fingerprint`) before anything is sealed.
    pub fn send_handover(
        &mut self,
        code: &str,
        key_text: &str,
        options: &SendOptions,
        now: i64,
    ) -> Result<Outgoing> {
        let check = self.check_receiver(key_text, now)?;
        match &options.fingerprint {
            // A fingerprint compared is checked whoever the receiver is: a mismatch is a warning
            // the worker saw, even for a listed key.
            Some(typed) if !fingerprint::matches(&check.key.receiver, typed) => {
                self.audit("handover.fingerprint_mismatch", "")?;
                return Err(VaultError::FingerprintMismatch);
            }
            None if check.verification == Verification::NotVerified => {
                return Err(VaultError::ReceiverNotVerified {
                    organisation: check.claimed.clone(),
                    fingerprint: check.fingerprint.clone(),
                });
            }
            _ => {}
        }
        let bundle = Zeroizing::new(self.handover_bundle(code, &check)?);
        let identity = self.identity()?;
        let envelope = Envelope::seal(&bundle, &check.key, &identity, &self.organisation()?, now)?;
        let session = hex(&check.key.session);
        self.transaction(|v| {
            if check.verification == Verification::NotVerified && options.remember {
                v.pin_receiver(&check, now)?;
            }
            v.add_entry(
                code,
                EntryKind::Custody,
                &json!({
                    "event": "sent",
                    "session": session,
                    "receiver": hex(&check.key.receiver),
                    "organisation": check.organisation,
                    "verification": check.verification.id(),
                    "envelope_digest": hex(&envelope.digest()),
                }),
            )?;
            v.audit("handover.send", &session)
        })?;
        Ok(Outgoing {
            envelope: envelope.to_bytes(),
            fragment: check.key.fragment(),
            receiver: check,
        })
    }

    /// Receives an envelope: opened with the secret of a session this device showed, verified,
    /// imported once (the same case version again changes nothing), the secret destroyed, an
    /// acknowledgement signed for that envelope.
    pub fn receive_handover(&mut self, raw: &[u8], now: i64) -> Result<Received> {
        let envelope = Envelope::from_bytes(raw)?;
        let session = hex(&envelope.session);
        let digest = hex(&envelope.digest());
        let row: Option<(i64, i64, String, Option<Vec<u8>>)> = self
            .conn()
            .query_row(
                "SELECT created_at, expires_at, state, data FROM handover_sessions WHERE id = ?1",
                [&session],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((shown_at, expires_at, _state, Some(data))) = row else {
            return Err(VaultError::Invalid(
                "this case was sealed for another receiver key (not one shown on this device)"
                    .into(),
            ));
        };
        let (secret, key_text) =
            match self.open_json::<SessionData>("handover_sessions", &session, "data", &data)? {
                SessionData::Open { secret, key_text } => (secret, key_text),
                SessionData::Used { digest: d, ack } if d == digest => {
                    // The very envelope this session opened: show its acknowledgement again.
                    return self.received_again(&session, ack);
                }
                SessionData::Used { .. } => {
                    return Err(VaultError::Invalid(
                        "this receiver key was already used: show a new one".into(),
                    ));
                }
            };
        if now > expires_at {
            return Err(HandoverError::Expired.into());
        }
        let key = ReceiverKey::parse(&key_text).map_err(|e| match e {
            HandoverError::OldFormat { .. } => VaultError::Invalid(
                "this receiver key was shown by an older Relais: show a new one".into(),
            ),
            _ => VaultError::Tampered(format!("handover_sessions/{session}")),
        })?;
        let secret = Zeroizing::new(
            unhex::<32>(&secret)
                .ok_or_else(|| VaultError::Tampered(format!("handover_sessions/{session}")))?,
        );
        let opened = envelope.open(&key, &secret, now)?;
        if opened.created_at < shown_at - wire::CLOCK_SKEW {
            return Err(VaultError::Invalid(
                "the case is dated before this key was shown: refused".into(),
            ));
        }
        let value = cbor::decode(&opened.bundle)
            .map_err(|e| VaultError::Invalid(format!("the case inside is malformed: {e}")))?;
        if value["format"] != BUNDLE_FORMAT || value["version"] != 1 {
            return Err(VaultError::Invalid(
                "the envelope does not hold a Relais case".into(),
            ));
        }
        let content_index = crypto::blind_index(
            self.index_key(),
            "handover.content",
            &hex(&wire::sha256(&[&opened.bundle])),
        );
        let known: Option<String> = self
            .conn()
            .query_row(
                "SELECT case_id FROM received WHERE content_index = ?1",
                [&content_index],
                |r| r.get(0),
            )
            .optional()?;
        let identity = self.identity()?;
        let ack = Ack::new(&identity, envelope.session, envelope.digest()).to_text();
        let from = Sender {
            verified: false,
            organisation: opened.organisation.clone(),
            fingerprint: fingerprint::fingerprint(&opened.sender),
        };
        let from = match self.listed_name(&opened.sender, now)? {
            Some(name) => Sender {
                verified: true,
                organisation: name,
                ..from
            },
            None => from,
        };
        let used = self.seal_json(
            "handover_sessions",
            &session,
            "data",
            &SessionData::Used {
                digest: digest.clone(),
                ack: ack.clone(),
            },
        )?;
        let (code, already_received) = self.transaction(|v| {
            // The ephemeral secret is destroyed: captured frames can never be opened again.
            v.conn().execute(
                "UPDATE handover_sessions SET state = 'used', data = ?2 WHERE id = ?1",
                params![session, used],
            )?;
            if let Some(case_id) = &known {
                v.audit("handover.receive_again", &session)?;
                return Ok((v.code_of(case_id)?, true));
            }
            let record = serde_json::value::RawValue::from_string(value.to_string())
                .map_err(|e| VaultError::Invalid(e.to_string()))?;
            let code = v.import_case(&record)?;
            add_received_entries(v, &code, &value)?;
            let case_id = v.case_row(&code)?;
            v.conn().execute(
                "INSERT INTO received (content_index, case_id, received_at) VALUES (?1, ?2, ?3)",
                params![content_index, case_id, now],
            )?;
            v.add_entry(
                &code,
                EntryKind::Custody,
                &json!({
                    "event": "received",
                    "session": session,
                    "sender": hex(&opened.sender),
                    "organisation": from.organisation,
                    "verified": from.verified,
                    "envelope_digest": digest,
                }),
            )?;
            v.audit("handover.receive", &session)?;
            Ok((code, false))
        })?;
        Ok(Received {
            case: code,
            ack,
            from,
            already_received,
        })
    }

    /// The same envelope scanned again after it was opened: its case and acknowledgement.
    fn received_again(&self, session: &str, ack: String) -> Result<Received> {
        let case = self
            .list_cases()?
            .into_iter()
            .filter_map(|s| s.id)
            .find_map(|code| {
                let detail = self.case(&code).ok()?;
                let (sender, organisation, verified) = detail.entries.iter().find_map(|e| {
                    (e.kind == EntryKind::Custody
                        && e.content["event"] == "received"
                        && e.content["session"] == session)
                        .then(|| {
                            (
                                e.content["sender"].as_str().and_then(unhex::<32>),
                                e.content["organisation"].as_str().unwrap_or("").to_string(),
                                e.content["verified"] == true,
                            )
                        })
                })?;
                Some((code, sender, organisation, verified))
            });
        let (case, sender, organisation, verified) =
            case.unwrap_or_else(|| (String::new(), None, String::new(), false));
        Ok(Received {
            case,
            ack,
            from: Sender {
                verified,
                organisation,
                fingerprint: sender
                    .map(|s| fingerprint::fingerprint(&s))
                    .unwrap_or_default(),
            },
            already_received: true,
        })
    }

    /// Records the receiver's acknowledgement of a case this device sent: the custody event closes.
    /// Returns the case code.
    pub fn record_ack(&mut self, ack_text: &str) -> Result<String> {
        let ack = Ack::from_text(ack_text)?;
        let session = hex(&ack.session);
        let digest = hex(&ack.digest);
        for summary in self.list_cases()? {
            let Some(code) = summary.id else { continue };
            let detail = self.case(&code)?;
            let Some(sent) = detail.entries.iter().find(|e| {
                e.kind == EntryKind::Custody
                    && e.content["event"] == "sent"
                    && e.content["session"] == session.as_str()
                    && e.content["envelope_digest"] == digest.as_str()
            }) else {
                continue;
            };
            let receiver = sent.content["receiver"]
                .as_str()
                .and_then(unhex::<32>)
                .ok_or_else(|| VaultError::Tampered(format!("case {code} custody record")))?;
            ack.verify(&receiver)?;
            let already = detail.entries.iter().any(|x| {
                x.kind == EntryKind::Custody
                    && x.content["event"] == "acknowledged"
                    && x.content["session"] == session.as_str()
            });
            if !already {
                self.add_entry(
                    &code,
                    EntryKind::Custody,
                    &json!({
                        "event": "acknowledged",
                        "session": session,
                        "organisation": sent.content["organisation"],
                        "envelope_digest": digest,
                    }),
                )?;
                self.audit("handover.ack", &session)?;
            }
            return Ok(code);
        }
        Err(VaultError::Invalid(
            "this acknowledgement matches no case sent from this device".into(),
        ))
    }

    fn code_of(&self, case_id: &str) -> Result<String> {
        let head: Vec<u8> =
            self.conn()
                .query_row("SELECT head FROM cases WHERE id = ?1", [case_id], |r| {
                    r.get(0)
                })?;
        self.case_code(case_id, &head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry filled in with the first version of the interview, as a bundle of that time carries
    /// it: the receiver rebuilds it with that same version (archived), not with the current one.
    #[test]
    #[allow(clippy::unwrap_used)] // a test fails loudly
    fn a_form_of_an_earlier_version_is_rebuilt_with_that_version() {
        let draft: Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/screen/interview-fr-adult-djibouti-domestic.draft.json"
        ))
        .unwrap();
        assert_eq!(draft["form_version"], 1);
        let content = json!({
            "form": "interview", "form_version": 1, "language": "fr", "scope": "case",
            "context": draft["context"], "answers": draft["answers"],
            "result_kind": "interview", "outcome": "possible_trafficking",
        });
        let rebuilt = rebuilt_form(&content);
        assert_eq!(rebuilt["form_version"], 1);
        assert_eq!(rebuilt["result"]["outcome"], "possible_trafficking");
        assert_eq!(rebuilt["result"]["protocol"]["assessed"], false);
        assert!(rebuilt["result"]["completeness"]["shown"].as_u64().unwrap() > 30);
    }
}
