{
  "targets": [
    {
      "target_name": "wvs",
      "sources": ["native/addon.c", "native/hugepages.c", "native/afpacket.c", "native/afpacket-rx.c",
                  "native/afpacket-tx.c", "native/afpacket-poll.c", "native/afpacket-csum.c", "native/afpacket-fanout.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
