// The connection entries the §6.4 `-L -c` and §7.2 /proc/net/ip_vs_conn examples describe, built by
// hand from the example text (addresses, ports, states, seconds left) for the golden tests.
import type { ConnStatus } from "../../src/control/target.ts";

function conn(proto: ConnStatus["proto"], secs: number, state: string, c: string, v: string, d: string, over: Partial<ConnStatus> = {}): ConnStatus {
  const split = (s: string): [string, number] => {
    const i = s.lastIndexOf(":");
    return [s.slice(0, i).replace(/^\[|\]$/g, ""), Number(s.slice(i + 1))];
  };
  const [caddr, cport] = split(c), [vaddr, vport] = split(v), [daddr, dport] = split(d);
  const af = caddr.includes(":") ? 6 : 4;
  return {
    proto, af, caddr, cport, vaddr, vport, daf: daddr.includes(":") ? 6 : 4, daddr, dport, state,
    expiresInSecs: secs, template: cport === 0, fwmark: 0, ...over,
  };
}

export const ESTABLISHED = conn("TCP", 898, "ESTABLISHED", "203.0.113.7:51234", "192.168.10.100:80", "10.0.0.11:80");
export const FIN_WAIT = conn("TCP", 105, "FIN_WAIT", "203.0.113.9:40001", "192.168.10.100:80", "10.0.0.12:80");
export const SYN_RECV = conn("TCP", 52, "SYN_RECV", "198.51.100.20:33333", "192.168.10.100:443", "10.0.0.21:443");
export const TEMPLATE_NONE = conn("TCP", 359, "NONE", "198.51.100.0:0", "192.168.10.100:443", "10.0.0.21:443");
export const TEMPLATE_ASSURED = conn("TCP", 312, "ASSURED", "203.0.113.0:0", "192.168.10.100:443", "10.0.0.22:443");
export const UDP = conn("UDP", 299, "UDP", "203.0.113.50:5353", "192.168.10.100:53", "10.0.0.31:53");
export const FWM_TEMPLATE = conn("IP", 120, "NONE", "203.0.113.77:0", "0.0.0.0:0", "172.16.0.6:0", { fwmark: 10 });
export const V6 = conn("TCP", 899, "ESTABLISHED", "[2001:db8:ffff::7]:44321", "[2001:db8::100]:80", "[2001:db8::11]:80");
