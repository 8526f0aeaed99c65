//! Devices: which one a `VirtualAppliance` next hop reaches, where it sits, whether it
//! keeps state.

use super::Device;
use crate::analysis::routes::ApplianceRef;
use crate::analysis::Analysis;
use crate::ir::*;
use crate::source::Origin;
use std::net::Ipv4Addr;

/// Why a `VirtualAppliance` next hop is not a known device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoDevice {
    /// The next hop IP is computed or missing (the text names the value).
    Computed(String),
    /// The IP lies in a firewall's `AzureFirewallSubnet` but is not its front-end address.
    FirewallSubnetAddress { ip: Ipv4Addr, firewall: FirewallId },
    /// No declared firewall, NIC or load balancer frontend has the address.
    NoOwner { ip: Ipv4Addr },
}

impl Analysis<'_> {
    /// The device a `VirtualAppliance` route reaches, or why it is not known.
    pub fn device_of(&self, a: &ApplianceRef) -> Result<Device, NoDevice> {
        let m = self.model;
        match a {
            ApplianceRef::Firewall(f) => Ok(Device::Firewall(*f)),
            ApplianceRef::Nic(n) => Ok(Device::Nva(*n)),
            ApplianceRef::Lb(l, fe) => {
                let fes = &m.load_balancers[l.0].frontends;
                let i = fe
                    .as_ref()
                    .and_then(|n| {
                        n.strip_prefix('[')
                            .and_then(|x| x.strip_suffix(']'))
                            .and_then(|x| x.parse::<usize>().ok())
                            .filter(|i| *i < fes.len())
                            .or_else(|| fes.iter().position(|f| &f.name == n))
                    })
                    .unwrap_or(0);
                Ok(Device::Lb(*l, i))
            }
            ApplianceRef::Unknown(w) => Err(NoDevice::Computed(w.clone())),
            ApplianceRef::Ip(ip) => {
                for (i, f) in m.firewall_ips.iter().enumerate() {
                    if f.is_some_and(|r| r.ip == *ip) {
                        return Ok(Device::Firewall(FirewallId(i)));
                    }
                }
                for (i, n) in m.nics.iter().enumerate() {
                    if n.ip_configs.iter().any(|c| c.private_ip == Some(*ip)) {
                        return Ok(Device::Nva(NicId(i)));
                    }
                }
                for (i, l) in m.load_balancers.iter().enumerate() {
                    if let Some(fe) = l.frontends.iter().position(|f| f.private_ip == Some(*ip)) {
                        return Ok(Device::Lb(LbId(i), fe));
                    }
                }
                for (i, f) in m.firewalls.iter().enumerate() {
                    if let Some(s) = f.subnet.as_ref().and_then(|l| l.id) {
                        if m.subnet_prefixes(SubnetId(s))
                            .iter()
                            .any(|p| p.contains(ip))
                        {
                            return Err(NoDevice::FirewallSubnetAddress {
                                ip: *ip,
                                firewall: FirewallId(i),
                            });
                        }
                    }
                }
                Err(NoDevice::NoOwner { ip: *ip })
            }
        }
    }

    /// Is a missing device certain? `false` when a device whose address is computed (a
    /// dynamic NIC or frontend IP, a firewall whose address is not declared) could own the
    /// IP, so the answer is not known.
    pub fn certainly_no_device(&self, why: &NoDevice) -> bool {
        let m = self.model;
        let could_own = |ip: &Ipv4Addr| {
            let holds = |l: &Option<Link>| match l.as_ref().and_then(|l| l.id) {
                Some(s) => m
                    .subnet_prefixes(SubnetId(s))
                    .iter()
                    .any(|p| p.contains(ip)),
                None => true,
            };
            m.nics
                .iter()
                .flat_map(|n| &n.ip_configs)
                .any(|c| c.private_ip.is_none() && holds(&c.subnet))
                || m.load_balancers
                    .iter()
                    .flat_map(|l| &l.frontends)
                    .any(|f| f.private_ip.is_none() && f.public_ip.is_none() && holds(&f.subnet))
                || m.firewalls.iter().enumerate().any(|(i, f)| {
                    m.firewall_ips.get(i).copied().flatten().is_none() && holds(&f.subnet)
                })
        };
        match why {
            NoDevice::Computed(_) => false,
            NoDevice::NoOwner { ip } => !could_own(ip),
            NoDevice::FirewallSubnetAddress { ip, firewall } => {
                // The front-end address is a convention (.4) unless declared.
                m.firewall_ips
                    .get(firewall.0)
                    .copied()
                    .flatten()
                    .is_some_and(|r| !r.derived)
                    && !could_own(ip)
            }
        }
    }

    /// The subnet a device sits in (where its own routes come from).
    pub fn device_subnet(&self, d: Device) -> Option<SubnetId> {
        let m = self.model;
        match d {
            Device::Firewall(f) => m.firewalls[f.0].subnet.as_ref()?.id.map(SubnetId),
            Device::Nva(n) => m.nics[n.0]
                .ip_configs
                .iter()
                .find_map(|c| c.subnet.as_ref()?.id)
                .map(SubnetId),
            Device::Lb(l, fe) => {
                let fes = &m.load_balancers[l.0].frontends;
                fes.get(fe)
                    .and_then(|f| f.subnet.as_ref()?.id)
                    .or_else(|| fes.iter().find_map(|f| f.subnet.as_ref()?.id))
                    .map(SubnetId)
            }
        }
    }

    fn device_meta(&self, d: Device) -> &Meta {
        self.model.device_meta(d)
    }

    /// The device's name; a load balancer with several frontends names the frontend too.
    pub fn device_name(&self, d: Device) -> String {
        let name = self.device_meta(d).display().to_string();
        match d {
            Device::Lb(l, fe) => {
                let fes = &self.model.load_balancers[l.0].frontends;
                match fes.get(fe) {
                    Some(f) if fes.len() > 1 => format!("{name} (frontend {})", f.name),
                    _ => name,
                }
            }
            _ => name,
        }
    }

    pub fn device_origin(&self, d: Device) -> Origin {
        self.device_meta(d).origin
    }

    /// Does the device keep session state? Firewalls always; NVAs and load balancers
    /// unless `[appliances] stateless` names them (by address, name or IP).
    pub fn stateful(&self, d: Device) -> bool {
        let m = self.model;
        let meta = self.device_meta(d);
        let ips: Vec<String> = match d {
            Device::Firewall(_) => return true,
            Device::Nva(n) => m.nics[n.0]
                .ip_configs
                .iter()
                .filter_map(|c| c.private_ip.map(|i| i.to_string()))
                .collect(),
            Device::Lb(l, _) => m.load_balancers[l.0]
                .frontends
                .iter()
                .filter_map(|f| f.private_ip.map(|i| i.to_string()))
                .collect(),
        };
        !self
            .config
            .appliances
            .stateless
            .iter()
            .any(|s| *s == meta.key || meta.name.as_ref() == Some(s) || ips.iter().any(|i| i == s))
    }

    /// The IP address of an appliance reference, and whether it was derived.
    pub fn appliance_ip(&self, a: &ApplianceRef) -> Option<(Ipv4Addr, bool)> {
        match a {
            ApplianceRef::Ip(ip) => Some((*ip, false)),
            ApplianceRef::Firewall(f) => super::device_ip(self.model, Device::Firewall(*f)),
            ApplianceRef::Nic(n) => super::device_ip(self.model, Device::Nva(*n)),
            ApplianceRef::Lb(..) => super::device_ip(self.model, self.device_of(a).ok()?),
            ApplianceRef::Unknown(_) => None,
        }
    }
}
