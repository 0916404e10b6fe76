// testRun: BPF_PROG_TEST_RUN on a loaded program.
#pragma once

#include <napi.h>

namespace retis_bpf {

void InitTestRun(Napi::Env env, Napi::Object exports);

}  // namespace retis_bpf
