// The engine's ABI: every constant the host must agree on — batch descriptor layout, verdicts, drop
// reasons, counter indices, forwarding methods, protocol and scheduler ids, error codes.
// This file is the single source of truth: scripts/gen-abi.ts turns the `export const NAME: T = V;`
// lines below into src/engine/abi.ts, and a test fails when the two drift. Keep one constant per line.
// Drop reason names for the host are derived from the DROP_* names (DROP_TRUNCATED_L4 -> truncated-l4).

// ---- batch descriptors (one per frame; the host fills off/len/time/mark, the engine the rest) ----
export const DESC_SIZE: u32 = 32;
export const DESC_OFF: u32 = 0;        // frame start in linear memory (HEADROOM bytes before it are free)
export const DESC_LEN: u32 = 4;        // frame length
export const DESC_TIME: u32 = 8;       // arrival time in jiffies (HZ below), wrapping u32
export const DESC_MARK: u32 = 12;      // firewall mark supplied by the host (0 = none)
export const DESC_VERDICT: u32 = 16;   // VERDICT_* | reason << 8
export const DESC_OUT_OFF: u32 = 20;   // start of the frame to transmit (may be before DESC_OFF: tunnel headers)
export const DESC_OUT_LEN: u32 = 24;   // its length
export const DESC_HINT: u32 = 28;      // egress hint: dest index for packets to a real server, 0 toward a client
export const HEADROOM: u32 = 64;       // bytes the host leaves free before every frame (>= 52: IPv6 + UDP + GUE outer headers; ICMPv6 reply 48)
export const BATCH_MAX: u32 = 1024;    // descriptors per batch
export const BATCH_BYTES: u32 = 4194304; // batch frame area size
export const HZ: u32 = 250;            // engine clock: jiffies of 4 ms

// ---- settings (sysctl values the packet path reads; assembly/settings.ts) ----
export const SET_SLOPPY_TCP: u32 = 0;
export const SET_SLOPPY_SCTP: u32 = 1;
export const SET_CONN_REUSE_MODE: u32 = 2;
export const SET_EXPIRE_NODEST_CONN: u32 = 3;
export const SET_EXPIRE_QUIESCENT_TEMPLATE: u32 = 4;
export const SET_LBLC_EXPIRATION: u32 = 5;     // seconds (proc_dointvec_jiffies), ip_vs_lblc.c
export const SET_LBLCR_EXPIRATION: u32 = 6;    // seconds, ip_vs_lblcr.c
export const SET_CACHE_BYPASS: u32 = 7;
export const SET_NAT_ICMP_SEND: u32 = 8;
export const SET_SCHEDULE_ICMP: u32 = 9;
export const SET_IGNORE_TUNNELED: u32 = 10;
export const SET_PMTU_DISC: u32 = 11;
export const SET_DEBUG_LEVEL: u32 = 12;
export const SET_DROP_RATE: u32 = 13;          // drop_packet's current rate (host's defense timer; 0 = off)
export const SET_BACKUP_ONLY: u32 = 14;

// ---- verdicts ----
export const VERDICT_PASS: u32 = 0;    // not ours: leave to the host's stack
export const VERDICT_TX: u32 = 1;      // transmit DESC_OUT_OFF/DESC_OUT_LEN
export const VERDICT_DROP: u32 = 2;    // dropped; reason in bits 8..15; DESC_OUT_LEN > 0: an ICMP error to send back
export const VERDICT_F_IPVS_PROPERTY: u32 = 65536; // on a PASS: marked handled (ignore_tunneled; skb->ipvs_property), never feed it or its decapsulated inner packet back

// ---- drop reasons ----
export const DROP_NONE: u32 = 0;
export const DROP_BAD_DESCRIPTOR: u32 = 1;
export const DROP_TRUNCATED_ETHER: u32 = 2;
export const DROP_TRUNCATED_IP: u32 = 3;
export const DROP_BAD_IP_VERSION: u32 = 4;
export const DROP_BAD_IP_HEADER_LENGTH: u32 = 5;
export const DROP_BAD_IP_CHECKSUM: u32 = 6;
export const DROP_BAD_IP_TOTAL_LENGTH: u32 = 7;
export const DROP_IP_FRAGMENT: u32 = 8;
export const DROP_BAD_IPV6_EXT_HEADER: u32 = 9;
export const DROP_TRUNCATED_L4: u32 = 10;
export const DROP_CONN_TABLE_FULL: u32 = 11;
export const DROP_NO_DEST: u32 = 12;
export const DROP_TTL_EXCEEDED: u32 = 13;
export const DROP_ICMP_CHECKSUM: u32 = 14;
export const DROP_ICMP_FRAGMENTED: u32 = 15;
export const DROP_DEST_UNAVAILABLE: u32 = 16;
export const DROP_BAD_SCTP_HEADER: u32 = 17;
export const DROP_NOT_SCHEDULED: u32 = 18;
export const DROP_DROP_PACKET: u32 = 19;       // the drop_packet defense (ip_vs_todrop)
export const DROP_NAT_ICMP_SEND: u32 = 20;     // a reply from a NAT real server with no conn (nat_icmp_send)
export const DROP_FRAG_NEEDED: u32 = 21;       // longer than the dest's tunnel MTU with DF (IPv6: always): ICMP frag-needed / packet too big sent (IPv6: not for relayed ICMP or non-first fragments)
export const DROP_TUNNEL_MTU: u32 = 22;        // tunnel MTU below 68 / 1280, or an oversize packet the kernel would fragment (the engine does not)
export const DROP_REASONS: u32 = 23;   // count of reasons above

// ---- global counters (u64 each, at countersPtr()) ----
export const CNT_PACKETS: u32 = 0;
export const CNT_FORWARDED: u32 = 1;
export const CNT_DROPPED: u32 = 2;
export const CNT_PASSED: u32 = 3;
export const CNT_CONNS_CREATED: u32 = 4;
export const CNT_CONNS_EXPIRED: u32 = 5;
export const CNT_SCHED_CACHE_FULL: u32 = 6; // lblc/lblcr: no pool node for a cache entry (scheduled, not cached)
export const CNT_DROP_ENTRY: u32 = 7;  // conns dropped by the drop_entry defense
export const CNT_LOG_LOST: u32 = 8;    // debug log lines lost to the rate limit or a full ring
export const CNT_DROPS: u32 = 16;      // CNT_DROPS + reason: drops by reason
export const CNT_SLOTS: u32 = 48;

// ---- IPVS stats objects (5 x u64: conns, inpkts, outpkts, inbytes, outbytes) ----
export const STATS_SIZE: u32 = 40;
export const ST_CONNS: u32 = 0;
export const ST_INPKTS: u32 = 8;
export const ST_OUTPKTS: u32 = 16;
export const ST_INBYTES: u32 = 24;
export const ST_OUTBYTES: u32 = 32;

// ---- protocols (IP protocol numbers) ----
export const PROTO_TCP: u32 = 6;
export const PROTO_UDP: u32 = 17;
export const PROTO_SCTP: u32 = 132;

// ---- forwarding methods (IP_VS_CONN_F_FWD_MASK values) ----
export const FWD_MASQ: u32 = 0;
export const FWD_LOCALNODE: u32 = 1;
export const FWD_TUNNEL: u32 = 2;
export const FWD_DROUTE: u32 = 3;
export const FWD_BYPASS: u32 = 4;

// ---- tunnel sub-types and encapsulation flags (dest tun_type / tun_flags, IP_VS_CONN_F_TUNNEL_TYPE_*) ----
export const TUN_TYPE_IPIP: u32 = 0;
export const TUN_TYPE_GUE: u32 = 1;
export const TUN_TYPE_GRE: u32 = 2;
export const TUN_F_CSUM: u32 = 1;      // IP_VS_TUNNEL_ENCAP_FLAG_CSUM (0 = NOCSUM)
export const TUN_F_REMCSUM: u32 = 2;   // IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM

// ---- schedulers (ids; one file each under assembly/sched/, dispatch generated by scripts/gen-sched.ts) ----
// `none` (the kernel's "no scheduler bound", ipvs-control.md §1.1): every new connection fails to
// schedule (no dest), as with an empty dest list; conns that exist keep flowing.
export const SCHED_NONE: u32 = 0;
export const SCHED_RR: u32 = 1;
export const SCHED_WRR: u32 = 2;
export const SCHED_LC: u32 = 3;
export const SCHED_WLC: u32 = 4;
export const SCHED_SED: u32 = 5;
export const SCHED_NQ: u32 = 6;
export const SCHED_DH: u32 = 7;
export const SCHED_SH: u32 = 8;
export const SCHED_LBLC: u32 = 9;
export const SCHED_LBLCR: u32 = 10;
export const SCHED_MH: u32 = 11;
export const SCHED_FO: u32 = 12;
export const SCHED_OVF: u32 = 13;
export const SCHED_TWOS: u32 = 14;

// ---- service flags (IP_VS_SVC_F_*) ----
export const SVC_F_PERSISTENT: u32 = 1;
export const SVC_F_ONEPACKET: u32 = 4;
export const SVC_F_SCHED1: u32 = 8;
export const SVC_F_SCHED2: u32 = 16;
export const SVC_F_SCHED3: u32 = 32;

// ---- dest flags (IP_VS_DEST_F_*) ----
export const DEST_F_AVAILABLE: u32 = 1;
export const DEST_F_OVERLOAD: u32 = 2;

// ---- connection states (TCP; UDP uses 0 = NORMAL; SCTP has its own numbering) ----
export const TCP_NONE: u32 = 0;
export const TCP_ESTABLISHED: u32 = 1;
export const TCP_SYN_SENT: u32 = 2;
export const TCP_SYN_RECV: u32 = 3;
export const TCP_FIN_WAIT: u32 = 4;
export const TCP_TIME_WAIT: u32 = 5;
export const TCP_CLOSE: u32 = 6;
export const TCP_CLOSE_WAIT: u32 = 7;
export const TCP_LAST_ACK: u32 = 8;
export const TCP_LISTEN: u32 = 9;
export const TCP_SYNACK: u32 = 10;
export const TCP_STATES: u32 = 11;
export const TPL_NONE: u32 = 0;        // persistence template states (IP_VS_CTPL_S_*)
export const TPL_ASSURED: u32 = 1;
export const SCTP_STATES: u32 = 14;

// ---- state-table directions and TCP event classes ----
export const DIR_INPUT: u32 = 0;
export const DIR_OUTPUT: u32 = 1;
export const DIR_INPUT_ONLY: u32 = 2;
export const TCP_EV_SYN: u32 = 0;
export const TCP_EV_FIN: u32 = 1;
export const TCP_EV_ACK: u32 = 2;
export const TCP_EV_RST: u32 = 3;
export const SCTP_EVENTS: u32 = 10;


// ---- control-call results ----
export const OK: i32 = 0;
export const ERR_EXISTS: i32 = -1;
export const ERR_NO_SERVICE: i32 = -2;
export const ERR_NO_DEST: i32 = -3;
export const ERR_FULL: i32 = -4;
export const ERR_INVALID: i32 = -5;
export const ERR_NO_SCHED: i32 = -6;

// ---- conn record layout (bytes; assembly/conn/record.ts) ----
// 48 bytes. IPv4 addresses are inline; an IPv6 conn keeps its two addresses in a 32-byte slot of the
// address extension pool (CONN6_SIZE) whose index is stored in C_CADDR. The real server's address,
// its family and the service come from the dest (D_ADDR, D_AF, D_SVC); a conn without dest (bypass)
// has daddr 0 and its own family.
export const CONN_SIZE: u32 = 48;
export const CONN6_SIZE: u32 = 32;  // address extension slot: caddr (16 bytes), vaddr (16 bytes)
export const C_CADDR: u32 = 0;     // u32 IPv4 address; IPv6: extension slot index
export const C_VADDR: u32 = 4;     // u32 IPv4 address (fwmark templates: the mark, network order)
export const C_CPORT: u32 = 8;     // u16
export const C_VPORT: u32 = 10;    // u16
export const C_DPORT: u32 = 12;    // u16
export const C_PROTO: u32 = 14;    // u8
export const C_STATE: u32 = 15;    // u8
export const C_FLAGS: u32 = 16;    // u16 IP_VS_CONN_F_*
export const C_DEST: u32 = 18;     // u16 dest index (0 = none)
export const C_HNEXT: u32 = 20;    // u32 tagged hash chain link / free list
export const C_EXPIRES: u32 = 24;  // u32 jiffies
export const C_TIMEOUT: u32 = 28;  // u32 jiffies
export const C_INPKTS: u32 = 32;   // u16, saturating
export const C_WSLOT: u32 = 34;    // u16 timer wheel slot the record is queued in
export const C_CONTROL: u32 = 36;  // u24 (low bits of a u32): controlling template; in a template: conns it controls
export const C_USED: u32 = 39;     // u8 CONN_USED | CONN_QUEUED | CONN_AF6
export const C_WPREV: u32 = 40;    // u32 timer wheel list
export const C_WNEXT: u32 = 44;    // u32
export const MAX_DESTS: u32 = 65535; // dest capacity limit: C_DEST is 16 bits
export const CONN_USED: u32 = 1;   // C_USED bits: allocated,
export const CONN_QUEUED: u32 = 2; // on the timer wheel,
export const CONN_AF6: u32 = 4;    // IPv6 (addresses in the extension slot)
export const CF_FWD_MASK: u32 = 0x0007;
export const CF_HASHED: u32 = 0x0040;
export const CF_NOOUTPUT: u32 = 0x0080;
export const CF_INACTIVE: u32 = 0x0100;
export const CF_NO_CPORT: u32 = 0x0800;
export const CF_TEMPLATE: u32 = 0x1000;
export const CF_ONE_PACKET: u32 = 0x2000;

// ---- dest record layout (bytes) ----
export const DEST_SIZE: u32 = 128;
export const D_FLAGS: u32 = 0;      // u32 DEST_F_* (AVAILABLE, OVERLOAD)
export const D_CONN_FLAGS: u32 = 4; // u32 conn flags every conn of this dest gets (fwd | INACTIVE | NOOUTPUT)
export const D_AF: u32 = 8;         // u8
export const D_TUN_TYPE: u32 = 9;   // u8
export const D_TUN_FLAGS: u32 = 10; // u8
export const D_USED: u32 = 11;      // u8: record allocated
export const D_PORT: u32 = 12;      // u16 host order
export const D_TUN_PORT: u32 = 14;  // u16
export const D_ADDR: u32 = 16;      // 16 bytes
export const D_WEIGHT: u32 = 32;    // i32
export const D_LAST_WEIGHT: u32 = 36;
export const D_U_THRESHOLD: u32 = 40;
export const D_L_THRESHOLD: u32 = 44;
export const D_ACTIVE: u32 = 48;    // activeconns
export const D_INACTIVE: u32 = 52;  // inactconns
export const D_PERSIST: u32 = 56;   // persistconns
export const D_SVC: u32 = 60;       // owning service index
export const D_NEXT: u32 = 64;      // next dest in the service's list (0 = end)
export const D_MAC: u32 = 68;       // 6 bytes: next-hop MAC for droute (set by the host)
export const D_HAS_MAC: u32 = 74;   // u8
export const D_REFCNT: u32 = 76;    // conns bound to this dest
export const D_IDLE_START: u32 = 80; // trash: when it was first seen unreferenced (0 = not yet)
export const D_MTU: u32 = 84;       // u32 route MTU toward the dest (set by the host; 0 = unknown, no check)
export const D_SCHED_POS: u32 = 88; // u32 the dest's leaf number in its service's tournament tree (sched/tournament.ts)
export const D_FOLDED: u32 = 96;    // 4 x u64: the dest's inpkts, outpkts, inbytes, outbytes already added to its service and the total (stats.ts)

// ---- service record layout (bytes) ----
export const SVC_SIZE: u32 = 128;
export const S_USED: u32 = 0;       // u8
export const S_AF: u32 = 1;         // u8
export const S_PROTO: u32 = 2;      // u8 (0 for fwmark services)
export const S_SCHED: u32 = 3;      // u8 scheduler id
export const S_FLAGS: u32 = 4;      // u32 SVC_F_*
export const S_PORT: u32 = 8;       // u16 host order
export const S_FWMARK: u32 = 12;    // u32
export const S_ADDR: u32 = 16;      // 16 bytes
export const S_TIMEOUT: u32 = 32;   // persistence timeout, jiffies
export const S_NETMASK: u32 = 36;   // IPv4 mask (host order) or IPv6 prefix length
export const S_DESTS: u32 = 40;     // first dest index (list head), 0 = empty
export const S_NUM_DESTS: u32 = 44;
export const S_HNEXT: u32 = 48;     // next service in its lookup bucket
export const S_SCHED_DATA: u32 = 64;// 64 bytes of scheduler-private state

// ---- debug log (debug_level; assembly/log.ts writes, src/engine/log.ts drains and formats) ----
export const LOG_CAP: u32 = 4096;      // records in the ring (a power of two)
export const LOG_REC_SIZE: u32 = 80;   // bytes per record
export const LOG_TIME: u32 = 0;        // u32 jiffies
export const LOG_EVENT: u32 = 4;       // u8 LOG_EV_*
export const LOG_LEVEL: u32 = 5;       // u8 the IP_VS_DBG level it was written at
export const LOG_AF: u32 = 6;          // u8 4 / 6 (0: no addresses)
export const LOG_PROTO: u32 = 7;       // u8
export const LOG_CPORT: u32 = 8;       // u16 client (or source) port
export const LOG_VPORT: u32 = 10;      // u16 virtual (or destination) port
export const LOG_DPORT: u32 = 12;      // u16 real server port
export const LOG_STATE: u32 = 14;      // u8 conn state (new state)
export const LOG_OLD_STATE: u32 = 15;  // u8 old state / TCP flags byte
export const LOG_A: u32 = 16;          // u32 event field a (conn index, service, setting id, reason)
export const LOG_B: u32 = 20;          // u32 event field b (dest index, value)
export const LOG_C: u32 = 24;          // u32 event field c (conn flags, fwmark, weight)
export const LOG_D: u32 = 28;          // u32 event field d (dest refcnt, op)
export const LOG_CADDR: u32 = 32;      // 16 bytes client (or source) address
export const LOG_VADDR: u32 = 48;      // 16 bytes virtual (or destination) address
export const LOG_DADDR: u32 = 64;      // 16 bytes real server address
export const LOG_EV_XMIT_ERROR: u32 = 1;   // level 0: a packet lost in transmission (a = drop reason)
export const LOG_EV_DROP: u32 = 2;         // level 1: a dropped packet (a = drop reason)
export const LOG_EV_CONFIG_SVC: u32 = 3;   // level 2: a = service, d = op (1 add, 2 edit, 3 del), c = fwmark, b = scheduler
export const LOG_EV_CONFIG_DEST: u32 = 4;  // level 2: a = service, b = dest, c = weight, d = op, state = fwd
export const LOG_EV_SYSCTL: u32 = 5;       // level 2: a = SET_* id, b = value
export const LOG_EV_TRASH: u32 = 6;        // level 3: a = service, b = dest, d = op (1 into trash, 2 removed)
export const LOG_EV_DROP_ENTRY: u32 = 7;   // level 4: a conn dropped by drop_entry (conn fields)
export const LOG_EV_SVC_LOOKUP: u32 = 8;   // level 5: a = service (0 not hit), c = fwmark
export const LOG_EV_SCHEDULE: u32 = 9;     // level 6: conn fields
export const LOG_EV_CONN_NEW: u32 = 10;    // level 7: conn fields
export const LOG_EV_CONN_EXPIRE: u32 = 11; // level 7: conn fields
export const LOG_EV_STATE: u32 = 12;       // level 8: conn fields, old state -> state, d = TCP flags
export const LOG_EV_BIND: u32 = 13;        // level 9: conn fields, d = dest refcnt
export const LOG_EV_XMIT: u32 = 14;        // level 10: conn fields (Enter: transmitter by fwd)
export const LOG_EV_PACKET: u32 = 15;      // level 11: an incoming packet (addresses, ports)
export const LOG_EV_TRAVERSAL: u32 = 16;   // level 12: a packet left to the host
