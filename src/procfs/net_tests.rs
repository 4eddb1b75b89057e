//! The net table parser on tables copied from Linux 6.18 (x86-64) with python sockets
//! open: TCP listening on 127.0.0.1, `::1` and `::ffff:127.0.0.1`, an accepted
//! connection and its client, UDP bound (unconnected) and connected.

use std::fs;
use std::os::unix::fs::symlink;

use super::*;

const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:C483 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 215179 1 0000000096c527d5 100 0 0 10 0
   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1061 1 000000005d72c6cc 100 0 0 10 0
   2: 0100007F:C483 0100007F:C1C2 01 00000000:00000000 00:00000000 00000000     0        0 215184 1 00000000aa0c760a 20 0 0 10 -1
   3: 0100007F:C1C2 0100007F:C483 01 00000000:00000000 00:00000000 00000000     0        0 215183 2 00000000b2ea1c7d 20 0 0 10 -1
";

const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:DCC1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 215178 1 0000000064e50e88 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:C211 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 215185 1 000000002eb852a4 100 0 0 10 0
";

const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 5867: 0100007F:8B20 0100007F:0009 01 00000000:00000000 00:00000000 00000000     0        0 215182 2 000000006174c8ba 0
10172: 0100007F:9BF1 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 215181 2 0000000049bb975a 0
";

const UDP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 3788: 00000000000000000000000000000000:8301 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 215180 2 0000000047afe2e8 0
";

fn parsed(text: &str, proto: Proto) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    parse_table(text.as_bytes(), proto, WordOrder::Little, &mut out);
    out.iter().map(|l| (l.inode, l.port.to_string())).collect()
}

#[test]
fn only_listening_tcp_sockets_with_their_addresses_and_ports() {
    // The accepted connection (local port 0xC483 too) and its client are not listeners.
    assert_eq!(
        parsed(TCP, Proto::Tcp),
        [(215179, "tcp 127.0.0.1:50307".to_string()), (1061, "tcp 0.0.0.0:2024".to_string())]
    );
}

#[test]
fn ipv6_words_are_in_host_order_and_v4_mapped_addresses_read_as_ipv4() {
    assert_eq!(
        parsed(TCP6, Proto::Tcp),
        [(215178, "tcp [::1]:56513".to_string()), (215185, "tcp 127.0.0.1:49681".to_string())]
    );
}

#[test]
fn udp_sockets_count_when_bound_and_unconnected() {
    assert_eq!(parsed(UDP, Proto::Udp), [(215181, "udp 127.0.0.1:39921".to_string())]);
    assert_eq!(parsed(UDP6, Proto::Udp), [(215180, "udp [::]:33537".to_string())]);
}

#[test]
fn a_big_endian_table_reads_the_same_addresses() {
    let line = "hdr\n   0: 7F000001:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1\n";
    let mut out = Vec::new();
    parse_table(line.as_bytes(), Proto::Tcp, WordOrder::Big, &mut out);
    assert_eq!(out.iter().map(|l| l.port.to_string()).collect::<Vec<_>>(), ["tcp 127.0.0.1:3000"]);
    let v6 = "hdr\n   0: 20010DB8000000000000000000000001:0050 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 78 1\n";
    out.clear();
    parse_table(v6.as_bytes(), Proto::Tcp, WordOrder::Big, &mut out);
    assert_eq!(out.iter().map(|l| l.port.to_string()).collect::<Vec<_>>(), ["tcp [2001:db8::1]:80"]);
}

#[test]
fn malformed_lines_are_skipped() {
    let text = "header\n\
        0: 0100007F:0BB8 00000000:0000 0A 0 0 0 0 0\n\
        1: 0100007F 00000000:0000 0A 0 0 0 0 0 5\n\
        2: 0100007:0BB8 00000000:0000 0A 0 0 0 0 0 5\n\
        3: 0100007F:10000 00000000:0000 0A 0 0 0 0 0 5\n\
        4: 0100007F:0BB8 00000000:0000 0A 0 0 0 0 0 -5\n\
        5: 0100007F:0000 00000000:0000 0A 0 0 0 0 0 5\n\
        6: 0100007F:0BB8 00000000:0000 0A 0 0 0 0 0 0\n\
        7: 0100007F:0BB8 00000000:0000 0A 0 0 0 0 0 9\n";
    // No inode, short address, port over 16 bits, negative inode, port 0, inode 0.
    assert_eq!(parsed(text, Proto::Tcp), [(9, "tcp 127.0.0.1:3000".to_string())]);
}

#[test]
fn link_targets_name_sockets_and_namespaces() {
    assert_eq!(bracketed_inode(b"socket:[215179]", "socket"), Some(215_179));
    assert_eq!(bracketed_inode(b"net:[4026531833]", "net"), Some(4_026_531_833));
    for other in
        [&b"pipe:[5]"[..], b"/dev/null", b"socket:[]", b"socket:[12", b"socket:[1x]", b"anon_inode:[eventfd]"]
    {
        assert_eq!(bracketed_inode(other, "socket"), None, "{}", String::from_utf8_lossy(other));
    }
}

#[test]
fn a_fake_proc_gives_socket_inodes_namespace_and_listeners() {
    let root = tempfile::tempdir().unwrap();
    let fd = root.path().join("42/fd");
    fs::create_dir_all(&fd).unwrap();
    fs::create_dir_all(root.path().join("42/net")).unwrap();
    fs::create_dir_all(root.path().join("42/ns")).unwrap();
    for (n, target) in [
        ("0", "/dev/null"),
        ("3", "socket:[215179]"),
        ("4", "pipe:[7]"),
        ("5", "socket:[1061]"),
        ("6", "socket:[215179]"),
    ] {
        symlink(target, fd.join(n)).unwrap();
    }
    symlink("net:[4026531833]", root.path().join("42/ns/net")).unwrap();
    for (file, text) in [("net/tcp", TCP), ("net/tcp6", TCP6), ("net/udp", UDP)] {
        fs::write(root.path().join("42").join(file), text).unwrap();
    }
    let mut proc = ProcDir::open(root.path()).unwrap();
    let mut inodes = Vec::new();
    proc.socket_inodes(42, None, &mut inodes).unwrap();
    assert_eq!(inodes, [1061, 215_179]);
    assert_eq!(proc.net_namespace(42, &mut Vec::new()).unwrap(), 4_026_531_833);
    let mut listeners = Vec::new();
    // udp6 is missing (a kernel without IPv6): the other tables still count.
    proc.listeners(42, &mut Vec::new(), &mut listeners).unwrap();
    let found: Vec<u64> = listeners.iter().map(|l| l.inode).collect();
    assert_eq!(found, [1061, 215_178, 215_179, 215_181, 215_185]);
    assert!(proc.socket_inodes(43, None, &mut inodes).is_err(), "no such process");
}

use proptest::prelude::*;

proptest! {
    #[test]
    fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut out = Vec::new();
        for proto in [Proto::Tcp, Proto::Udp] {
            parse_table(&bytes, proto, WordOrder::Little, &mut out);
        }
        let _ = bracketed_inode(&bytes, "socket");
    }

    #[test]
    fn table_shaped_hostile_lines_never_panic(
        fields in proptest::collection::vec("[0-9A-Fa-fx:\\-]{0,40}", 0..14)
    ) {
        let text = format!("header\n{}\n", fields.join(" "));
        let mut out = Vec::new();
        parse_table(text.as_bytes(), Proto::Tcp, WordOrder::Little, &mut out);
        parse_table(text.as_bytes(), Proto::Udp, WordOrder::Big, &mut out);
        for l in &out {
            prop_assert!(l.port.port != 0 && l.inode != 0);
        }
    }
}
