//! The layers of `src/` import only downward, and no two modules import each other, however
//! indirectly. Read from the source text (as a reviewer would), not from the compiler: a
//! `crate::x` path anywhere in non-test code counts as an import of `x`. The map lives in
//! `docs/architecture.md`; this test keeps it true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer: it may use modules of its own layer or below, never above.
const LAYERS: &[(&str, u8)] = &[
    ("clock", 1),
    ("config", 1),
    ("telemetry", 1),
    ("vault", 1),
    ("survey", 1),
    ("spreadsheet", 1),
    ("store", 2),
    ("tokens", 3),
    ("vouchers", 3),
    ("kiosks", 3),
    ("coupons", 3),
    ("accounts", 3),
    ("audit", 3),
    ("surveys", 3),
    ("submissions", 3),
    ("tally", 3),
    ("disclosure", 3),
    ("release", 3),
    ("export", 3),
    ("installation", 4),
    ("services", 4),
    ("web", 5),
    ("cli", 5),
    ("serve", 6),
    ("main", 6),
];

/// Crates that only one part of the code may know.
const CONFINED: &[(&str, &[&str])] = &[
    ("sled::", &["store"]),
    ("actix_web::", &["web", "serve"]),
    ("actix_multipart::", &["web"]),
    ("tera::", &["web"]),
    ("ring::", &["vault", "tokens"]),
];

fn rank(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, r)| *r)
        .unwrap_or_else(|| {
            panic!("module '{module}' has no layer: add it to LAYERS and docs/architecture.md")
        })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/web/peer/mod.rs` → `web`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" => None,
        "main.rs" => Some("main".into()),
        name => Some(name.trim_end_matches(".rs").to_owned()),
    }
}

/// A file's code without its tests: test scaffolding may assemble an installation.
fn code_without_tests(file: &Path) -> String {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "tests.rs" || name == "proptests.rs" || name.ends_with("_tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(file).expect("read file");
    // Only a test module is left out: `#[cfg(test)]` on one function must not hide the rest
    // of the file from the check.
    let code = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::name` (or `chorus::name`, from the binary) mentioned in `code`.
fn imports(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        if code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let name: String = code[at + prefix.len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

/// Which modules each module names, and every use of a confined crate outside its modules.
type Imports = BTreeMap<String, BTreeSet<String>>;

fn graph() -> (Imports, Vec<String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut confined = Vec::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        let code = code_without_tests(&file);
        let prefix = if module == "main" {
            "chorus::"
        } else {
            "crate::"
        };
        let used = edges.entry(module.clone()).or_default();
        for target in imports(&code, prefix) {
            if target != module {
                used.insert(target);
            }
        }
        for (krate, allowed) in CONFINED {
            let named = code.match_indices(krate).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if named && !allowed.contains(&module.as_str()) {
                confined.push(format!("{} uses {krate}", file.display()));
            }
        }
    }
    (edges, confined)
}

#[test]
fn every_module_imports_only_its_own_layer_or_below() {
    let (edges, _) = graph();
    let mut upward = Vec::new();
    for (module, targets) in &edges {
        for target in targets {
            if rank(target) > rank(module) {
                upward.push(format!(
                    "{module} (layer {}) imports {target} (layer {})",
                    rank(module),
                    rank(target)
                ));
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_import_each_other_even_indirectly() {
    let (edges, _) = graph();
    // Depth-first search for a back edge; report the circle it closes.
    fn visit(
        node: &str,
        edges: &Imports,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        let circle = visit(module, &edges, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "import circle: {}",
            circle.unwrap_or_default().join(" → ")
        );
    }
}

#[test]
fn sled_actix_tera_and_ring_stay_in_their_modules() {
    let (_, confined) = graph();
    assert!(confined.is_empty(), "{}", confined.join("\n"));
}

#[test]
fn the_layer_check_sees_an_upward_import() {
    let code = "use crate::web::State;\nfn f() { crate::store::Store::open(); }";
    let found = imports(code, "crate::");
    assert_eq!(
        found,
        BTreeSet::from(["store".to_owned(), "web".to_owned()])
    );
    assert!(rank("web") > rank("store"), "web sits above store");
}
