//! Safe display of hostile text: what a badge or QR code says never reaches
//! a terminal or screen with its control characters live.

/// True for characters a badge field may never hold: C0/C1 controls, line and
/// paragraph separators, and the bidirectional embedding/override/isolate
/// controls that can make one name look like another.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// The text with every forbidden character written as `\u{XXXX}`, ready to print.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_forbidden_char(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`printable`], cut to at most `max` characters with an ellipsis.
pub fn printable_short(s: &str, max: usize) -> String {
    let p = printable(s);
    if p.chars().count() <= max {
        p
    } else {
        let mut cut: String = p.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A CSV cell that a spreadsheet will not run as a formula: cells starting
/// with `=`, `+`, `-`, `@`, tab or CR get a leading apostrophe.
pub fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serialises a 32-byte hash as lowercase hex (serde `serialize_with`).
pub fn serialize_hex32<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(printable("a\x1b[2Jb"), "a\\u{001B}[2Jb");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202E}y");
        assert_eq!(
            printable("Тоҷикистон 中国 العربية"),
            "Тоҷикистон 中国 العربية"
        );
    }

    #[test]
    fn short_form_cuts_long_text() {
        assert_eq!(printable_short("abcdef", 4), "abc…");
        assert_eq!(printable_short("abc", 4), "abc");
    }
}
