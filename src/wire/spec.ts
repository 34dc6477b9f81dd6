// The declarative packet specification consumed by build*.ts (and produced by respec.ts from a
// decoded frame). Plain data, browser-safe. Every length, offset field and checksum is computed by the
// builder from the content unless an override below is given (overrides exist to craft malformed or
// deliberately wrong packets for tests). Numbers are host integers; addresses are text
// (IPv4 dotted quad, IPv6 any RFC 4291 form); MACs are "aa:bb:cc:dd:ee:ff".

/** Checksum controls accepted by every header that has a checksum. */
export interface CsumCtl {
  /** Store exactly this value instead of the computed checksum (for SCTP: the CRC value, stored LSB first). */
  csum?: number;
  /** Store the computed checksum with its lowest bit flipped (always invalid, never the other zero). */
  badChecksum?: boolean;
}

export interface VlanTag {
  vid: number;
  pcp?: number;          // priority, default 0
  dei?: boolean;         // default false
  tpid?: number;         // default 0x8100 (use 0x88a8 for an 802.1ad outer tag)
}

export interface EthSpec {
  dst: string;
  src: string;
  /** One 802.1Q tag (a VID number or a tag), or several, outermost first. */
  vlan?: number | VlanTag | (number | VlanTag)[];
  /** EtherType override; default from the content (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP). */
  type?: number;
  /** Bytes appended after the packet (Ethernet padding as captured). */
  trailer?: Uint8Array;
  /** Zero-pad the whole frame (after trailer) to at least this many bytes, e.g. 60. Default: no padding. */
  padTo?: number;
}

export interface Ip4Spec extends CsumCtl {
  v: 4;
  src: string;
  dst: string;
  ttl?: number;          // default 64
  id?: number;           // default 0
  tos?: number;          // the whole DS field byte (DSCP << 2 | ECN), default 0
  rf?: boolean;          // reserved ("evil") flag bit, default false
  df?: boolean;          // default false
  mf?: boolean;          // default false
  fragOffset?: number;   // in 8-byte units, exactly as the 13-bit header field; default 0
  options?: Uint8Array;  // raw option bytes, zero-padded (EOL) to a multiple of 4, at most 40 after padding
  proto?: number;        // protocol field override (pseudo-headers still use the L4 kind's number)
  totalLength?: number;  // override of the computed total length
  ihl?: number;          // override of the computed IHL (header stays 20 + options bytes)
}

/** IPv6 extension headers, in chain order. `nh` overrides the header's Next Header field. */
export type Ip6Ext =
  /** Hop-by-hop (0) / destination options (60): raw TLV option bytes, padded with Pad1/PadN to 8n-2. */
  | { type: "hbh" | "dst"; options?: Uint8Array; nh?: number }
  /** Routing header (43): bytes after the 4 fixed bytes given raw in `data`, zero-padded to 8n-4. */
  | { type: "rt"; rtype?: number; segsLeft?: number; data?: Uint8Array; nh?: number }
  /** Fragment header (44): offset in 8-byte units (the 13-bit field), M flag, identification. */
  | { type: "frag"; offset?: number; m?: boolean; id?: number; res?: number; nh?: number };

export interface Ip6Spec {
  v: 6;
  src: string;
  dst: string;
  hlim?: number;         // default 64
  tclass?: number;       // traffic class byte (DSCP << 2 | ECN), default 0
  flow?: number;         // 20-bit flow label, default 0
  ext?: Ip6Ext[];
  /** Next Header override for the last header of the chain (pseudo-headers still use the L4 kind's number). */
  nh?: number;
  payloadLength?: number;  // override of the computed payload length
}

export type IpSpec = Ip4Spec | Ip6Spec;

export interface TcpSpec extends CsumCtl {
  sport: number;
  dport: number;
  seq?: number;          // default 0
  ack?: number;          // default 0
  /** Letters F S R P A U E C N (any order, e.g. "SA", "PA"), or the 12-bit number (reserved|NS|CWR..FIN). Default "". */
  flags?: string | number;
  win?: number;          // default 65535
  urp?: number;          // urgent pointer, default 0
  options?: Uint8Array;  // raw option bytes (see tcpOptions), zero-padded to a multiple of 4
  payload?: Uint8Array;
  dataOffset?: number;   // override of the computed data offset (32-bit words)
}

export interface UdpSpec extends CsumCtl {
  sport: number;
  dport: number;
  payload?: Uint8Array;
  /** Store 0 ("no checksum", legal only over IPv4). A computed 0 is otherwise stored as 0xFFFF. */
  zeroChecksum?: boolean;
  length?: number;       // override of the computed UDP length
}

export interface SctpChunkSpec {
  type: number;
  flags?: number;        // default 0
  data?: Uint8Array;     // chunk value; length = 4 + data.length, zero padding to 4 not counted
  length?: number;       // override of the chunk length field
}

export interface SctpSpec extends CsumCtl {
  sport: number;
  dport: number;
  vtag: number;
  chunks: SctpChunkSpec[];
}

/** ICMP (v4 or v6) message: type, code, the 4 bytes after the checksum, then the body. */
export interface IcmpSpec extends CsumCtl {
  type: number;
  code: number;
  /** 32-bit value of bytes 4..7 (unused / MTU / pointer / id<<16|seq), default 0. */
  rest?: number;
  /** Body: for errors the quoted packet bytes (e.g. buildIp(...).subarray(0, 28)); for echo the data. */
  quote?: Uint8Array;
}

export interface GreSpec extends CsumCtl {
  /** The encapsulated packet (e.g. from buildIp). */
  inner: Uint8Array;
  /** Protocol type, default 0x0800 / 0x86dd from the inner packet's version nibble. */
  proto?: number;
  /** Add the checksum field (C bit, RFC 2784): checksum over GRE header + payload. */
  withChecksum?: boolean;
}

/** GUE (draft-ietf-intarea-gue, as IPVS sends it): UDP + 4-byte GUE header + inner packet. */
export interface GueSpec {
  sport: number;
  dport: number;
  inner: Uint8Array;
  /** GUE proto/ctype field, default 4 / 41 from the inner packet's version nibble. */
  proto?: number;
  flags?: number;        // GUE 16-bit flags field, default 0
  /** Optional fields after the GUE word (length must be a multiple of 4; sets Hlen). */
  options?: Uint8Array;
  /** Compute the UDP checksum (default: store 0, as IPVS does without tun_flags csum). */
  udpChecksum?: boolean;
}

export type L4Spec =
  | { tcp: TcpSpec }
  | { udp: UdpSpec }
  | { sctp: SctpSpec }
  | { icmp: IcmpSpec }
  | { icmp6: IcmpSpec }
  /** IP-in-IP: the inner packet bytes; protocol 4 or 41 from its version nibble. */
  | { ipip: Uint8Array }
  | { gre: GreSpec }
  | { gue: GueSpec }
  /** Anything else (or a non-first fragment): protocol number and raw bytes, no checksum. */
  | { raw: { proto: number; payload?: Uint8Array } };

export interface PacketSpec {
  ip: IpSpec;
  l4: L4Spec;
}

export interface ArpSpec {
  op: number;            // 1 request, 2 reply
  sha: string;           // sender MAC
  spa: string;           // sender IPv4
  tha?: string;          // target MAC, default 00:00:00:00:00:00
  tpa: string;           // target IPv4
}

export type FrameSpec =
  | ({ eth: EthSpec } & PacketSpec)
  | { eth: EthSpec; arp: ArpSpec }
  /** Arbitrary EtherType payload (set eth.type). */
  | { eth: EthSpec; payload: Uint8Array };
