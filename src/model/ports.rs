//! Listening sockets: what a process listens on, the union over a group, and the
//! processes that hold a port (what `port:N` and `list --port N` resolve to).

use core::net::IpAddr;
use std::fmt;

use super::forest::{Forest, ProcNode};

/// The transport of a listening socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// A listening TCP socket, or a bound UDP socket with no peer. Ordered by port first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Port {
    pub port: u16,
    pub proto: Proto,
    pub addr: IpAddr,
}

impl fmt::Display for Port {
    /// `tcp 127.0.0.1:3000`, `udp [::]:5353`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{} {a}:{}", self.proto.as_str(), self.port),
            IpAddr::V6(a) => write!(f, "{} [{a}]:{}", self.proto.as_str(), self.port),
        }
    }
}

/// The distinct port numbers of `ports`, lowest first.
pub fn numbers<'a>(ports: impl IntoIterator<Item = &'a Port>) -> Vec<u16> {
    let mut n: Vec<u16> = ports.into_iter().map(|p| p.port).collect();
    n.sort_unstable();
    n.dedup();
    n
}

/// A process's ports for a column: `:3000 :9229`, cut to `width` with `+N` for the rest.
pub fn list_text(numbers: &[u16], width: usize) -> String {
    let mut out = String::new();
    for (i, n) in numbers.iter().enumerate() {
        let item = format!(":{n}");
        let sep = usize::from(!out.is_empty());
        let rest = numbers.len() - i - 1;
        // Room for this one, and for a `+N` after it if more follow.
        let tail = if rest > 0 { format!(" +{rest}").len() } else { 0 };
        if out.len() + sep + item.len() + tail > width && !out.is_empty() {
            out.push_str(&format!(" +{}", numbers.len() - i));
            return out;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(&item);
    }
    out
}

/// A group's ports for a column: the lowest, and how many more (`:3000 +2`).
pub fn union_text(numbers: &[u16]) -> String {
    match numbers {
        [] => String::new(),
        [one] => format!(":{one}"),
        [first, rest @ ..] => format!(":{first} +{}", rest.len()),
    }
}

/// The distinct ports of every process in these trees (parents first, no recursion).
pub fn of_trees(roots: &[ProcNode]) -> Vec<Port> {
    let mut out = Vec::new();
    for root in roots {
        root.walk(&mut |n| out.extend(n.process.ports.iter().flat_map(|p| p.iter())));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The processes of the forest that hold a listening socket on `port` (any protocol,
/// any address), parents first. Exactly those: never their children, never anyone
/// whose sockets could not be read.
pub fn holders(forest: &Forest, port: u16) -> Vec<&ProcNode> {
    let mut out = Vec::new();
    forest.walk_processes(&mut |n| {
        if n.process.ports.as_ref().is_some_and(|ps| ps.iter().any(|p| p.port == port)) {
            out.push(n);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_texts_fit_and_count_the_rest() {
        assert_eq!(list_text(&[3000, 9229], 12), ":3000 :9229");
        assert_eq!(list_text(&[3000, 9229, 5173], 11), ":3000 +2");
        assert_eq!(list_text(&[80], 2), ":80");
        assert_eq!(list_text(&[], 10), "");
        assert_eq!(union_text(&[3000, 5173, 9229]), ":3000 +2");
        assert_eq!(union_text(&[3000]), ":3000");
        assert_eq!(numbers(&[p(9229), p(3000), p(3000)]), vec![3000, 9229]);
    }

    fn p(port: u16) -> Port {
        Port { port, proto: Proto::Tcp, addr: IpAddr::from([127, 0, 0, 1]) }
    }

    #[test]
    fn ports_read_as_protocol_address_and_number() {
        assert_eq!(p(3000).to_string(), "tcp 127.0.0.1:3000");
        let v6 = Port { port: 53, proto: Proto::Udp, addr: "::1".parse().unwrap() };
        assert_eq!(v6.to_string(), "udp [::1]:53");
    }
}
