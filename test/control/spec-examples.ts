// Example outputs copied verbatim (trailing spaces included) from ../shared/spec/ipvs-control.md
// §6.4 (listing formats) and §6.6 (save format). Expected text for the golden tests: it comes from
// the spec, never from running our formatter. Each constant is the list of lines of one example.

export const LIST_DEFAULT: string[] = [
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port Scheduler Flags",
  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
  "TCP  192.168.10.100:80 wlc",
  "  -> 10.0.0.11:80                 Masq    1      23         112       ",
  "  -> 10.0.0.12:80                 Masq    0      4          57        ",
  "TCP  192.168.10.100:443 rr persistent 360 mask 255.255.255.0",
  "  -> 10.0.0.21:443                Route   1      17         40        ",
  "  -> 10.0.0.22:443                Route   1      15         38        ",
  "UDP  192.168.10.100:53 rr ops",
  "  -> 10.0.0.31:53                 Masq    1      0          0         ",
  "  -> 10.0.0.32:53                 Masq    1      0          0         ",
  "TCP  [2001:db8::100]:80 wlc",
  "  -> [2001:db8::11]:80            Masq    1      1          2         ",
  "FWM  10 sh (sh-fallback,sh-port)",
  "  -> 172.16.0.5:0                 Tunnel  1      3          9         ",
  "  -> 172.16.0.6:0                 Tunnel  1      2          11        ",
];

export const LIST_STATS: string[] = [
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes",
  "  -> RemoteAddress:Port",
  "TCP  192.168.10.100:80               15234  1204567  1099876 98234567    1345M",
  "  -> 10.0.0.11:80                     7612   602001   549876 49100233  672800K",
  "  -> 10.0.0.12:80                     7622   602566   550000 49134334  672878K",
  "TCP  192.168.10.100:443               3021    90211        0  8123456        0",
  "  -> 10.0.0.21:443                    1511    45100        0  4061000        0",
  "  -> 10.0.0.22:443                    1510    45111        0  4062456        0",
  "UDP  192.168.10.100:53              880211   880211   880190 61614770  114424K",
  "  -> 10.0.0.31:53                   440106   440106   440095 30807420 57212350",
  "  -> 10.0.0.32:53                   440105   440105   440095 30807350 57212350",
];

export const LIST_RATE: string[] = [
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS",
  "  -> RemoteAddress:Port",
  "TCP  192.168.10.100:80                  12     1410     1302   118342  1623044",
  "  -> 10.0.0.11:80                        6      705      651    59170   811500",
  "  -> 10.0.0.12:80                        6      705      651    59172   811544",
];

export const LIST_THRESHOLDS: string[] = [
  "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ",
  "  -> RemoteAddress:Port",
  "TCP  192.168.10.100:443 rr persistent 360 mask 255.255.255.0",
  "  -> 10.0.0.21:443                200        150        17         40        ",
  "  -> 10.0.0.22:443                200        0          15         38        ",
];

export const LIST_PERSISTENT_CONN: string[] = [
  "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ",
  "  -> RemoteAddress:Port",
  "TCP  192.168.10.100:443 rr persistent 360 mask 255.255.255.0",
  "  -> 10.0.0.21:443                1         31          17         40        ",
  "  -> 10.0.0.22:443                1         29          15         38        ",
];

export const LIST_TUN_INFO_TAIL: string[] = [
  "FWM  10 sh (sh-fallback,sh-port)",
  "  -> 172.16.0.5:0                 Tunnel  gue:6080:-c   1      3          9         ",
  "  -> 172.16.0.6:0                 Tunnel  gre:+c        1      2          11        ",
  "  -> 172.16.0.7:0                 Tunnel  ipip          1      0          0         ",
  "  -> 10.0.0.8:0                   Masq    n/a           1      0          0         ",
];

export const SAVE_EXAMPLE: string[] = [
  "-A -t 192.168.10.100:80 -s wlc",
  "-a -t 192.168.10.100:80 -r 10.0.0.11:80 -m -w 1",
  "-a -t 192.168.10.100:80 -r 10.0.0.12:80 -m -w 0",
  "-A -t 192.168.10.100:443 -s rr -p 360 -M 255.255.255.0",
  "-a -t 192.168.10.100:443 -r 10.0.0.21:443 -g -w 1",
  "-a -t 192.168.10.100:443 -r 10.0.0.22:443 -g -w 1",
  "-A -u 192.168.10.100:53 -s rr -o",
  "-a -u 192.168.10.100:53 -r 10.0.0.31:53 -m -w 1",
  "-a -u 192.168.10.100:53 -r 10.0.0.32:53 -m -w 1",
  "-A -t [2001:db8::100]:80 -s wlc",
  "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -m -w 1",
  "-A -f 10 -s sh -b sh-fallback,sh-port",
  "-a -f 10 -r 172.16.0.5:0 -i -w 1 --tun-type ipip",
  "-a -f 10 -r 172.16.0.6:0 -i -w 1 --tun-type ipip",
];

/** §6.4: "With `--exact` the first service line would read" */
export const STATS_EXACT_FIRST_SERVICE_LINE = "TCP  192.168.10.100:80               15234  1204567  1099876 98234567 1345678901";
