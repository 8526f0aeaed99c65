//! Analysis: effective routes per subnet and two-way flow traces.
//!
//! **Invariants:** no I/O and no syntax knowledge: it reads only the [`Model`] and the
//! [`Config`]. Iteration follows model order, so results are deterministic. Values the
//! configuration does not determine give `Unknown` verdicts, never a guess.

pub mod classes;
pub mod endpoint;
pub mod flows;
pub mod nsg;
pub mod routes;
pub mod trace;
pub mod words;

#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::ir::*;
use foldhash::HashMap;

pub struct Analysis<'m> {
    pub model: &'m Model,
    pub config: &'m Config,
    /// Effective routes per subnet (`None`: the subnet's VNet is not known).
    tables: Vec<Option<routes::Table>>,
    /// Every CIDR prefix of every effective route, sorted (route boundaries).
    pub all_prefixes: Vec<ipnet::Ipv4Net>,
    /// (local, remote) VNet pairs peered in both directions, computed once: every appliance
    /// hop of every trace asks.
    connected: foldhash::HashSet<(usize, usize)>,
    /// The subnet classes, computed on first use (on-prem and cross-VNet flows share them).
    classes: std::sync::OnceLock<classes::Classes>,
}

impl<'m> Analysis<'m> {
    /// Computes every subnet's effective routes. Subnets of one VNet that share a route
    /// table have equal routes: each such class is computed once.
    pub fn new(model: &'m Model, config: &'m Config) -> Self {
        let onprem = config.onprem_prefixes();
        // One table per class (VNet, route table), computed in parallel, then one copy per
        // subnet with its own id.
        let mut class_of: HashMap<(Option<usize>, Option<usize>), usize> = HashMap::default();
        let mut firsts: Vec<usize> = Vec::new();
        let subnet_class: Vec<usize> = model
            .subnets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let key = (s.vnet.id, s.route_table.as_ref().and_then(|l| l.id));
                *class_of.entry(key).or_insert_with(|| {
                    firsts.push(i);
                    firsts.len() - 1
                })
            })
            .collect();
        let class_tables: Vec<Option<routes::Table>> = {
            use rayon::prelude::*;
            firsts
                .par_iter()
                .map(|&i| routes::effective(model, SubnetId(i), &onprem))
                .collect()
        };
        let tables: Vec<Option<routes::Table>> = subnet_class
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                class_tables[c].clone().map(|mut t| {
                    t.subnet = SubnetId(i);
                    t
                })
            })
            .collect();
        let mut all_prefixes: Vec<ipnet::Ipv4Net> = class_tables
            .iter()
            .flatten()
            .flat_map(|t| t.routes.iter())
            .filter_map(|r| match r.prefix {
                routes::RoutePrefix::Net(n) => Some(n),
                _ => None,
            })
            .collect();
        // Sorted by network address (then length), so a prefix's sub-prefixes are a range.
        for p in &mut all_prefixes {
            *p = p.trunc();
        }
        all_prefixes.sort_by_key(|p| (u32::from(p.network()), p.prefix_len()));
        all_prefixes.dedup();
        let connected = model
            .peerings
            .iter()
            .enumerate()
            .filter(|(i, _)| routes::reverse_peering(model, PeeringId(*i)).is_some())
            .filter_map(|(_, p)| Some((p.local_vnet.id?, p.remote_vnet.id?)))
            .collect();
        Analysis {
            model,
            config,
            tables,
            all_prefixes,
            connected,
            classes: std::sync::OnceLock::new(),
        }
    }

    /// Are two VNets peered in both directions?
    pub fn connected(&self, a: Option<VNetId>, b: Option<VNetId>) -> bool {
        matches!((a, b), (Some(a), Some(b)) if self.connected.contains(&(a.0, b.0)))
    }

    /// The subnet classes (see [`classes`]), computed once.
    pub fn classes(&self) -> &classes::Classes {
        self.classes.get_or_init(|| self.subnet_classes())
    }

    pub fn table(&self, s: SubnetId) -> Option<&routes::Table> {
        self.tables.get(s.0).and_then(|t| t.as_ref())
    }

    /// The Azure Route Servers whose announced routes reach a subnet: routes the NVAs
    /// announce over BGP are not in the code, so a path through this subnet may differ.
    /// They reach the Route Server's VNet and the VNets that use its gateway transit, unless
    /// the subnet's route table disables gateway route propagation
    /// ([Route Server FAQ](https://learn.microsoft.com/azure/route-server/route-server-faq)).
    pub fn route_servers_reaching(&self, s: SubnetId) -> Vec<&NotAnalysed> {
        let m = self.model;
        let Some(v) = m.subnet_vnet(s) else {
            return Vec::new();
        };
        if self.table(s).and_then(|t| t.propagation) == Some(false) {
            return Vec::new();
        }
        m.not_analysed
            .iter()
            .filter(|n| n.construct == Construct::RouteServer)
            .filter(|n| {
                let Some(rv) = n
                    .subnet
                    .as_ref()
                    .and_then(|l| l.id)
                    .and_then(|x| m.subnet_vnet(SubnetId(x)))
                else {
                    return false;
                };
                rv == v
                    || m.peerings_of(v.0).iter().any(|p| {
                        let p = &m.peerings[p.0];
                        p.remote_vnet.id == Some(rv.0)
                            && p.use_remote_gateways.get() == Some(true)
                            && m.peering_between(rv.0, v.0).is_some_and(|b| {
                                m.peerings[b.0].allow_gateway_transit.get() == Some(true)
                            })
                    })
            })
            .collect()
    }
}
