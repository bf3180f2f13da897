//! Parsing `--input WORDS`: a comma-separated list of `u32`s, each decimal or
//! `0x` hex (`7,0xffffffff,42`).

use std::fmt;

/// A word of `--input` that is not a `u32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadWord {
    /// 1-based position in the list.
    pub position: usize,
    /// The word as given.
    pub word: String,
    /// Why it does not parse.
    pub reason: String,
}

impl fmt::Display for BadWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input word {} {:?} is not a u32 in decimal or 0x hex: {}",
            self.position, self.word, self.reason
        )
    }
}

impl std::error::Error for BadWord {}

/// Input words for the program (the machine prepends their count).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputWords(pub Vec<u32>);

/// Parses `7,0xffffffff,42`; an empty string is no words. Whitespace around
/// a word is ignored.
pub fn parse_words(text: &str) -> Result<InputWords, BadWord> {
    if text.trim().is_empty() {
        return Ok(InputWords(Vec::new()));
    }
    text.split(',')
        .enumerate()
        .map(|(i, raw)| {
            let word = raw.trim();
            let parsed = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => word.parse::<u32>(),
            };
            parsed.map_err(|e| BadWord {
                position: i + 1,
                word: word.to_owned(),
                reason: if word.is_empty() {
                    "empty word".to_owned()
                } else {
                    e.to_string()
                },
            })
        })
        .collect::<Result<Vec<u32>, BadWord>>()
        .map(InputWords)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_hex() {
        assert_eq!(
            parse_words("7,0xffffffff, 42,0X10").unwrap().0,
            vec![7, u32::MAX, 42, 16]
        );
        assert_eq!(parse_words("").unwrap().0, Vec::<u32>::new());
    }

    #[test]
    fn names_the_bad_word_and_its_position() {
        let e = parse_words("1,2,0xfffffffff").unwrap_err();
        assert_eq!((e.position, e.word.as_str()), (3, "0xfffffffff"));
        let e = parse_words("1,-3").unwrap_err();
        assert_eq!((e.position, e.word.as_str()), (2, "-3"));
        assert!(e.to_string().contains("input word 2 \"-3\""), "{e}");
        let e = parse_words("4294967296").unwrap_err();
        assert_eq!(e.position, 1);
        let e = parse_words("1,,2").unwrap_err();
        assert_eq!((e.position, e.reason.as_str()), (2, "empty word"));
    }
}
