//! Black-box tests: the real server on port 0 with a temporary data directory.
mod helpers;

mod attacks;
mod cards;
mod carving;
mod cli;
mod durability;
mod edges;
mod export_loaders;
mod exports;
mod forensics;
mod forms;
mod hardening;
mod invalid_input;
mod languages;
mod open_mode;
mod operations;
mod org_client;
mod organiser;
mod page_weight;
mod peer_answers;
mod peer_pages;
mod release_rules;
mod releases;
mod same_page_logic;
mod startup;
mod submissions;
