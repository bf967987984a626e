//! The condition parser, recursive descent over the tokens of `lexer.rs` (grammar in
//! `condition.rs`).

use super::expr::{Cmp, ConditionError, Expr, Literal, Op, Target};
use super::lexer::{describe, err, lex, Tok};

const MAX_DEPTH: usize = 40;

/// Parses a whole expression; trailing tokens are an error.
pub(super) fn parse_expr(source: &str) -> Result<Expr, ConditionError> {
    let tokens = lex(source)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        end_column: source.chars().count() + 1,
    };
    let expr = p.expr(0)?;
    if let Some((_, col)) = p.tokens.get(p.pos) {
        return err(*col, "expected 'and', 'or' or the end of the condition");
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.end_column, |(_, c)| *c)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn found(&self) -> String {
        self.peek()
            .map_or("the end of the condition".into(), describe)
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        if depth > MAX_DEPTH {
            return err(self.column(), "the condition is nested too deeply");
        }
        let mut xs = vec![self.and_expr(depth)?];
        while self.eat(&Tok::Or) {
            xs.push(self.and_expr(depth)?);
        }
        Ok(if xs.len() == 1 {
            xs.remove(0)
        } else {
            Expr::Or(xs)
        })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        let mut xs = vec![self.unary(depth)?];
        while self.eat(&Tok::And) {
            xs.push(self.unary(depth)?);
        }
        Ok(if xs.len() == 1 {
            xs.remove(0)
        } else {
            Expr::And(xs)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ConditionError> {
        if depth > MAX_DEPTH {
            return err(self.column(), "the condition is nested too deeply");
        }
        if self.eat(&Tok::Not) {
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            let open = self.column();
            self.pos += 1;
            let inner = self.expr(depth + 1)?;
            if !self.eat(&Tok::RParen) {
                return err(
                    self.column(),
                    format!(
                        "expected ')' to close the '(' at column {open}, found {}",
                        self.found()
                    ),
                );
            }
            return Ok(inner);
        }
        self.comparison().map(Expr::Cmp)
    }

    fn comparison(&mut self) -> Result<Cmp, ConditionError> {
        let target = self.target()?;
        let col = self.column();
        let Some((tok, _)) = self.next() else {
            return err(
                col,
                format!("expected a comparison such as '==' after '{target}'"),
            );
        };
        let op = match tok {
            Tok::Cmp(op) => op,
            Tok::In => Op::In,
            Tok::Includes => Op::Includes,
            Tok::Answered => {
                return Ok(Cmp {
                    target,
                    op: Op::Answered,
                    values: Vec::new(),
                })
            }
            other => {
                return err(
                    col,
                    format!(
                        "expected '==', '!=', '<', '<=', '>', '>=', 'in', 'includes' or 'answered' after '{target}', found {}",
                        describe(&other)
                    ),
                );
            }
        };
        let values = if op == Op::In {
            self.list(&target)?
        } else {
            vec![self.value(op)?]
        };
        Ok(Cmp { target, op, values })
    }

    fn target(&mut self) -> Result<Target, ConditionError> {
        let col = self.column();
        match self.next() {
            Some((Tok::Ident(question), _)) => {
                let row = if self.eat(&Tok::Dot) {
                    let col = self.column();
                    match self.next() {
                        Some((Tok::Ident(r), _)) => Some(r),
                        _ => return err(col, "expected a grid row id after '.'"),
                    }
                } else {
                    None
                };
                Ok(Target { question, row })
            }
            Some((t @ (Tok::Str(_) | Tok::Int(_) | Tok::Decimal(_)), _)) => err(
                col,
                format!(
                    "expected a question id, found {} (put the question id first, e.g. age > 30)",
                    describe(&t)
                ),
            ),
            Some((t, _)) => err(
                col,
                format!("expected a question id, found {}", describe(&t)),
            ),
            None => err(
                col,
                "expected a question id, found the end of the condition",
            ),
        }
    }

    fn value(&mut self, after: Op) -> Result<Literal, ConditionError> {
        let col = self.column();
        match self.next() {
            Some((Tok::Str(s), _)) => Ok(Literal::Str(s)),
            Some((Tok::Int(n), _)) => Ok(Literal::Int(n)),
            Some((Tok::Decimal(d), _)) => Ok(Literal::Decimal(d)),
            Some((Tok::Ident(w), _))
                if w.eq_ignore_ascii_case("answer") && self.peek() == Some(&Tok::Colon) =>
            {
                self.pos += 1;
                let col = self.column();
                match self.next() {
                    Some((Tok::Ident(question), _)) => Ok(Literal::Answer(Target {
                        question,
                        row: None,
                    })),
                    _ => err(col, "expected a question id after 'answer:'"),
                }
            }
            Some((Tok::Ident(w), _)) => err(
                col,
                format!("expected a value after '{after}'; put option ids in quotes: '{w}', or name another question's answer as answer:{w}"),
            ),
            other => err(
                col,
                format!(
                    "expected a value after '{after}', found {}",
                    other.map_or("the end of the condition".into(), |(t, _)| describe(&t))
                ),
            ),
        }
    }

    /// `group:id`, naming one of the question's option groups.
    fn group(&mut self) -> Result<Option<Literal>, ConditionError> {
        let is_group = matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("group"))
            && matches!(self.tokens.get(self.pos + 1), Some((Tok::Colon, _)));
        if !is_group {
            return Ok(None);
        }
        self.pos += 2;
        let col = self.column();
        match self.next() {
            Some((Tok::Ident(id), _)) => Ok(Some(Literal::Group {
                id,
                options: Vec::new(),
            })),
            _ => err(col, "expected a group id after 'group:'"),
        }
    }

    fn list(&mut self, target: &Target) -> Result<Vec<Literal>, ConditionError> {
        let open = self.column();
        if let Some(group) = self.group()? {
            return Ok(vec![group]);
        }
        if !self.eat(&Tok::LBracket) {
            return err(
                open,
                format!(
                    "expected '[' or 'group:' after '{target} in', e.g. {target} in ['a', 'b'] or {target} in group:north"
                ),
            );
        }
        let mut values = Vec::new();
        loop {
            if self.eat(&Tok::RBracket) {
                break;
            }
            match self.group()? {
                Some(group) => values.push(group),
                None => values.push(self.value(Op::In)?),
            }
            if self.eat(&Tok::Comma) {
                continue;
            }
            if self.eat(&Tok::RBracket) {
                break;
            }
            return err(
                self.column(),
                format!("expected ',' or ']', found {}", self.found()),
            );
        }
        if values.is_empty() {
            return err(open, "the list after 'in' is empty");
        }
        Ok(values)
    }
}
