//! The audit log: an append-only, hash-chained record of actions (who, what, when, on which record
//! id), never their content. Each entry's MAC covers the previous one's, under a key derived from
//! the data key, so an entry cannot be altered, removed from the middle or forged without the key.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Result, Vault, VaultError, crypto, now};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// The record id the action touched (random, internal), or empty.
    pub target: String,
}

/// The result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheck {
    pub entries: usize,
    /// Sequence numbers whose MAC does not match (altered, or a predecessor removed).
    pub broken: Vec<i64>,
}

fn entry_mac(key: &crypto::Key, prev: &[u8], e: &AuditEntry) -> Vec<u8> {
    crypto::mac(
        key,
        &[
            prev,
            &e.seq.to_be_bytes(),
            &e.at.to_be_bytes(),
            e.actor.as_bytes(),
            e.action.as_bytes(),
            e.target.as_bytes(),
        ],
    )
}

impl Vault {
    /// Appends an entry. `action` is a fixed verb such as `case.create`; `target` a record id.
    pub(crate) fn audit(&mut self, action: &str, target: &str) -> Result<()> {
        let last: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, prev) = last.map_or((1, Vec::new()), |(s, m)| (s + 1, m));
        let entry = AuditEntry {
            seq,
            at: now(),
            actor: self.actor.clone(),
            action: action.to_string(),
            target: target.to_string(),
        };
        let mac = entry_mac(&self.keys.audit, &prev, &entry);
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, actor, action, target, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![entry.seq, entry.at, entry.actor, entry.action, entry.target, mac])?;
        Ok(())
    }

    /// Every audit entry, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, action, target FROM audit ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(VaultError::from)
    }

    /// Verifies the chain from the first entry.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, action, target, mac FROM audit ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    target: r.get(4)?,
                },
                r.get::<_, Vec<u8>>(5)?,
            ))
        })?;
        let mut prev = Vec::new();
        let mut expected_seq = 1;
        let mut check = AuditCheck {
            entries: 0,
            broken: Vec::new(),
        };
        for row in rows {
            let (entry, mac) = row?;
            check.entries += 1;
            if entry.seq != expected_seq || entry_mac(&self.keys.audit, &prev, &entry) != mac {
                check.broken.push(entry.seq);
            }
            expected_seq = entry.seq + 1;
            prev = mac;
        }
        Ok(check)
    }
}
