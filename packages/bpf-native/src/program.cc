#include "program.h"

#include <cerrno>
#include <cstring>

#include "addon.h"
#include "errors.h"
#include "log.h"
#include "object.h"

namespace retis_bpf {

Napi::Function ProgramWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeProgram",
                     {
                         InstanceAccessor<&ProgramWrap::GetName>("name"),
                         InstanceAccessor<&ProgramWrap::GetSectionName>("sectionName"),
                         InstanceAccessor<&ProgramWrap::GetFd>("fd"),
                         InstanceMethod<&ProgramWrap::SetAutoload>("setAutoload"),
                         InstanceMethod<&ProgramWrap::Insns>("insns"),
                         InstanceMethod<&ProgramWrap::SetAttachTarget>("setAttachTarget"),
                         InstanceMethod<&ProgramWrap::AttachRawTracepoint>("attachRawTracepoint"),
                         InstanceMethod<&ProgramWrap::AttachTracepoint>("attachTracepoint"),
                         InstanceMethod<&ProgramWrap::AttachTpBtf>("attachTpBtf"),
                         InstanceMethod<&ProgramWrap::AttachKprobe>("attachKprobe"),
                         InstanceMethod<&ProgramWrap::AttachKprobeMulti>("attachKprobeMulti"),
                         InstanceMethod<&ProgramWrap::AttachUprobe>("attachUprobe"),
                         InstanceMethod<&ProgramWrap::AttachUsdt>("attachUsdt"),
                         InstanceMethod<&ProgramWrap::AttachTrace>("attachTrace"),
                     });
}

Napi::Object ProgramWrap::New(Napi::Env env, bpf_program* prog, Napi::Object owner) {
  return Data(env).programClass.New({Handle(env, prog), owner});
}

ProgramWrap::ProgramWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProgramWrap>(info) {
  if (!info[0].IsExternal() || !info[1].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "NativeProgram cannot be constructed from JavaScript");
  }
  prog_ = info[0].As<Napi::External<bpf_program>>().Data();
  owner_ = BpfObjectWrap::Unwrap(info[1].As<Napi::Object>());
  ownerRef_ = Napi::Persistent(info[1].As<Napi::Object>());
  name_ = bpf_program__name(prog_);
}

bpf_program* ProgramWrap::Require(Napi::Env env, const std::string& what) {
  owner_->Require(env, what + " of program '" + name_ + "'");
  return prog_;
}

bpf_program* ProgramWrap::RequireUnloaded(Napi::Env env, const std::string& what) {
  owner_->RequireUnloaded(env, what + " of program '" + name_ + "'");
  return prog_;
}

int ProgramWrap::RequireLoaded(Napi::Env env, const std::string& what) {
  int fd = bpf_program__fd(Require(env, what));
  if (fd < 0) {
    throw BpfError(env, what, EBADF, what + ": program '" + name_ + "' is not loaded");
  }
  return fd;
}

Napi::Value ProgramWrap::GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }

Napi::Value ProgramWrap::GetSectionName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), bpf_program__section_name(Require(info.Env(), "sectionName")));
}

Napi::Value ProgramWrap::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), RequireLoaded(info.Env(), "fd"));
}

void ProgramWrap::SetAutoload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBoolean()) throw UsageError(env, "setAutoload(on: boolean)");
  int err = bpf_program__set_autoload(RequireUnloaded(env, "setAutoload"), info[0].As<Napi::Boolean>().Value());
  if (err) throw BpfError(env, "bpf_program__set_autoload", ErrorCode(err));
}

Napi::Value ProgramWrap::Insns(const Napi::CallbackInfo& info) {
  bpf_program* prog = Require(info.Env(), "insns");
  const bpf_insn* insns = bpf_program__insns(prog);
  size_t bytes = bpf_program__insn_cnt(prog) * sizeof(bpf_insn);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<const uint8_t*>(insns), bytes);
}

void ProgramWrap::SetAttachTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw UsageError(env, "setAttachTarget(func: string)");
  bpf_program* prog = RequireUnloaded(env, "setAttachTarget");
  std::string func = info[0].As<Napi::String>().Utf8Value();
  LogCapture capture;
  int err = bpf_program__set_attach_target(prog, 0, func.c_str());
  if (err) {
    int code = ErrorCode(err);
    throw BpfError(env, "bpf_program__set_attach_target", code,
                   "cannot target '" + func + "' with program '" + name_ + "': " + std::strerror(code),
                   capture.Take());
  }
}

}  // namespace retis_bpf
