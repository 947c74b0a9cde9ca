//! A device identity's fingerprint: 30 digits in six groups of five, compared in full between two
//! screens before a case is sealed to a receiver that no directory vouches for (as one party's half
//! of Signal's safety number: about 99.7 bits, so forging one costs about 2^99 hash evaluations).

use super::wire::sha256;

/// The fingerprint of an Ed25519 identity key: `12345 67890 12345 67890 12345 67890`.
pub fn fingerprint(identity: &[u8; 32]) -> String {
    let h = sha256(&[b"relais/fingerprint/v2", identity]);
    let groups: Vec<String> = (0..6)
        .map(|i| {
            let n = h[5 * i..5 * i + 5]
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            format!("{:05}", n % 100_000)
        })
        .collect();
    groups.join(" ")
}

/// The digits of a fingerprint as typed or read aloud (spaces, dashes and dots ignored), or None
/// when it is not 30 digits.
pub fn normalise(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{a0}'))
        .collect();
    (digits.len() == 30 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Whether what the sender typed is this fingerprint, in full.
pub fn matches(identity: &[u8; 32], typed: &str) -> bool {
    normalise(typed).is_some_and(|t| t == fingerprint(identity).replace(' ', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_digits_in_six_groups_and_only_the_full_number_matches() {
        let key = [7u8; 32];
        let fp = fingerprint(&key);
        assert_eq!(fp.len(), 35);
        assert_eq!(fp.split(' ').count(), 6);
        assert!(matches(&key, &fp));
        assert!(matches(&key, &fp.replace(' ', "-")));
        assert!(!matches(&key, &fp[..29]), "a prefix is not a match");
        let mut wrong = fp.clone().into_bytes();
        wrong[34] = if wrong[34] == b'0' { b'1' } else { b'0' };
        assert!(!matches(&key, std::str::from_utf8(&wrong).unwrap_or("")));
        assert_ne!(fingerprint(&[8u8; 32]), fp);
    }
}
