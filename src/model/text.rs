//! Text helpers shared by every human-facing output.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) with visible escapes, and characters
/// that reorder or hide text (bidi controls, zero-width and other invisible ones) with
/// `\u{...}`, so that attacker-controlled names cannot drive the terminal or make a
/// line read as something it is not.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            c if is_control(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_invisible(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    is_control(c) || is_invisible(c)
}

fn is_control(c: char) -> bool {
    let n = c as u32;
    n < 0x20 || (0x7f..=0x9f).contains(&n)
}

/// Bidi embeddings, overrides, isolates and marks (which reorder what follows on the
/// line), zero-width and other invisible characters (which hide text or fake spaces):
/// soft hyphen, Arabic letter mark, Mongolian vowel separator, U+200B-U+200F, line
/// and paragraph separators, U+202A-U+202E, word joiner to U+206F, Hangul fillers,
/// the BOM, interlinear annotations and the tag characters.
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0xAD | 0x061C
            | 0x115F
            | 0x1160
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFEFF
            | 0xFFA0
            | 0xFFF9..=0xFFFB
            | 0xE0000..=0xE007F
    )
}

/// Memory in binary units, at most four significant characters: `512B`, `1.5K`, `24M`, `1.2G`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "K", "M", "G", "T", "P"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else if value < 10.0 {
        format!("{value:.1}{}", UNITS[unit])
    } else {
        format!("{value:.0}{}", UNITS[unit])
    }
}

/// CPU percent with one decimal, as top prints it.
pub fn percent(cpu: f32) -> String {
    // An empty float sum is -0.0; never print a minus sign for nothing.
    let cpu = if cpu.abs() < 0.05 { 0.0 } else { cpu };
    format!("{cpu:.1}")
}

/// Cuts to at most `width` terminal cells (a wide character takes two), marking the
/// cut with `…`.
pub fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(width * 2);
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// How many terminal cells `s` takes.
pub fn cells(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_c0_c1_and_escape_sequences() {
        assert_eq!(sanitize("plain name"), "plain name");
        assert_eq!(sanitize("\x1b]0;pwned\x07x"), "\\e]0;pwned\\x07x");
        assert_eq!(sanitize("a\u{9b}31mb"), "a\\x9b31mb");
        assert_eq!(sanitize("tab\there\n"), "tab\\there\\n");
        assert_eq!(sanitize("del\x7f"), "del\\x7f");
        assert_eq!(sanitize("ünïcødé ok"), "ünïcødé ok");
    }

    #[test]
    fn sanitize_escapes_bidi_controls_and_invisible_characters() {
        // A right-to-left override shows "invoice\u{202e}txt.exe" as "invoiceexe.txt".
        assert_eq!(sanitize("invoice\u{202e}txt.exe"), "invoice\\u{202e}txt.exe");
        assert_eq!(sanitize("ba\u{200b}sh"), "ba\\u{200b}sh");
        assert_eq!(
            sanitize("\u{feff}x\u{2066}y\u{2069}\u{200f}\u{61c}"),
            "\\u{feff}x\\u{2066}y\\u{2069}\\u{200f}\\u{61c}"
        );
        for c in [
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{2067}',
            '\u{2068}',
            '\u{200e}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{e0041}',
            '\u{2028}',
        ] {
            let escaped = sanitize(&format!("a{c}b")).into_owned();
            assert_eq!(escaped, format!("a\\u{{{:x}}}b", c as u32));
        }
        assert_eq!(sanitize("日本語 ok — “quotes” é"), "日本語 ok — “quotes” é", "visible text is untouched");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn sanitized_text_has_no_control_or_invisible_character(s in "\\PC*|[\\x00-\\x{9f}\\u{200b}-\\u{206f}\\u{feff}a-z]*") {
            let out = sanitize(&s);
            proptest::prop_assert!(!out.chars().any(needs_escape), "{out:?}");
        }
    }

    #[test]
    fn human_bytes_uses_binary_units() {
        assert_eq!(human_bytes(0), "0B");
        assert_eq!(human_bytes(1023), "1023B");
        assert_eq!(human_bytes(1536), "1.5K");
        assert_eq!(human_bytes(24 * 1024 * 1024), "24M");
        assert_eq!(human_bytes(1288490188), "1.2G");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("日本語のプロセス", 7), "日本語…", "wide characters take two cells");
        assert_eq!(cells(&truncate("a日本語", 4)), 4);
        assert_eq!(cells(&truncate("a日本語", 3)), 2, "never half a wide character");
    }
}

/// `1h02m`, `3d04h`, `45s`: an age for narrow columns.
pub fn human_duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `2026-11-24 01:07:12 UTC` from seconds since the epoch (proleptic Gregorian).
pub fn utc_timestamp(epoch_secs: u64) -> String {
    let days = (epoch_secs / 86_400) as i64;
    let rem = epoch_secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// `01:07:12 UTC`: the time of day of seconds since the epoch.
pub fn utc_clock(epoch_secs: u64) -> String {
    let rem = epoch_secs % 86_400;
    format!("{:02}:{:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60, rem % 60)
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn timestamps_and_ages() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_timestamp(1_795_914_432), "2026-11-29 01:07:12 UTC");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_clock(1_795_914_432), "01:07:12 UTC");
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(3725), "1h02m");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600), "3d04h");
    }
}
