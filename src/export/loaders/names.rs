//! Variable names for Stata and SPSS: `data.csv` uses names like `drugs_3m.heroin` or
//! `ever-used`, which neither accepts. Each column gets a name of ASCII letters, digits and `_`,
//! starting with a letter, at most 32 characters, no word either language reserves (`if`, `in`,
//! `to`, `by`, …), and different from every other column's.

use std::collections::HashSet;

const MAX: usize = 32;

/// Stata's reserved names, then SPSS's reserved keywords, lowercase (`str1`…`str2045` too).
const RESERVED: [&str; 32] = [
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_pi", "_pred", "_rc", "_se", "_skip", "strl", "using", "with", "all", "and", "by", "eq", "ge",
    "gt", "le", "lt", "ne", "not", "or", "to",
];

fn reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let str_type = lower
        .strip_prefix("str")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    str_type || RESERVED.contains(&lower.as_str())
}

/// One safe name per entry of `names`, in order; `row_id` stays `row_id`.
pub fn safe_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    names
        .into_iter()
        .map(|name| {
            let mut base: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
                base.insert_str(0, "v_");
            }
            if reserved(&base) {
                base.push('_');
            }
            base.truncate(MAX);
            let mut candidate = base.clone();
            let mut n = 2u32;
            while !taken.insert(candidate.to_ascii_lowercase()) {
                let suffix = format!("_{n}");
                let keep = MAX.saturating_sub(suffix.len()).min(base.len());
                candidate = format!("{}{suffix}", &base[..keep]);
                n += 1;
            }
            candidate
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::safe_names;

    #[test]
    fn dots_and_dashes_become_underscores() {
        assert_eq!(
            safe_names(["row_id", "drugs_3m.heroin", "ever-used"]),
            ["row_id", "drugs_3m_heroin", "ever_used"]
        );
    }

    #[test]
    fn names_that_would_clash_or_start_with_a_digit_stay_apart() {
        let names = safe_names(["a.b", "a-b", "a_b", "3m"]);
        assert_eq!(names, ["a_b", "a_b_2", "a_b_3", "v_3m"]);
    }

    #[test]
    fn reserved_words_get_an_underscore() {
        assert_eq!(
            safe_names(["if", "to", "str10", "strength"]),
            ["if_", "to_", "str10_", "strength"]
        );
    }

    #[test]
    fn long_names_are_cut_to_32_characters_and_stay_unique() {
        let long = "x".repeat(40);
        let names = safe_names([long.as_str(), long.as_str()]);
        assert!(names.iter().all(|n| n.len() <= 32));
        assert_ne!(names[0], names[1]);
    }
}
