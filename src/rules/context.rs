//! What a rule sees: the analysis, and each family of traced flows computed once, on first
//! use, whichever rule asks first (a family no enabled rule asks for is never traced).

use crate::analysis::flows::{CrossFlow, DnatFlow, EndpointFlow, OnPremFlow, PublicReply};
use crate::analysis::trace::{FlowVerdict, TwoWay};
use crate::analysis::{words, Analysis};
use crate::source::Origin;
use std::sync::{Mutex, OnceLock};

/// Flows a rule could not decide, for one reason: said once, with how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotChecked {
    /// What is not known (the deciding value), in words.
    pub why: String,
    /// Where that value is declared, if anywhere.
    pub origin: Option<Origin>,
    /// How many flows it leaves unchecked, and one of them in words.
    pub flows: usize,
    pub example: String,
}

/// Shared by the rules, which run in parallel (`rules::run`): a flow family is traced by
/// the first rule that asks, and the others block until it is done. **Invariant:** a family's
/// tracing does not itself use rayon (a worker blocked here could otherwise be handed a
/// job that asks for the same family, and wait on itself).
pub struct RuleContext<'a> {
    pub analysis: &'a Analysis<'a>,
    onprem: OnceLock<Vec<OnPremFlow>>,
    cross: OnceLock<Vec<CrossFlow>>,
    public: OnceLock<Vec<PublicReply>>,
    dnat: OnceLock<Vec<DnatFlow>>,
    endpoint: OnceLock<Vec<EndpointFlow>>,
    /// What rules said they could not check (beyond traces that end Unknown).
    /// Raw, in the order rules (which run in parallel) said them: sorted when read.
    said: Mutex<Vec<(String, Option<Origin>, String)>>,
}

impl<'a> RuleContext<'a> {
    pub fn new(analysis: &'a Analysis<'a>) -> Self {
        RuleContext {
            analysis,
            onprem: OnceLock::new(),
            cross: OnceLock::new(),
            public: OnceLock::new(),
            dnat: OnceLock::new(),
            endpoint: OnceLock::new(),
            said: Mutex::new(Vec::new()),
        }
    }

    /// A rule could not decide a flow: what is not known, where.
    pub fn not_checked(&self, why: String, origin: Option<Origin>, example: String) {
        self.said
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((why, origin, example));
    }

    /// Every flow that could not be checked, grouped by the value that decides it: the
    /// traced flows (of the families some rule asked for) whose verdict is Unknown, and
    /// what rules said they could not check.
    pub fn unchecked(&self) -> Vec<NotChecked> {
        let a = self.analysis;
        let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner()).clone();
        said.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        let mut out = Vec::new();
        for (why, origin, example) in said {
            add(&mut out, why, origin, example);
        }
        let mut look = |tw: &TwoWay, example: &dyn Fn() -> String| {
            if let FlowVerdict::Unknown(u) = tw.verdict() {
                add(
                    &mut out,
                    words::unknown(a, &u),
                    words::unknown_origin(a, &u),
                    example(),
                );
            }
        };
        if let Some(fs) = self.onprem.get() {
            for f in fs {
                let ex = || {
                    format!(
                        "{} <-> {}",
                        crate::rules::text::onprem(f.onprem),
                        a.model.subnet_label(f.subnet)
                    )
                };
                look(&f.inbound, &ex);
                look(&f.outbound, &ex);
            }
        }
        if let Some(fs) = self.cross.get() {
            for f in fs {
                look(&f.flow, &|| {
                    format!(
                        "{} -> {}",
                        a.model.subnet_label(f.src),
                        a.model.subnet_label(f.dst)
                    )
                });
            }
        }
        if let Some(fs) = self.dnat.get() {
            for f in fs {
                look(&f.flow, &|| format!("Internet -> DNAT {}", f.target));
            }
        }
        if let Some(fs) = self.endpoint.get() {
            for f in fs {
                look(&f.flow, &|| {
                    format!(
                        "{} -> private endpoint {}",
                        f.source_label(a),
                        a.model.private_endpoints[f.endpoint].meta.display()
                    )
                });
            }
        }
        out
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
    /// Subnets -> private endpoints, both ways.
    pub fn endpoint_flows(&self) -> &[EndpointFlow] {
        self.endpoint.get_or_init(|| self.analysis.endpoint_flows())
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

fn add(list: &mut Vec<NotChecked>, why: String, origin: Option<Origin>, example: String) {
    match list.iter_mut().find(|n| n.why == why && n.origin == origin) {
        Some(n) => n.flows += 1,
        None => list.push(NotChecked {
            why,
            origin,
            flows: 1,
            example,
        }),
    }
}
