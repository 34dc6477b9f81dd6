/*
 * adviseHugePages(buffer: ArrayBuffer, offset: number, length: number) -> { ok, bytes, error }
 *
 * Asks the kernel to back the whole 2 MiB pages inside [offset, offset + length) of the buffer with
 * transparent huge pages (madvise MADV_HUGEPAGE). The engine's tables are hundreds of MiB of
 * randomly accessed memory; with 4 KiB pages nearly every lookup misses the TLB. The advice only
 * takes effect for pages first touched afterwards and when THP is "always" or "madvise"; it never
 * changes the memory's contents. Errors are reported by errno name, never thrown as a crash.
 */
#include "hugepages.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE (2u * 1024u * 1024u)

static napi_value result(napi_env env, int ok, double bytes, const char *error) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_get_boolean(env, ok, &v);
  napi_set_named_property(env, obj, "ok", v);
  napi_create_double(env, bytes, &v);
  napi_set_named_property(env, obj, "bytes", v);
  if (error) {
    napi_create_string_utf8(env, error, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, obj, "error", v);
  }
  return obj;
}

static const char *errno_name(int e) {
  switch (e) {
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case EFAULT: return "EFAULT";
    default: return strerror(e);
  }
}

napi_value wvs_advise_huge_pages(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *data = NULL;
  size_t len = 0;
  double off = 0, want = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok ||
      napi_get_value_double(env, argv[1], &off) != napi_ok ||
      napi_get_value_double(env, argv[2], &want) != napi_ok) {
    napi_throw_type_error(env, NULL, "adviseHugePages(buffer: ArrayBuffer, offset: number, length: number)");
    return NULL;
  }
  if (off < 0 || want < 0 || off + want > (double)len) return result(env, 0, 0, "ERANGE");
#ifdef MADV_HUGEPAGE
  uintptr_t start = ((uintptr_t)data + (uintptr_t)off + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
  uintptr_t end = ((uintptr_t)data + (uintptr_t)off + (uintptr_t)want) & ~(uintptr_t)(HUGE - 1);
  if (end <= start) return result(env, 1, 0, NULL);
  if (madvise((void *)start, end - start, MADV_HUGEPAGE) != 0) return result(env, 0, 0, errno_name(errno));
  return result(env, 1, (double)(end - start), NULL);
#else
  return result(env, 0, 0, "ENOSYS");
#endif
}
