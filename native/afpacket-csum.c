/*
 * Completing partial L4 checksums (TP_STATUS_CSUMNOTREADY).
 *
 * Locally generated packets on veth, and on NICs with TX checksum offload, reach AF_PACKET taps as
 * CHECKSUM_PARTIAL: the TCP/UDP checksum field holds only the folded pseudo-header sum and the device
 * (never, on veth) was to finish it. TPACKET_V3 does not carry csum_start/csum_offset, so the addon
 * recomputes the whole L4 checksum from the headers: Ethernet (any number of 802.1Q/802.1ad tags),
 * then IPv4 (unfragmented) or IPv6 (hop-by-hop, routing with no segments left, destination options),
 * then TCP or UDP. This is protocol-level work, not IPVS: the engine then sees a frame exactly as it
 * would be on the wire, and its incremental checksum updates start from a valid value. Anything else
 * (fragments, truncated frames, other protocols) is left as it is and reported as not completed.
 */
#include "afpacket.h"
#include <string.h>

static inline uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

static uint64_t sum_bytes(const uint8_t *p, size_t n, uint64_t acc) {
  while (n >= 2) { acc += rd16(p); p += 2; n -= 2; }
  if (n) acc += (uint32_t)p[0] << 8;
  return acc;
}

static uint16_t fold(uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

int wvs_complete_l4_checksum(uint8_t *f, size_t len) {
  size_t l3 = 14;
  if (len < 14) return 0;
  uint32_t type = rd16(f + 12);
  while ((type == 0x8100 || type == 0x88a8) && len >= l3 + 4) { type = rd16(f + l3 + 2); l3 += 4; }
  uint64_t acc = 0;
  size_t l4, l4len;
  uint32_t proto;
  if (type == 0x0800) {
    if (len < l3 + 20 || (f[l3] >> 4) != 4) return 0;
    size_t ihl = (size_t)(f[l3] & 15) * 4, tot = rd16(f + l3 + 2);
    if (ihl < 20 || tot < ihl || l3 + tot > len) return 0;
    if (rd16(f + l3 + 6) & 0x3fff) return 0; /* MF or a fragment offset */
    proto = f[l3 + 9];
    l4 = l3 + ihl; l4len = tot - ihl;
    acc = sum_bytes(f + l3 + 12, 8, 0);
  } else if (type == 0x86dd) {
    if (len < l3 + 40 || (f[l3] >> 4) != 6) return 0;
    size_t plen = rd16(f + l3 + 4);
    if (l3 + 40 + plen > len) return 0;
    proto = f[l3 + 6];
    l4 = l3 + 40;
    size_t end = l4 + plen;
    while (proto == 0 || proto == 43 || proto == 60) {
      if (l4 + 8 > end) return 0;
      if (proto == 43 && f[l4 + 3] != 0) return 0; /* segments left: the pseudo-header uses the final address */
      size_t hl = ((size_t)f[l4 + 1] + 1) * 8;
      proto = f[l4];
      l4 += hl;
      if (l4 > end) return 0;
    }
    l4len = end - l4;
    acc = sum_bytes(f + l3 + 8, 32, 0);
  } else {
    return 0;
  }
  size_t coff;
  if (proto == 6) { if (l4len < 20) return 0; coff = 16; }
  else if (proto == 17) { if (l4len < 8) return 0; coff = 6; }
  else return 0;
  acc += proto + (uint64_t)l4len;
  f[l4 + coff] = 0; f[l4 + coff + 1] = 0;
  uint16_t c = (uint16_t)~fold(sum_bytes(f + l4, l4len, acc));
  if (proto == 17 && c == 0) c = 0xffff;
  f[l4 + coff] = (uint8_t)(c >> 8); f[l4 + coff + 1] = (uint8_t)c;
  return 1;
}
