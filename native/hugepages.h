/* Huge-page advice for a region of memory the host owns (the engine's linear memory). */
#ifndef WVS_HUGEPAGES_H
#define WVS_HUGEPAGES_H
#include <node_api.h>
napi_value wvs_advise_huge_pages(napi_env env, napi_callback_info info);
#endif
