//! IP network functions after go-cty-funcs' `cidr` (apparentlymart/go-cidr): `cidrhost`,
//! `cidrnetmask`, `cidrsubnet`, `cidrsubnets`, for IPv4 and IPv6. Addresses are `u128`
//! with a bit width of 32 or 128.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::eval::functions::{Context, FnError, int_arg, string_arg};
use crate::eval::value::Value;

type R = Result<Value, FnError>;

/// A network prefix: its (masked) base address, prefix length and address width.
#[derive(Clone, Copy)]
struct Net {
    base: u128,
    len: u32,
    bits: u32,
}

impl Net {
    fn host_bits(self) -> u32 {
        self.bits - self.len
    }

    fn mask(bits: u32, len: u32) -> u128 {
        let all = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
        if len == 0 { 0 } else { all & !((1u128 << (bits - len)) - 1).min(all) }
    }

    fn last(self) -> u128 {
        self.base | (Net::mask(self.bits, self.bits) & !Net::mask(self.bits, self.len))
    }

    fn text(self) -> String {
        format!("{}/{}", addr_text(self.base, self.bits), self.len)
    }
}

fn addr_text(a: u128, bits: u32) -> String {
    if bits == 32 { Ipv4Addr::from(u32::try_from(a).unwrap_or(0)).to_string() } else { Ipv6Addr::from(a).to_string() }
}

fn parse_net(args: &[Value], i: usize) -> Result<Net, FnError> {
    let s = string_arg(args, i)?;
    let invalid = || FnError::arg(i, format!("invalid CIDR expression: invalid CIDR address: {s}"));
    let (addr, len) = s.split_once('/').ok_or_else(invalid)?;
    let ip: IpAddr = addr.parse().map_err(|_| invalid())?;
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) || (len.len() > 1 && len.starts_with('0')) {
        return Err(invalid());
    }
    let len: u32 = len.parse().map_err(|_| invalid())?;
    let (a, bits) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    if len > bits {
        return Err(invalid());
    }
    Ok(Net { base: a & Net::mask(bits, len), len, bits })
}

/// `cidrhost(prefix, hostnum)`: negative numbers count back from the last address.
pub fn cidrhost(_: &Context<'_>, args: &[Value]) -> R {
    let net = parse_net(args, 0)?;
    let num = int_arg(args, 1)?;
    // The number of hosts; `None` when it is 2^128 (an IPv6 /0), too many for a u128.
    let size = 1u128.checked_shl(net.host_bits()).filter(|_| net.host_bits() < 128);
    let too_big = || FnError::arg(1, format!("prefix of {} does not accommodate a host numbered {num}", net.len));
    let n = u128::from(num.unsigned_abs());
    let offset = match (num >= 0, size) {
        (true, Some(size)) if n >= size => return Err(too_big()),
        (true, _) => n,
        (false, Some(size)) if n > size => return Err(too_big()),
        (false, Some(size)) => size - n,
        (false, None) => n.wrapping_neg(),
    };
    Ok(Value::string(addr_text(net.base.wrapping_add(offset), net.bits)))
}

/// `cidrnetmask(prefix)`: IPv4 only.
pub fn cidrnetmask(_: &Context<'_>, args: &[Value]) -> R {
    let net = parse_net(args, 0)?;
    if net.bits != 32 {
        return Err(FnError::arg(0, format!("IPv6 addresses cannot have a netmask: {}", string_arg(args, 0)?)));
    }
    Ok(Value::string(addr_text(Net::mask(32, net.len), 32)))
}

/// `cidrsubnet(prefix, newbits, netnum)`.
pub fn cidrsubnet(_: &Context<'_>, args: &[Value]) -> R {
    let net = parse_net(args, 0)?;
    let newbits = int_arg(args, 1)?;
    let netnum = int_arg(args, 2)?;
    let new_len = i64::from(net.len) + newbits;
    if newbits < 0 || new_len > i64::from(net.bits) {
        return Err(FnError::arg(
            1,
            format!("insufficient address space to extend prefix of {} by {newbits}", net.len),
        ));
    }
    let new_len = u32::try_from(new_len).unwrap_or(net.bits);
    let max = if newbits >= 127 { u128::MAX } else { 1u128 << newbits };
    if netnum < 0 || u128::from(netnum.unsigned_abs()) >= max {
        return Err(FnError::arg(
            2,
            format!("prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"),
        ));
    }
    let shift = net.bits - new_len;
    let offset = if shift >= 128 { 0 } else { u128::from(netnum.unsigned_abs()) << shift };
    Ok(Value::string(Net { base: net.base | offset, len: new_len, bits: net.bits }.text()))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned after the previous.
pub fn cidrsubnets(_: &Context<'_>, args: &[Value]) -> R {
    let net = parse_net(args, 0)?;
    let mut out = Vec::new();
    let mut current: Option<Net> = None;
    for i in 1..args.len() {
        let newbits = int_arg(args, i)?;
        if newbits < 1 {
            return Err(FnError::arg(i, "must extend prefix by at least one bit"));
        }
        let new_len = i64::from(net.len) + newbits;
        if new_len > i64::from(net.bits) {
            let v = if net.bits == 32 { 4 } else { 6 };
            return Err(FnError::arg(
                i,
                format!("would extend prefix to {new_len} bits, which is too long for an IPv{v} address"),
            ));
        }
        let new_len = u32::try_from(new_len).unwrap_or(net.bits);
        let mask = Net::mask(net.bits, new_len);
        let start = match current {
            None => Some(net.base),
            Some(prev) => {
                let candidate = Net { base: prev.last() & mask, len: new_len, bits: net.bits };
                candidate.last().checked_add(1).filter(|n| *n <= Net::mask(net.bits, net.bits))
            }
        };
        let next = start.map(|s| Net { base: s & mask, len: new_len, bits: net.bits });
        match next {
            Some(n) if n.base & Net::mask(net.bits, net.len) == net.base => {
                out.push(Value::string(n.text()));
                current = Some(n);
            }
            _ => {
                let after = current.map_or_else(|| net.text(), Net::text);
                return Err(FnError::arg(
                    i,
                    format!(
                        "not enough remaining address space for a subnet with a prefix of {new_len} bits after {after}"
                    ),
                ));
            }
        }
    }
    Ok(Value::list(out))
}
