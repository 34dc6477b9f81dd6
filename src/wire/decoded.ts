// Shapes produced by decode*.ts. Offsets are absolute byte offsets into the decoded buffer; byte
// fields (options, payload, body, ...) are subarray views of it (not copies). A layer that could not
// be fully decoded carries `error` (outer chain) or `truncated` (stated length exceeds the bytes at
// hand, which is normal for the packet quoted in an ICMP error and for first fragments).

export interface DecodedVlan { off: number; tpid: number; pcp: number; dei: boolean; vid: number }

export interface DecodedEth {
  dst: string;
  src: string;
  vlans: DecodedVlan[];      // outermost first
  type: number;              // EtherType after the tags
  payloadOff: number;
}

export interface DecodedArp {
  off: number; htype: number; ptype: number; op: number;
  sha: string; spa: string; tha: string; tpa: string;   // only for Ethernet/IPv4 ARP
}

interface IpCommon {
  off: number;
  src: string;
  dst: string;
  /** Upper-layer protocol (IPv4 protocol field; IPv6 next header after the extension chain). */
  proto: number;
  payloadOff: number;        // start of the upper layer
  payloadEnd: number;        // end of the packet as stated by its length, clipped to the bytes at hand
  bytes: Uint8Array;         // view of the packet itself: [off, payloadEnd)
  trailer: Uint8Array;       // bytes after the stated length (Ethernet padding)
  truncated: boolean;        // stated length > bytes at hand
  l4?: DecodedL4;
  error?: string;
}

export interface DecodedIp4 extends IpCommon {
  v: 4;
  ihl: number; hdrLen: number; tos: number; totalLength: number; id: number;
  rf: boolean; df: boolean; mf: boolean;
  fragOffset: number;        // 8-byte units (the header field)
  ttl: number; checksum: number;
  options: Uint8Array;
}

export type DecodedExt =
  | { type: "hbh" | "dst"; off: number; len: number; nh: number; options: Uint8Array }
  | { type: "rt"; off: number; len: number; nh: number; rtype: number; segsLeft: number; data: Uint8Array }
  | { type: "frag"; off: number; len: number; nh: number; offset: number; m: boolean; id: number; res: number }
  | { type: "ah"; off: number; len: number; nh: number; data: Uint8Array };

export interface DecodedIp6 extends IpCommon {
  v: 6;
  tclass: number; flow: number; payloadLength: number;
  nh: number;                // Next Header of the fixed header
  hlim: number;
  ext: DecodedExt[];
  /** Destination used by upper-layer pseudo-headers (RFC 8200 §8.1): dst, or a Routing header's final one. */
  finalDst: string;
}

export type DecodedIp = DecodedIp4 | DecodedIp6;

interface L4Common { off: number; end: number; truncated: boolean; error?: string }

export interface DecodedTcp extends L4Common {
  kind: "tcp";
  sport: number; dport: number; seq: number;
  // Absent only when fewer than 20 header bytes are at hand (e.g. an 8-byte ICMP quote):
  ack?: number; dataOffset?: number; flags?: number; win?: number; checksum?: number; urp?: number;
  options: Uint8Array; payloadOff: number; payload: Uint8Array;
}

export interface DecodedGue { off: number; hlen: number; proto: number; flags: number; options: Uint8Array }

export interface DecodedUdp extends L4Common {
  kind: "udp";
  sport: number; dport: number; length: number; checksum: number;
  payloadOff: number; payload: Uint8Array;
  gue?: DecodedGue;          // only for ports listed in DecodeOptions.guePorts
  inner?: DecodedIp;
}

export interface DecodedChunk { off: number; type: number; flags: number; length: number; data: Uint8Array }

export interface DecodedSctp extends L4Common {
  kind: "sctp";
  sport: number; dport: number; vtag: number;
  checksum?: number;         // CRC value (read least significant byte first); absent if < 12 bytes
  chunks: DecodedChunk[];
}

export interface DecodedIcmp extends L4Common {
  kind: "icmp" | "icmp6";
  type: number; code: number; checksum: number; rest: number;
  bodyOff: number; body: Uint8Array;
  isError: boolean;          // ICMPv4 3/4/5/11/12, ICMPv6 type < 128
  inner?: DecodedIp;         // the quoted packet of an error
}

export interface DecodedIpip extends L4Common { kind: "ipip"; inner?: DecodedIp }

export interface DecodedGre extends L4Common {
  kind: "gre";
  flags: number; version: number; proto: number; checksum?: number; hdrLen: number;
  payload: Uint8Array; inner?: DecodedIp;
}

export interface DecodedRaw extends L4Common { kind: "raw"; proto: number; payload: Uint8Array }

export type DecodedL4 = DecodedTcp | DecodedUdp | DecodedSctp | DecodedIcmp | DecodedIpip | DecodedGre | DecodedRaw;

export interface DecodedFrame {
  bytes: Uint8Array;         // the input
  len: number;
  eth?: DecodedEth;
  arp?: DecodedArp;
  ip?: DecodedIp;
  /** First problem found along the outer chain (including tunnel inner packets, not ICMP quotes). */
  error?: string;
}

export interface DecodeOptions {
  /** UDP destination ports carrying GUE (IPVS tun_port); default none. */
  guePorts?: number[];
}
