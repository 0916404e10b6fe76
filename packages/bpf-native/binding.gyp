{
  "targets": [
    {
      "target_name": "bpf_native",
      "sources": [
        "src/addon.cc",
        "src/btf.cc",
        "src/cleanup.cc",
        "src/errors.cc",
        "src/features.cc",
        "src/link.cc",
        "src/log.cc",
        "src/map_spec.cc",
        "src/maps.cc",
        "src/object.cc",
        "src/patch.cc",
        "src/pcap.cc",
        "src/program.cc",
        "src/ringbuf.cc",
        "src/sections.cc",
        "src/testrun.cc",
        "src/tracefs.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": [ "NAPI_VERSION=8" ],
      "cflags_cc": [ "-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers" ],
      "cflags_cc!": [ "-std=gnu++17", "-std=gnu++14" ],
      "libraries": [ "-lbpf", "-lelf", "-lz", "-lpcap" ]
    }
  ]
}
