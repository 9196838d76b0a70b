//! Text hygiene for qbXML we send: QuickBooks stores ISO-8859-1 (Latin-1) only, and qbXML
//! must be escaped with `&amp; &lt; &gt; &quot;` (never `&apos;`, which some QuickBooks
//! versions reject).

/// Base letters for U+0100..=U+017F (Latin Extended-A); `#` marks the ligatures handled apart.
const LATIN_EXTENDED_A: &str = concat!(
    "AaAaAa",
    "CcCcCcCc",
    "DdDd",
    "EeEeEeEeEe",
    "GgGgGgGg",
    "HhHh",
    "IiIiIiIiIi",
    "##",
    "Jj",
    "Kkk",
    "LlLlLlLlLl",
    "NnNnNnnNn",
    "OoOoOo",
    "##",
    "RrRrRr",
    "SsSsSsSs",
    "TtTtTt",
    "UuUuUuUuUuUu",
    "Ww",
    "YyY",
    "ZzZzZz",
    "s",
);

/// ASCII replacement for a character outside Latin-1, if we know a sensible one.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{20AC}' => "EUR",
        '\u{2122}' => "TM",
        '\u{2022}' | '\u{2023}' | '\u{2043}' => "*",
        '\u{2039}' => "<",
        '\u{203A}' => ">",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2030}' => "%o",
        '\u{0192}' => "f",
        '\u{02C6}' => "^",
        '\u{02DC}' => "~",
        '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        '\u{0132}' => "IJ",
        '\u{0133}' => "ij",
        '\u{0152}' => "OE",
        '\u{0153}' => "oe",
        _ => return None,
    })
}

/// Makes `s` storable by QuickBooks: keeps Latin-1, transliterates common typographic and
/// Central-European characters to ASCII, replaces any other character with `?`, and strips
/// control characters except tab and newline (so CR-LF becomes LF).
pub fn latin1_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c if u32::from(c) <= 0xFF => out.push(c),
            c => {
                if let Some(ascii) = transliterate(c) {
                    out.push_str(ascii);
                } else if let Some(base) = ('\u{0100}'..='\u{017F}')
                    .contains(&c)
                    .then(|| LATIN_EXTENDED_A.chars().nth(u32::from(c) as usize - 0x100))
                    .flatten()
                {
                    out.push(base);
                } else {
                    out.push('?');
                }
            }
        }
    }
    out
}

/// Escapes `&`, `<`, `>` and `"` for qbXML text and attribute values (never `&apos;`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `escape(latin1_safe(s))`: what every free-text value we put into qbXML goes through.
pub fn qb_text(s: &str) -> String {
    escape(&latin1_safe(s))
}

/// Latin-1-safe `s` cut to at most `max_chars` characters (QuickBooks field limits count
/// characters, e.g. `Other` 29, `FOB` 13); not escaped.
pub fn latin1_truncated(s: &str, max_chars: usize) -> String {
    latin1_safe(s).chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_a_table_covers_the_whole_block() {
        assert_eq!(LATIN_EXTENDED_A.chars().count(), 0x180 - 0x100);
    }

    #[test]
    fn keeps_ascii_and_latin1_unchanged() {
        let s = "Café Müller, 5 × 3 = 15 © Ñandú\tline\nnext";
        assert_eq!(latin1_safe(s), s);
    }

    #[test]
    fn transliterates_typographic_characters() {
        assert_eq!(
            latin1_safe(
                "\u{201C}Hi\u{201D} it\u{2019}s 5\u{2013}7 \u{2014} wait\u{2026} \u{20AC}9"
            ),
            "\"Hi\" it's 5-7 - wait... EUR9"
        );
        assert_eq!(latin1_safe("Łódź Škoda Œuvre ő"), "Lódz Skoda OEuvre o");
        assert_eq!(latin1_safe("a\u{200B}b\u{2009}c"), "ab c");
    }

    #[test]
    fn replaces_other_characters_with_question_marks() {
        assert_eq!(latin1_safe("東京 Ωmega 🚚"), "?? ?mega ?");
    }

    #[test]
    fn strips_control_characters_but_keeps_tab_and_newline() {
        assert_eq!(
            latin1_safe("a\r\nb\u{0}c\u{7}\td\u{85}e\u{7F}"),
            "a\nbc\tde"
        );
    }

    #[test]
    fn escapes_the_four_markup_characters_and_never_apos() {
        assert_eq!(
            escape(r#"A&B <x> "q" 'a'"#),
            "A&amp;B &lt;x&gt; &quot;q&quot; 'a'"
        );
        assert_eq!(qb_text("Tom\u{2019}s & Co\u{2122}"), "Tom's &amp; CoTM");
    }

    #[test]
    fn truncates_by_characters_after_transliteration() {
        assert_eq!(latin1_truncated("Zoë\u{2026}", 5), "Zoë..");
        assert_eq!(latin1_truncated("short", 29), "short");
    }
}
