/*
 * AF_PACKET sockets: JS API (exports of the addon; handles are napi externals with a type tag)
 *
 *   openSocket(ifname, opts?) -> handle
 *       opts: { ignoreOutgoing = true, qdiscBypass = false, promiscuous = false,
 *               fanoutGroup?, fanoutMode = "hash" ("hash"|"lb"|"cpu"|"rollover"|"rnd"|"qm"|"cbpf" or a number),
 *               fanoutDefrag = false, fanoutProgram? (Uint8Array: cBPF for "cbpf", afpacket-fanout.c), blockSize = 1 MiB, blockCount = 16, frameSize = 2048, retireMs = 4,
 *               txRing = 0 (transmit slots; 0: sendmmsg, else a TPACKET_V2 ring of that many slots, afpacket-tx.c) }
 *       Setup order: socket(protocol 0) -> PACKET_VERSION(V3) -> IGNORE_OUTGOING/QDISC_BYPASS ->
 *       PACKET_RX_RING -> mmap -> bind(ETH_P_ALL, ifindex) -> SO_ERROR check (a down link is ENETDOWN)
 *       -> PACKET_FANOUT (needs a bound socket; with ignoreOutgoing also PACKET_FANOUT_FLAG_IGNORE_OUTGOING,
 *       since a group's hook replaces the socket's) -> PACKET_FANOUT_DATA (fanoutProgram)
 *       -> PACKET_ADD_MEMBERSHIP(PROMISC). Transmission uses a second socket bound to the interface
 *       with protocol 0 (it receives nothing and is not polled; QDISC_BYPASS applies to it): a sent
 *       frame's skb, freed, then wakes no epoll waiter. With txRing its ring (slots of the smallest power
 *       of two >= 2048 that holds an MTU-sized frame) is set up before that socket's bind.
 *   rxInto(handle, u8, layout, desc) -> count           (afpacket-rx.c)
 *   sendBatch(handle, u8, offsets, lengths, count) -> sent   (afpacket-tx.c)
 *   poll(handle, callback) / stopPoll(handle)          (afpacket-poll.c)
 *   stats(handle) -> { packets, drops, freezeQueue }    PACKET_STATISTICS (tpacket_stats_v3); the kernel
 *       resets the counters on every read, so these are the counts since the previous call. `packets`
 *       includes `drops`. Also { txAgain } counted by the addon since the previous call.
 *   linkInfo(ifname) -> { ifindex, up, running, mtu }   (SIOCGIFFLAGS/SIOCGIFMTU; throws ENODEV)
 *   completeChecksum(u8, offset, length) -> boolean     the checksum completion of afpacket-csum.c, for tests
 *   close(handle)                                      idempotent; stops polling, closes fd, unmaps the ring
 *
 * Every failure throws an Error whose `code` is the errno name ("EPERM", "ENODEV", ...), with `errno`
 * and `syscall`, and a message naming the call and the interface.
 */
#define _GNU_SOURCE
#include "afpacket.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000 /* Linux >= 6.9; older headers lack it */
#endif
#define WVS_FANOUT_FLAG_IGNORE_OUTGOING PACKET_FANOUT_FLAG_IGNORE_OUTGOING

static const napi_type_tag SOCK_TAG = { 0x7776735f61667061ULL, 0x636b65745f763301ULL };

const char *wvs_errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  const char *n = strerrorname_np(err);
  if (n) return n;
#endif
  switch (err) {
    case EPERM: return "EPERM"; case EACCES: return "EACCES"; case ENODEV: return "ENODEV"; case ENXIO: return "ENXIO";
    case ENETDOWN: return "ENETDOWN"; case EINVAL: return "EINVAL"; case ENOMEM: return "ENOMEM"; case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN"; case ENOBUFS: return "ENOBUFS"; case EMSGSIZE: return "EMSGSIZE"; case EBUSY: return "EBUSY";
    case EAFNOSUPPORT: return "EAFNOSUPPORT"; case ENOPROTOOPT: return "ENOPROTOOPT"; case ENAMETOOLONG: return "ENAMETOOLONG";
    default: return "EIO";
  }
}

napi_value wvs_throw_errno(napi_env env, int err, const char *call, const char *ifname) {
  char code[32], msg[256];
  snprintf(code, sizeof code, "%s", wvs_errno_name(err));
  snprintf(msg, sizeof msg, "%s on %s: %s (%s)", call, ifname && *ifname ? ifname : "?", strerror(err), code);
  napi_value c, m, e, v;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, err, &v);
  napi_set_named_property(env, e, "errno", v);
  napi_create_string_utf8(env, call, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "syscall", v);
  napi_create_string_utf8(env, ifname ? ifname : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "ifname", v);
  napi_throw(env, e);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

wvs_sock *wvs_sock_arg(napi_env env, napi_value v) {
  bool ok = false;
  void *p = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, v, &SOCK_TAG, &ok) != napi_ok || !ok ||
      napi_get_value_external(env, v, &p) != napi_ok || !p) {
    throw_type(env, "expected an AF_PACKET handle from openSocket");
    return NULL;
  }
  wvs_sock *s = p;
  if (s->closed) { wvs_throw_errno(env, EBADF, "use of a closed socket", s->ifname); return NULL; }
  return s;
}

wvs_sock *wvs_sock_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *usage) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) { throw_type(env, usage); return NULL; }
  return wvs_sock_arg(env, argv[0]);
}

/* Reads obj[name] as uint32 (default when absent/undefined). Returns 0 on success; throws on a bad value. */
int wvs_u32_prop(napi_env env, napi_value obj, const char *name, uint32_t def, uint32_t *out) {
  napi_value v;
  napi_valuetype t;
  *out = def;
  if (!obj) return 0;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_undefined || t == napi_null) return 0;
  double d;
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 4294967295.0 || d != (double)(uint32_t)d) {
    char msg[96];
    snprintf(msg, sizeof msg, "option %s must be an unsigned 32-bit integer", name);
    throw_type(env, msg);
    return -1;
  }
  *out = (uint32_t)d;
  return 0;
}

static int bool_prop(napi_env env, napi_value obj, const char *name, int def) {
  napi_value v;
  napi_valuetype t;
  bool b;
  if (!obj || napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return def;
  if (t == napi_undefined || t == napi_null) return def;
  if (napi_coerce_to_bool(env, v, &v) != napi_ok || napi_get_value_bool(env, v, &b) != napi_ok) return def;
  return b;
}

/* A typed array argument of the given element type: its data pointer and element count. */
static int typed_arg(napi_env env, napi_value v, napi_typedarray_type want, const char *what, void **data, size_t *len) {
  bool is;
  napi_typedarray_type tt;
  void *p;
  size_t n, boff;
  napi_value ab;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &tt, &n, &p, &ab, &boff) != napi_ok || tt != want) {
    throw_type(env, what);
    return -1;
  }
  *data = p; *len = n;
  return 0;
}

int wvs_u8_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  return typed_arg(env, v, napi_uint8_array, "expected a Uint8Array", (void **)data, len);
}

int wvs_u32_array_arg(napi_env env, napi_value v, uint32_t **data, size_t *len) {
  return typed_arg(env, v, napi_uint32_array, "expected a Uint32Array", (void **)data, len);
}

static int ifname_arg(napi_env env, napi_value v, char out[IF_NAMESIZE]) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, out, IF_NAMESIZE, &n) != napi_ok || n == 0) {
    throw_type(env, "expected an interface name");
    return -1;
  }
  size_t full = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &full);
  if (full >= IF_NAMESIZE) { wvs_throw_errno(env, ENAMETOOLONG, "interface name", out); return -1; }
  return 0;
}

static int fanout_mode(napi_env env, napi_value opts, uint32_t *mode) {
  napi_value v;
  napi_valuetype t;
  *mode = PACKET_FANOUT_HASH;
  if (napi_get_named_property(env, opts, "fanoutMode", &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_undefined || t == napi_null) return 0;
  if (t == napi_number) return wvs_u32_prop(env, opts, "fanoutMode", PACKET_FANOUT_HASH, mode);
  char s[16] = "";
  size_t n;
  napi_get_value_string_utf8(env, v, s, sizeof s, &n);
  static const struct { const char *name; uint32_t mode; } modes[] = {
    { "hash", PACKET_FANOUT_HASH }, { "lb", PACKET_FANOUT_LB }, { "cpu", PACKET_FANOUT_CPU },
    { "rollover", PACKET_FANOUT_ROLLOVER }, { "rnd", PACKET_FANOUT_RND }, { "qm", PACKET_FANOUT_QM },
    { "cbpf", PACKET_FANOUT_CBPF },
  };
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp(s, modes[i].name) == 0) { *mode = modes[i].mode; return 0; }
  throw_type(env, "fanoutMode must be hash, lb, cpu, rollover, rnd, qm, cbpf or a number");
  return -1;
}

int wvs_read_mtu(const char *ifname, uint32_t *mtu) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, ifname, strnlen(ifname, IF_NAMESIZE - 1));
  int r = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? errno : 0;
  close(fd);
  if (!r) *mtu = (uint32_t)ifr.ifr_mtu;
  return r;
}

static void close_resources(wvs_sock *s) {
  if (s->ring) { munmap(s->ring, s->ring_len); s->ring = NULL; }
  if (s->tx_ring) { munmap(s->tx_ring, s->tx_ring_len); s->tx_ring = NULL; }
  if (s->fd >= 0) { close(s->fd); s->fd = -1; }
  if (s->tx_fd >= 0) { close(s->tx_fd); s->tx_fd = -1; }
}

/* libuv may still reference the fd until the poll handle is closed, so the fd (whose number a new
 * socket could reuse) is closed only in uv_close's callback. */
static void on_poll_closed(uv_handle_t *h) {
  wvs_sock *s = h->data;
  close_resources(s);
  s->closing = 0;
  s->poll_inited = 0;
  if (s->finalized) free(s);
}

void wvs_sock_release(wvs_sock *s) {
  if (s->closed) return;
  s->closed = 1;
  wvs_poll_stop(s);
  if (s->callback) { napi_delete_reference(s->env, s->callback); s->callback = NULL; }
  if (s->async) { napi_async_destroy(s->env, s->async); s->async = NULL; }
  if (s->poll_inited) {
    s->closing = 1;
    s->poll.data = s;
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  } else {
    close_resources(s);
  }
}

static void sock_finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  wvs_sock *s = data;
  wvs_sock_release(s);
  s->finalized = 1;
  if (!s->closing) free(s);
}

static int fail(napi_env env, wvs_sock *s, int err, const char *call) {
  if (err) wvs_throw_errno(env, err, call, s->ifname); /* 0: an exception is already pending */
  if (s->ring) munmap(s->ring, s->ring_len);
  if (s->tx_ring) munmap(s->tx_ring, s->tx_ring_len);
  if (s->fd >= 0) close(s->fd);
  if (s->tx_fd >= 0) close(s->tx_fd);
  free(s);
  return -1;
}

napi_value wvs_af_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], opts = NULL;
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return throw_type(env, "openSocket(ifname, opts?)");
  if (argc >= 2 && napi_typeof(env, argv[1], &t) == napi_ok && t == napi_object) opts = argv[1];

  wvs_sock *s = calloc(1, sizeof *s);
  if (!s) return wvs_throw_errno(env, ENOMEM, "openSocket", "");
  s->fd = -1;
  s->tx_fd = -1;
  if (ifname_arg(env, argv[0], s->ifname) < 0) { free(s); return NULL; }

  uint32_t block_size, block_nr, frame_size, retire_ms, tx_slots, group = 0, mode = 0;
  int has_group = 0;
  if (wvs_u32_prop(env, opts, "blockSize", 1u << 20, &block_size) < 0 ||
      wvs_u32_prop(env, opts, "blockCount", 16, &block_nr) < 0 ||
      wvs_u32_prop(env, opts, "frameSize", 2048, &frame_size) < 0 ||
      wvs_u32_prop(env, opts, "retireMs", 4, &retire_ms) < 0 ||
      wvs_u32_prop(env, opts, "txRing", 0, &tx_slots) < 0) { free(s); return NULL; }
  if (tx_slots > 65536) { free(s); return throw_type(env, "txRing must be 0..65536 slots"); }
  if (opts) {
    napi_value g;
    napi_get_named_property(env, opts, "fanoutGroup", &g);
    napi_typeof(env, g, &t);
    if (t != napi_undefined && t != napi_null) {
      has_group = 1;
      if (wvs_u32_prop(env, opts, "fanoutGroup", 0, &group) < 0 || fanout_mode(env, opts, &mode) < 0) { free(s); return NULL; }
      if (group > 0xffff) { free(s); return throw_type(env, "fanoutGroup must be 0..65535"); }
    }
  }
  long page = sysconf(_SC_PAGESIZE);
  if (block_size == 0 || block_size % (uint32_t)page != 0 || block_nr == 0 || frame_size < TPACKET_ALIGNMENT ||
      frame_size % TPACKET_ALIGNMENT != 0 || frame_size > block_size || retire_ms == 0) {
    free(s);
    return throw_type(env, "ring geometry: blockSize a multiple of the page size, frameSize a multiple of 16 and <= blockSize, blockCount and retireMs > 0");
  }

  s->ifindex = (int)if_nametoindex(s->ifname);
  if (s->ifindex == 0) { fail(env, s, errno ? errno : ENODEV, "if_nametoindex"); return NULL; }

  /* protocol 0: nothing is queued before bind names the protocol and the interface */
  s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) { fail(env, s, errno, "socket(AF_PACKET)"); return NULL; }
  int v = TPACKET_V3;
  if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0) { fail(env, s, errno, "setsockopt(PACKET_VERSION)"); return NULL; }
  if (bool_prop(env, opts, "ignoreOutgoing", 1)) {
    v = 1;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &v, sizeof v) < 0) { fail(env, s, errno, "setsockopt(PACKET_IGNORE_OUTGOING)"); return NULL; }
  }
  int bypass = bool_prop(env, opts, "qdiscBypass", 0);
  if (bypass) {
    v = 1;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &v, sizeof v) < 0) { fail(env, s, errno, "setsockopt(PACKET_QDISC_BYPASS)"); return NULL; }
  }
  struct tpacket_req3 req;
  memset(&req, 0, sizeof req);
  req.tp_block_size = block_size;
  req.tp_block_nr = block_nr;
  req.tp_frame_size = frame_size;
  req.tp_frame_nr = (uint32_t)(((uint64_t)block_size / frame_size) * block_nr);
  req.tp_retire_blk_tov = retire_ms;
  /* tp_feature_req_word stays 0: no TP_FT_REQ_FILL_RXHASH, whose per-frame flow dissection and siphash
     in the receiving softirq cost more than the rest of the tap (perf); nothing reads tp_rxhash */
  if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) { fail(env, s, errno, "setsockopt(PACKET_RX_RING)"); return NULL; }
  s->block_size = block_size;
  s->block_nr = block_nr;
  s->ring_len = (size_t)block_size * block_nr;
  void *ring = mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s->fd, 0);
  if (ring == MAP_FAILED) { fail(env, s, errno, "mmap(rx ring)"); return NULL; }
  s->ring = ring;

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = s->ifindex;
  if (bind(s->fd, (struct sockaddr *)&sll, sizeof sll) < 0) { fail(env, s, errno, "bind"); return NULL; }
  /* bind on a link that is down succeeds but leaves sk_err = ENETDOWN */
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) { fail(env, s, soerr, "bind (link state)"); return NULL; }
  s->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->tx_fd < 0) { fail(env, s, errno, "socket(AF_PACKET, transmit)"); return NULL; }
  v = 1;
  if (bypass && setsockopt(s->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &v, sizeof v) < 0) { fail(env, s, errno, "setsockopt(PACKET_QDISC_BYPASS, transmit)"); return NULL; }
  int e = wvs_read_mtu(s->ifname, &s->tx_mtu);
  if (e) { fail(env, s, e, "ioctl(SIOCGIFMTU)"); return NULL; }
  if (tx_slots) {
    uint32_t slot = 2048;
    while (slot < s->tx_mtu + 18 + 64 && slot < (1u << 20)) slot <<= 1; /* frame + L2 + slot header + virtio_net_hdr */
    const char *call = "";
    e = wvs_tx_ring_setup(s, tx_slots, slot, &call);
    if (e) { fail(env, s, e, call); return NULL; }
  }
  sll.sll_protocol = 0;   /* no protocol: nothing is delivered to this socket */
  if (bind(s->tx_fd, (struct sockaddr *)&sll, sizeof sll) < 0) { fail(env, s, errno, "bind (transmit)"); return NULL; }
  if (has_group) {
    uint32_t arg = (mode & 0xffff) << 16 | group;
    if (bool_prop(env, opts, "fanoutDefrag", 0)) arg |= (uint32_t)PACKET_FANOUT_FLAG_DEFRAG << 16;
    /* the group's own hook replaces the socket's: PACKET_IGNORE_OUTGOING needs the group flag too */
    if (bool_prop(env, opts, "ignoreOutgoing", 1)) arg |= (uint32_t)WVS_FANOUT_FLAG_IGNORE_OUTGOING << 16;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) { fail(env, s, errno, "setsockopt(PACKET_FANOUT)"); return NULL; }
    napi_value pv;
    napi_valuetype pt;
    if (napi_get_named_property(env, opts, "fanoutProgram", &pv) == napi_ok && napi_typeof(env, pv, &pt) == napi_ok &&
        pt != napi_undefined && pt != napi_null) {
      uint8_t *prog;
      size_t plen;
      if (wvs_u8_arg(env, pv, &prog, &plen) < 0) { fail(env, s, 0, NULL); return NULL; }
      int err = wvs_fanout_set_cbpf(s->fd, prog, plen);
      if (err) { fail(env, s, err, "setsockopt(PACKET_FANOUT_DATA)"); return NULL; }
    }
  }
  if (bool_prop(env, opts, "promiscuous", 0)) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = s->ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) { fail(env, s, errno, "setsockopt(PACKET_ADD_MEMBERSHIP)"); return NULL; }
  }

  napi_value ext;
  if (napi_create_external(env, s, sock_finalize, NULL, &ext) != napi_ok) { fail(env, s, ENOMEM, "napi_create_external"); return NULL; }
  napi_type_tag_object(env, ext, &SOCK_TAG);
  s->env = env;
  return ext;
}

napi_value wvs_af_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  bool ok = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_check_object_type_tag(env, argv[0], &SOCK_TAG, &ok) != napi_ok || !ok ||
      napi_get_value_external(env, argv[0], &p) != napi_ok || !p) return throw_type(env, "close(handle)");
  wvs_sock_release(p);
  return NULL;
}

static void set_num(napi_env env, napi_value obj, const char *name, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  napi_set_named_property(env, obj, name, v);
}

napi_value wvs_af_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  wvs_sock *s = wvs_sock_call(env, info, 1, argv, "stats(handle)");
  if (!s) return NULL;
  struct tpacket_stats_v3 st;
  socklen_t len = sizeof st;
  memset(&st, 0, sizeof st);
  if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) return wvs_throw_errno(env, errno, "getsockopt(PACKET_STATISTICS)", s->ifname);
  napi_create_object(env, &obj);
  set_num(env, obj, "packets", st.tp_packets);
  set_num(env, obj, "drops", st.tp_drops);
  set_num(env, obj, "freezeQueue", st.tp_freeze_q_cnt);
  set_num(env, obj, "txAgain", (double)s->tx_again);
  s->tx_again = 0;
  return obj;
}

napi_value wvs_af_link_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj, v;
  char name[IF_NAMESIZE];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || ifname_arg(env, argv[0], name) < 0) return NULL;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return wvs_throw_errno(env, errno, "socket(AF_INET)", name);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) { int e = errno; close(fd); return wvs_throw_errno(env, e, "ioctl(SIOCGIFFLAGS)", name); }
  int flags = ifr.ifr_flags;
  if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) { int e = errno; close(fd); return wvs_throw_errno(env, e, "ioctl(SIOCGIFMTU)", name); }
  int mtu = ifr.ifr_mtu;
  close(fd);
  napi_create_object(env, &obj);
  set_num(env, obj, "ifindex", if_nametoindex(name));
  napi_get_boolean(env, (flags & IFF_UP) != 0, &v);
  napi_set_named_property(env, obj, "up", v);
  napi_get_boolean(env, (flags & IFF_RUNNING) != 0, &v);
  napi_set_named_property(env, obj, "running", v);
  set_num(env, obj, "mtu", mtu);
  return obj;
}

napi_value wvs_af_completeChecksum(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], r;
  uint8_t *data;
  size_t len;
  uint32_t off, n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || wvs_u8_arg(env, argv[0], &data, &len) < 0) return NULL;
  if (napi_get_value_uint32(env, argv[1], &off) != napi_ok || napi_get_value_uint32(env, argv[2], &n) != napi_ok ||
      (uint64_t)off + n > len) return throw_type(env, "completeChecksum(u8, offset, length): range outside the array");
  napi_get_boolean(env, wvs_complete_l4_checksum(data + off, n) != 0, &r);
  return r;
}
