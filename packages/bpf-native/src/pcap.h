// libpcap: pcapCompile (filter expression -> cBPF) and pcapFilter (run cBPF
// on a packet, for reference verdicts).
#pragma once

#include <napi.h>

namespace retis_bpf {

void InitPcap(Napi::Env env, Napi::Object exports);

}  // namespace retis_bpf
