// NativeBtf: read access to vmlinux BTF or to a BTF file (ELF object, raw
// BTF, or a module's raw BTF split over vmlinux). A thin accessor: walking
// types is done in TypeScript.
#pragma once

#include <bpf/btf.h>
#include <napi.h>

#include "cleanup.h"

namespace retis_bpf {

class BtfWrap : public Napi::ObjectWrap<BtfWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // loadBtf(path?: string)
  static Napi::Value Load(const Napi::CallbackInfo& info);

  explicit BtfWrap(const Napi::CallbackInfo& info);
  ~BtfWrap() override;

 private:
  struct btf* Require(Napi::Env env, const char* what);
  Napi::Value FindByName(const Napi::CallbackInfo& info);
  Napi::Value Type(const Napi::CallbackInfo& info);
  Napi::Value GetTypeCount(const Napi::CallbackInfo& info);
  Napi::Value IsSplit(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void CloseNow();
  static void OnEnvTeardown(void* self);

  struct btf* btf_ = nullptr;
  struct btf* base_ = nullptr;  // vmlinux, when btf_ is split over it
  EnvCleanup cleanup_;
};

}  // namespace retis_bpf
