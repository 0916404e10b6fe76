// features(): what this kernel can do, each entry decided by a tiny real
// load/attach (never by a version number), computed once per process.
#pragma once

#include <napi.h>

namespace retis_bpf {

void InitFeatures(Napi::Env env, Napi::Object exports);

}  // namespace retis_bpf
