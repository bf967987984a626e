//! Chorus: self-hosted, privacy-preserving surveys for peer-led organisations of people who use
//! drugs. The modules form layers that import only downward (`docs/architecture.md`; the test
//! `tests/layers.rs` fails on an upward import):
//!
//! 1. leaves: `clock`, `config`, `telemetry`, `vault`, `survey`, `spreadsheet`
//! 2. `store`, the only module that knows sled
//! 3. domain: `tokens`, `kiosks`, `accounts`, `audit`, `surveys`, `submissions`, `tally`, `disclosure`,
//!    `release`, `export`
//! 4. `installation` (opening a data directory) and `services` (one function per action)
//! 5. edges: `web` (the only module that knows actix and tera) and `cli` (with its control socket)
//! 6. the composition root: `serve` and `main.rs`

pub mod accounts;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod coupons;
pub mod disclosure;
pub mod export;
pub mod installation;
pub mod kiosks;
pub mod release;
pub mod serve;
pub mod services;
pub mod spreadsheet;
pub mod store;
pub mod submissions;
pub mod survey;
pub mod surveys;
pub mod tally;
pub mod telemetry;
pub mod tokens;
pub mod vault;
pub mod vouchers;
pub mod web;
