//! A flow both ways: the forward trace, then (if it arrived) the reply, seeded with the
//! forward trace's sessions and source translations.

use super::{Addr, Device, Entry, Location, Nat, SessionKind, Start, Step, Trace, TraceCtx};
use super::{TwoWay, Unknown, Verdict};
use crate::analysis::routes::Dest;
use crate::analysis::Analysis;

impl Analysis<'_> {
    /// Two-way trace of a flow: forward, then (if it arrived) the reply with the forward
    /// sessions and translations.
    pub fn two_way(&self, start: Start, src: Addr, dst: Addr) -> TwoWay {
        self.two_way_to(start, src, dst, None)
    }

    /// Two-way trace of a flow to a private endpoint (index into
    /// `Model::private_endpoints`) at `dst`: its /32 routes forward, route tables ignored on
    /// its reply.
    pub fn two_way_endpoint(&self, start: Start, src: Addr, dst: Addr, endpoint: usize) -> TwoWay {
        self.two_way_to(start, src, dst, Some(endpoint))
    }

    fn two_way_to(&self, start: Start, src: Addr, dst: Addr, endpoint: Option<usize>) -> TwoWay {
        let forward = self.forward(start, src, dst, endpoint);
        if !forward.verdict.success() {
            return TwoWay::ForwardFailed(forward);
        }
        let reply = self.reply(start, &forward, endpoint);
        TwoWay::Both { forward, reply }
    }

    fn forward(&self, start: Start, src: Addr, dst: Addr, endpoint: Option<usize>) -> Trace {
        let fwd = TraceCtx {
            endpoint,
            ..TraceCtx::forward()
        };
        match start {
            Start::Subnet(s) => self.trace(Location::Subnet(s), src, dst, &fwd),
            Start::OnPrem(g) => self.trace(Location::Gateway(g), src, dst, &fwd),
            Start::Dnat(f) => {
                let d = Device::Firewall(f);
                let ctx = TraceCtx {
                    dnat: true,
                    ..TraceCtx::forward()
                };
                let mut t = self.trace(Location::Device(d), src, dst, &ctx);
                let range = self.firewall_snat_range(f);
                let mut steps = vec![
                    Step::Enter(Entry::FirewallPublicIp(f)),
                    Step::Session {
                        device: d,
                        kind: SessionKind::Created,
                    },
                    Step::Nat {
                        device: d,
                        nat: Nat::Dnat { to: dst, range },
                    },
                ];
                steps.append(&mut t.steps);
                t.steps = steps;
                t.devices.insert(0, d);
                t.snat.insert(0, d);
                t
            }
            Start::Public(s) => Trace::new(
                src,
                dst,
                vec![Step::Enter(Entry::PublicFrontend)],
                Verdict::Delivered(s),
            ),
        }
    }

    /// The reply: from where the forward trace ended, to the (possibly translated) source.
    fn reply(&self, start: Start, forward: &Trace, endpoint: Option<usize>) -> Trace {
        let (src, dst) = (forward.src, forward.dst);
        let sessions: &[Device] = &forward.devices;
        let mut unsnat: Vec<(Device, Addr)> = Vec::new();
        let mut reply_dst = src;
        if let Some(d @ Device::Firewall(f)) = forward.snat.last() {
            if let Some(r) = self.firewall_snat_range(*f) {
                unsnat.push((*d, src));
                reply_dst = Dest::Net(r);
            }
        }
        let ctx = TraceCtx {
            endpoint,
            ..TraceCtx::reply(sessions, &unsnat)
        };
        match forward.verdict {
            Verdict::Delivered(s) => self.trace(Location::Subnet(s), dst, reply_dst, &ctx),
            Verdict::ExitsOnPrem(g) => self.trace(Location::Gateway(g), dst, reply_dst, &ctx),
            // The reply comes back to where the forward path left Azure.
            _ => match (forward.snat.last(), start) {
                (Some(d), _) => {
                    let mut t = self.trace(
                        Location::Device(*d),
                        dst,
                        src,
                        &TraceCtx::reply(sessions, &[]),
                    );
                    t.devices.insert(0, *d);
                    t.steps.insert(
                        0,
                        Step::Session {
                            device: *d,
                            kind: SessionKind::Matched,
                        },
                    );
                    t
                }
                (None, Start::Subnet(s)) => Trace::new(
                    dst,
                    src,
                    vec![Step::Enter(Entry::Internet)],
                    Verdict::Delivered(s),
                ),
                (None, _) => Trace::new(
                    dst,
                    src,
                    Vec::new(),
                    Verdict::Unknown(Unknown::InternetReply),
                ),
            },
        }
    }
}
