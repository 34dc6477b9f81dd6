{
  "targets": [
    {
      "target_name": "wvs",
      "sources": ["native/addon.c", "native/hugepages.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
