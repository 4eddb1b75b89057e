//! Sockets: the listening entries of `/proc/PID/net/{tcp,tcp6,udp,udp6}` and the
//! socket inodes a process holds (`/proc/PID/fd/*` -> `socket:[INODE]`). Parsing is
//! pure and takes hostile bytes without panicking; the readers are thin.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use std::mem::MaybeUninit;

use rustix::fs::{Mode, OFlags, RawDir};

use super::ProcDir;
use crate::model::{Port, Proto};

/// `TCP_LISTEN` in the `st` column.
const TCP_LISTEN: u8 = 0x0A;
/// `TCP_CLOSE`: what an unconnected UDP socket shows (a connected one is `01`).
const UDP_UNCONNECTED: u8 = 0x07;

/// The four tables of a network namespace, as (file, protocol).
pub const TABLES: [(&str, Proto); 4] =
    [("net/tcp", Proto::Tcp), ("net/tcp6", Proto::Tcp), ("net/udp", Proto::Udp), ("net/udp6", Proto::Udp)];

/// How the kernel printed the 32-bit words of an address: each word is the raw
/// network-order bytes read as a native integer, so on a little-endian machine
/// `127.0.0.1` reads `0100007F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordOrder {
    Little,
    Big,
}

impl WordOrder {
    /// The order of the machine that wrote the tables: this one.
    pub const NATIVE: WordOrder =
        if cfg!(target_endian = "little") { WordOrder::Little } else { WordOrder::Big };

    fn bytes(self, word: u32) -> [u8; 4] {
        match self {
            WordOrder::Little => word.to_le_bytes(),
            WordOrder::Big => word.to_be_bytes(),
        }
    }
}

/// A listening socket and the inode that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listener {
    pub inode: u64,
    pub port: Port,
}

/// Appends the listening TCP sockets (state LISTEN) or the bound, unconnected UDP
/// sockets of one table to `out`. Lines that do not parse are skipped.
pub fn parse_table(text: &[u8], proto: Proto, order: WordOrder, out: &mut Vec<Listener>) {
    // The first line is the header.
    for line in text.split(|&b| b == b'\n').skip(1) {
        out.extend(parse_line(line, proto, order));
    }
}

fn parse_line(line: &[u8], proto: Proto, order: WordOrder) -> Option<Listener> {
    let mut fields = line.split(u8::is_ascii_whitespace).filter(|f| !f.is_empty());
    let _slot = fields.next()?;
    let (addr, port) = endpoint(fields.next()?, order)?;
    let (_, remote_port) = endpoint(fields.next()?, order)?;
    let state = u8::try_from(hex(fields.next()?)?).ok()?;
    let listening = match proto {
        Proto::Tcp => state == TCP_LISTEN,
        Proto::Udp => state == UDP_UNCONNECTED && remote_port == 0,
    };
    // tx:rx queues, tr:when, retransmits, uid, timeout, then the inode.
    let inode = super::number(fields.nth(5)?)?;
    (listening && port != 0 && inode != 0).then_some(Listener { inode, port: Port { port, proto, addr } })
}

/// `0100007F:0BB8` or `00000000000000000000000001000000:0BB8`.
fn endpoint(field: &[u8], order: WordOrder) -> Option<(IpAddr, u16)> {
    let colon = field.iter().position(|&b| b == b':')?;
    let (addr, port) = (field.get(..colon)?, field.get(colon + 1..)?);
    let port = u16::try_from(hex(port)?).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::try_from(hex(addr.get(i * 8..i * 8 + 8)?)?).ok()?;
        Some(order.bytes(w))
    };
    let addr = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(i)?);
            }
            let v6 = Ipv6Addr::from(bytes);
            // A v4-mapped address (`::ffff:127.0.0.1`) is shown as the IPv4 it is.
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some((addr, port))
}

/// Hex digits only, at most 16 of them.
fn hex(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| Some(n << 4 | u64::from(char::from(d).to_digit(16)?)))
}

/// The number inside `socket:[12345]` (an fd link), or `net:[4026531840]` with
/// `kind` "net" (an ns link).
pub fn bracketed_inode(link: &[u8], kind: &str) -> Option<u64> {
    let rest = link.strip_prefix(kind.as_bytes())?.strip_prefix(b":[")?;
    super::number(rest.strip_suffix(b"]")?)
}

impl ProcDir {
    /// The socket inodes among `pid`'s open files, into `out` (sorted, deduplicated),
    /// and how many files it has open; `via`: read them through that thread (a zombie
    /// leader's own table is gone). An error when the table cannot be read (another
    /// user's process, or gone).
    pub fn socket_inodes(&mut self, pid: u32, via: Option<u32>, out: &mut Vec<u64>) -> io::Result<usize> {
        out.clear();
        match via {
            Some(tid) => self.set_path(pid, &format!("task/{tid}/fd")),
            None => self.set_path(pid, "fd"),
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd_dir = rustix::fs::openat(&self.fd, self.path.as_str(), flags, Mode::empty())?;
        // Read with the descriptor just opened: no second open, no allocation.
        let mut entries = [MaybeUninit::<u8>::uninit(); 4096];
        let mut dir = RawDir::new(&fd_dir, &mut entries);
        let mut link = [0u8; 64];
        let mut count = 0;
        while let Some(entry) = dir.next() {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_bytes().first().is_none_or(|b| !b.is_ascii_digit()) {
                continue;
            }
            count += 1;
            // A descriptor closed since the listing is simply not there.
            let Ok(n) = rustix::fs::readlinkat_raw(&fd_dir, name, &mut link[..]) else { continue };
            out.extend(link.get(..n).and_then(|target| bracketed_inode(target, "socket")));
        }
        out.sort_unstable();
        out.dedup();
        Ok(count)
    }

    /// The inode of `pid`'s network namespace (`PID/ns/net`).
    pub fn net_namespace(&mut self, pid: u32, buf: &mut Vec<u8>) -> io::Result<u64> {
        self.read_link(pid, "ns/net", buf)?;
        bracketed_inode(buf, "net").ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))
    }

    /// Every listening socket of the network namespace `pid` is in, into `out`
    /// (sorted); `buf` is scratch. A table that cannot be read (no IPv6) is left out.
    pub fn listeners(&mut self, pid: u32, buf: &mut Vec<u8>, out: &mut Vec<Listener>) -> io::Result<()> {
        out.clear();
        let mut read_any = Err(io::Error::from(io::ErrorKind::NotFound));
        for (file, proto) in TABLES {
            match self.read(pid, file, buf) {
                Ok(_) => {
                    parse_table(buf, proto, WordOrder::NATIVE, out);
                    read_any = Ok(());
                }
                Err(e) if read_any.is_err() => read_any = Err(e),
                Err(_) => {}
            }
        }
        out.sort_unstable();
        read_any
    }
}

#[cfg(test)]
#[path = "net_tests.rs"]
mod tests;
