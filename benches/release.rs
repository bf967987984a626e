//! Release computation benchmark (filled in with the disclosure engine).

fn main() {}
