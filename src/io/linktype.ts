// Turns a captured packet of a given LINKTYPE_* (tcpdump.org/linktypes.html) into the Ethernet II
// frame the engine takes. Browser-safe, allocation-free.
//
// Supported: 1 Ethernet (bytes copied unchanged, whatever their length), 113 Linux cooked SLL
// (16-byte header, protocol at offset 14), 276 Linux cooked SLL2 (20-byte header, protocol at 0),
// 101/12/14 raw IP (ethertype from the version nibble), 228 raw IPv4, 229 raw IPv6, 0 BSD null
// loopback (4-byte address family in the capturing host's byte order) and 108 OpenBSD loop (same,
// network order); families 2 = IPv4 and 24/28/30 = IPv6 (NetBSD-OpenBSD/FreeBSD/Darwin).
//
// Synthetic MAC addresses (the formats carry none, or not both): destination 02:00:00:00:00:01
// ("the director"), source 02:00:00:00:00:02 ("the peer"); both locally administered unicast
// (RFC 7042 §2.1), so they never collide with a real vendor address. For SLL/SLL2 the link-layer
// address in the header becomes the source MAC when its length is 6; the destination is always
// the synthetic one, whatever the packet type (host, broadcast, outgoing) was.
// SLL protocols below 0x0600 that mean 802.2 LLC (0x0004) or Novell raw 802.3 (0x0001) become an
// 802.3 frame with a length field; other non-Ethertype protocols are not converted.
//
// Result: the frame length (>= 0), or a negative LinkError code. The source is passed as
// (bytes, offset, length) so callers can pass a reader's buffer without making a view per packet.

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETH_HLEN = 14;
export const SYNTH_DST_MAC: readonly number[] = [0x02, 0, 0, 0, 0, 0x01];
export const SYNTH_SRC_MAC: readonly number[] = [0x02, 0, 0, 0, 0, 0x02];

export const LinkError = {
  Unsupported: -1,        // linktype not handled at all
  TooShort: -2,           // shorter than its link-layer header (or empty raw IP)
  UnknownProtocol: -3,    // header names a protocol we cannot express as an ethertype
  NoSpace: -4,            // destination buffer too small
} as const;

const NAMES: Record<number, string> = {
  0: "null", 1: "ethernet", 12: "raw", 14: "raw", 101: "raw", 108: "loop", 113: "linux-sll",
  228: "ipv4", 229: "ipv6", 276: "linux-sll2",
  // Common unsupported ones, for readable messages.
  9: "ppp", 10: "fddi", 50: "ppp-hdlc", 104: "c-hdlc", 105: "ieee802_11", 107: "frelay",
  127: "ieee802_11-radiotap", 8: "slip", 132: "juniper-es", 137: "juniper-atm1", 164: "juniper-monitor",
  178: "juniper-ether", 220: "usb-linux-mmapped", 239: "nflog", 252: "wireshark-upper-pdu",
};

export function isLinktypeSupported(linktype: number): boolean {
  switch (linktype) {
    case 0: case 1: case 12: case 14: case 101: case 108: case 113: case 228: case 229: case 276:
      return true;
    default:
      return false;
  }
}

/** Short lower-case name ("linux-sll"), or "linktype N" for an unknown one. */
export function linktypeName(linktype: number): string {
  return NAMES[linktype] ?? `linktype ${linktype}`;
}

/** Human text for a negative result of toEthernet. */
export function describeLinkError(code: number, linktype: number): string {
  switch (code) {
    case LinkError.Unsupported: return `unsupported link type ${linktype} (${linktypeName(linktype)})`;
    case LinkError.TooShort: return `packet shorter than its ${linktypeName(linktype)} header`;
    case LinkError.UnknownProtocol: return `${linktypeName(linktype)} packet carries a protocol with no ethertype`;
    case LinkError.NoSpace: return "destination buffer too small for the frame";
    default: return `link conversion error ${code}`;
  }
}

function putMac(dst: Uint8Array, at: number, mac: readonly number[]): void {
  dst[at] = mac[0]; dst[at + 1] = mac[1]; dst[at + 2] = mac[2];
  dst[at + 3] = mac[3]; dst[at + 4] = mac[4]; dst[at + 5] = mac[5];
}

/** Writes MACs + ethertype and the payload; returns the frame length or NoSpace. */
function frame(dst: Uint8Array, dstOff: number, ethertype: number, src: Uint8Array, payOff: number,
  payLen: number, srcMacOff: number): number {
  const total = ETH_HLEN + payLen;
  if (dstOff < 0 || dstOff + total > dst.length) return LinkError.NoSpace;
  putMac(dst, dstOff, SYNTH_DST_MAC);
  if (srcMacOff >= 0) {
    for (let i = 0; i < 6; i++) dst[dstOff + 6 + i] = src[srcMacOff + i];
  } else {
    putMac(dst, dstOff + 6, SYNTH_SRC_MAC);
  }
  dst[dstOff + 12] = ethertype >>> 8;
  dst[dstOff + 13] = ethertype & 0xff;
  copy(dst, dstOff + ETH_HLEN, src, payOff, payLen);
  return total;
}

/** Below this length, 32-bit word moves through DataViews beat set(subarray()) (a view object per call). */
const WORD_COPY_MAX = 96;
let srcArr: Uint8Array | null = null, srcDv: DataView | null = null;
let dstArr: Uint8Array | null = null, dstDv: DataView | null = null;

function viewOf(a: Uint8Array): DataView { return new DataView(a.buffer, a.byteOffset, a.byteLength); }

function copy(dst: Uint8Array, at: number, src: Uint8Array, off: number, len: number): void {
  if (len > WORD_COPY_MAX) { dst.set(src.subarray(off, off + len), at); return; }
  // The last source and destination arrays keep their DataViews (a replay uses the same two throughout).
  if (src !== srcArr) { srcArr = src; srcDv = viewOf(src); }
  if (dst !== dstArr) { dstArr = dst; dstDv = viewOf(dst); }
  const s = srcDv!, d = dstDv!;
  let i = 0;
  for (; i + 4 <= len; i += 4) d.setUint32(at + i, s.getUint32(off + i));
  for (; i < len; i++) dst[at + i] = src[off + i];
}

function ipEthertype(src: Uint8Array, off: number): number {
  const v = src[off] >>> 4;
  return v === 4 ? 0x0800 : v === 6 ? 0x86dd : LinkError.UnknownProtocol;
}

function afEthertype(af: number): number {
  if (af === 2) return 0x0800;
  if (af === 24 || af === 28 || af === 30) return 0x86dd;
  return LinkError.UnknownProtocol;
}

/** SLL/SLL2 protocol field to ethertype; LLC and raw 802.3 become an 802.3 length frame. */
function cookedFrame(dst: Uint8Array, dstOff: number, proto: number, src: Uint8Array, payOff: number,
  payLen: number, macOff: number): number {
  if (proto >= 0x0600) return frame(dst, dstOff, proto, src, payOff, payLen, macOff);
  if ((proto === 0x0004 || proto === 0x0001) && payLen <= 1500) {
    return frame(dst, dstOff, payLen, src, payOff, payLen, macOff);
  }
  return LinkError.UnknownProtocol;
}

/**
 * Converts one captured packet (src[off .. off+len)) of `linktype` into an Ethernet frame at
 * dst[dstOff ..]. Returns the frame length, or a negative LinkError.
 */
export function toEthernet(linktype: number, src: Uint8Array, off: number, len: number,
  dst: Uint8Array, dstOff: number): number {
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      if (dstOff < 0 || dstOff + len > dst.length) return LinkError.NoSpace;
      copy(dst, dstOff, src, off, len);
      return len;
    case LINKTYPE_LINUX_SLL: {
      if (len < 16) return LinkError.TooShort;
      const halen = (src[off + 4] << 8) | src[off + 5];
      const proto = (src[off + 14] << 8) | src[off + 15];
      return cookedFrame(dst, dstOff, proto, src, off + 16, len - 16, halen === 6 ? off + 6 : -1);
    }
    case LINKTYPE_LINUX_SLL2: {
      if (len < 20) return LinkError.TooShort;
      const proto = (src[off] << 8) | src[off + 1];
      return cookedFrame(dst, dstOff, proto, src, off + 20, len - 20, src[off + 11] === 6 ? off + 12 : -1);
    }
    case LINKTYPE_RAW: case 12: case 14: {
      if (len < 1) return LinkError.TooShort;
      const et = ipEthertype(src, off);
      return et < 0 ? et : frame(dst, dstOff, et, src, off, len, -1);
    }
    case LINKTYPE_IPV4:
      return frame(dst, dstOff, 0x0800, src, off, len, -1);
    case LINKTYPE_IPV6:
      return frame(dst, dstOff, 0x86dd, src, off, len, -1);
    case LINKTYPE_NULL: case LINKTYPE_LOOP: {
      if (len < 4) return LinkError.TooShort;
      const be = ((src[off] << 24) | (src[off + 1] << 16) | (src[off + 2] << 8) | src[off + 3]) >>> 0;
      const le = ((src[off + 3] << 24) | (src[off + 2] << 16) | (src[off + 1] << 8) | src[off]) >>> 0;
      // LOOP is always network order; NULL is the writer's host order: the small value is right.
      const af = linktype === LINKTYPE_LOOP ? be : (le <= 0xffff ? le : be);
      const et = afEthertype(af);
      return et < 0 ? et : frame(dst, dstOff, et, src, off + 4, len - 4, -1);
    }
    default:
      return LinkError.Unsupported;
  }
}
