/*
 * sendBatch(handle, u8, offsets: Uint32Array, lengths: Uint32Array, count) -> sent
 *
 * Sends frames u8[offsets[i] .. offsets[i] + lengths[i]) for i < count on the socket's interface with
 * sendmmsg(MSG_DONTWAIT) on its unpolled transmit socket (afpacket.c), 256 per call, never blocking. Returns how many were handed to the kernel,
 * in order: fewer than `count` means the socket's queue was full (EAGAIN/ENOBUFS; counted in
 * stats().txAgain) and the rest were not sent. Any other error throws (code = errno name, e.g.
 * ENETDOWN when the link went down, EMSGSIZE for a frame above the MTU) unless some frames of this
 * call already went out, in which case the count is returned and the error shows on the next call.
 */
#define _GNU_SOURCE
#include "afpacket.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define CHUNK 256

napi_value wvs_af_send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) { napi_throw_type_error(env, NULL, "sendBatch(handle, u8, offsets, lengths, count)"); return NULL; }
  wvs_sock *s = wvs_sock_arg(env, argv[0]);
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
