// Operations on loaded maps by fd: mapLookup, mapUpdate, mapDelete, mapKeys.
#pragma once

#include <napi.h>

namespace retis_bpf {

void InitMapOps(Napi::Env env, Napi::Object exports);

}  // namespace retis_bpf
