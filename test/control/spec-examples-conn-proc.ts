// Example outputs copied verbatim (trailing spaces included) from ../shared/spec/ipvs-control.md
// §6.4 (`-L -c`, `--timeout`) and §7.1-7.3 (/proc/net/ip_vs, ip_vs_conn, ip_vs_stats). Expected
// text for the golden tests: it comes from the spec, never from running our formatters.

/** §6.4 `--timeout`. */
export const TIMEOUT_LINE = "Timeout (tcp tcpfin udp): 900 120 300";

export const CONN_LIST: string[] = [
  "IPVS connection entries",
  "pro expire state       source             virtual            destination",
  "TCP 14:58  ESTABLISHED 203.0.113.7:51234  192.168.10.100:80  10.0.0.11:80",
  "TCP 01:45  FIN_WAIT    203.0.113.9:40001  192.168.10.100:80  10.0.0.12:80",
  "TCP 00:52  SYN_RECV    198.51.100.20:33333 192.168.10.100:443 10.0.0.21:443",
  "TCP 05:59  NONE        198.51.100.0:0     192.168.10.100:443 10.0.0.21:443",
  "TCP 05:12  ASSURED     203.0.113.0:0      192.168.10.100:443 10.0.0.22:443",
  "UDP 04:59  UDP         203.0.113.50:5353  192.168.10.100:53  10.0.0.31:53",
  "IP  02:00  NONE        203.0.113.77:0     0.0.0.10:0         172.16.0.6:0",
];

export const PROC_IP_VS: string[] = [
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port Scheduler Flags",
  "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn",
  "TCP  C0A80A64:0050 wlc ",
  "  -> 0A00000C:0050      Masq    0      4          57        ",
  "  -> 0A00000B:0050      Masq    1      23         112       ",
  "TCP  C0A80A64:01BB rr persistent 90000 FFFFFF00",
  "  -> 0A000016:01BB      Route   1      15         38        ",
  "  -> 0A000015:01BB      Route   1      17         40        ",
  "UDP  C0A80A64:0035 rr ops ",
  "  -> 0A000020:0035      Masq    1      0          0         ",
  "  -> 0A00001F:0035      Masq    1      0          0         ",
  "TCP  [2001:0db8:0000:0000:0000:0000:0000:0100]:0050 wlc ",
  "  -> [2001:0db8:0000:0000:0000:0000:0000:0011]:0050      Masq    1      1          2         ",
  "FWM  0000000A sh ",
  "  -> AC100006:0000      Tunnel  1      2          11        ",
  "  -> AC100005:0000      Tunnel  1      3          9         ",
];

export const PROC_IP_VS_CONN: string[] = [
  "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData",
  "TCP CB007107 C822 C0A80A64 0050 0A00000B 0050 ESTABLISHED     898",
  "TCP CB007109 9C41 C0A80A64 0050 0A00000C 0050 FIN_WAIT        105",
  "TCP C6336400 0000 C0A80A64 01BB 0A000015 01BB NONE            359",
  "UDP CB007132 14E9 C0A80A64 0035 0A00001F 0035 UDP             299",
  "IP  CB00714D 0000 0000000A 0000 AC100006 0000 NONE            120",
  "TCP 2001:0db8:ffff:0000:0000:0000:0000:0007 AD21 2001:0db8:0000:0000:0000:0000:0000:0100 0050 2001:0db8:0000:0000:0000:0000:0000:0011 0050 ESTABLISHED     899",
];

export const PROC_IP_VS_STATS: string[] = [
  "   Total Incoming Outgoing         Incoming         Outgoing",
  "   Conns  Packets  Packets            Bytes            Bytes",
  "   DB7A3   217EE1   1E37CF          A1BF911         570D8819",
  "",
  " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s",
  "      F3      697      5FC            21D56           1938D0",
];

