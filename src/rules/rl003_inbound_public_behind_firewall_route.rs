//! RL003 `inbound-public-behind-firewall-route`: a Standard public load balancer frontend or
//! an instance-level public IP whose backend subnet sends replies to a stateful firewall or
//! NVA, which holds no session for them and drops them (seed aside, FW-LB).

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::flows::Ingress;
use crate::analysis::routes::Dest;
use crate::analysis::trace::{Entry, Step, Trace, Verdict};
use crate::analysis::words;
use crate::diag::Severity;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL003",
        name: "inbound-public-behind-firewall-route",
        severity: Severity::Error,
        summary: "replies to a public frontend's clients are routed into a stateful firewall",
        since: "0.1.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL003.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    for p in ctx.public_replies() {
        if let Some((why, at)) = &p.undecided {
            ctx.not_checked(
                why.clone(),
                *at,
                format!("Internet {} -> {}", p.clients, m.subnet_label(p.subnet)),
            );
            continue;
        }
        let Some(t) = a.table(p.subnet) else { continue };
        let r = &t.routes[p.route];
        let dev = a.device_name(p.device);
        let (what, ing_origin, ing_label) = match &p.ingress {
            Ingress::LbRule { lb, rule } => {
                let l = &m.load_balancers[lb.0];
                let rl = &m.lb_rules[*rule];
                (
                    format!("public load balancer `{}`", l.meta.display()),
                    rl.meta.label_origin(),
                    format!(
                        "inbound rule `{}` brings Internet clients to this backend",
                        rl.meta.display()
                    ),
                )
            }
            Ingress::InstancePip { nic, config } => {
                let n = &m.nics[nic.0];
                (
                    format!("instance public IP of `{}`", n.meta.display()),
                    n.ip_configs[*config].origin,
                    "an instance-level public IP brings Internet clients here".to_string(),
                )
            }
        };
        let at = r
            .route
            .map(|rid| m.routes[rid.0].meta.label_origin())
            .or(r.origin)
            .unwrap_or(m.subnets[p.subnet.0].meta.label_origin());
        let entered = Trace::new(
            Dest::Net(p.clients),
            p.trace.src,
            vec![Step::Enter(Entry::PublicFrontend)],
            Verdict::Delivered(p.subnet),
        );
        let d = Violation::new(format!(
            "replies to clients of {what} are routed into `{dev}`"
        ))
        .subject(format!(
            "internet:{}->{}",
            p.clients,
            m.subnet_label(p.subnet)
        ))
        .flow(
            format!(
                "Internet {} -> {what} -> {}",
                p.clients,
                text::subnet(a, p.subnet)
            ),
            format!(
                "Internet -> {what} -> {} (delivered by the load balancer or public IP)",
                m.subnet_label(p.subnet)
            ),
            Some(words::path(a, &p.trace)),
        )
        .steps(Vec::new(), words::steps(a, &p.trace))
        .traced(&entered, Some(&p.trace))
        .note(format!(
            "`{dev}` holds no session for these replies and drops them."
        ))
        .primary(at, format!("sends replies to {} to {dev}", p.clients))
        .secondary(ing_origin, ing_label);
        // Clients known (`[internet] clients`): their replies can go straight out. Every
        // address: the route cannot be 0.0.0.0/0 (it would take the firewall out of all
        // egress), so the snippet names the client range to fill in.
        let any_client = p.clients.prefix_len() == 0;
        let prefix = if any_client {
            "<client range>".to_string()
        } else {
            p.clients.to_string()
        };
        let route = text::add_internet_route(t.route_table, p.subnet, "lb-clients-direct", &prefix);
        let lead = if any_client {
            format!(
                "use an internal load balancer behind the firewall (clients reach it through a DNAT rule on `{dev}`); or, if the clients are known ranges (list them under [internet] clients in routelint.toml to check them exactly), send their replies straight out, around the firewall, with a route in {}'s table:\n",
                m.subnet_label(p.subnet)
            )
        } else {
            format!(
                "send the replies to the clients straight out, around `{dev}`, with a route in {}'s table (or put an internal load balancer behind the firewall, reached through a DNAT rule):\n",
                m.subnet_label(p.subnet)
            )
        };
        let mut d = d.help(Help::text(lead).snippet(&route, 2));
        if !any_client {
            d = d.fix(&route);
        }
        out.push(d);
    }
    out
}
