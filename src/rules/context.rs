//! What a rule sees: the analysis, and each family of traced flows computed once, on first
//! use, whichever rule asks first (a family no enabled rule asks for is never traced).

use crate::analysis::flows::{CrossFlow, DnatFlow, OnPremFlow, PublicReply};
use crate::analysis::Analysis;
use std::cell::OnceCell;

pub struct RuleContext<'a> {
    pub analysis: &'a Analysis<'a>,
    onprem: OnceCell<Vec<OnPremFlow>>,
    cross: OnceCell<Vec<CrossFlow>>,
    public: OnceCell<Vec<PublicReply>>,
    dnat: OnceCell<Vec<DnatFlow>>,
}

impl<'a> RuleContext<'a> {
    pub fn new(analysis: &'a Analysis<'a>) -> Self {
        RuleContext {
            analysis,
            onprem: OnceCell::new(),
            cross: OnceCell::new(),
            public: OnceCell::new(),
            dnat: OnceCell::new(),
        }
    }
    /// On-prem <-> subnets behind a gateway, both ways.
    pub fn onprem_flows(&self) -> &[OnPremFlow] {
        self.onprem.get_or_init(|| self.analysis.onprem_flows())
    }
    /// Subnet <-> subnet flows across VNets that the configuration intends.
    pub fn cross_flows(&self) -> &[CrossFlow] {
        self.cross.get_or_init(|| self.analysis.cross_flows())
    }
    /// Replies to Internet clients of public frontends that a stateful device would drop.
    pub fn public_replies(&self) -> &[PublicReply] {
        self.public.get_or_init(|| self.analysis.public_replies())
    }
    /// Internet -> DNAT rule targets, both ways.
    pub fn dnat_flows(&self) -> &[DnatFlow] {
        self.dnat.get_or_init(|| self.analysis.dnat_flows())
    }
}

impl<'a> std::ops::Deref for RuleContext<'a> {
    type Target = Analysis<'a>;
    fn deref(&self) -> &Analysis<'a> {
        self.analysis
    }
}
