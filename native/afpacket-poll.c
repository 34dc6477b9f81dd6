/*
 * poll(handle, callback) / stopPoll(handle): event-loop integration with uv_poll. Nothing blocks:
 * the socket is non-blocking and the loop only wakes when a ring block retires (retireMs at the
 * latest) or an error is pending.
 *
 * callback(event: "readable" | "error", code?: string)
 *   "readable": at least one block is ready; call rxInto until it returns 0 (or the batch is full).
 *   "error":    the kernel reported an error on the socket (POLLERR). libuv stops the poll handle on
 *               POLLERR; the addon reads SO_ERROR (which clears it) and passes its errno name, e.g.
 *               "ENETDOWN" when the link went down, "ENXIO"/"ENODEV" when the interface went away.
 *               Polling stays stopped; the owner decides (see src/io/afpacket.ts: it closes the socket,
 *               waits for the link to come back and opens a new one).
 * The callback runs through napi_make_callback with an async context, so microtasks drain and
 * async_hooks see a proper resource. While polling, the handle holds a strong reference to itself.
 */
#include "afpacket.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static void call_js(wvs_sock *s, const char *event, const char *code) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[2], result;
  if (s->callback && napi_get_reference_value(env, s->callback, &cb) == napi_ok && cb) {
    napi_get_global(env, &recv);
    napi_create_string_utf8(env, event, NAPI_AUTO_LENGTH, &argv[0]);
    if (code) napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &argv[1]);
    else napi_get_undefined(env, &argv[1]);
    napi_status st = napi_make_callback(env, s->async, recv, cb, 2, argv, &result);
    if (st == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  wvs_sock *s = p->data;
  if (s->closed || !s->polling) return;
  if (status < 0) {
    /* libuv stopped the handle (POLLERR -> UV_EBADF) */
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == 0) err = ENETDOWN;
    uv_poll_stop(&s->poll);
    s->polling = 0;
    call_js(s, "error", wvs_errno_name(err));
    if (!s->polling && s->self) { napi_delete_reference(s->env, s->self); s->self = NULL; }
    return;
  }
  if (events & UV_READABLE) call_js(s, "readable", NULL);
}

void wvs_poll_stop(wvs_sock *s) {
  if (s->polling) { uv_poll_stop(&s->poll); s->polling = 0; }
  if (s->self) { napi_delete_reference(s->env, s->self); s->self = NULL; }
}

napi_value wvs_af_poll(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  napi_valuetype t;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "poll(handle, callback)");
    return NULL;
  }
  wvs_sock *s = wvs_sock_arg(env, argv[0]);
  if (!s) return NULL;
  if (!s->poll_inited) {
    uv_loop_t *loop;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) return wvs_throw_errno(env, EINVAL, "napi_get_uv_event_loop", s->ifname);
    int rc = uv_poll_init(loop, &s->poll, s->fd);
    if (rc < 0) return wvs_throw_errno(env, -rc, "uv_poll_init", s->ifname);
    s->poll.data = s;
    s->poll_inited = 1;
  }
  if (!s->async) {
    napi_create_string_utf8(env, "wvs.afpacket", NAPI_AUTO_LENGTH, &name);
    if (napi_async_init(env, NULL, name, &s->async) != napi_ok) return wvs_throw_errno(env, ENOMEM, "napi_async_init", s->ifname);
  }
  if (s->callback) { napi_delete_reference(env, s->callback); s->callback = NULL; }
  napi_create_reference(env, argv[1], 1, &s->callback);
  if (!s->self) napi_create_reference(env, argv[0], 1, &s->self);
  int rc = uv_poll_start(&s->poll, UV_READABLE, on_poll);
  if (rc < 0) { wvs_poll_stop(s); return wvs_throw_errno(env, -rc, "uv_poll_start", s->ifname); }
  s->polling = 1;
  return NULL;
}

napi_value wvs_af_stop_poll(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  wvs_sock *s = wvs_sock_call(env, info, 1, argv, "stopPoll(handle)");
  if (!s) return NULL;
  wvs_poll_stop(s);
  return NULL;
}
