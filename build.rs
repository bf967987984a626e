//! Embeds every interface translation in `i18n/` into the binary, so adding a language is
//! adding one file.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=i18n");
    let mut entries: Vec<String> = std::fs::read_dir("i18n")
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let mut code = String::from("/// (language code, TOML source) for every file in `i18n/`.\npub const TRANSLATIONS: &[(&str, &str)] = &[\n");
    for name in entries {
        let lang = name.trim_end_matches(".toml");
        let _ = writeln!(
            code,
            "    ({lang:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/i18n/{name}\"))),"
        );
    }
    code.push_str("];\n");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
        .join("translations.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("could not write {}: {e}", out.display());
    }
}
