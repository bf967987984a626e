//! The condition tokenizer (grammar in `condition.rs`).

use super::decimal::Decimal;
use super::expr::{ConditionError, Op};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Decimal(Decimal),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Cmp(Op),
    And,
    Or,
    Not,
    In,
    Includes,
    Answered,
    Colon,
}

pub(super) fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Str(_) => "a quoted value".into(),
        Tok::Int(_) | Tok::Decimal(_) => "a number".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Dot => "'.'".into(),
        Tok::Cmp(op) => format!("'{op}'"),
        Tok::And => "'and'".into(),
        Tok::Or => "'or'".into(),
        Tok::Not => "'not'".into(),
        Tok::In => "'in'".into(),
        Tok::Includes => "'includes'".into(),
        Tok::Answered => "'answered'".into(),
        Tok::Colon => "':'".into(),
    }
}

pub(super) fn err<T>(column: usize, message: impl Into<String>) -> Result<T, ConditionError> {
    Err(ConditionError {
        column,
        message: message.into(),
    })
}

pub(super) fn lex(source: &str) -> Result<Vec<(Tok, usize)>, ConditionError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '.' => Some(Tok::Dot),
            ':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, col));
            i += 1;
            continue;
        }
        match (c, next) {
            (c, _) if c.is_whitespace() => i += 1,
            ('=', Some('=')) | ('!', Some('=')) | ('<', Some('=')) | ('>', Some('=')) => {
                let op = match c {
                    '=' => Op::Eq,
                    '!' => Op::Ne,
                    '<' => Op::Le,
                    _ => Op::Ge,
                };
                out.push((Tok::Cmp(op), col));
                i += 2;
            }
            ('<', _) => {
                out.push((Tok::Cmp(Op::Lt), col));
                i += 1;
            }
            ('>', _) => {
                out.push((Tok::Cmp(Op::Gt), col));
                i += 1;
            }
            ('=', _) => return err(col, "use '==' to compare, not '='"),
            ('!', _) => return err(col, "use 'not' to negate, or '!=' for 'not equal'"),
            ('&', _) => return err(col, "use 'and' instead of '&'"),
            ('|', _) => return err(col, "use 'or' instead of '|'"),
            ('\'' | '"', _) => {
                let start = i + 1;
                let Some(len) = chars
                    .get(start..)
                    .and_then(|r| r.iter().position(|&x| x == c))
                else {
                    return err(col, "this quoted value is never closed");
                };
                let s: String = chars
                    .get(start..start + len)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                out.push((Tok::Str(s), col));
                i = start + len + 1;
            }
            (c, n) if c.is_ascii_digit() || (c == '-' && n.is_some_and(|n| n.is_ascii_digit())) => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|d| d.is_ascii_digit()) {
                    j += 1;
                }
                let mut text: String = chars.get(i..j).unwrap_or_default().iter().collect();
                // A point followed by a digit makes a decimal (a grid row id never starts with
                // a digit after a number).
                let decimal = chars.get(j) == Some(&'.')
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit);
                if decimal {
                    let mut k = j + 1;
                    while chars.get(k).is_some_and(|d| d.is_ascii_digit()) {
                        k += 1;
                    }
                    text = chars.get(i..k).unwrap_or_default().iter().collect();
                    j = k;
                }
                if chars
                    .get(j)
                    .is_some_and(|d| d.is_alphanumeric() || *d == '_')
                {
                    return err(j + 1, "a number must be followed by a space or an operator");
                }
                if decimal {
                    let Some(d) = Decimal::parse(&text) else {
                        return err(col, "this number has too many digits or decimals");
                    };
                    out.push((Tok::Decimal(d), col));
                    i = j;
                    continue;
                }
                let Ok(n) = text.parse::<i64>() else {
                    return err(col, "this number is too large");
                };
                if chars
                    .get(j)
                    .is_some_and(|d| d.is_alphanumeric() || *d == '_')
                {
                    return err(j + 1, "a number must be followed by a space or an operator");
                }
                out.push((Tok::Int(n), col));
                i = j;
            }
            (c, _) if c.is_ascii_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_' || *d == '-')
                {
                    j += 1;
                }
                let word: String = chars.get(i..j).unwrap_or_default().iter().collect();
                let tok = match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "includes" => Tok::Includes,
                    "answered" => Tok::Answered,
                    _ => Tok::Ident(word),
                };
                out.push((tok, col));
                i = j;
            }
            _ => return err(col, format!("unexpected character '{c}'")),
        }
    }
    Ok(out)
}
