//! A small export whose labels carry everything that could break out of a string in R, Stata,
//! SPSS or XML: quotes of both kinds, backslashes, newlines, `<`, `&`, macro characters.

use std::collections::BTreeMap;

use crate::export::anonymise::{
    Anonymised, CodeLabel, Column, LevelUsed, Missing, Row, Value, ValueFormat,
};
use crate::survey::Role;

pub const HOSTILE: &str = "Said \"no\" / it's\\n\nnew line `$HOME' <b>&amp;</b> \"'";

fn code(n: i64, label: &str, missing: Option<Missing>) -> CodeLabel {
    CodeLabel {
        code: Value::Code(n),
        label: label.to_owned(),
        missing,
    }
}

fn column(name: &str, label: &str, role: Role, format: ValueFormat) -> Column {
    Column {
        name: name.to_owned(),
        question: name.split('.').next().unwrap_or(name).to_owned(),
        label: label.to_owned(),
        role,
        format,
        codes: Vec::new(),
        level: None,
    }
}

/// Columns: `age` (a number with don't know and not answered), `area` (categories with a
/// hostile label), `drugs_3m.heroin` (selected), `gender` (fully suppressed).
pub fn hostile() -> Anonymised {
    let mut age = column("age", "How old are you?", Role::Plain, ValueFormat::Number);
    age.codes = vec![
        code(-1, "don't know", Some(Missing::DontKnow)),
        code(-3, "not shown or not answered", Some(Missing::NotAnswered)),
    ];
    let mut area = column("area", HOSTILE, Role::Sensitive, ValueFormat::Categories);
    area.codes = vec![
        code(1, "Harbour & <docks>", None),
        code(2, HOSTILE, None),
        code(-1, "don't know", Some(Missing::DontKnow)),
        code(-2, "prefer not to say", Some(Missing::PreferNotToSay)),
        code(-3, "not shown or not answered", Some(Missing::NotAnswered)),
    ];
    let mut heroin = column(
        "drugs_3m.heroin",
        "Drugs used — heroin",
        Role::Sensitive,
        ValueFormat::Selected,
    );
    heroin.codes = vec![
        code(1, "selected", None),
        code(0, "not selected", None),
        code(-3, "not shown or not answered", Some(Missing::NotAnswered)),
    ];
    let mut gender = column("gender", "Gender", Role::Quasi, ValueFormat::Suppressed);
    let level = LevelUsed {
        number: 2,
        name: "suppressed".into(),
        top: 2,
    };
    gender.level = Some(level.clone());
    gender.codes = vec![CodeLabel {
        code: Value::Suppressed,
        label: "suppressed for anonymity".into(),
        missing: Some(Missing::Suppressed),
    }];
    let rows = [[30, 1, 1], [-1, 2, 0], [-3, -2, -3]]
        .iter()
        .enumerate()
        .map(|(i, v)| Row {
            id: format!("{i:016x}"),
            values: v
                .iter()
                .map(|n| Value::Code(*n))
                .chain([Value::Suppressed])
                .collect(),
        })
        .collect();
    Anonymised {
        survey: "hostile".into(),
        columns: vec![age, area, heroin, gender],
        rows,
        k_requested: 5,
        l_requested: 2,
        achieved_k: 5,
        achieved_l: Some(2),
        records: 3,
        records_suppressed: 0,
        levels: BTreeMap::from([("gender".to_owned(), level)]),
        information_loss: 1.0,
        lattice_nodes: 3,
        nodes_evaluated: 3,
        withheld_columns: Vec::new(),
        groups: Vec::new(),
    }
}

/// [`hostile`] with a page repeated over a multi-select (`other`): instance 1 is about
/// "Heroin", instance 2 about an option with a hostile label.
pub fn with_over_group() -> Anonymised {
    let mut data = hostile();
    let area = data.columns[1].clone();
    data.groups.push(crate::export::anonymise::Group {
        name: "other".into(),
        columns: vec![area],
        rows: Vec::new(),
        items: vec!["Heroin".into(), HOSTILE.into()],
    });
    data
}
