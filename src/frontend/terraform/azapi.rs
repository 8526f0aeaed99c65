//! `azapi_resource`: an ARM resource written in Terraform (`type = "Microsoft.Network/…@api"`,
//! `name`, `parent_id`, `body = { properties = … }`), as Azure Verified Modules declare VNets,
//! subnets and peerings. Its body is an ARM resource body, so it is lowered by the ARM front
//! end's lowering, with positions in the `.tf` file and the Terraform address as an alias
//! (references such as `azapi_resource.vnet.id` resolve to it).

use crate::frontend::arm::eval::{provider_key, ArmResource, Spans};
use crate::frontend::arm::json::{JNode, J};
use crate::frontend::arm::lower::{self as arm_lower, Locate};
use crate::frontend::value::{Entity, Value};
use crate::ir::Model;
use crate::source::Origin;
use std::collections::HashMap;
use std::sync::Arc;

/// Positions in the Terraform block: the `body` attribute for any path inside it, the
/// `name` attribute as the header, the block for the rest.
struct TfLocator;

impl Locate for TfLocator {
    fn at(&self, s: &Spans, path: &str) -> Origin {
        s.span_of(path)
    }
    fn header(&self, s: &Spans) -> Option<Origin> {
        s.span_at("header").map(|x| Origin::new(s.r.file, x))
    }
    fn exact(&self, _s: &Spans, _path: &str) -> Option<Origin> {
        // Values inside `body` have no span of their own: no edit can be placed there.
        None
    }
}

/// `Microsoft.Network/virtualNetworks/subnets@2024-07-01` -> the type without the version.
fn arm_type(e: &Entity) -> Option<String> {
    let t = e.get("type")?.as_str()?;
    Some(t.split('@').next().unwrap_or(t).to_string())
}

/// The key of the resource a `parent_id` names: the provider path of an Azure id, or the
/// key of another `azapi_resource` (or an `azurerm_virtual_network`'s address); `Some("")`
/// for a resource group or subscription.
fn parent_key(v: &Value, by_addr: &HashMap<&str, &Arc<Entity>>, depth: usize) -> Option<String> {
    match v {
        Value::String(s) => {
            let lower = s.to_ascii_lowercase();
            Some(match lower.rfind("/providers/") {
                Some(i) => s[i + "/providers/".len()..]
                    .trim_end_matches('/')
                    .to_string(),
                None => String::new(),
            })
        }
        Value::Ref(r) if depth < 8 => {
            let e = by_addr.get(r.addr.as_str())?;
            match e.rtype.as_str() {
                "azapi_resource" => key_of(e, by_addr, depth + 1),
                "azurerm_virtual_network" => Some(e.addr.clone()),
                "azurerm_resource_group" => Some(String::new()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// An `azapi_resource`'s key: its provider path (`Microsoft.Network/virtualNetworks/hub/
/// subnets/fw`) where its name and its parent's are known, else built on the Terraform
/// address (`module.spoke.azapi_resource.vnet/subnets/snet`), which references name too.
/// `None` when a child's parent is not known at all.
fn key_of(e: &Entity, by_addr: &HashMap<&str, &Arc<Entity>>, depth: usize) -> Option<String> {
    let rtype = arm_type(e)?;
    let name = e.get("name").and_then(|v| v.as_str()).map(str::to_string);
    let segments = rtype.split('/').count();
    if segments <= 2 {
        return Some(match name {
            Some(n) => provider_key(&rtype, &n),
            None => e.addr.replace('/', "_"),
        });
    }
    let parent = parent_key(e.get("parent_id")?, by_addr, depth)?;
    if parent.is_empty() {
        return None;
    }
    let child = rtype.rsplit('/').next()?;
    let name = name.unwrap_or_else(|| e.addr.replace('/', "_"));
    Some(format!("{parent}/{child}/{name}"))
}

/// Lowers every `azapi_resource` among `entities` into the model.
pub fn lower_all(m: &mut Model, entities: &[Arc<Entity>]) {
    let by_addr: HashMap<&str, &Arc<Entity>> =
        entities.iter().map(|e| (e.addr.as_str(), e)).collect();
    let mut syntax = crate::frontend::arm::fix::Syntax::default();
    for e in entities.iter().filter(|e| e.rtype == "azapi_resource") {
        let Some(rtype) = arm_type(e) else { continue };
        if !rtype.to_ascii_lowercase().starts_with("microsoft.network/") {
            continue;
        }
        let Some(key) = key_of(e, &by_addr, 0) else {
            let what = format!("`{}`", e.addr);
            m.note_unknown(
                what,
                "its parent (`parent_id`) is not known statically, so it is not analysed",
                e.origin(),
            );
            continue;
        };
        let body = match e.get("body") {
            Some(b @ Value::Map(_)) => b.clone(),
            Some(Value::Null) | None => Value::map(Default::default()),
            Some(other) => {
                m.note_unknown(
                    format!("body of `{}`", e.addr),
                    crate::frontend::to_ir::why(other),
                    e.attr_origin("body"),
                );
                continue;
            }
        };
        // Where things are, as a declaration without values: the block, `body` for the
        // properties, `name`, and the block's header.
        let at = |span: std::ops::Range<usize>| JNode { v: J::Null, span };
        let mut entries = vec![("header".to_string(), at(e.header.clone()))];
        if let Some(s) = e.attr_spans.get("body") {
            entries.push(("properties".to_string(), at(s.clone())));
        }
        if let Some(s) = e.attr_spans.get("name") {
            entries.push(("name".to_string(), at(s.clone())));
        }
        let decl = JNode {
            v: J::Obj(entries.into()),
            span: e.span.clone(),
        };
        // The ARM lowering names an element by the last segment of `name`.
        let name = match e.get("name").and_then(|v| v.as_str()) {
            Some(n) => n.to_string(),
            None => e.addr.clone(),
        };
        let r = ArmResource {
            rtype,
            name,
            key,
            symbolic: Some(e.addr.clone()),
            body,
            file: e.file,
            decl,
            existing: false,
            deployments: Vec::new(),
            set_at: Default::default(),
        };
        arm_lower::resource(m, &mut syntax, &r, &TfLocator);
    }
}
