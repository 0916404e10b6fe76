// Entry point of the addon: per-environment state, exported functions, and
// the process-wide libbpf setup (print callback, retis/ section handlers).
#include "addon.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "btf.h"
#include "errors.h"
#include "features.h"
#include "link.h"
#include "log.h"
#include "map_spec.h"
#include "maps.h"
#include "object.h"
#include "pcap.h"
#include "program.h"
#include "ringbuf.h"
#include "sections.h"
#include "testrun.h"

namespace retis_bpf {

AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {

// initialize(BpfError): the class native code throws. Called again (e.g. by
// another module registry in the same process), the last class wins.
void Initialize(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw UsageError(info.Env(), "initialize(BpfError: class)");
  Data(info.Env()).bpfErrorClass = Napi::Persistent(info[0].As<Napi::Function>());
}

void SetLogHandlerFn(const Napi::CallbackInfo& info) {
  if (!(info[0].IsFunction() || info[0].IsNull() || info[0].IsUndefined())) {
    throw UsageError(info.Env(), "setLogHandler(fn: ((level: number, msg: string) => void) | null)");
  }
  SetLogHandler(info.Env(), info[0]);
}

void BumpMemlock(const Napi::CallbackInfo& info) {
  rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_MEMLOCK, &limit) != 0) throw BpfError(info.Env(), "setrlimit", errno, "cannot raise RLIMIT_MEMLOCK: " + std::string(strerror(errno)));
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfPrint();
  int err = RegisterRetisSections();
  if (err < 0) {
    throw Napi::Error::New(env, "cannot register the retis/ BPF program sections with libbpf: " + ErrnoName(-err));
  }

  auto* data = new AddonData();
  env.SetInstanceData(data);
  data->objectClass = Napi::Persistent(BpfObjectWrap::Define(env));
  data->programClass = Napi::Persistent(ProgramWrap::Define(env));
  data->mapSpecClass = Napi::Persistent(MapSpecWrap::Define(env));
  data->linkClass = Napi::Persistent(LinkWrap::Define(env));
  data->ringBufferClass = Napi::Persistent(RingBufferWrap::Define(env));
  data->btfClass = Napi::Persistent(BtfWrap::Define(env));

  exports.Set("initialize", Napi::Function::New<Initialize>(env, "initialize"));
  exports.Set("openObject", Napi::Function::New<BpfObjectWrap::Open>(env, "openObject"));
  exports.Set("ringBuffer", Napi::Function::New<RingBufferWrap::Create>(env, "ringBuffer"));
  exports.Set("loadBtf", Napi::Function::New<BtfWrap::Load>(env, "loadBtf"));
  exports.Set("loadModuleBtf", Napi::Function::New<BtfWrap::LoadModule>(env, "loadModuleBtf"));
  exports.Set("setLogHandler", Napi::Function::New<SetLogHandlerFn>(env, "setLogHandler"));
  exports.Set("bumpMemlock", Napi::Function::New<BumpMemlock>(env, "bumpMemlock"));
  InitMapOps(env, exports);
  InitPcap(env, exports);
  InitFeatures(env, exports);
  InitTestRun(env, exports);
  return exports;
}

}  // namespace retis_bpf

static Napi::Object InitBpfNative(Napi::Env env, Napi::Object exports) { return retis_bpf::Init(env, exports); }

NODE_API_MODULE(bpf_native, InitBpfNative)
