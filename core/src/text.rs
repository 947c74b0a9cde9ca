//! Free text typed or received (notes, reasons, a sender's words) as it may be stored and shown:
//! control characters other than line breaks and tabs — terminal escapes, NUL — are never taken
//! from a worker's typing and never reach a screen.

use std::borrow::Cow;

/// A character refused in typed text and replaced in received text.
pub fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The text with every unsafe control character replaced by U+FFFD (borrowed when there is none).
pub fn without_controls(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe_control) {
        text.chars()
            .map(|c| if is_unsafe_control(c) { '\u{fffd}' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced_and_line_breaks_kept() {
        assert_eq!(
            without_controls("a\u{1b}[2Jb\u{0}c\nd\te"),
            "a\u{fffd}[2Jb\u{fffd}c\nd\te"
        );
        assert!(matches!(without_controls("plain"), Cow::Borrowed(_)));
    }
}
