//! The vault's side of a handover: the worker identity, receive sessions (the ephemeral secret kept
//! sealed until used), the consent-checked case bundle, and custody records of what was sent,
//! received and acknowledged.

use ed25519_dalek::SigningKey;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::records::EntryKind;
use super::{Result, Vault, VaultError, crypto, hex, meta_get, meta_set};
use crate::draft::{DRAFT_FORMAT, DRAFT_SCHEMA, Draft};
use crate::effects::ConsentPurpose;
use crate::handover::cbor;
use crate::handover::envelope::{Ack, Envelope, HandoverError, ReceiverKey};
use crate::handover::fountain::{DEFAULT_FRAGMENT, Encoder, FrameError};

/// The format of a case bundle (what travels inside an envelope).
pub const BUNDLE_FORMAT: &str = "relais.case";

impl From<HandoverError> for VaultError {
    fn from(e: HandoverError) -> Self {
        VaultError::Invalid(e.to_string())
    }
}

/// Exactly N bytes from 2N hex digits.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// What a receiver keeps of an open session.
#[derive(Serialize, Deserialize)]
struct SessionSecret {
    secret: String,
    key_text: String,
}

/// A case on its way out.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub envelope: Vec<u8>,
    /// The six-digit code both screens show.
    pub sas: String,
    pub receiver_organisation: String,
    /// The most bytes per frame the receiver's camera reads well (from its key).
    pub max_fragment: u16,
}

impl Outgoing {
    /// The frame encoder for this envelope: fragments as large as the receiver reads, never more
    /// than the default, never less than 64 bytes.
    pub fn encoder(&self) -> std::result::Result<Encoder, FrameError> {
        let fragment = usize::from(self.max_fragment).clamp(64, DEFAULT_FRAGMENT);
        Encoder::new(&self.envelope, fragment)
    }
}

/// A case received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    /// The new case's code on this device.
    pub case: String,
    pub sas: String,
    /// The acknowledgement to show as a QR to the sender.
    pub ack: String,
    pub from_organisation: String,
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
        let content = if content["form"].is_string() {
            rebuilt_form(content)
        } else {
            content.clone()
        };
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

    /// The organisation this device works for, as shown to the other side of a handover.
    pub fn organisation(&self) -> Result<String> {
        Ok(meta_get(self.conn(), "organisation")?
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_else(|| "Relais".to_string()))
    }

    pub fn set_organisation(&mut self, name: &str) -> Result<()> {
        let name: String = name.trim().chars().take(80).collect();
        if name.is_empty() {
            return Err(VaultError::Invalid("the organisation name is empty".into()));
        }
        meta_set(self.conn(), "organisation", name.as_bytes())?;
        self.audit("vault.organisation", "")
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
        let kept = SessionSecret {
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
    /// this handover (to this organisation, or through the case's consent form).
    pub fn handover_bundle(&self, code: &str, to_organisation: &str) -> Result<Vec<u8>> {
        let case = self.case(code)?;
        if !case.damaged.is_empty() {
            return Err(VaultError::Tampered(case.damaged.join(", ")));
        }
        let scope = super::records::consent_scope(ConsentPurpose::Handover, to_organisation);
        if self
            .consent_for(&case, ConsentPurpose::Handover, &scope)
            .is_none()
        {
            return Err(VaultError::HandoverConsentRequired(
                to_organisation.to_string(),
            ));
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
    /// event on the case.
    pub fn send_handover(&mut self, code: &str, key_text: &str, now: i64) -> Result<Outgoing> {
        let key = ReceiverKey::from_text(key_text, now)?;
        let bundle = Zeroizing::new(self.handover_bundle(code, &key.organisation)?);
        let identity = self.identity()?;
        let envelope = Envelope::seal(&bundle, &key, &identity, &self.organisation()?, now)?;
        let sas = envelope.sas(key_text);
        self.add_entry(
            code,
            EntryKind::Custody,
            &json!({
                "event": "sent",
                "session": hex(&key.session),
                "receiver": hex(&key.receiver),
                "organisation": key.organisation,
                "content_hash": hex(&envelope.header.content_hash),
            }),
        )?;
        self.audit("handover.send", &hex(&key.session))?;
        Ok(Outgoing {
            envelope: envelope.to_bytes(),
            sas,
            receiver_organisation: key.organisation,
            max_fragment: key.max_fragment,
        })
    }

    /// Receives an envelope: verified, opened with the session's secret, imported once (the same
    /// case version again changes nothing), the secret destroyed, an acknowledgement produced.
    pub fn receive_handover(&mut self, raw: &[u8], now: i64) -> Result<Received> {
        let envelope = Envelope::from_bytes(raw)?;
        let session = hex(&envelope.header.session);
        let content_index = crypto::blind_index(
            self.index_key(),
            "handover.content",
            &hex(&envelope.header.content_hash),
        );
        let row: Option<(i64, String, Option<Vec<u8>>)> = self
            .conn()
            .query_row(
                "SELECT expires_at, state, data FROM handover_sessions WHERE id = ?1",
                [&session],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let known: Option<String> = self
            .conn()
            .query_row(
                "SELECT case_id FROM received WHERE content_index = ?1",
                [&content_index],
                |r| r.get(0),
            )
            .optional()?;
        // Only a device that showed a key (and so has an identity) gets this far with a valid
        // envelope; the identity is read, not created, before anything is accepted.
        let ack = |v: &mut Vault| -> Result<String> {
            if meta_get(v.conn(), "identity")?.is_none() {
                return Err(VaultError::Invalid(
                    "this device never showed a receiver key".into(),
                ));
            }
            let identity = v.identity()?;
            Ok(Ack::new(
                &identity,
                envelope.header.session,
                envelope.header.content_hash,
            )
            .to_text())
        };
        if let Some(case_id) = known {
            // The same case version again: nothing changes; the acknowledgement is shown again.
            let code = self.code_of(&case_id)?;
            let ack = ack(self)?;
            let sas = match &row {
                Some((_, _, Some(data))) => envelope.sas(
                    &self
                        .open_json::<SessionSecret>("handover_sessions", &session, "data", data)?
                        .key_text,
                ),
                _ => String::new(),
            };
            return Ok(Received {
                case: code,
                sas,
                ack,
                from_organisation: envelope.header.organisation.clone(),
                already_received: true,
            });
        }
        let Some((expires_at, state, data)) = row else {
            return Err(VaultError::Invalid(
                "this case was sealed for another receiver key (not one shown on this device)"
                    .into(),
            ));
        };
        if state != "open" {
            return Err(VaultError::Invalid(
                "this receiver key was already used: show a new one".into(),
            ));
        }
        if now > expires_at {
            return Err(HandoverError::Expired.into());
        }
        let data =
            data.ok_or_else(|| VaultError::Invalid("this receiver key was already used".into()))?;
        let kept: SessionSecret = self.open_json("handover_sessions", &session, "data", &data)?;
        let secret = Zeroizing::new(
            unhex::<32>(&kept.secret)
                .ok_or_else(|| VaultError::Tampered(format!("handover_sessions/{session}")))?,
        );
        let bundle = envelope.open(&secret)?;
        let value = cbor::decode(&bundle)
            .map_err(|e| VaultError::Invalid(format!("the case inside is malformed: {e}")))?;
        if value["format"] != BUNDLE_FORMAT || value["version"] != 1 {
            return Err(VaultError::Invalid(
                "the envelope does not hold a Relais case".into(),
            ));
        }
        let sas = envelope.sas(&kept.key_text);
        let ack = ack(self)?;
        let record = serde_json::value::RawValue::from_string(value.to_string())
            .map_err(|e| VaultError::Invalid(e.to_string()))?;
        let from = envelope.header.organisation.clone();
        let code = self.transaction(|v| {
            let code = v.import_case(&record)?;
            add_received_entries(v, &code, &value)?;
            let case_id = v.case_row(&code)?;
            v.conn().execute(
                "INSERT INTO received (content_index, case_id, received_at) VALUES (?1, ?2, ?3)",
                params![content_index, case_id, now],
            )?;
            // The ephemeral secret is destroyed: captured frames can never be opened again.
            v.conn().execute(
                "UPDATE handover_sessions SET state = 'used', data = NULL WHERE id = ?1",
                [&session],
            )?;
            v.add_entry(
                &code,
                EntryKind::Custody,
                &json!({
                    "event": "received",
                    "session": session,
                    "sender": hex(&envelope.header.sender),
                    "organisation": from,
                    "content_hash": hex(&envelope.header.content_hash),
                }),
            )?;
            v.audit("handover.receive", &session)?;
            Ok(code)
        })?;
        Ok(Received {
            case: code,
            sas,
            ack,
            from_organisation: from,
            already_received: false,
        })
    }

    /// Records the receiver's acknowledgement of a case this device sent: the custody event closes.
    /// Returns the case code.
    pub fn record_ack(&mut self, ack_text: &str) -> Result<String> {
        // Find the sent record by session, then verify the ACK with that receiver's key.
        let cases = self.list_cases()?;
        for summary in cases {
            let Some(code) = summary.id else { continue };
            let detail = self.case(&code)?;
            for e in detail
                .entries
                .iter()
                .filter(|e| e.kind == EntryKind::Custody)
            {
                if e.content["event"] != "sent" {
                    continue;
                }
                let Some(receiver) = e.content["receiver"].as_str().and_then(unhex::<32>) else {
                    continue;
                };
                let Ok(ack) = Ack::from_text(ack_text, &receiver) else {
                    continue;
                };
                if hex(&ack.session) != e.content["session"].as_str().unwrap_or("")
                    || hex(&ack.content_hash) != e.content["content_hash"].as_str().unwrap_or("")
                {
                    continue;
                }
                let already = detail.entries.iter().any(|x| {
                    x.kind == EntryKind::Custody
                        && x.content["event"] == "acknowledged"
                        && x.content["session"] == e.content["session"]
                });
                if !already {
                    self.add_entry(
                        &code,
                        EntryKind::Custody,
                        &json!({
                            "event": "acknowledged",
                            "session": e.content["session"],
                            "organisation": e.content["organisation"],
                            "content_hash": e.content["content_hash"],
                        }),
                    )?;
                    self.audit("handover.ack", e.content["session"].as_str().unwrap_or(""))?;
                }
                return Ok(code);
            }
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
