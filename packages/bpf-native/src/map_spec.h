// NativeMap: one bpf_map of a NativeObject (definition before load, fd after).
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <string>

namespace retis_bpf {

class BpfObjectWrap;

class MapSpecWrap : public Napi::ObjectWrap<MapSpecWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object New(Napi::Env env, bpf_map* map, Napi::Object owner);

  // (External<bpf_map>, NativeObject); only called from New().
  explicit MapSpecWrap(const Napi::CallbackInfo& info);

 private:
  bpf_map* Require(Napi::Env env, const std::string& what);

  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetType(const Napi::CallbackInfo& info);
  Napi::Value GetKeySize(const Napi::CallbackInfo& info);
  Napi::Value GetValueSize(const Napi::CallbackInfo& info);
  Napi::Value GetMaxEntries(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  void ReuseFd(const Napi::CallbackInfo& info);
  void SetMaxEntries(const Napi::CallbackInfo& info);

  bpf_map* map_ = nullptr;
  BpfObjectWrap* owner_ = nullptr;
  Napi::ObjectReference ownerRef_;
  std::string name_;
};

}  // namespace retis_bpf
