/*
 * The wvs Node-API addon: generic OS facilities the TypeScript host cannot reach by itself. It knows
 * nothing about IPVS. Exports: adviseHugePages (hugepages.c). AF_PACKET sockets join it with the
 * live director.
 */
#include <node_api.h>
#include "hugepages.h"

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "adviseHugePages", NAPI_AUTO_LENGTH, wvs_advise_huge_pages, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "adviseHugePages", fn) != napi_ok) return NULL;
  return exports;
}
