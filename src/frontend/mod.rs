//! Front ends: syntax -> IR. Each knows its own syntax and nothing of routing.

pub mod terraform;
