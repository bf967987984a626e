//! Disclosure control of released tables (DESIGN §7).
