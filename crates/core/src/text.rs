//! Safe display of hostile text: what a badge or QR code says never reaches
//! a terminal or screen with its control characters live.

/// True for the characters a version-1 badge reader refuses in a name or
/// organisation (`docs/badge-format.md` §3.2): C0/C1 controls, line and
/// paragraph separators, the bidirectional embedding, override and isolate
/// controls, and U+FEFF. Kept exactly as it was, so every badge issued by
/// an earlier build still reads; the issuer refuses more
/// ([`is_hidden_char`]).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// True for characters that change how text around them looks, or that
/// cannot be seen at all: every control (Cc), every format character (Cf:
/// all twelve bidirectional controls including U+200E, U+200F and U+061C,
/// zero-width spaces, tag characters, U+FEFF...) except the zero-width
/// joiner and non-joiner that Persian, Arabic and Indic names need, and the
/// line and paragraph separators. The issuer refuses them in names,
/// organisations and reasons; every output escapes them.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || (is_format_char(c) && !is_joiner(c))
}

/// U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER: part of how
/// Persian, Arabic and Indic names are written.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Unicode General_Category Cf (format characters), Unicode 15.1.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// True for characters that draw nothing: white space and Unicode's
/// Default_Ignorable_Code_Point (Hangul fillers, variation selectors, tag
/// characters, zero-width characters...), Unicode 15.1.
pub fn is_invisible_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF)
}

/// True if `s` has at least one character that draws something.
pub fn has_visible_char(s: &str) -> bool {
    s.chars().any(|c| !is_invisible_char(c))
}

/// The text with every hidden character ([`is_hidden_char`]) written as
/// `\u{XXXX}`, ready to print on a terminal or a screen.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hidden_char(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A path as it may be printed: hidden characters escaped.
pub fn shown_path(p: &std::path::Path) -> String {
    printable(&p.display().to_string())
}

/// One JSON value as a line of text in which every hidden character inside
/// a string is escaped as `\uXXXX` (serde escapes only C0 controls), so
/// the line is safe on a terminal and means the same to any JSON reader.
pub fn json_line(v: &impl serde::Serialize) -> String {
    let raw = serde_json::to_string(v).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot encode as JSON: {e}") }).to_string()
    });
    if !raw.chars().any(is_hidden_char) {
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if is_hidden_char(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
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

/// A table cell for a terminal: [`printable`], cut to `width` columns as
/// the terminal draws them (a Chinese character takes two, a combining
/// accent none) with an ellipsis, then padded to exactly `width` columns,
/// so that names in every script line up.
pub fn column(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let p = printable(s);
    let wide = |c: char| c.width().unwrap_or(0);
    let total: usize = p.chars().map(wide).sum();
    let mut out = String::new();
    let mut used = 0;
    if total <= width {
        out.push_str(&p);
        used = total;
    } else {
        for c in p.chars() {
            if used + wide(c) > width.saturating_sub(1) {
                break;
            }
            used += wide(c);
            out.push(c);
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
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

/// Bytes from lowercase hex (`None` for anything else).
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2)
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Serialises a 32-byte hash as lowercase hex (serde `serialize_with`).
pub fn serialize_hex32<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(h))
}

/// The candidate nearest to `word` in edits (a transposition counts as
/// one), for "did you mean": `None` only when there are no candidates.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates.min_by_key(|c| strsim::damerau_levenshtein(word, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_in_every_script() {
        use unicode_width::UnicodeWidthStr;
        for name in [
            "Amina Diallo",
            "习近平",
            "Фарҳод Раҳимов",
            "e\u{301}e",
            "محمد رضا",
        ] {
            assert_eq!(column(name, 12).width(), 12, "{name}");
        }
        assert_eq!(column("习近平习近平习近平", 8), "习近平… ");
        assert_eq!(column("习近平习近平习近平", 8).width(), 8);
        assert_eq!(column("abc", 5), "abc  ");
    }

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
    fn every_bidi_mark_and_invisible_character_is_escaped() {
        for c in [
            '\u{200E}',
            '\u{200F}',
            '\u{061C}',
            '\u{202E}',
            '\u{2066}',
            '\u{200B}',
            '\u{E0041}',
            '\u{9B}',
            '\u{7F}',
        ] {
            let p = printable(&format!("a{c}b"));
            assert!(!p.contains(c), "{:04X} reached the output: {p}", c as u32);
        }
        // Persian needs its zero-width non-joiner: kept.
        assert_eq!(printable("می\u{200C}خواهم"), "می\u{200C}خواهم");
    }

    #[test]
    fn a_name_of_invisible_characters_has_nothing_visible() {
        for s in [
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{E0041}\u{E0042}",
            "\u{200B} \u{2800}x",
        ] {
            let visible = has_visible_char(s);
            assert_eq!(visible, s.contains('x') || s.contains('\u{2800}'), "{s:?}");
        }
        assert!(has_visible_char("李明"));
    }

    #[test]
    fn json_lines_escape_c1_controls_and_bidi_marks_losslessly() {
        let v = serde_json::json!({ "text": "a\u{9B}b\u{202E}c\u{E0041}\u{1B}" });
        let line = json_line(&v);
        assert!(line.chars().all(|c| !is_hidden_char(c)), "{line}");
        assert!(
            line.contains("\\u009b") && line.contains("\\udb40\\udc41"),
            "{line}"
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, v, "the same value for any JSON reader");
    }

    #[test]
    fn short_form_cuts_long_text() {
        assert_eq!(printable_short("abcdef", 4), "abc…");
        assert_eq!(printable_short("abc", 4), "abc");
    }
}
