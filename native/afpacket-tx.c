/*
 * sendBatch(handle, u8, offsets: Uint32Array, lengths: Uint32Array, count) -> sent
 *
 * Sends frames u8[offsets[i] .. offsets[i] + lengths[i]) for i < count on the socket's interface,
 * from its unpolled transmit socket (afpacket.c), never blocking. Two ways, chosen at openSocket:
 *
 * - sendmmsg (default): 256 frames per call with MSG_DONTWAIT. Returns how many were handed to the
 *   kernel, in order: fewer than `count` means the socket's queue was full (EAGAIN/ENOBUFS; counted
 *   in stats().txAgain) and the rest were not sent.
 * - a TPACKET_V2 transmit ring (opts.txRing = slots): each frame is copied once into the next free
 *   slot (a 10-byte virtio_net_hdr with hdr_len = the frame's length, so the kernel builds a fully
 *   linear skb and never hands ring pages to the receiver as fragments), the slot is marked
 *   TP_STATUS_SEND_REQUEST, and one send(MSG_DONTWAIT) per call makes the kernel transmit every
 *   requested slot. Returns how many frames were placed in the ring: fewer than `count` means the
 *   ring was full (slots still owned by the kernel; counted in txAgain). Frames the kernel could
 *   not take this time (socket buffer full: EAGAIN) stay requested and go out with the next call.
 *   The kernel frees a slot when the skb made from it is freed. PACKET_LOSS is set so that a frame
 *   the kernel rejects cannot stall the ring; it would then be skipped without a trace, so sendBatch
 *   checks every frame against the interface's MTU first (re-read when a frame exceeds it).
 *
 * Either way, a frame larger than MTU + 14 (+ 4 with a VLAN tag, as the kernel allows) throws EMSGSIZE, and
 * any other error throws (code = errno name, e.g. ENETDOWN when the link went down), unless some frames
 * of this call already went out, in which case the count is returned and the error shows on the next call.
 */
#define _GNU_SOURCE
#include "afpacket.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#define CHUNK 256
#define VNET_LEN ((uint32_t)sizeof(struct virtio_net_hdr))
#define SLOT_DATA ((uint32_t)(TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))) /* the kernel's data offset in a V2 slot */
#define L2_MAX 18u  /* Ethernet header + one VLAN tag, beyond the MTU (tagged frames only) */

uint32_t wvs_tx_ring_room(const wvs_sock *s) { return s->tx_frame_size - SLOT_DATA - VNET_LEN; }

int wvs_tx_ring_setup(wvs_sock *s, uint32_t frames, uint32_t frame_size, const char **call) {
  long page = sysconf(_SC_PAGESIZE);
  int v = TPACKET_V2;
  *call = "setsockopt(PACKET_VERSION, transmit)";
  if (setsockopt(s->tx_fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0) return errno;
  v = 1;
  *call = "setsockopt(PACKET_VNET_HDR, transmit)";
  if (setsockopt(s->tx_fd, SOL_PACKET, PACKET_VNET_HDR, &v, sizeof v) < 0) return errno;
  *call = "setsockopt(PACKET_LOSS, transmit)";
  if (setsockopt(s->tx_fd, SOL_PACKET, PACKET_LOSS, &v, sizeof v) < 0) return errno;
  /* frame_size is a power of two >= 2048 (afpacket.c), so a block of max(page, frame) holds whole
   * frames and slot i lies at i * frame_size */
  uint32_t block = frame_size > (uint32_t)page ? frame_size : (uint32_t)page;
  uint32_t per_block = block / frame_size;
  uint32_t nr = (frames + per_block - 1) / per_block;
  struct tpacket_req req = { .tp_block_size = block, .tp_block_nr = nr, .tp_frame_size = frame_size, .tp_frame_nr = nr * per_block };
  *call = "setsockopt(PACKET_TX_RING)";
  if (setsockopt(s->tx_fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) < 0) return errno;
  size_t len = (size_t)block * nr;
  *call = "mmap(tx ring)";
  void *ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->tx_fd, 0);
  if (ring == MAP_FAILED) return errno;
  s->tx_ring = ring;
  s->tx_ring_len = len;
  s->tx_frame_size = frame_size;
  s->tx_frame_nr = req.tp_frame_nr;
  s->tx_head = 0;
  return 0;
}

/* 0 when the frame fits the link as packet_snd would judge it (MTU + 14, + 4 more when the frame
 * carries an 802.1Q/802.1ad tag; the MTU is re-read once when it seems not to fit), else EMSGSIZE */
static int check_mtu(wvs_sock *s, const uint8_t *f, uint32_t len) {
  int tagged = len >= 14 && ((f[12] == 0x81 && f[13] == 0x00) || (f[12] == 0x88 && f[13] == 0xa8));
  uint32_t l2 = tagged ? L2_MAX : L2_MAX - 4;
  if (len <= s->tx_mtu + l2) return 0;
  uint32_t mtu;
  if (wvs_read_mtu(s->ifname, &mtu) == 0) s->tx_mtu = mtu;
  return len <= s->tx_mtu + l2 ? 0 : EMSGSIZE;
}

static napi_value ring_send(napi_env env, wvs_sock *s, uint8_t *mem, const uint32_t *offs, const uint32_t *lens, uint32_t count) {
  napi_value r;
  uint32_t placed = 0, room = wvs_tx_ring_room(s);
  int err = 0;
  for (; placed < count; placed++) {
    uint32_t len = lens[placed];
    if (len > room || check_mtu(s, mem + offs[placed], len)) { err = EMSGSIZE; break; }
    uint8_t *slot = s->tx_ring + (size_t)s->tx_head * s->tx_frame_size;
    struct tpacket2_hdr *h = (struct tpacket2_hdr *)slot;
    if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) { s->tx_again++; break; }
    struct virtio_net_hdr *vh = (struct virtio_net_hdr *)(slot + SLOT_DATA);
    memset(vh, 0, sizeof *vh);
    vh->hdr_len = (uint16_t)len;   /* the whole frame goes into the skb's linear part */
    memcpy(slot + SLOT_DATA + VNET_LEN, mem + offs[placed], len);
    h->tp_len = len + VNET_LEN;
    h->tp_snaplen = len + VNET_LEN;
    __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
    s->tx_head = s->tx_head + 1 == s->tx_frame_nr ? 0 : s->tx_head + 1;
  }
  for (;;) {
    if (send(s->tx_fd, NULL, 0, MSG_DONTWAIT) >= 0) break;
    int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) { s->tx_again++; break; }
    if (placed == 0) return wvs_throw_errno(env, e, "send(tx ring)", s->ifname);
    break; /* shows again on the next call */
  }
  if (err && placed == 0) return wvs_throw_errno(env, err, "sendBatch (frame above the MTU)", s->ifname);
  napi_create_uint32(env, placed, &r);
  return r;
}

napi_value wvs_af_send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[5], r;
  wvs_sock *s = wvs_sock_call(env, info, 5, argv, "sendBatch(handle, u8, offsets, lengths, count)");
  if (!s) return NULL;
  uint8_t *mem;
  size_t memlen, noff, nlen;
  uint32_t *offs, *lens, count;
  if (wvs_u8_arg(env, argv[1], &mem, &memlen) < 0 || wvs_u32_array_arg(env, argv[2], &offs, &noff) < 0 ||
      wvs_u32_array_arg(env, argv[3], &lens, &nlen) < 0) return NULL;
  if (napi_get_value_uint32(env, argv[4], &count) != napi_ok || count > noff || count > nlen) {
    napi_throw_range_error(env, NULL, "sendBatch: count exceeds the offsets/lengths arrays");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++)
    if ((uint64_t)offs[i] + lens[i] > memlen) { napi_throw_range_error(env, NULL, "sendBatch: a frame lies outside the memory view"); return NULL; }
  if (s->tx_ring) return ring_send(env, s, mem, offs, lens, count);

  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK];
  uint32_t sent = 0;
  while (sent < count) {
    uint32_t n = count - sent < CHUNK ? count - sent : CHUNK;
    memset(msgs, 0, sizeof(struct mmsghdr) * n);
    for (uint32_t i = 0; i < n; i++) {
      iov[i].iov_base = mem + offs[sent + i];
      iov[i].iov_len = lens[sent + i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int k = sendmmsg(s->tx_fd, msgs, n, MSG_DONTWAIT);
    if (k < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) { s->tx_again++; break; }
      if (sent > 0) break;
      return wvs_throw_errno(env, e, "sendmmsg", s->ifname);
    }
    sent += (uint32_t)k;
    if ((uint32_t)k < n) {
      /* stopped early: find out whether the queue is full or an error is pending */
      continue;
    }
  }
  napi_create_uint32(env, sent, &r);
  return r;
}
