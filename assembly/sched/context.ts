// What a scheduler may know about the packet it schedules (the kernel passes skb and iph): family,
// protocol, source and destination address (pointers to 4 or 16 bytes in the frame), ports (host
// order; 0 for protocols without ports), the clock, and whether the lookup is "inverse" (from the
// header quoted in an ICMP error, where source and destination swap roles). Set by the packet path
// right before schedule(); valid only during that call.
export let schedAf: u32 = 4;
export let schedProto: u32 = 0;
export let schedSaddr: usize = 0;
export let schedDaddr: usize = 0;
export let schedSport: u32 = 0;
export let schedDport: u32 = 0;
export let schedNow: u32 = 0;
export let schedInverse: bool = false;

export function setSchedContext(af: u32, proto: u32, saddr: usize, daddr: usize, sport: u32, dport: u32,
                                now: u32, inverse: bool): void {
  schedAf = af; schedProto = proto; schedSaddr = saddr; schedDaddr = daddr;
  schedSport = sport; schedDport = dport; schedNow = now; schedInverse = inverse;
}
