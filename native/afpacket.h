/*
 * AF_PACKET sockets for the wvs host: one socket per interface with a TPACKET_V3 receive ring,
 * batched transmit with sendmmsg or a TPACKET_V2 transmit ring, uv_poll integration and kernel statistics. Generic Linux packet
 * I/O only: nothing here knows about IPVS. The JS API is documented in afpacket.c.
 */
#ifndef WVS_AFPACKET_H
#define WVS_AFPACKET_H

#include <node_api.h>
#include <uv.h>
#include <stdint.h>
#include <stddef.h>
#include <net/if.h>

/* Per-frame flags in the descriptors written by rxInto (low byte; bits 8-15 hold sll_pkttype, 16-31 the VLAN TCI). */
#define WVS_RX_CSUM_NOTREADY 0x01u /* the kernel marked the L4 checksum incomplete (TP_STATUS_CSUMNOTREADY) */
#define WVS_RX_CSUM_DONE     0x02u /* ... and the addon completed it (IPv4/IPv6 TCP/UDP) */
#define WVS_RX_VLAN          0x04u /* the kernel had stripped an 802.1Q/802.1ad tag; it was re-inserted */
#define WVS_RX_TRUNCATED     0x08u /* tp_snaplen < tp_len (GRO or a frame larger than the ring's frames) */
#define WVS_RX_CSUM_VALID    0x10u /* the kernel says the checksum was verified (TP_STATUS_CSUM_VALID) */

typedef struct wvs_sock {
  int fd;                 /* the receive socket (ring, polled) */
  int tx_fd;              /* the transmit socket: bound to the same interface with protocol 0, so it
                             receives nothing and is never polled; freeing a sent skb then wakes no
                             epoll waiter (sock_wfree -> sk_write_space), which the polled fd would */
  int ifindex;
  char ifname[IF_NAMESIZE];
  uint8_t *ring;          /* mmap'ed TPACKET_V3 ring */
  size_t ring_len;
  uint32_t block_size, block_nr;
  /* where the ring walk stands (a batch may fill up in the middle of a block) */
  uint32_t cur_block;
  uint32_t pkts_left;     /* packets not yet consumed in cur_block (0: block not started) */
  uint8_t *next_pkt;      /* next packet in cur_block when pkts_left > 0 */
  /* event loop */
  napi_env env;
  uv_poll_t poll;
  int poll_inited, polling;
  napi_ref callback;
  napi_ref self;          /* keeps the handle alive while polling */
  napi_async_context async;
  int closed;            /* close() or the finalizer ran: no more use */
  int closing;           /* uv_close is pending; fd and ring go in its callback */
  int finalized;         /* the JS external is gone: free once closing is done */
  uint64_t tx_again;      /* sendBatch calls that met EAGAIN/ENOBUFS (or a full TX ring) */
  /* optional TPACKET_V2 transmit ring on tx_fd (afpacket-tx.c); tx_ring == NULL: sendmmsg */
  uint8_t *tx_ring;
  size_t tx_ring_len;
  uint32_t tx_frame_size, tx_frame_nr;
  uint32_t tx_head;       /* next slot to fill; the kernel walks the slots in the same order */
  uint32_t tx_mtu;        /* the interface's MTU as last read (frames are checked against it before the ring) */
} wvs_sock;

/* afpacket.c */
const char *wvs_errno_name(int err);
napi_value wvs_throw_errno(napi_env env, int err, const char *call, const char *ifname);
wvs_sock *wvs_sock_arg(napi_env env, napi_value v);
/* The call's first n arguments into argv (TypeError with `usage` when fewer) and argv[0] as a handle; NULL after a throw. */
wvs_sock *wvs_sock_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *usage);
int wvs_u32_prop(napi_env env, napi_value obj, const char *name, uint32_t def, uint32_t *out);
int wvs_u8_arg(napi_env env, napi_value v, uint8_t **data, size_t *len);
int wvs_u32_array_arg(napi_env env, napi_value v, uint32_t **data, size_t *len);
napi_value wvs_af_open(napi_env env, napi_callback_info info);
napi_value wvs_af_close(napi_env env, napi_callback_info info);
napi_value wvs_af_stats(napi_env env, napi_callback_info info);
napi_value wvs_af_link_info(napi_env env, napi_callback_info info);
napi_value wvs_af_completeChecksum(napi_env env, napi_callback_info info);
void wvs_sock_release(wvs_sock *s);
int wvs_read_mtu(const char *ifname, uint32_t *mtu); /* SIOCGIFMTU: 0 or an errno */

/* afpacket-rx.c */
napi_value wvs_af_rx_into(napi_env env, napi_callback_info info);

/* afpacket-tx.c */
napi_value wvs_af_send_batch(napi_env env, napi_callback_info info);
/* PACKET_TX_RING (TPACKET_V2, PACKET_LOSS) of `frames` slots of `frame_size` bytes on s->tx_fd, before
 * its bind; 0 or an errno, with *call naming the failed call */
int wvs_tx_ring_setup(wvs_sock *s, uint32_t frames, uint32_t frame_size, const char **call);
/* the largest frame a TX ring slot holds */
uint32_t wvs_tx_ring_room(const wvs_sock *s);

/* afpacket-fanout.c: PACKET_FANOUT_DATA with a classic BPF program (0 or an errno) */
int wvs_fanout_set_cbpf(int fd, const uint8_t *prog, size_t len);
napi_value wvs_af_set_fanout_program(napi_env env, napi_callback_info info);

/* afpacket-poll.c */
napi_value wvs_af_poll(napi_env env, napi_callback_info info);
napi_value wvs_af_stop_poll(napi_env env, napi_callback_info info);
void wvs_poll_stop(wvs_sock *s);

/* afpacket-csum.c: finish the L4 checksum of an Ethernet frame (IPv4/IPv6, TCP/UDP); 1 if done */
int wvs_complete_l4_checksum(uint8_t *frame, size_t len);

#endif
