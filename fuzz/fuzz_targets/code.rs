//! Arbitrary text as a typed or scanned code: `TokenCode::parse` never panics, and a code that
//! parses is shown in its card form and parses back to the same code (and the same canonical
//! bytes that get hashed).
#![no_main]

use chorus::tokens::TokenCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(code) = TokenCode::parse(input) {
        let shown = code.display();
        let again = TokenCode::parse(&shown).expect("a displayed code parses");
        assert_eq!(again, code, "display → parse changed the code");
        assert_eq!(again.normalised(), code.normalised());
        assert_eq!(again.display(), shown, "display is not stable");
        assert_eq!(code.normalised().len(), 14);
        assert!(code
            .normalised()
            .iter()
            .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(b)));
        // The lower-case, undashed form a person might type parses to the same code.
        let typed: String = shown.replace('-', " ").to_lowercase();
        assert_eq!(TokenCode::parse(&typed).as_ref(), Ok(&code));
    }
});
