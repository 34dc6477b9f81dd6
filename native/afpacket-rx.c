/*
 * rxInto(handle, u8, layout, desc) -> count
 *
 * Walks the TPACKET_V3 ring and copies frames straight into `u8` (a view over the engine's wasm
 * memory), laid out exactly as Engine.reserve/commit lay out a batch:
 *   layout = { base, cursor, headroom, limit, maxFrames }
 *   frame k is written at  base + cursor_k + headroom,  with  cursor_{k+1} = (cursor_k + headroom + len_k + 7) & ~7,
 *   and only while cursor_k + headroom + len_k <= limit and k < maxFrames.
 * `base` is the batch area's offset in linear memory, `cursor` the engine's current fill (reserve()
 * minus base minus HEADROOM), `limit` BATCH_BYTES; the TS side then commits each frame at the offset
 * given, which reproduces the same cursor. Per frame k the descriptors get
 *   desc[3k] = absolute offset in u8, desc[3k+1] = length, desc[3k+2] = flags:
 *     bits 0-7 WVS_RX_* (afpacket.h), bits 8-15 sll_pkttype, bits 16-31 the VLAN TCI (when WVS_RX_VLAN).
 * VLAN: the kernel strips the outer 802.1Q/802.1ad tag before the tap and reports it in tp_vlan_tci
 * (TP_STATUS_VLAN_VALID, or TCI != 0 on old kernels). The copy re-inserts it after the MAC addresses
 * (TPID from tp_vlan_tpid when TP_STATUS_VLAN_TPID_VALID, else 0x8100), so the engine sees the frame
 * as it was on the wire; the frame is then 4 bytes longer than tp_snaplen.
 * Checksums: frames with TP_STATUS_CSUMNOTREADY get their TCP/UDP checksum completed in the copy
 * (afpacket-csum.c); WVS_RX_CSUM_DONE says it was.
 * When the batch fills in the middle of a ring block, the walk remembers the packet and the next call
 * continues there; a block goes back to the kernel as soon as its last packet is copied.
 */
#include "afpacket.h"
#include <string.h>
#include <linux/if_packet.h>

static void release_block(wvs_sock *s, struct tpacket_block_desc *bd) {
  __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  s->cur_block = (s->cur_block + 1) % s->block_nr;
  s->pkts_left = 0;
  s->next_pkt = NULL;
}

napi_value wvs_af_rx_into(napi_env env, napi_callback_info info) {
  napi_value argv[4], r;
  napi_valuetype t;
  wvs_sock *s = wvs_sock_call(env, info, 4, argv, "rxInto(handle, u8, layout, desc)");
  if (!s) return NULL;
  uint8_t *mem;
  size_t memlen, desclen;
  uint32_t *desc;
  uint32_t base, cursor, headroom, limit, max_frames;
  if (wvs_u8_arg(env, argv[1], &mem, &memlen) < 0 || wvs_u32_array_arg(env, argv[3], &desc, &desclen) < 0) return NULL;
  if (napi_typeof(env, argv[2], &t) != napi_ok || t != napi_object) { napi_throw_type_error(env, NULL, "layout must be an object"); return NULL; }
  if (wvs_u32_prop(env, argv[2], "base", 0, &base) < 0 || wvs_u32_prop(env, argv[2], "cursor", 0, &cursor) < 0 ||
      wvs_u32_prop(env, argv[2], "headroom", 0, &headroom) < 0 || wvs_u32_prop(env, argv[2], "limit", 0, &limit) < 0 ||
      wvs_u32_prop(env, argv[2], "maxFrames", 0, &max_frames) < 0) return NULL;
  if ((uint64_t)base + limit > memlen) { napi_throw_range_error(env, NULL, "layout: base + limit is outside the memory view"); return NULL; }
  if (max_frames > desclen / 3) max_frames = (uint32_t)(desclen / 3);

  uint32_t count = 0;
  uint64_t cur = cursor;
  while (count < max_frames) {
    struct tpacket_block_desc *bd = (struct tpacket_block_desc *)(s->ring + (size_t)s->cur_block * s->block_size);
    if (s->pkts_left == 0) {
      if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
      s->pkts_left = bd->hdr.bh1.num_pkts;
      s->next_pkt = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
      if (s->pkts_left == 0) { release_block(s, bd); continue; }
    }
    struct tpacket3_hdr *h = (struct tpacket3_hdr *)s->next_pkt;
    const uint8_t *src = (const uint8_t *)h + h->tp_mac;
    uint32_t snap = h->tp_snaplen, status = h->tp_status;
    int vlan = ((status & TP_STATUS_VLAN_VALID) || h->hv1.tp_vlan_tci) && snap >= 12;
    uint32_t len = snap + (vlan ? 4 : 0);
    if (cur + headroom + len > limit) break; /* the batch is full; continue here next time */
    uint8_t *dst = mem + base + cur + headroom;
    uint32_t flags = 0;
    if (vlan) {
      uint16_t tpid = (status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : 0x8100;
      uint16_t tci = h->hv1.tp_vlan_tci;
      memcpy(dst, src, 12);
      dst[12] = (uint8_t)(tpid >> 8); dst[13] = (uint8_t)tpid;
      dst[14] = (uint8_t)(tci >> 8); dst[15] = (uint8_t)tci;
      memcpy(dst + 16, src + 12, snap - 12);
      flags |= WVS_RX_VLAN | (uint32_t)tci << 16;
    } else {
      memcpy(dst, src, snap);
    }
    if (h->tp_len > snap) flags |= WVS_RX_TRUNCATED;
    if (status & TP_STATUS_CSUM_VALID) flags |= WVS_RX_CSUM_VALID;
    if (status & TP_STATUS_CSUMNOTREADY) {
      flags |= WVS_RX_CSUM_NOTREADY;
      if (!(flags & WVS_RX_TRUNCATED) && wvs_complete_l4_checksum(dst, len)) flags |= WVS_RX_CSUM_DONE;
    }
    const struct sockaddr_ll *sll = (const struct sockaddr_ll *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
    flags |= (uint32_t)sll->sll_pkttype << 8;
    desc[3 * count] = (uint32_t)(base + cur + headroom);
    desc[3 * count + 1] = len;
    desc[3 * count + 2] = flags;
    count++;
    cur = (cur + headroom + len + 7) & ~(uint64_t)7;
    s->pkts_left--;
    if (s->pkts_left == 0) release_block(s, bd);
    else s->next_pkt = (uint8_t *)h + h->tp_next_offset;
  }
  napi_create_uint32(env, count, &r);
  return r;
}
