//! The one-time code a peer types or scans: 65 random bits in Crockford base32 with a mod-37
//! check symbol, shown in groups (`7KQ2-MX9D-4TRA-V3`). Parsing forgives case, spaces, dashes and
//! the look-alikes O/0 and I/L/1, because people copy codes off paper cards on small phones.

use ring::rand::{SecureRandom, SystemRandom};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols in a code. 13 × 5 = 65 bits; the rejection below leaves ≈ 64.8 bits.
const DATA_SYMBOLS: usize = 13;
const CHECK_MODULUS: u128 = 37;
/// Anything longer than this is not a mistyped code; stop before doing work on it.
const MAX_INPUT: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("no code was entered")]
    Empty,
    #[error("a code has 14 letters and digits")]
    WrongLength,
    #[error("a code only uses the digits 0–9 and the letters A–Z")]
    BadSymbol,
    #[error("the code looks mistyped")]
    CheckFailed,
}

/// A well-formed code. Holds only the canonical symbols; `Debug` is redacted so a code never
/// slips into a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenCode([u8; DATA_SYMBOLS + 1]);

impl std::fmt::Debug for TokenCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCode(<redacted>)")
    }
}

impl TokenCode {
    /// A fresh random code. Codes whose check value would need one of Crockford's extra check
    /// symbols (`*~$=U`, hard to type on a phone) are drawn again.
    pub fn generate() -> TokenCode {
        let rng = SystemRandom::new();
        loop {
            let mut bytes = [0u8; 16];
            if rng.fill(&mut bytes).is_err() {
                panic!("the operating system's random source failed");
            }
            if let Some(code) = TokenCode::from_bytes(bytes) {
                return code;
            }
        }
    }

    /// The code whose value is the low bits of `bytes`, unless its check value would need one
    /// of the extra check symbols (the caller draws other bytes then).
    pub(super) fn from_bytes(bytes: [u8; 16]) -> Option<TokenCode> {
        let value = u128::from_le_bytes(bytes) & ((1u128 << (5 * DATA_SYMBOLS)) - 1);
        let check = value % CHECK_MODULUS;
        if check >= 32 {
            return None;
        }
        let mut symbols = [0u8; DATA_SYMBOLS + 1];
        for (i, slot) in symbols[..DATA_SYMBOLS].iter_mut().enumerate() {
            let shift = 5 * (DATA_SYMBOLS - 1 - i);
            *slot = ALPHABET[((value >> shift) & 31) as usize];
        }
        symbols[DATA_SYMBOLS] = ALPHABET[check as usize];
        Some(TokenCode(symbols))
    }

    pub fn parse(input: &str) -> Result<TokenCode, CodeError> {
        if input.len() > MAX_INPUT {
            return Err(CodeError::WrongLength);
        }
        let mut symbols = Vec::with_capacity(DATA_SYMBOLS + 1);
        for c in input.chars() {
            if c.is_whitespace() || c == '-' || c == '–' || c == '.' {
                continue;
            }
            let normal = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !normal.is_ascii() || !ALPHABET.contains(&(normal as u8)) {
                return Err(CodeError::BadSymbol);
            }
            symbols.push(normal as u8);
        }
        if symbols.is_empty() {
            return Err(CodeError::Empty);
        }
        let symbols: [u8; DATA_SYMBOLS + 1] =
            symbols.try_into().map_err(|_| CodeError::WrongLength)?;
        let mut value: u128 = 0;
        for &s in &symbols[..DATA_SYMBOLS] {
            value = (value << 5) | symbol_value(s);
        }
        if symbol_value(symbols[DATA_SYMBOLS]) != value % CHECK_MODULUS {
            return Err(CodeError::CheckFailed);
        }
        Ok(TokenCode(symbols))
    }

    /// The canonical form that is hashed: 14 upper-case symbols, no separators.
    pub fn normalised(&self) -> &[u8] {
        &self.0
    }

    /// The form printed on cards and shown once at issuance: `XXXX-XXXX-XXXX-XX`.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(17);
        for (i, &s) in self.0.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(s));
        }
        out
    }
}

fn symbol_value(symbol: u8) -> u128 {
    ALPHABET.iter().position(|&a| a == symbol).unwrap_or(0) as u128
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_generated_code_parses_back_to_itself() {
        for _ in 0..1000 {
            let code = TokenCode::generate();
            assert_eq!(TokenCode::parse(&code.display()), Ok(code));
        }
    }

    #[test]
    fn a_code_is_shown_in_groups_of_four() {
        let shown = TokenCode::generate().display();
        assert_eq!(shown.len(), 17);
        assert_eq!(shown.matches('-').count(), 3);
    }

    #[test]
    fn lower_case_spaces_and_missing_dashes_are_forgiven() {
        let code = TokenCode::generate();
        let sloppy = code.display().to_lowercase().replace('-', " ");
        assert_eq!(TokenCode::parse(&sloppy), Ok(code.clone()));
        let squashed = code.display().replace('-', "");
        assert_eq!(TokenCode::parse(&squashed), Ok(code));
    }

    #[test]
    fn look_alike_letters_are_read_as_digits() {
        let code = loop {
            let c = TokenCode::generate();
            if c.display().contains('0') && c.display().contains('1') {
                break c;
            }
        };
        let typed = code.display().replace('0', "o").replace('1', "I");
        assert_eq!(TokenCode::parse(&typed), Ok(code));
    }

    #[test]
    fn a_single_changed_symbol_fails_the_check() {
        let code = TokenCode::generate().display().replace('-', "");
        for i in 0..code.len() {
            for &replacement in ALPHABET {
                let mut bytes = code.clone().into_bytes();
                if bytes[i] == replacement {
                    continue;
                }
                bytes[i] = replacement;
                let typo = String::from_utf8(bytes).expect("ascii");
                assert!(TokenCode::parse(&typo).is_err(), "{typo} was accepted");
            }
        }
    }

    #[test]
    fn two_swapped_neighbours_fail_the_check() {
        let code = TokenCode::generate().display().replace('-', "");
        for i in 0..code.len() - 1 {
            let mut bytes = code.clone().into_bytes();
            if bytes[i] == bytes[i + 1] {
                continue;
            }
            bytes.swap(i, i + 1);
            let typo = String::from_utf8(bytes).expect("ascii");
            assert!(TokenCode::parse(&typo).is_err(), "{typo} was accepted");
        }
    }

    #[test]
    fn empty_short_long_and_foreign_input_is_rejected_with_a_reason() {
        assert_eq!(TokenCode::parse(" - "), Err(CodeError::Empty));
        assert_eq!(TokenCode::parse("ABCD"), Err(CodeError::WrongLength));
        assert_eq!(
            TokenCode::parse(&"A".repeat(65)),
            Err(CodeError::WrongLength)
        );
        assert_eq!(
            TokenCode::parse("ABCD-EFGH-JKMN-P!"),
            Err(CodeError::BadSymbol)
        );
        assert_eq!(
            TokenCode::parse("ÄBCD-EFGH-JKMN-PQ"),
            Err(CodeError::BadSymbol)
        );
    }

    #[test]
    fn debug_output_never_shows_the_code() {
        let code = TokenCode::generate();
        assert!(!format!("{code:?}").contains(&code.display()[..4]));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(input in ".{0,80}") {
            let _ = TokenCode::parse(&input);
        }

        #[test]
        fn any_accepted_input_displays_as_a_canonical_code(input in "[0-9A-Za-z -]{14,20}") {
            if let Ok(code) = TokenCode::parse(&input) {
                prop_assert_eq!(TokenCode::parse(&code.display()), Ok(code));
            }
        }
    }
}
