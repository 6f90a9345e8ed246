//! XML text for the providers whose call logic is an XML document (Twilio's
//! TwiML, Plivo's XML).

/// Escapes text for XML content and attribute values. Characters XML 1.0
/// cannot carry at all (most control characters, U+FFFE, U+FFFF) become a
/// space: text to be spoken loses nothing audible, and the document stays
/// well-formed.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
