//! How a response is stored: a compact binary encoding read and written against the survey's
//! definition, and the longest such encoding a definition allows.
//!
//! Every response of a survey is padded to one size chosen from that bound (see
//! `vault::record_size`), so the length of a sealed response says nothing about which answers
//! it holds. The smaller the bound, the less sled reads, copies and writes for every response:
//! a question is written as its position in the definition, an option as its position in the
//! question's list, a multi-select as one bit per option. Those positions cannot move once a
//! survey has responses (`compat` refuses added, removed or reordered questions and options),
//! so a response written under one version of a definition reads the same under the next.
//!
//! Layout: for each answered question, in definition order, its position (LEB128) and one
//! answer — a tag byte, then:
//!
//! | tag | answer | then |
//! |---|---|---|
//! | 1, 2 | don't know, prefer not to say | — |
//! | 3 | a declared non-answer | its id: length byte, bytes |
//! | 4 | choice | option position |
//! | 5 | choices | one bit per option, `⌈options / 8⌉` bytes |
//! | 6 | number | zigzag LEB128 |
//! | 7 | decimal | zigzag LEB128 units, scale byte |
//! | 8 | month | year (2 bytes), month |
//! | 9 | day | year (2 bytes), month, day |
//! | 10 | grid | rows answered (LEB128), then per row its position and a cell (tag 1–4) |
//! | 11 | text | length (LEB128), UTF-8 bytes |
//!
//! An answer the definition cannot place (an option it does not list) cannot be written this
//! way: [`Response::to_stored`] says so, and the caller keeps the older JSON form for it.

use std::collections::BTreeMap;

use super::decimal::Decimal;
use super::definition::{Choice, Question, QuestionKind, Survey};
use super::month::{Day, YearMonth};
use super::response::{Answer, GridCell, NonAnswer, NonAnswerId, Response};

const DONT_KNOW: u8 = 1;
const PREFER_NOT_TO_SAY: u8 = 2;
const DECLARED: u8 = 3;
const CHOICE: u8 = 4;
const CHOICES: u8 = 5;
const NUMBER: u8 = 6;
const DECIMAL: u8 = 7;
const MONTH: u8 = 8;
const DAY: u8 = 9;
const GRID: u8 = 10;
const TEXT: u8 = 11;

/// Longest LEB128 of an `i64` (zigzagged) or `u64`.
const MAX_VARINT: usize = 10;

impl Survey {
    /// An upper bound on the stored length ([`Response::to_stored`]) of any response this
    /// survey stores. Free-text answers are not counted: they are stored apart from the
    /// response.
    pub fn stored_response_bound(&self) -> usize {
        self.questions()
            .enumerate()
            .map(|(i, q)| match longest_answer(q) {
                0 => 0,
                answer => varint_len(i as u64) + answer,
            })
            .sum()
    }
}

impl Response {
    /// The compact stored form against `survey`, or `None` when an answer names a question or
    /// option the definition does not list.
    pub fn to_stored(&self, survey: &Survey) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(64);
        let mut written = 0;
        for (i, q) in survey.questions().enumerate() {
            let Some(answer) = self.answers().get(q.id.as_str()) else {
                continue;
            };
            put_varint(&mut out, i as u64);
            put_answer(&mut out, q, answer)?;
            written += 1;
        }
        (written == self.answers().len()).then_some(out)
    }

    /// Reads [`Response::to_stored`]'s form; `None` for anything that is not exactly that
    /// (an unknown position or tag, a truncated or overlong record, questions out of order).
    pub fn from_stored(survey: &Survey, bytes: &[u8]) -> Option<Response> {
        // Positions only grow, so one walk over the definition finds every question.
        let mut questions = survey.questions().enumerate();
        let mut reader = Reader(bytes);
        let mut response = Response::default();
        while !reader.0.is_empty() {
            let i = usize::try_from(reader.varint()?).ok()?;
            let (_, q) = questions
                .find(|(at, _)| *at >= i)
                .filter(|(at, _)| *at == i)?;
            let answer = read_answer(&mut reader, q)?;
            response.insert(q.id.clone(), answer);
        }
        Some(response)
    }
}

fn options_of(kind: &QuestionKind) -> &[Choice] {
    match kind {
        QuestionKind::Single { options, .. }
        | QuestionKind::Likert { options }
        | QuestionKind::Multi { options, .. }
        | QuestionKind::Grid { options, .. } => options,
        _ => &[],
    }
}

fn position(choices: &[Choice], id: &str) -> Option<u64> {
    choices.iter().position(|c| c.id == id).map(|p| p as u64)
}

fn put_non_answer(out: &mut Vec<u8>, n: &NonAnswer) -> Option<()> {
    match n {
        NonAnswer::DontKnow => out.push(DONT_KNOW),
        NonAnswer::PreferNotToSay => out.push(PREFER_NOT_TO_SAY),
        NonAnswer::Custom(id) => {
            out.push(DECLARED);
            out.push(u8::try_from(id.as_str().len()).ok()?);
            out.extend_from_slice(id.as_str().as_bytes());
        }
    }
    Some(())
}

fn put_answer(out: &mut Vec<u8>, q: &Question, answer: &Answer) -> Option<()> {
    match answer {
        Answer::NonAnswer(n) => put_non_answer(out, n)?,
        Answer::Choice(id) => {
            out.push(CHOICE);
            put_varint(out, position(options_of(&q.kind), id)?);
        }
        Answer::Choices(ids) => {
            let options = options_of(&q.kind);
            let mut bits = vec![0u8; options.len().div_ceil(8)];
            let mut last = None;
            for id in ids {
                let p = usize::try_from(position(options, id)?).ok()?;
                // Bits keep definition order: a list in any other order (or with a repeat)
                // would not read back as itself.
                if last.is_some_and(|l| l >= p) {
                    return None;
                }
                last = Some(p);
                *bits.get_mut(p / 8)? |= 1 << (p % 8);
            }
            out.push(CHOICES);
            out.extend_from_slice(&bits);
        }
        Answer::Number(n) => {
            out.push(NUMBER);
            put_varint(out, zigzag(*n));
        }
        Answer::Decimal(d) => {
            out.push(DECIMAL);
            put_varint(out, zigzag(d.units_at(d.scale())?));
            out.push(d.scale());
        }
        Answer::Month(m) => {
            out.push(MONTH);
            out.extend_from_slice(&m.year().to_be_bytes());
            out.push(m.month());
        }
        Answer::Day(d) => {
            out.push(DAY);
            out.extend_from_slice(&d.year().to_be_bytes());
            out.push(d.year_month().month());
            out.push(d.day());
        }
        Answer::Grid(cells) => {
            let QuestionKind::Grid { rows, options } = &q.kind else {
                return None;
            };
            out.push(GRID);
            put_varint(out, cells.len() as u64);
            // Rows in definition order, so that reading needs no sorting.
            let mut placed: Vec<(u64, &GridCell)> = cells
                .iter()
                .map(|(row, cell)| Some((position(rows, row)?, cell)))
                .collect::<Option<_>>()?;
            placed.sort_unstable_by_key(|(p, _)| *p);
            for (p, cell) in placed {
                put_varint(out, p);
                match cell {
                    GridCell::Choice(id) => {
                        out.push(CHOICE);
                        put_varint(out, position(options, id)?);
                    }
                    GridCell::NonAnswer(n) => put_non_answer(out, n)?,
                }
            }
        }
        Answer::Text(text) => {
            out.push(TEXT);
            put_varint(out, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
    }
    Some(())
}

/// A non-answer; a declared one only if `q` declares it.
fn read_non_answer(reader: &mut Reader<'_>, q: &Question, tag: u8) -> Option<NonAnswer> {
    match tag {
        DONT_KNOW => Some(NonAnswer::DontKnow),
        PREFER_NOT_TO_SAY => Some(NonAnswer::PreferNotToSay),
        DECLARED => {
            let len = usize::from(reader.byte()?);
            let id = std::str::from_utf8(reader.take(len)?).ok()?;
            let n = NonAnswer::Custom(NonAnswerId::parse(id)?);
            q.declared_non_answers.contains(&n).then_some(n)
        }
        _ => None,
    }
}

fn read_answer(reader: &mut Reader<'_>, q: &Question) -> Option<Answer> {
    let tag = reader.byte()?;
    let choice = |reader: &mut Reader<'_>, choices: &[Choice]| -> Option<String> {
        let p = usize::try_from(reader.varint()?).ok()?;
        choices.get(p).map(|c| c.id.clone())
    };
    Some(match tag {
        DONT_KNOW | PREFER_NOT_TO_SAY | DECLARED => {
            Answer::NonAnswer(read_non_answer(reader, q, tag)?)
        }
        CHOICE => Answer::Choice(choice(reader, options_of(&q.kind))?),
        CHOICES => {
            let options = options_of(&q.kind);
            let bits = reader.take(options.len().div_ceil(8))?;
            let chosen = options
                .iter()
                .enumerate()
                .filter(|(p, _)| bits[p / 8] & (1 << (p % 8)) != 0)
                .map(|(_, c)| c.id.clone())
                .collect();
            Answer::Choices(chosen)
        }
        NUMBER => Answer::Number(unzigzag(reader.varint()?)),
        DECIMAL => {
            let units = unzigzag(reader.varint()?);
            Answer::Decimal(Decimal::from_units(units, reader.byte()?))
        }
        MONTH => {
            let year = u16::from_be_bytes([reader.byte()?, reader.byte()?]);
            Answer::Month(YearMonth::new(year, reader.byte()?)?)
        }
        DAY => {
            let year = u16::from_be_bytes([reader.byte()?, reader.byte()?]);
            Answer::Day(Day::new(year, reader.byte()?, reader.byte()?)?)
        }
        GRID => {
            let QuestionKind::Grid { rows, options } = &q.kind else {
                return None;
            };
            let count = reader.varint()?;
            let mut cells = BTreeMap::new();
            for _ in 0..count {
                let row = choice(reader, rows)?;
                let cell = match reader.byte()? {
                    CHOICE => GridCell::Choice(choice(reader, options)?),
                    tag => GridCell::NonAnswer(read_non_answer(reader, q, tag)?),
                };
                if cells.insert(row, cell).is_some() {
                    return None;
                }
            }
            Answer::Grid(cells)
        }
        TEXT => {
            let len = usize::try_from(reader.varint()?).ok()?;
            Answer::Text(std::str::from_utf8(reader.take(len)?).ok()?.to_owned())
        }
        _ => return None,
    })
}

/// The longest stored answer `q` can have; 0 for a question that never stores one here.
fn longest_answer(q: &Question) -> usize {
    let non_answer = q
        .declared_non_answers
        .iter()
        .map(|n| 2 + n.as_str().len())
        .max()
        .unwrap_or(0)
        .max(1);
    let choice = |n: usize| 1 + varint_len(n.saturating_sub(1) as u64);
    let number = |min: i64, max: i64| 1 + varint_len(zigzag(min)).max(varint_len(zigzag(max)));
    let given = match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => {
            choice(options.len())
        }
        QuestionKind::Multi { options, .. } => 1 + options.len().div_ceil(8),
        QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
            number(*min, *max)
        }
        // Units at any scale a decimal may have, and the scale.
        QuestionKind::Decimal { .. } => 1 + MAX_VARINT + 1,
        QuestionKind::Grid { rows, options } => {
            let cell = (1 + varint_len(options.len().saturating_sub(1) as u64)).max(non_answer);
            1 + varint_len(rows.len() as u64)
                + rows.len() * (varint_len(rows.len().saturating_sub(1) as u64) + cell)
        }
        QuestionKind::Date { .. } => 4,
        QuestionKind::Day { .. } => 5,
        // Stored apart from the response.
        QuestionKind::Text { .. } | QuestionKind::Note => return 0,
    };
    given.max(non_answer)
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn varint_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// LEB128, at most ten bytes, with no redundant trailing zero byte (one value, one form).
    fn varint(&mut self) -> Option<u64> {
        let mut n: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return None;
            }
            n |= part << shift;
            if b & 0x80 == 0 {
                if shift > 0 && b == 0 {
                    return None;
                }
                return Some(n);
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "stored_tests.rs"]
mod tests;
