//! The public definition served to clients (`GET /api/v1/surveys/{survey}`).

use serde_json::{json, Map, Value};

use super::definition::{Choice, Compute, Question, QuestionKind, Survey};

fn choices(cs: &[Choice]) -> Value {
    Value::Array(
        cs.iter()
            .map(|c| {
                let mut o = json!({ "id": c.id, "text": c.text });
                if c.exclusive {
                    o["exclusive"] = Value::Bool(true);
                }
                if let Some(cond) = &c.show_if {
                    o["show_if"] = json!(cond.source());
                }
                o
            })
            .collect(),
    )
}

fn question(q: &Question) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(q.id));
    o.insert("type".into(), json!(q.type_name()));
    if q.network_size {
        // Answered like a number; marked so that tools know it is the RDS degree.
        o.insert("network_size".into(), json!(true));
    }
    o.insert("text".into(), json!(q.text));
    if let Some(h) = &q.help {
        o.insert("help".into(), json!(h));
    }
    if let Some(r) = q.role {
        o.insert("role".into(), json!(r));
    }
    if !q.is_note() {
        o.insert("required".into(), json!(q.required));
        o.insert("non_answers".into(), json!(q.non_answers()));
    }
    if let Some(c) = &q.show_if {
        o.insert("show_if".into(), json!(c.source()));
    }
    if let Some(cell) = &q.cell {
        // A cell of a grid with typed columns: answered under its own id like any question.
        o.insert(
            "cell_of".into(),
            json!({
                "grid": cell.grid,
                "text": cell.text,
                "help": cell.help,
                "row": { "id": cell.row, "text": cell.row_text },
                "column": { "id": cell.column, "text": cell.column_text },
            }),
        );
    }
    if let Some(of) = &q.instance {
        // A question of one instance of a repeating page, asked when the count reaches it.
        o.insert(
            "instance_of".into(),
            json!({ "group": of.group, "number": of.number, "question": of.question }),
        );
    }
    if let Some(c) = &q.compute {
        // Pages skip a computed field; clients see what it is worked out from.
        let how = match c {
            Compute::Sum(ids) => json!({ "sum": ids }),
            Compute::Count(id) => json!({ "count": id }),
            Compute::Classify(rules) => json!({
                "classify": rules
                    .iter()
                    .map(|(o, w)| json!({ "option": o, "when": w.source() }))
                    .collect::<Vec<_>>()
            }),
            Compute::FromBatch => json!({ "from_batch": true }),
        };
        o.insert("compute".into(), how);
    }
    if let Some(a) = &q.default_answer {
        o.insert("default".into(), json!(a));
    }
    if !q.implied.is_empty() {
        let implied: Vec<Value> = q
            .implied
            .iter()
            .map(|(when, a)| json!({ "when": when.source(), "answer": a }))
            .collect();
        o.insert("implied".into(), Value::Array(implied));
    }
    if !q.checks.is_empty() {
        let checks: Vec<Value> = q
            .checks
            .iter()
            .map(|c| json!({ "holds": c.holds.source(), "message": c.message }))
            .collect();
        o.insert("checks".into(), Value::Array(checks));
    }
    let mut messages = Map::new();
    if let Some(t) = &q.messages.required {
        messages.insert("required".into(), json!(t));
    }
    if let Some(t) = &q.messages.invalid {
        messages.insert("invalid".into(), json!(t));
    }
    if !messages.is_empty() {
        o.insert("messages".into(), Value::Object(messages));
    }
    if let Some(c) = &q.end_if {
        o.insert("end_if".into(), json!(c.source()));
    }
    if !q.groups.is_empty() {
        let groups: Vec<Value> = q
            .groups
            .iter()
            .map(|g| json!({ "id": g.id, "text": g.text, "options": g.options }))
            .collect();
        o.insert("groups".into(), Value::Array(groups));
    }
    if !q.coarse_bands.is_empty() {
        o.insert("coarse_bands".into(), json!(q.coarse_bands));
    }
    match &q.kind {
        QuestionKind::Single { options, select } => {
            o.insert("options".into(), choices(options));
            o.insert(
                "display".into(),
                json!(if *select { "select" } else { "radio" }),
            );
        }
        QuestionKind::Multi {
            options,
            min_choices,
            max_choices,
        } => {
            o.insert("options".into(), choices(options));
            if let Some(n) = min_choices {
                o.insert("min_choices".into(), json!(n));
            }
            if let Some(n) = max_choices {
                o.insert("max_choices".into(), json!(n));
            }
        }
        QuestionKind::Number {
            min,
            max,
            unit,
            bands,
        } => {
            o.insert("min".into(), json!(min));
            o.insert("max".into(), json!(max));
            if let Some(u) = unit {
                o.insert("unit".into(), json!(u));
            }
            if !bands.is_empty() {
                o.insert("bands".into(), json!(bands));
            }
        }
        QuestionKind::Scale {
            min,
            max,
            min_label,
            max_label,
        } => {
            o.insert("min".into(), json!(min));
            o.insert("max".into(), json!(max));
            if let Some(l) = min_label {
                o.insert("min_label".into(), json!(l));
            }
            if let Some(l) = max_label {
                o.insert("max_label".into(), json!(l));
            }
        }
        QuestionKind::Likert { options } => {
            o.insert("options".into(), choices(options));
        }
        QuestionKind::Grid { rows, options } => {
            o.insert("rows".into(), choices(rows));
            o.insert("options".into(), choices(options));
        }
        QuestionKind::Date { min, max } => {
            if let Some(m) = min {
                o.insert("min".into(), json!(m));
            }
            if let Some(m) = max {
                o.insert("max".into(), json!(m));
            }
        }
        QuestionKind::Decimal {
            min,
            max,
            step,
            unit,
            bands,
        } => {
            o.insert("min".into(), json!(min));
            o.insert("max".into(), json!(max));
            o.insert("step".into(), json!(step));
            if let Some(u) = unit {
                o.insert("unit".into(), json!(u));
            }
            if !bands.is_empty() {
                o.insert("bands".into(), json!(bands));
            }
        }
        QuestionKind::Day { min, max } => {
            o.insert("precision".into(), json!("day"));
            o.insert("min".into(), json!(min));
            o.insert("max".into(), json!(max));
        }
        QuestionKind::Text { max_length } => {
            o.insert("max_length".into(), json!(max_length));
        }
        QuestionKind::Note => {}
    }
    Value::Object(o)
}

impl Survey {
    /// The public definition for clients: everything needed to render and validate the form,
    /// nothing else (no source, no anonymity settings beyond the threshold).
    pub fn public_json(&self) -> Value {
        let pages: Vec<Value> = self
            .pages
            .iter()
            .map(|p| {
                let mut o = json!({
                    "id": p.id,
                    "title": p.title,
                    "questions": p.questions.iter().map(question).collect::<Vec<_>>(),
                });
                if let Some(c) = &p.show_if {
                    o["show_if"] = json!(c.source());
                }
                o
            })
            .collect();
        let mut o = json!({
            "id": self.id,
            "title": self.title,
            "languages": self.languages,
            "mode": self.mode,
            "threshold": self.threshold,
            "pages": pages,
        });
        if let Some(d) = &self.description {
            o["description"] = json!(d);
        }
        if let Some(i) = &self.incentive {
            o["incentive"] = json!(i);
        }
        if let Some(n) = self.coupons {
            o["coupons"] = json!(n);
        }
        if let Some(r) = &self.coupon_reward {
            o["coupon_reward"] = json!(r);
        }
        if !self.non_answer_texts.is_empty() {
            let texts: Map<String, Value> = self
                .non_answer_texts
                .iter()
                .map(|(n, t)| (n.as_str().to_owned(), json!(t)))
                .collect();
            o["non_answers"] = Value::Object(texts);
        }
        if !self.variants.is_empty() {
            // Written like the TOML (`[variants.<field>.<option>]`), so a client can show each
            // site its own options; the site-only options are in the questions' lists too.
            let mut variants = Map::new();
            for v in &self.variants {
                let questions: Map<String, Value> = v
                    .questions
                    .iter()
                    .map(|(id, qv)| {
                        let mut q = Map::new();
                        if let Some(list) = &qv.options {
                            q.insert("options".into(), json!(list));
                        }
                        if let Some(t) = &qv.text {
                            q.insert("text".into(), json!(t));
                        }
                        if let Some(h) = &qv.help {
                            q.insert("help".into(), json!(h));
                        }
                        (id.clone(), Value::Object(q))
                    })
                    .collect();
                let field = variants
                    .entry(v.field.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                field[v.option.as_str()] = Value::Object(questions);
            }
            o["variants"] = Value::Object(variants);
            o["site_only_options"] = json!(self.site_only_options);
        }
        o
    }
}
