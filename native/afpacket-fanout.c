/*
 * Fanout steering programs (generic: the program is opaque bytes; no IPVS knowledge here).
 *
 *   setFanoutProgram(handle, u8)    PACKET_FANOUT_DATA on a socket that joined a PACKET_FANOUT_CBPF
 *       group: u8 holds a classic BPF program as struct sock_filter records (8 bytes each, host byte
 *       order: u16 code, u8 jt, u8 jf, u32 k). The kernel checks it (EINVAL for an invalid program)
 *       and uses it for the whole group: each frame goes to member (return value % members). It
 *       replaces the group's previous program at once.
 *
 * Also used by openSocket (option fanoutProgram) right after joining the group.
 */
#define _GNU_SOURCE
#include "afpacket.h"
#include <errno.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_packet.h>

int wvs_fanout_set_cbpf(int fd, const uint8_t *prog, size_t len) {
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) return EINVAL;
  struct sock_fprog fp = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)prog };
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof fp) < 0) return errno;
  return 0;
}

napi_value wvs_af_set_fanout_program(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  wvs_sock *s = wvs_sock_call(env, info, 2, argv, "setFanoutProgram(handle, u8)");
  if (!s) return NULL;
  uint8_t *p;
  size_t n;
  if (wvs_u8_arg(env, argv[1], &p, &n) < 0) return NULL;
  int err = wvs_fanout_set_cbpf(s->fd, p, n);
  if (err) return wvs_throw_errno(env, err, "setsockopt(PACKET_FANOUT_DATA)", s->ifname);
  return NULL;
}
