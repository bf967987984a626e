//! Black-box tests: the real server on port 0 with a temporary data directory.
mod helpers;

mod attacks;
mod cli;
mod durability;
mod invalid_input;
mod open_mode;
mod startup;
mod submissions;
