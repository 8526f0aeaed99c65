//! CIDR arithmetic on ipnet, shared by both evaluators (Terraform `cidrsubnet`,
//! `cidrsubnets`, `cidrhost`; ARM `cidrSubnet`, `cidrHost`, `parseCidr`). Every sum is
//! checked: a prefix length past /32 or an index outside the range is an error, never a
//! wrapped-around answer.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The `netnum`-th subnet of `base` that is `newbits` longer.
pub fn subnet(base: Ipv4Net, newbits: u64, netnum: u64) -> Result<Ipv4Net, String> {
    let len = base.prefix_len() as u64 + newbits;
    if len > 32 {
        return Err(format!("{base} + {newbits} bits is longer than /32"));
    }
    if netnum >= (1u64 << newbits) {
        return Err(format!("{netnum} does not fit in {newbits} bits"));
    }
    let start = u32::from(base.network()) as u64 + (netnum << (32 - len));
    Ipv4Net::new(Ipv4Addr::from(start as u32), len as u8).map_err(|e| e.to_string())
}

/// Consecutive subnets of `base`, each `newbits[i]` longer, packed in order and aligned
/// (Terraform's `cidrsubnets`).
pub fn subnets(base: Ipv4Net, newbits: &[u64]) -> Result<Vec<Ipv4Net>, String> {
    let base_len = base.prefix_len() as u64;
    let mut cur: u64 = u32::from(base.network()) as u64;
    let end = cur + (1u64 << (32 - base_len));
    let mut out = Vec::with_capacity(newbits.len());
    for &bits in newbits {
        let len = base_len + bits;
        if len > 32 {
            return Err("prefix longer than /32".into());
        }
        let size = 1u64 << (32 - len);
        cur = cur.div_ceil(size) * size;
        if cur + size > end {
            return Err("not enough address space".into());
        }
        out.push(Ipv4Net::new(Ipv4Addr::from(cur as u32), len as u8).map_err(|e| e.to_string())?);
        cur += size;
    }
    Ok(out)
}

/// Host `hostnum` of `base`, counted from the network address; negative counts back
/// from the broadcast address (Terraform's `cidrhost`).
pub fn host(base: Ipv4Net, hostnum: i64) -> Result<Ipv4Addr, String> {
    let size: i64 = 1i64 << (32 - base.prefix_len() as u32);
    let idx = if hostnum < 0 {
        size.checked_add(hostnum)
    } else {
        Some(hostnum)
    };
    match idx {
        Some(i) if (0..size).contains(&i) => {
            Ok(Ipv4Addr::from(u32::from(base.network()) + i as u32))
        }
        _ => Err(format!("host {hostnum} is outside {base}")),
    }
}

/// The first and last usable addresses (network + 1, broadcast - 1).
pub fn usable(base: Ipv4Net) -> (Ipv4Addr, Ipv4Addr) {
    (
        Ipv4Addr::from(u32::from(base.network()).saturating_add(1)),
        Ipv4Addr::from(u32::from(base.broadcast()).saturating_sub(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(subnet(n("10.1.0.0/16"), 8, 2).unwrap(), n("10.1.2.0/24"));
        assert!(
            subnet(n("10.0.0.0/8"), 4294967295, 0).is_err(),
            "no wrap-around"
        );
        assert!(subnet(n("10.0.0.0/8"), 8, 256).is_err());
        assert_eq!(
            subnets(n("10.0.0.0/16"), &[8, 4, 8]).unwrap(),
            [n("10.0.0.0/24"), n("10.0.16.0/20"), n("10.0.32.0/24")]
        );
        assert!(subnets(n("10.0.0.0/30"), &[1, 1, 1]).is_err());
        assert_eq!(host(n("10.0.1.0/26"), 4).unwrap().to_string(), "10.0.1.4");
        assert_eq!(
            host(n("10.0.1.0/24"), -2).unwrap().to_string(),
            "10.0.1.254"
        );
        assert!(host(n("10.0.1.0/24"), 256).is_err());
        assert!(host(n("10.0.1.0/24"), i64::MIN).is_err());
        assert_eq!(
            usable(n("10.0.1.0/24")),
            ("10.0.1.1".parse().unwrap(), "10.0.1.254".parse().unwrap())
        );
    }
}
