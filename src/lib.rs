//! Chorus: self-hosted, privacy-preserving surveys. See DESIGN.md for the promises this code keeps.
pub mod store;
pub mod vault;
pub mod tokens;
