// Choosing a real server for a packet that starts a connection (ip_vs_core.c ip_vs_schedule and
// ip_vs_sched_persist, §1.5, §2.8). Non-persistent services schedule only packets for the service
// port (fwmark services excepted; a port-zero service must be persistent). Persistent services first
// look for the client's template — keyed by the masked client address and <proto, VIP, service port>,
// or <proto, VIP, 0> for port-zero and FTP services, or <IPPROTO_IP, mark, 0> for fwmark services —
// and create one bound to a freshly scheduled dest when there is none or it is no longer valid; the
// new conn is controlled by the template, whose timer every such conn re-arms.
// Returns the new conn's index, or 0 with scheduleReason set to the drop reason. h is the new conn's
// client-side hash, connHash(proto, saddr, af, sport), which the caller's in-lookup computed.
import {
  SVC_F_PERSISTENT, DROP_NOT_SCHEDULED, DROP_NO_DEST, DROP_CONN_TABLE_FULL,
} from "./abi";
import { svcPtr, S_FLAGS, S_PORT, S_FWMARK, S_NETMASK, S_TIMEOUT } from "./svc/service";
import { destPtr, D_PORT } from "./svc/dest";
import { schedule } from "./sched/index";
import { setSchedContext } from "./sched/context";
import { connNew } from "./conn/new";
import { connPtr } from "./conn/table";
import { connArm, now } from "./conn/timer";
import { connDest, setConnControl, connNControl } from "./conn/record";
import { templateGet, templateNew, templateValid, templateInvalidate } from "./conn/template";
import { addrToSlot } from "./wire/ip";
import { expireQuiescentTemplate } from "./settings";

export let scheduleReason: u32 = 0;

const SNET = memory.data(16);     // masked client address of the template key
const TVADDR = memory.data(16);   // template vaddr: the VIP, or the mark in the first 32 bits
const FTP_PORT: u32 = 21;

/** The client address under the service's netmask (IPv4 mask, host order) or prefix length (IPv6). */
function maskClient(saddr: usize, af: u32, mask: u32): void {
  addrToSlot(SNET, saddr, af);
  if (af == 4) { store<u32>(SNET, load<u32>(SNET) & bswap<u32>(mask)); return; }
  const plen = mask > 128 ? 128 : mask;
  for (let b: u32 = 0; b < 16; b++) {
    const keep: i32 = <i32>plen - <i32>(b << 3);
    const m: u32 = keep >= 8 ? 0xFF : (keep <= 0 ? 0 : (0xFF << (8 - <u32>keep)) & 0xFF);
    store<u8>(SNET + b, <u8>(<u32>load<u8>(SNET + b) & m));
  }
}

export function scheduleConn(si: u32, af: u32, proto: u32, saddr: usize, sport: u32, daddr: usize,
                             dport: u32, mark: u32, h: u32): u32 {
  const s = svcPtr(si);
  setSchedContext(af, proto, saddr, daddr, sport, dport, now, false);
  const svcPort = <u32>load<u16>(s, S_PORT);
  const fwmark = load<u32>(s, S_FWMARK);
  if ((load<u32>(s, S_FLAGS) & SVC_F_PERSISTENT) != 0) return schedulePersist(si, af, proto, saddr, sport, daddr, dport, mark, h);
  if (fwmark == 0 && dport != svcPort) { scheduleReason = DROP_NOT_SCHEDULED; return 0; }
  const di = schedule(si);
  if (di == 0) { scheduleReason = DROP_NO_DEST; return 0; }
  const dp = <u32>load<u16>(destPtr(di), D_PORT);
  const i = connNew(si, di, proto, af, saddr, sport, daddr, dport, dp != 0 ? dp : dport, h);
  if (i == 0) scheduleReason = DROP_CONN_TABLE_FULL;
  return i;
}

function schedulePersist(si: u32, af: u32, proto: u32, saddr: usize, sport: u32, daddr: usize,
                         dport: u32, mark: u32, h: u32): u32 {
  const s = svcPtr(si);
  const svcPort = <u32>load<u16>(s, S_PORT);
  const fwmark = load<u32>(s, S_FWMARK);
  maskClient(saddr, af, load<u32>(s, S_NETMASK));
  let tproto = proto, tvport: u32 = 0;
  let perPort = false;                              // template remembers the dest port
  if (fwmark != 0) {
    tproto = 0;                                     // IPPROTO_IP
    memory.fill(TVADDR, 0, 16);
    store<u32>(TVADDR, bswap<u32>(fwmark));
  } else {
    addrToSlot(TVADDR, daddr, af);
    if (dport == svcPort && svcPort != FTP_PORT) { tvport = svcPort; perPort = true; }
  }
  let t = templateGet(af, tproto, SNET, TVADDR, tvport, fwmark != 0);
  if (t != 0 && !templateValid(t, expireQuiescentTemplate)) { templateInvalidate(t); t = 0; }
  let di: u32;
  if (t == 0) {
    di = schedule(si);
    if (di == 0) { scheduleReason = DROP_NO_DEST; return 0; }
    const tdport = perPort ? <u32>load<u16>(destPtr(di), D_PORT) : 0;
    t = templateNew(di, af, tproto, SNET, TVADDR, tvport, tdport, load<u32>(s, S_TIMEOUT));
    if (t == 0) { scheduleReason = DROP_CONN_TABLE_FULL; return 0; }
  } else {
    di = connDest(connPtr(t));
  }
  const destPort = <u32>load<u16>(destPtr(di), D_PORT);
  const rsport = dport == svcPort && destPort != 0 ? destPort : dport;
  const i = connNew(si, di, proto, af, saddr, sport, daddr, dport, rsport, h);
  if (i != 0) {
    setConnControl(connPtr(i), t);
    const tc = connPtr(t);
    setConnControl(tc, connNControl(tc) + 1);              // a template's n_control
  } else scheduleReason = DROP_CONN_TABLE_FULL;
  connArm(t);                                       // ip_vs_conn_put(ct): the template's timer restarts
  return i;
}
