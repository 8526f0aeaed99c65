//! Links between IR elements and the pass that resolves them.

use super::*;
use foldhash::HashMap;

/// What a front end says a reference points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
pub enum Target {
    /// The front end's address of the element (Terraform address, ARM resource key).
    Key(String),
    /// An Azure name (and resource group when known), e.g. `virtual_network_name`.
    Name { name: String, rg: Option<String> },
    /// An Azure resource id string (`/subscriptions/…/virtualNetworks/hub`).
    AzureId(String),
    /// Something the configuration does not determine; the reason says why.
    Unknown(String),
}

/// A reference to another element, resolved to an index by [`Model::link`].
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub target: Target,
    /// Index into the matching `Model` vector once resolved.
    pub id: Option<usize>,
    /// Span of the attribute that makes the reference.
    #[serde(skip)]
    pub origin: Origin,
    /// Why the link did not resolve (after linking).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<String>,
}

impl Link {
    pub fn new(target: Target, origin: Origin) -> Self {
        Link {
            target,
            id: None,
            origin,
            unresolved: None,
        }
    }
    pub fn key(key: impl Into<String>, origin: Origin) -> Self {
        Link::new(Target::Key(key.into()), origin)
    }
}

/// Splits an Azure resource id into (type path segments, names) after `/providers/`.
/// `…/providers/Microsoft.Network/virtualNetworks/hub/subnets/fw` gives
/// `[("virtualNetworks","hub"),("subnets","fw")]`.
pub fn parse_azure_id(id: &str) -> Vec<(String, String)> {
    let lower = id.to_ascii_lowercase();
    let rest = match lower.rfind("/providers/") {
        Some(i) => &id[i + "/providers/".len()..],
        None => id.trim_start_matches('/'),
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    // Skip the namespace (Microsoft.Network).
    let segs = if segs.first().is_some_and(|s| s.contains('.')) {
        &segs[1..]
    } else {
        &segs[..]
    };
    segs.chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect()
}

fn key_matches(meta: &Meta, key: &str) -> bool {
    meta.key.eq_ignore_ascii_case(key) || meta.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
}

/// Resolves a target among candidates. `parent_name` returns the parent element's name
/// (a subnet's VNet) for matching the parent segment of an Azure id.
fn resolve<'a>(
    target: &Target,
    candidates: impl Iterator<Item = (usize, &'a Meta)> + Clone,
    parent_name: &dyn Fn(usize) -> Option<String>,
) -> Result<usize, String> {
    // `what` is only written out when the answer is not one element.
    let unique = |found: Vec<usize>, what: &dyn Fn() -> String| match found.len() {
        1 => Ok(found[0]),
        0 => Err(format!("no declared element matches {}", what())),
        n => Err(format!("{n} declared elements match {}", what())),
    };
    match target {
        Target::Key(k) => {
            let found: Vec<usize> = candidates
                .filter(|(_, m)| key_matches(m, k))
                .map(|(i, _)| i)
                .collect();
            unique(found, &|| format!("`{k}`"))
        }
        Target::Name { name, rg } => {
            let found: Vec<usize> = candidates
                .clone()
                .filter(|(_, m)| m.name.as_deref() == Some(name.as_str()))
                .map(|(i, _)| i)
                .collect();
            if found.len() > 1 {
                if let Some(rg) = rg {
                    let narrowed: Vec<usize> = candidates
                        .filter(|(_, m)| {
                            m.name.as_deref() == Some(name.as_str())
                                && m.resource_group.as_deref() == Some(rg.as_str())
                        })
                        .map(|(i, _)| i)
                        .collect();
                    return unique(narrowed, &|| format!("name `{name}` in `{rg}`"));
                }
            }
            unique(found, &|| format!("name `{name}`"))
        }
        Target::AzureId(id) => {
            // ARM keys are provider paths: match them by suffix first.
            let found: Vec<usize> = candidates
                .clone()
                .filter(|(_, m)| {
                    let k = m.key.as_bytes();
                    // The key, without case, is the id's tail.
                    !k.is_empty()
                        && k.contains(&b'/')
                        && id.len() >= k.len()
                        && id.as_bytes()[id.len() - k.len()..].eq_ignore_ascii_case(k)
                })
                .map(|(i, _)| i)
                .collect();
            if found.len() == 1 {
                return Ok(found[0]);
            }
            let segs = parse_azure_id(id);
            let Some((_, name)) = segs.last() else {
                return Err(format!("`{id}` is not a resource id"));
            };
            let parent = if segs.len() >= 2 {
                Some(segs[segs.len() - 2].1.clone())
            } else {
                None
            };
            let found: Vec<usize> = candidates
                .filter(|(i, m)| {
                    m.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                        && match (&parent, parent_name(*i)) {
                            (Some(p), Some(q)) => p.eq_ignore_ascii_case(&q),
                            _ => true,
                        }
                })
                .map(|(i, _)| i)
                .collect();
            unique(found, &|| format!("resource id `{id}`"))
        }
        Target::Unknown(r) => Err(r.clone()),
    }
}

/// Keys, aliases and names of one collection, hashed: [`resolve`] then filters a few
/// candidates instead of scanning every element for every link (linking is linear, not
/// quadratic, in the size of the estate).
#[derive(Default)]
pub(crate) struct Index {
    /// Lowercase key or alias -> elements.
    keys: HashMap<String, Vec<usize>>,
    /// The lengths of `keys` (a resource id's tails of other lengths are not looked up).
    key_lens: foldhash::HashSet<usize>,
    /// Name as written -> elements.
    names: HashMap<String, Vec<usize>>,
    /// Lowercase name -> elements.
    names_ci: HashMap<String, Vec<usize>>,
    /// How many elements it was built from.
    len: usize,
}

impl Index {
    pub(crate) fn new<'a>(items: impl Iterator<Item = (usize, &'a Meta)>) -> Index {
        let mut ix = Index::default();
        for (i, m) in items {
            ix.len += 1;
            ix.keys
                .entry(m.key.to_ascii_lowercase())
                .or_default()
                .push(i);
            ix.key_lens.insert(m.key.len());
            for a in &m.aliases {
                ix.keys.entry(a.to_ascii_lowercase()).or_default().push(i);
                ix.key_lens.insert(a.len());
            }
            if let Some(n) = &m.name {
                ix.names.entry(n.clone()).or_default().push(i);
                ix.names_ci
                    .entry(n.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        ix
    }

    /// Every element [`resolve`] could accept for `target` (a superset; it filters them).
    /// For a resource id: elements whose key is a `/`-delimited tail of the id (ARM keys are
    /// provider paths, which resource ids end with), and elements named like its last
    /// segment.
    pub(crate) fn candidates(&self, target: &Target) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        match target {
            Target::Key(k) => {
                out.extend(self.keys.get(&k.to_ascii_lowercase()).into_iter().flatten());
            }
            Target::Name { name, .. } => {
                out.extend(self.names.get(name).into_iter().flatten());
            }
            Target::AzureId(id) => {
                let lower = id.to_ascii_lowercase();
                let mut at = 0;
                while at < lower.len() {
                    if self.key_lens.contains(&(lower.len() - at)) {
                        out.extend(self.keys.get(&lower[at..]).into_iter().flatten());
                    }
                    match lower[at..].find('/') {
                        Some(j) => at += j + 1,
                        None => break,
                    }
                }
                // One element whose key the id ends with is what `resolve` picks first.
                if out.len() == 1 {
                    return out;
                }
                if let Some((_, last)) = parse_azure_id(id).last() {
                    out.extend(
                        self.names_ci
                            .get(&last.to_ascii_lowercase())
                            .into_iter()
                            .flatten(),
                    );
                }
            }
            Target::Unknown(_) => {}
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn metas<T>(v: &[T], f: fn(&T) -> &Meta) -> impl Iterator<Item = (usize, &Meta)> + Clone {
    v.iter().enumerate().map(move |(i, x)| (i, f(x)))
}

impl Model {
    /// Resolves every [`Link`] and fills the derived fields (subnet lists, route lists,
    /// firewall IPs and rules). Idempotent. Unresolvable links are recorded as Unknowns.
    pub fn link(&mut self) {
        let mut unknowns: Vec<UnknownNote> = Vec::new();
        // Address spaces and subnet prefixes that are not known.
        for v in &self.vnets {
            for p in &v.address_space {
                if let Prefix::Unknown(r) = &p.value {
                    unknowns.push(UnknownNote {
                        what: format!("address space of VNet `{}`", v.meta.display()),
                        reason: r.clone(),
                        origin: p.origin,
                    });
                }
            }
        }
        for s in &self.subnets {
            for p in &s.prefixes {
                if let Prefix::Unknown(r) = &p.value {
                    unknowns.push(UnknownNote {
                        what: format!("address prefix of subnet `{}`", s.meta.display()),
                        reason: r.clone(),
                        origin: p.origin,
                    });
                }
            }
        }
        let mut indexes: HashMap<&'static str, Index> = HashMap::default();
        macro_rules! res {
            ($link:expr, $coll:ident, $what:expr) => {{
                let link: &mut Link = $link;
                if link.id.is_none() {
                    let coll = &self.$coll;
                    let index = indexes
                        .entry(stringify!($coll))
                        .or_insert_with(|| Index::new(metas(coll, |x| &x.meta)));
                    if index.len != coll.len() {
                        *index = Index::new(metas(coll, |x| &x.meta));
                    }
                    // An index built before the collection was taken out names nothing now.
                    let cands: Vec<usize> = index
                        .candidates(&link.target)
                        .into_iter()
                        .filter(|&i| i < coll.len())
                        .collect();
                    match resolve(
                        &link.target,
                        cands.iter().map(|&i| (i, &coll[i].meta)),
                        &|_| None,
                    ) {
                        Ok(i) => {
                            link.id = Some(i);
                            link.unresolved = None;
                        }
                        Err(e) => {
                            if !matches!(link.target, Target::Unknown(_)) {
                                link.unresolved = Some(e.clone());
                            }
                            unknowns.push(UnknownNote {
                                what: $what,
                                reason: e,
                                origin: link.origin,
                            });
                        }
                    }
                }
            }};
        }

        // Subnets -> VNets first (subnet ids below need parent names).
        for s in &mut self.subnets {
            let label = s.meta.display().to_string();
            res!(&mut s.vnet, vnets, format!("VNet of subnet `{label}`"));
        }
        for v in &mut self.vnets {
            v.subnets.clear();
            v.gateways.clear();
        }
        for (i, s) in self.subnets.iter().enumerate() {
            if let Some(v) = s.vnet.id {
                self.vnets[v].subnets.push(SubnetId(i));
            }
        }
        let subnet_parent: Vec<Option<String>> = self
            .subnets
            .iter()
            .map(|s| s.vnet.id.and_then(|v| self.vnets[v].meta.name.clone()))
            .collect();
        let subnet_metas: Vec<Meta> = self.subnets.iter().map(|s| s.meta.clone()).collect();
        let subnet_index = Index::new(subnet_metas.iter().enumerate());
        let res_subnet = |link: &mut Link, what: String, unknowns: &mut Vec<UnknownNote>| {
            if link.id.is_some() {
                return;
            }
            let cands = subnet_index.candidates(&link.target);
            match resolve(
                &link.target,
                cands.iter().map(|&i| (i, &subnet_metas[i])),
                &|i| subnet_parent[i].clone(),
            ) {
                Ok(i) => link.id = Some(i),
                Err(e) => {
                    if !matches!(link.target, Target::Unknown(_)) {
                        link.unresolved = Some(e.clone());
                    }
                    unknowns.push(UnknownNote {
                        what,
                        reason: e,
                        origin: link.origin,
                    });
                }
            }
        };

        // Subnet associations (route table / NSG by separate resource).
        let assocs = std::mem::take(&mut self.subnet_associations);
        let mut new_assocs = Vec::new();
        for mut a in assocs {
            res_subnet(
                &mut a.subnet,
                format!("subnet of `{}`", a.meta.display()),
                &mut unknowns,
            );
            if let Some(s) = a.subnet.id {
                let link = Link::new(a.target.target.clone(), a.meta.origin);
                match a.kind {
                    SubnetAssociationKind::RouteTable => self.subnets[s].route_table = Some(link),
                    SubnetAssociationKind::Nsg => self.subnets[s].nsg = Some(link),
                }
            }
            new_assocs.push(a);
        }
        self.subnet_associations = new_assocs;

        for i in 0..self.subnets.len() {
            let label = self.subnets[i].meta.display().to_string();
            if let Some(mut l) = self.subnets[i].route_table.take() {
                res!(
                    &mut l,
                    route_tables,
                    format!("route table of subnet `{label}`")
                );
                self.subnets[i].route_table = Some(l);
            }
            if let Some(mut l) = self.subnets[i].nsg.take() {
                res!(&mut l, nsgs, format!("NSG of subnet `{label}`"));
                self.subnets[i].nsg = Some(l);
            }
        }

        let mut peerings = std::mem::take(&mut self.peerings);
        for p in &mut peerings {
            let label = p.meta.display().to_string();
            res!(
                &mut p.local_vnet,
                vnets,
                format!("local VNet of peering `{label}`")
            );
            res!(
                &mut p.remote_vnet,
                vnets,
                format!("remote VNet of peering `{label}`")
            );
        }
        self.peerings = peerings;
        self.peering_index.clear();
        self.peerings_from.clear();
        for (i, p) in self.peerings.iter().enumerate() {
            if let Some(l) = p.local_vnet.id {
                self.peerings_from.entry(l).or_default().push(PeeringId(i));
                if let Some(r) = p.remote_vnet.id {
                    self.peering_index
                        .entry((l, r))
                        .or_default()
                        .push(PeeringId(i));
                }
            }
        }

        for t in &mut self.route_tables {
            t.routes.clear();
        }
        let mut routes = std::mem::take(&mut self.routes);
        for (i, r) in routes.iter_mut().enumerate() {
            let label = r.meta.display().to_string();
            res!(
                &mut r.table,
                route_tables,
                format!("route table of route `{label}`")
            );
            if let Some(t) = r.table.id {
                self.route_tables[t].routes.push(RouteId(i));
            }
            if let Some(ip) = r.next_hop_ip.as_mut() {
                match &mut ip.value {
                    IpRef::FirewallPrivateIp { firewall } => {
                        res!(firewall, firewalls, format!("firewall of route `{label}`"))
                    }
                    IpRef::NicPrivateIp { nic } => {
                        res!(nic, nics, format!("NIC of route `{label}`"))
                    }
                    IpRef::LbFrontendPrivateIp { lb, .. } => {
                        res!(
                            lb,
                            load_balancers,
                            format!("load balancer of route `{label}`")
                        )
                    }
                    IpRef::Unknown { reason } => unknowns.push(UnknownNote {
                        what: format!("next hop IP of route `{label}`"),
                        reason: reason.clone(),
                        origin: ip.origin,
                    }),
                    IpRef::Literal { .. } => {}
                }
            }
            if let Prefix::Unknown(reason) = &r.prefix.value {
                unknowns.push(UnknownNote {
                    what: format!("address prefix of route `{label}`"),
                    reason: reason.clone(),
                    origin: r.prefix.origin,
                });
            }
            if let Known::Unknown(reason) = &r.next_hop_type.value {
                unknowns.push(UnknownNote {
                    what: format!("next hop type of route `{label}`"),
                    reason: reason.clone(),
                    origin: r.next_hop_type.origin,
                });
            }
        }
        self.routes = routes;

        let mut fws = std::mem::take(&mut self.firewalls);
        for f in &mut fws {
            let label = f.meta.display().to_string();
            if let Some(l) = f.subnet.as_mut() {
                res_subnet(l, format!("subnet of firewall `{label}`"), &mut unknowns);
            }
            if let Some(l) = f.management_subnet.as_mut() {
                res_subnet(
                    l,
                    format!("management subnet of firewall `{label}`"),
                    &mut unknowns,
                );
            }
            for l in &mut f.public_ips {
                res!(l, public_ips, format!("public IP of firewall `{label}`"));
            }
            if let Some(l) = f.policy.as_mut() {
                res!(
                    l,
                    firewall_policies,
                    format!("policy of firewall `{label}`")
                );
            }
        }
        self.firewalls = fws;
        // Base policies resolve among the policies themselves (not taken out meanwhile).
        for i in 0..self.firewall_policies.len() {
            let label = self.firewall_policies[i].meta.display().to_string();
            let mut base = self.firewall_policies[i].base_policy.take();
            if let Some(l) = base.as_mut() {
                res!(l, firewall_policies, format!("base policy of `{label}`"));
            }
            self.firewall_policies[i].base_policy = base;
        }
        let mut atts = std::mem::take(&mut self.rule_attachments);
        for a in &mut atts {
            let label = a.meta.display().to_string();
            if let Some(l) = a.policy.as_mut() {
                res!(l, firewall_policies, format!("policy of `{label}`"));
            }
            if let Some(l) = a.firewall.as_mut() {
                res!(l, firewalls, format!("firewall of `{label}`"));
            }
        }
        self.rule_attachments = atts;

        let mut gws = std::mem::take(&mut self.gateways);
        for (gi, g) in gws.iter_mut().enumerate() {
            let label = g.meta.display().to_string();
            if let Some(l) = g.subnet.as_mut() {
                res_subnet(l, format!("subnet of gateway `{label}`"), &mut unknowns);
                if let Some(s) = l.id {
                    if let Some(v) = self.subnets[s].vnet.id {
                        self.vnets[v].gateways.push(GatewayId(gi));
                    }
                }
            }
        }
        self.gateways = gws;
        let mut conns = std::mem::take(&mut self.connections);
        for c in &mut conns {
            let label = c.meta.display().to_string();
            res!(
                &mut c.gateway,
                gateways,
                format!("gateway of connection `{label}`")
            );
            if let Some(l) = c.local_gateway.as_mut() {
                res!(
                    l,
                    local_gateways,
                    format!("local network gateway of `{label}`")
                );
            }
            if let Some(l) = c.peer_gateway.as_mut() {
                res!(l, gateways, format!("peer gateway of `{label}`"));
            }
        }
        self.connections = conns;

        let mut lbs = std::mem::take(&mut self.load_balancers);
        for lb in &mut lbs {
            let label = lb.meta.display().to_string();
            for fe in &mut lb.frontends {
                if let Some(l) = fe.public_ip.as_mut() {
                    res!(l, public_ips, format!("public IP of `{label}`"));
                }
                if let Some(l) = fe.subnet.as_mut() {
                    res_subnet(l, format!("subnet of `{label}`"), &mut unknowns);
                }
            }
        }
        self.load_balancers = lbs;
        let mut pools = std::mem::take(&mut self.backend_pools);
        for p in &mut pools {
            let label = p.meta.display().to_string();
            res!(
                &mut p.lb,
                load_balancers,
                format!("load balancer of `{label}`")
            );
        }
        self.backend_pools = pools;
        let mut rules = std::mem::take(&mut self.lb_rules);
        for r in &mut rules {
            let label = r.meta.display().to_string();
            res!(
                &mut r.lb,
                load_balancers,
                format!("load balancer of `{label}`")
            );
            for p in &mut r.backend_pools {
                res!(p, backend_pools, format!("backend pool of `{label}`"));
            }
        }
        self.lb_rules = rules;

        let mut nics = std::mem::take(&mut self.nics);
        for n in &mut nics {
            let label = n.meta.display().to_string();
            for c in &mut n.ip_configs {
                if let Some(l) = c.subnet.as_mut() {
                    res_subnet(l, format!("subnet of NIC `{label}`"), &mut unknowns);
                }
                if let Some(l) = c.public_ip.as_mut() {
                    res!(l, public_ips, format!("public IP of NIC `{label}`"));
                }
                for p in &mut c.backend_pools {
                    res!(p, backend_pools, format!("backend pool of NIC `{label}`"));
                }
                for p in &mut c.nat_rules {
                    res!(p, lb_rules, format!("NAT rule of NIC `{label}`"));
                }
            }
        }
        self.nics = nics;
        let mut nas = std::mem::take(&mut self.nic_associations);
        for a in &mut nas {
            let label = a.meta.display().to_string();
            res!(&mut a.nic, nics, format!("NIC of `{label}`"));
            match a.kind {
                NicAssociationKind::BackendPool => {
                    res!(
                        &mut a.target,
                        backend_pools,
                        format!("backend pool of `{label}`")
                    )
                }
                NicAssociationKind::NatRule => {
                    res!(&mut a.target, lb_rules, format!("NAT rule of `{label}`"))
                }
                NicAssociationKind::Nsg => res!(&mut a.target, nsgs, format!("NSG of `{label}`")),
            }
            if let (Some(n), Some(t)) = (a.nic.id, a.target.id) {
                let nic = &mut self.nics[n];
                let idx = a
                    .ip_config
                    .as_ref()
                    .and_then(|name| nic.ip_configs.iter().position(|c| &c.name == name))
                    .unwrap_or(0);
                let mut link = a.target.clone();
                link.id = Some(t);
                match a.kind {
                    NicAssociationKind::BackendPool => {
                        if let Some(c) = nic.ip_configs.get_mut(idx) {
                            if !c.backend_pools.iter().any(|p| p.id == Some(t)) {
                                c.backend_pools.push(link);
                            }
                        }
                    }
                    NicAssociationKind::NatRule => {
                        if let Some(c) = nic.ip_configs.get_mut(idx) {
                            if !c.nat_rules.iter().any(|p| p.id == Some(t)) {
                                c.nat_rules.push(link);
                            }
                        }
                    }
                    NicAssociationKind::Nsg => nic.nsg = Some(link),
                }
            }
        }
        self.nic_associations = nas;

        let mut svcs = std::mem::take(&mut self.services);
        for s in &mut svcs {
            let label = s.meta.display().to_string();
            if let Some(l) = s.subnet.as_mut() {
                res_subnet(l, format!("subnet of `{label}`"), &mut unknowns);
            }
        }
        self.services = svcs;

        let mut pes = std::mem::take(&mut self.private_endpoints);
        for pe in &mut pes {
            let label = pe.meta.display().to_string();
            if let Some(l) = pe.subnet.as_mut() {
                res_subnet(
                    l,
                    format!("subnet of private endpoint `{label}`"),
                    &mut unknowns,
                );
            }
        }
        self.private_endpoints = pes;

        // Security rules declared on their own join their NSG (a rule whose NSG is not
        // known leaves every NSG possibly incomplete).
        let mut decls = std::mem::take(&mut self.nsg_rules);
        for d in &mut decls {
            let label = d.meta.display().to_string();
            res!(&mut d.nsg, nsgs, format!("NSG of security rule `{label}`"));
            match d.nsg.id {
                Some(i) => self.nsgs[i].rules.push(d.rule.clone()),
                None => self.nsg_rules_incomplete = true,
            }
        }
        self.nsg_rules = decls;

        // The VNet a Virtual WAN hub connection attaches: named for the finding where it is
        // declared here, silently left as written where it is not (it is not analysed).
        let mut nas = std::mem::take(&mut self.not_analysed);
        for n in &mut nas {
            if let Some(l) = n.subnet.as_mut() {
                if l.id.is_none() {
                    let cands = subnet_index.candidates(&l.target);
                    l.id = resolve(
                        &l.target,
                        cands.iter().map(|&i| (i, &subnet_metas[i])),
                        &|i| subnet_parent[i].clone(),
                    )
                    .ok();
                }
            }
            if let Some(l) = n.vnet.as_mut() {
                if l.id.is_none() {
                    let index = indexes
                        .entry("vnets")
                        .or_insert_with(|| Index::new(metas(&self.vnets, |x| &x.meta)));
                    let cands = index.candidates(&l.target);
                    l.id = resolve(
                        &l.target,
                        cands.iter().map(|&i| (i, &self.vnets[i].meta)),
                        &|_| None,
                    )
                    .ok();
                }
            }
        }
        self.not_analysed = nas;

        // Firewall IPs: declared, else the first usable host (.4) of its subnet.
        self.firewall_ips = self
            .firewalls
            .iter()
            .map(|f| {
                if let Some(ip) = f.declared_private_ip {
                    return Some(ResolvedIp { ip, derived: false });
                }
                let s = f.subnet.as_ref()?.id?;
                let p = self.subnet_prefixes(SubnetId(s)).into_iter().next()?;
                let ip = Ipv4Addr::from(u32::from(p.network()).checked_add(4)?);
                p.contains(&ip).then_some(ResolvedIp { ip, derived: true })
            })
            .collect();

        // Firewall rules: own + policy (with base policies) + attachments.
        let mut fw_rules = Vec::new();
        for (fi, f) in self.firewalls.iter().enumerate() {
            let mut rs = f.rules.clone();
            let mut seen = Vec::new();
            let mut pol = f.policy.as_ref().and_then(|l| l.id);
            while let Some(p) = pol {
                if seen.contains(&p) {
                    break;
                }
                seen.push(p);
                rs.extend(&self.firewall_policies[p].rules);
                for a in &self.rule_attachments {
                    if a.policy.as_ref().and_then(|l| l.id) == Some(p) {
                        rs.extend(&a.rules);
                    }
                }
                pol = self.firewall_policies[p]
                    .base_policy
                    .as_ref()
                    .and_then(|l| l.id);
            }
            for a in &self.rule_attachments {
                if a.firewall.as_ref().and_then(|l| l.id) == Some(fi) {
                    rs.extend(&a.rules);
                }
            }
            fw_rules.push(rs);
        }
        self.firewall_rules = fw_rules;

        self.subnets_by_table.clear();
        for (i, s) in self.subnets.iter().enumerate() {
            if let Some(t) = s.route_table.as_ref().and_then(|l| l.id) {
                self.subnets_by_table
                    .entry(t)
                    .or_default()
                    .push(SubnetId(i));
            }
        }

        for u in unknowns {
            self.push_unknown(u);
        }
    }
}
