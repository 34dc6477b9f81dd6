/*
 * The wvs Node-API addon: generic OS facilities the TypeScript host cannot reach by itself. It knows
 * nothing about IPVS. Exports: adviseHugePages (hugepages.c); AF_PACKET sockets with a TPACKET_V3
 * ring, openSocket, rxInto, sendBatch, poll, stopPoll, stats, linkInfo, completeChecksum, setFanoutProgram,
 * close (afpacket*.c, API in afpacket.c).
 */
#include <node_api.h>
#include "hugepages.h"
#include "afpacket.h"

static const struct { const char *name; napi_callback fn; } EXPORTS[] = {
  { "adviseHugePages", wvs_advise_huge_pages },
  { "openSocket", wvs_af_open },
  { "rxInto", wvs_af_rx_into },
  { "sendBatch", wvs_af_send_batch },
  { "poll", wvs_af_poll },
  { "stopPoll", wvs_af_stop_poll },
  { "stats", wvs_af_stats },
  { "linkInfo", wvs_af_link_info },
  { "completeChecksum", wvs_af_completeChecksum },
  { "setFanoutProgram", wvs_af_set_fanout_program },
  { "close", wvs_af_close },
};

NAPI_MODULE_INIT() {
  for (size_t i = 0; i < sizeof EXPORTS / sizeof EXPORTS[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, EXPORTS[i].name, NAPI_AUTO_LENGTH, EXPORTS[i].fn, NULL, &fn) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, EXPORTS[i].name, fn) != napi_ok) return NULL;
  }
  return exports;
}
