//! Listening sockets of swarmtop's own network namespace through netlink's sock_diag
//! (what `ss -l` uses). Reading `/proc/net/tcp` walks the whole established-connection
//! hash, about 1 ms of CPU per table on a box with a large one, idle or not, while a
//! dump asking for listening sockets only walks the listening hash. Four dumps per
//! refresh: TCP in state LISTEN and unconnected UDP (state CLOSE), each for IPv4 and
//! IPv6. The kernel ABI is small and stable (`linux/inet_diag.h`), so it is written out
//! here rather than pulled in with a netlink crate family and its binary size.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::OwnedFd;

use rustix::net::netlink::{self, SocketAddrNetlink};
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};

use crate::model::{Port, Proto};
use crate::procfs::net::Listener;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_HEADER: usize = 16;
/// `struct inet_diag_msg`: family, state, timer, retrans, the 48-byte socket id, then
/// expires, rqueue, wqueue, uid and inode.
const DIAG_MSG: usize = 72;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const TCP_LISTEN: u32 = 10;
const TCP_CLOSE: u32 = 7;

/// The dumps of one refresh: (family, protocol, state).
const DUMPS: [(u8, u8, u32); 4] = [
    (AF_INET, IPPROTO_TCP, TCP_LISTEN),
    (AF_INET6, IPPROTO_TCP, TCP_LISTEN),
    (AF_INET, IPPROTO_UDP, TCP_CLOSE),
    (AF_INET6, IPPROTO_UDP, TCP_CLOSE),
];

/// An open sock_diag socket, kept across refreshes.
#[derive(Debug)]
pub struct SockDiag {
    fd: OwnedFd,
    buf: Vec<u8>,
    seq: u32,
}

impl SockDiag {
    pub fn open() -> io::Result<SockDiag> {
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            Some(netlink::SOCK_DIAG),
        )?;
        Ok(SockDiag { fd, buf: vec![0; 32 * 1024], seq: 0 })
    }

    /// Every listening socket of this namespace, into `out` (sorted).
    pub fn listeners(&mut self, out: &mut Vec<Listener>) -> io::Result<()> {
        out.clear();
        for (family, protocol, state) in DUMPS {
            self.seq = self.seq.wrapping_add(1);
            let request = request(family, protocol, 1 << state, self.seq);
            rustix::net::sendto(&self.fd, &request, SendFlags::empty(), &SocketAddrNetlink::new(0, 0))?;
            loop {
                let (n, _) = rustix::io::retry_on_intr(|| {
                    rustix::net::recv(&self.fd, &mut self.buf[..], RecvFlags::empty())
                })?;
                match parse_reply(self.buf.get(..n).unwrap_or_default(), self.seq, protocol, out) {
                    Reply::More => {}
                    Reply::Done => break,
                    Reply::Error(errno) => return Err(io::Error::from_raw_os_error(errno)),
                }
            }
        }
        out.sort_unstable();
        Ok(())
    }
}

/// A dump request: `nlmsghdr` then `inet_diag_req_v2` (all in host order; the
/// socket id is left zero, so it matches every socket).
fn request(family: u8, protocol: u8, states: u32, seq: u32) -> [u8; 72] {
    let mut r = [0u8; 72];
    r[0..4].copy_from_slice(&72u32.to_ne_bytes());
    r[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    r[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    r[8..12].copy_from_slice(&seq.to_ne_bytes());
    r[16] = family;
    r[17] = protocol;
    r[20..24].copy_from_slice(&states.to_ne_bytes());
    r
}

/// What one datagram of a dump said.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    More,
    Done,
    Error(i32),
}

/// Appends the sockets of one datagram of the dump `seq` to `out`. Messages of another
/// sequence, short or malformed ones are skipped; nothing here trusts a length.
fn parse_reply(mut data: &[u8], seq: u32, protocol: u8, out: &mut Vec<Listener>) -> Reply {
    let u32_at = |b: &[u8], i: usize| b.get(i..i + 4).map(|s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]));
    while data.len() >= NLMSG_HEADER {
        let Some(len) = u32_at(data, 0).map(|l| l as usize).filter(|&l| l >= NLMSG_HEADER) else {
            return Reply::Done;
        };
        let kind = u16::from_ne_bytes([data[4], data[5]]);
        let message = data.get(..len.min(data.len())).unwrap_or_default();
        let body = message.get(NLMSG_HEADER..).unwrap_or_default();
        if u32_at(data, 8) == Some(seq) {
            match kind {
                NLMSG_DONE => return Reply::Done,
                NLMSG_ERROR => {
                    let errno = u32_at(body, 0).map_or(0, |e| e as i32);
                    return if errno == 0 { Reply::Done } else { Reply::Error(-errno) };
                }
                SOCK_DIAG_BY_FAMILY => out.extend(socket(body, protocol)),
                _ => {}
            }
        }
        // Messages are aligned to 4 bytes.
        let next = len.checked_add(3).map(|l| l & !3).unwrap_or(usize::MAX);
        data = data.get(next..).unwrap_or_default();
    }
    Reply::More
}

/// One `inet_diag_msg`: its local address and port, and its inode.
fn socket(msg: &[u8], protocol: u8) -> Option<Listener> {
    let msg = msg.get(..DIAG_MSG)?;
    let port = u16::from_be_bytes([msg[4], msg[5]]);
    let remote_port = u16::from_be_bytes([msg[6], msg[7]]);
    let src: [u8; 16] = msg.get(8..24)?.try_into().ok()?;
    let addr = match msg[0] {
        AF_INET => IpAddr::V4(Ipv4Addr::new(src[0], src[1], src[2], src[3])),
        AF_INET6 => {
            let v6 = Ipv6Addr::from(src);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    let inode = u64::from(u32::from_ne_bytes(msg.get(68..72)?.try_into().ok()?));
    let proto = if protocol == IPPROTO_TCP { Proto::Tcp } else { Proto::Udp };
    // A UDP socket with a peer is connected, not waiting for anyone.
    let listening = proto == Proto::Tcp || remote_port == 0;
    (listening && port != 0 && inode != 0).then_some(Listener { inode, port: Port { port, proto, addr } })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply datagram with one `inet_diag_msg` per (family, sport, dport, src, inode),
    /// then DONE, for sequence `seq`.
    fn reply(seq: u32, sockets: &[(u8, u16, u16, [u8; 16], u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        for &(family, sport, dport, src, inode) in sockets {
            let mut m = vec![0u8; NLMSG_HEADER + DIAG_MSG];
            m[0..4].copy_from_slice(&((NLMSG_HEADER + DIAG_MSG) as u32).to_ne_bytes());
            m[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
            m[8..12].copy_from_slice(&seq.to_ne_bytes());
            let b = &mut m[NLMSG_HEADER..];
            b[0] = family;
            b[1] = 10;
            b[4..6].copy_from_slice(&sport.to_be_bytes());
            b[6..8].copy_from_slice(&dport.to_be_bytes());
            b[8..24].copy_from_slice(&src);
            b[68..72].copy_from_slice(&inode.to_ne_bytes());
            out.extend(m);
        }
        let mut done = vec![0u8; NLMSG_HEADER + 4];
        done[0..4].copy_from_slice(&((NLMSG_HEADER + 4) as u32).to_ne_bytes());
        done[4..6].copy_from_slice(&NLMSG_DONE.to_ne_bytes());
        done[8..12].copy_from_slice(&seq.to_ne_bytes());
        out.extend(done);
        out
    }

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut s = [0u8; 16];
        s[..4].copy_from_slice(&a);
        s
    }

    #[test]
    fn replies_give_addresses_ports_and_inodes() {
        let loopback6 = Ipv6Addr::LOCALHOST.octets();
        let mapped = Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped().octets();
        let data = reply(
            7,
            &[
                (AF_INET, 3000, 0, v4([127, 0, 0, 1]), 11),
                (AF_INET6, 5173, 0, loopback6, 12),
                (AF_INET6, 8080, 0, mapped, 13),
                (AF_INET, 0, 0, v4([0, 0, 0, 0]), 14),
            ],
        );
        let mut out = Vec::new();
        assert_eq!(parse_reply(&data, 7, IPPROTO_TCP, &mut out), Reply::Done);
        let got: Vec<String> = out.iter().map(|l| format!("{} #{}", l.port, l.inode)).collect();
        assert_eq!(got, ["tcp 127.0.0.1:3000 #11", "tcp [::1]:5173 #12", "tcp 127.0.0.1:8080 #13"]);
    }

    #[test]
    fn connected_udp_sockets_and_other_sequences_are_left_out() {
        let data =
            reply(3, &[(AF_INET, 5353, 53, v4([10, 0, 0, 2]), 21), (AF_INET, 5353, 0, v4([0; 4]), 22)]);
        let mut out = Vec::new();
        parse_reply(&data, 3, IPPROTO_UDP, &mut out);
        assert_eq!(out.iter().map(|l| l.inode).collect::<Vec<_>>(), [22]);
        out.clear();
        assert_eq!(parse_reply(&data, 4, IPPROTO_UDP, &mut out), Reply::More, "another dump's reply");
        assert!(out.is_empty());
    }

    #[test]
    fn an_error_message_carries_its_errno() {
        let mut m = vec![0u8; NLMSG_HEADER + 4];
        m[0..4].copy_from_slice(&20u32.to_ne_bytes());
        m[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        m[8..12].copy_from_slice(&9u32.to_ne_bytes());
        m[16..20].copy_from_slice(&(-2i32).to_ne_bytes());
        assert_eq!(parse_reply(&m, 9, IPPROTO_TCP, &mut Vec::new()), Reply::Error(2));
    }

    #[test]
    fn the_live_dump_agrees_with_the_proc_tables() {
        let Ok(mut diag) = SockDiag::open() else {
            println!("SKIPPED: no sock_diag netlink here");
            return;
        };
        let tcp = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let udp = std::net::UdpSocket::bind(("::1", 0)).unwrap();
        let mut proc = crate::procfs::ProcDir::open(std::path::Path::new("/proc")).unwrap();
        let ports = [tcp.local_addr().unwrap().port(), udp.local_addr().unwrap().port()];
        // A read of /proc/net/{tcp,udp} is chunked and can miss a socket while others
        // come and go (a busy box, parallel tests): read both again until they agree.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (mut from_netlink, mut from_proc) = (Vec::new(), Vec::new());
            diag.listeners(&mut from_netlink).unwrap();
            proc.listeners(std::process::id(), &mut Vec::new(), &mut from_proc).unwrap();
            let find = |v: &[Listener], port: u16| v.iter().find(|l| l.port.port == port).copied();
            let agree = ports
                .iter()
                .all(|&p| find(&from_netlink, p).is_some() && find(&from_netlink, p) == find(&from_proc, p));
            if agree {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{ports:?}: netlink {from_netlink:?} and /proc {from_proc:?} never agreed"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hostile_replies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), seq in 0u32..4) {
            let _ = parse_reply(&bytes, seq, IPPROTO_TCP, &mut Vec::new());
            let _ = socket(&bytes, IPPROTO_UDP);
        }
    }
}
