//! CIDR syntax, for `inbound-cidrs`.

use std::net::IpAddr;

use super::error::Problem;

/// Checks that `raw` is `<ip>/<prefix>` with a prefix that fits the address family; true for IPv6.
pub fn check(raw: &str) -> Result<bool, Problem> {
    let bad = || Problem::NotCidr(raw.to_owned());
    let (ip, prefix) = raw.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = ip.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv6() { 128 } else { 32 };
    if prefix > max {
        return Err(bad());
    }
    Ok(ip.is_ipv6())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_v4_and_v6_and_refuses_the_rest() {
        assert_eq!(check("10.0.0.0/8"), Ok(false));
        assert_eq!(check("::/0"), Ok(true));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "x/1",
            "10.0.0.0/-1",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
