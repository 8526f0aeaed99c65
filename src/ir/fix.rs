//! Fix intents: what a rule wants changed, in IR terms (ids, prefixes), never in syntax.
//!
//! Rules emit intents; each front end writes them in its own syntax (`frontend::terraform::fix`
//! with hcl-rs, `frontend::arm::fix` for ARM JSON and Bicep): the help snippet, a one-line
//! setting, and the edits an editor or `--fix` applies.

use super::{Device, NicId, PeeringId, RouteId, RouteTableId, SubnetId};
use serde::Serialize;
use std::net::Ipv4Addr;

/// The device a new route points at, with what the front end needs to write it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NextHop {
    pub device: Device,
    /// Its private IP, where known (declared or derived).
    pub ip: Option<Ipv4Addr>,
    /// Its name, for text where the IP is not known.
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FixIntent {
    /// Add a route to `table`; with no table, to a new table that `subnet` is associated
    /// with. To a `VirtualAppliance` next hop, or (`None`) to `Internet`.
    AddRoute {
        table: Option<RouteTableId>,
        subnet: SubnetId,
        name: String,
        prefix: String,
        next_hop: Option<NextHop>,
    },
    /// Turn gateway route propagation off on a route table.
    PropagationOff { table: RouteTableId },
    /// Turn gateway route propagation (back) on on a route table.
    PropagationOn { table: RouteTableId },
    /// Allow forwarded traffic on a peering.
    AllowForwardedTraffic { peering: PeeringId },
    /// Enable IP forwarding on a NIC used as a next hop.
    EnableIpForwarding { nic: NicId },
    /// Write a route's literal next hop IP as a reference to the device that has it.
    ReferenceNextHop { route: RouteId, device: Device },
}
