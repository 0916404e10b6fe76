#include "testrun.h"

#include <bpf/bpf.h>

#include "errors.h"

namespace retis_bpf {
namespace {

// testRun(progFd, data: Buffer, ctx?: Buffer): { retval, duration }
// Empty data is not passed at all: raw_tracepoint programs refuse data_in
// and only take ctx_in (their u64 arguments).
Napi::Value TestRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsBuffer() || !(info[2].IsUndefined() || info[2].IsBuffer())) {
    throw UsageError(env, "testRun(progFd: number, data: Buffer, ctx?: Buffer)");
  }
  auto data = info[1].As<Napi::Buffer<uint8_t>>();
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  if (data.Length() > 0) {
    opts.data_in = data.Data();
    opts.data_size_in = static_cast<uint32_t>(data.Length());
  }
  if (info[2].IsBuffer()) {
    auto ctx = info[2].As<Napi::Buffer<uint8_t>>();
    opts.ctx_in = ctx.Data();
    opts.ctx_size_in = static_cast<uint32_t>(ctx.Length());
  }
  int err = bpf_prog_test_run_opts(info[0].As<Napi::Number>().Int32Value(), &opts);
  if (err) throw BpfError(env, "bpf_prog_test_run_opts", ErrorCode(err));
  Napi::Object out = Napi::Object::New(env);
  out.Set("retval", Napi::Number::New(env, opts.retval));
  out.Set("duration", Napi::Number::New(env, opts.duration));
  return out;
}

}  // namespace

void InitTestRun(Napi::Env env, Napi::Object exports) {
  exports.Set("testRun", Napi::Function::New<TestRun>(env, "testRun"));
}

}  // namespace retis_bpf
