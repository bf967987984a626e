//! Chorus: self-hosted, privacy-preserving surveys. See DESIGN.md for the promises this code
//! keeps. Dependencies point one way: `web`/`cli`/`control` → domain (`survey`, `surveys`,
//! `tokens`, `submissions`) → `store`, `vault`.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod control;
pub mod disclosure;
pub mod export;
pub mod release;
pub mod store;
pub mod submissions;
pub mod survey;
pub mod surveys;
pub mod tally;
pub mod telemetry;
pub mod tokens;
pub mod vault;
pub mod web;
