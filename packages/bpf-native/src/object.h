// NativeObject: a bpf_object from open to close (open, setGlobal, programs,
// maps, patchCalls, load).
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cleanup.h"
#include "patch.h"

namespace retis_bpf {

class LinkWrap;

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // openObject(source: string | Buffer, name?: string)
  static Napi::Value Open(const Napi::CallbackInfo& info);

  explicit BpfObjectWrap(const Napi::CallbackInfo& info);
  ~BpfObjectWrap() override;

  // The libbpf object for an operation named `what`; throws a BpfError when
  // the object is closed or being loaded.
  bpf_object* Require(Napi::Env env, const std::string& what);
  // Same, and the object must not have been loaded yet.
  bpf_object* RequireUnloaded(Napi::Env env, const std::string& what);
  const std::string& Name() const { return name_; }

  // Links that use state owned by the object (USDT) are closed before it.
  void AddDependentLink(LinkWrap* link) { dependentLinks_.insert(link); }
  void RemoveDependentLink(LinkWrap* link) { dependentLinks_.erase(link); }

 private:
  friend class LoadWorker;
  enum class State { kOpened, kLoading, kLoaded, kLoadFailed, kClosed };

  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  void SetGlobal(const Napi::CallbackInfo& info);
  Napi::Value Programs(const Napi::CallbackInfo& info);
  Napi::Value Program(const Napi::CallbackInfo& info);
  Napi::Value Maps(const Napi::CallbackInfo& info);
  Napi::Value Map(const Napi::CallbackInfo& info);
  void PatchCalls(const Napi::CallbackInfo& info);
  Napi::Value Load(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  void CloseNow();
  // Called from the load worker thread when bpf_object__load() returned.
  void MarkLoadFinished();
  static void OnEnvTeardown(void* self);

  bpf_object* obj_ = nullptr;
  std::string name_;
  // libbpf may keep pointers into the ELF image given to bpf_object__open_mem().
  std::vector<uint8_t> elf_;
  std::shared_ptr<PatchSet> patches_;
  State state_ = State::kClosed;
  bool closeAfterLoad_ = false;
  std::set<LinkWrap*> dependentLinks_;

  // Lets environment teardown wait for a load running in the thread pool.
  std::mutex loadMutex_;
  std::condition_variable loadDone_;
  bool loadRunning_ = false;

  EnvCleanup cleanup_;
};

}  // namespace retis_bpf
