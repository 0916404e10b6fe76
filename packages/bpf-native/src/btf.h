// NativeBtf: read access to vmlinux BTF, to a BTF file (ELF object, raw
// BTF, or a module's raw BTF split over vmlinux), or to a loaded module's BTF
// (/sys/kernel/btf/<module>, split over vmlinux). A thin accessor: walking
// types is done in TypeScript.
#pragma once

#include <bpf/btf.h>
#include <napi.h>

#include <memory>

#include "cleanup.h"

namespace retis_bpf {

class BtfWrap : public Napi::ObjectWrap<BtfWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // loadBtf(path?: string)
  static Napi::Value Load(const Napi::CallbackInfo& info);
  // loadModuleBtf(module: string, base?: NativeBtf)
  static Napi::Value LoadModule(const Napi::CallbackInfo& info);

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

  static std::shared_ptr<struct btf> LoadVmlinux(Napi::Env env);
  void LoadFile(Napi::Env env, const std::string& path);
  void LoadModuleBtf(Napi::Env env, const std::string& module, BtfWrap* base);

  // Shared: a module's BTF keeps the vmlinux BTF it is split over alive, even
  // after that vmlinux handle was closed.
  std::shared_ptr<struct btf> btf_;
  std::shared_ptr<struct btf> base_;  // vmlinux, when btf_ is split over it
  bool vmlinux_ = false;              // btf_ is the running kernel's vmlinux BTF
  EnvCleanup cleanup_;
};

}  // namespace retis_bpf
