// NativeLink: an attachment (libbpf bpf_link, or a bare link fd), and the
// attach operations of NativeProgram that create one.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <cstdint>

#include "cleanup.h"

namespace retis_bpf {

class BpfObjectWrap;

class LinkWrap : public Napi::ObjectWrap<LinkWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Takes ownership of `link`, or of `fd` when `link` is null. When
  // `dependsOn` is given, the link uses state owned by that object and is
  // closed before it.
  static Napi::Object New(Napi::Env env, bpf_link* link, int fd, Napi::Object dependsOn = Napi::Object());

  explicit LinkWrap(const Napi::CallbackInfo& info);
  ~LinkWrap() override;

  void CloseNow();

 private:
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  static void OnEnvTeardown(void* self);

  bpf_link* link_ = nullptr;
  int fd_ = -1;
  BpfObjectWrap* dependsOn_ = nullptr;
  Napi::ObjectReference dependsOnRef_;
  EnvCleanup cleanup_;
};

// BPF_RAW_TRACEPOINT_OPEN with a cookie (kernels >= 6.10); libbpf 1.1 has no
// API for it. Returns the link fd, or -errno.
int RawTracepointOpen(const char* name, int progFd, uint64_t cookie);

}  // namespace retis_bpf
