//! Wording rules every text of the product obeys. A screening never decides victim status, so the
//! word "victim" (victime, víctima) only ever appears qualified as possible or potential.

const QUALIFIERS: &[&str] = &[
    "possible",
    "possibles",
    "potential",
    "potentiel",
    "potentiels",
    "potentielle",
    "potentielles",
    "posible",
    "posibles",
    "potencial",
    "potenciales",
];

fn is_victim_word(word: &str) -> bool {
    let w = word.to_lowercase();
    let stem = w.starts_with("victim") || w.starts_with("víctim");
    // "victimisation", "revictimización"… name a harm, not a status.
    let process = ["victimi", "victimis", "victimiz", "víctimiz"]
        .iter()
        .any(|p| w.starts_with(p));
    stem && !process
}

/// The unqualified uses of "victim" in a text (each with a little context), empty when the text is
/// fine. A use is qualified when "possible"/"potential" (in fr, en or es) is within two words of it.
pub fn unqualified_victim(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !is_victim_word(w) {
            continue;
        }
        let lo = i.saturating_sub(2);
        let hi = (i + 3).min(words.len());
        let qualified = words[lo..hi]
            .iter()
            .any(|n| QUALIFIERS.contains(&n.to_lowercase().as_str()));
        if !qualified {
            out.push(words[lo..hi].join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn victim_needs_possible() {
        for ok in [
            "Possible victim of trafficking: refer for formal identification",
            "Victime possible de la traite",
            "victimes potentielles",
            "Posible víctima de trata",
            "avoid re-victimisation",
            "No such word here",
        ] {
            assert!(unqualified_victim(ok).is_empty(), "{ok}");
        }
        for bad in [
            "The victim said",
            "la victime a dit",
            "la víctima dijo",
            "VICTIMS of work",
        ] {
            assert_eq!(unqualified_victim(bad).len(), 1, "{bad}");
        }
    }
}
