//! Front ends: syntax -> IR. Each knows its own syntax and nothing of routing.
//!
//! `value` is the evaluated-value type both front ends share: HCL/JSON values plus
//! `Entity` (a declared resource), `Ref` (an attribute Azure computes) and `Unknown`.

pub mod arm;
pub mod terraform;
pub mod value;
