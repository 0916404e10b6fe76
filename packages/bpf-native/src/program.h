// NativeProgram: one bpf_program of a NativeObject. The attach methods are
// defined in link.cc, next to the Link they return.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <string>

namespace retis_bpf {

class BpfObjectWrap;

class ProgramWrap : public Napi::ObjectWrap<ProgramWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object New(Napi::Env env, bpf_program* prog, Napi::Object owner);

  // (External<bpf_program>, NativeObject); only called from New().
  explicit ProgramWrap(const Napi::CallbackInfo& info);

 private:
  bpf_program* Require(Napi::Env env, const std::string& what);
  bpf_program* RequireUnloaded(Napi::Env env, const std::string& what);
  // The program fd for an attach operation; throws when not loaded.
  int RequireLoaded(Napi::Env env, const std::string& what);

  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetSectionName(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  void SetAutoload(const Napi::CallbackInfo& info);
  Napi::Value Insns(const Napi::CallbackInfo& info);
  void SetAttachTarget(const Napi::CallbackInfo& info);

  // link.cc
  Napi::Value AttachRawTracepoint(const Napi::CallbackInfo& info);
  Napi::Value AttachTracepoint(const Napi::CallbackInfo& info);
  Napi::Value AttachTpBtf(const Napi::CallbackInfo& info);
  Napi::Value AttachKprobe(const Napi::CallbackInfo& info);
  Napi::Value AttachKprobeMulti(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobe(const Napi::CallbackInfo& info);
  Napi::Value AttachUsdt(const Napi::CallbackInfo& info);
  Napi::Value AttachTrace(const Napi::CallbackInfo& info);

  bpf_program* prog_ = nullptr;
  BpfObjectWrap* owner_ = nullptr;
  Napi::ObjectReference ownerRef_;  // the object outlives its program handles
  std::string name_;
};

}  // namespace retis_bpf
