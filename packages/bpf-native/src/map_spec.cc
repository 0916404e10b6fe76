#include "map_spec.h"

#include <cerrno>
#include <cstring>

#include "addon.h"
#include "errors.h"
#include "log.h"
#include "object.h"

namespace retis_bpf {

Napi::Function MapSpecWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeMap",
                     {
                         InstanceAccessor<&MapSpecWrap::GetName>("name"),
                         InstanceAccessor<&MapSpecWrap::GetType>("type"),
                         InstanceAccessor<&MapSpecWrap::GetKeySize>("keySize"),
                         InstanceAccessor<&MapSpecWrap::GetValueSize>("valueSize"),
                         InstanceAccessor<&MapSpecWrap::GetMaxEntries>("maxEntries"),
                         InstanceAccessor<&MapSpecWrap::GetFd>("fd"),
                         InstanceMethod<&MapSpecWrap::ReuseFd>("reuseFd"),
                         InstanceMethod<&MapSpecWrap::SetMaxEntries>("setMaxEntries"),
                     });
}

Napi::Object MapSpecWrap::New(Napi::Env env, bpf_map* map, Napi::Object owner) {
  return Data(env).mapSpecClass.New({Handle(env, map), owner});
}

MapSpecWrap::MapSpecWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MapSpecWrap>(info) {
  if (!info[0].IsExternal() || !info[1].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "NativeMap cannot be constructed from JavaScript");
  }
  map_ = info[0].As<Napi::External<bpf_map>>().Data();
  owner_ = BpfObjectWrap::Unwrap(info[1].As<Napi::Object>());
  ownerRef_ = Napi::Persistent(info[1].As<Napi::Object>());
  name_ = bpf_map__name(map_);
}

bpf_map* MapSpecWrap::Require(Napi::Env env, const std::string& what) {
  owner_->Require(env, what + " of map '" + name_ + "'");
  return map_;
}

Napi::Value MapSpecWrap::GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }

Napi::Value MapSpecWrap::GetType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), bpf_map__type(Require(info.Env(), "type")));
}

Napi::Value MapSpecWrap::GetKeySize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), bpf_map__key_size(Require(info.Env(), "keySize")));
}

Napi::Value MapSpecWrap::GetValueSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), bpf_map__value_size(Require(info.Env(), "valueSize")));
}

Napi::Value MapSpecWrap::GetMaxEntries(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), bpf_map__max_entries(Require(info.Env(), "maxEntries")));
}

Napi::Value MapSpecWrap::GetFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = bpf_map__fd(Require(env, "fd"));
  if (fd < 0) throw BpfError(env, "fd", EBADF, "fd: map '" + name_ + "' is not created yet (load the object first)");
  return Napi::Number::New(env, fd);
}

void MapSpecWrap::ReuseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw UsageError(env, "reuseFd(fd: number)");
  owner_->RequireUnloaded(env, "reuseFd of map '" + name_ + "'");
  LogCapture capture;
  int err = bpf_map__reuse_fd(map_, info[0].As<Napi::Number>().Int32Value());
  if (err) {
    int code = ErrorCode(err);
    throw BpfError(env, "bpf_map__reuse_fd", code,
                   "map '" + name_ + "' cannot reuse fd " + std::to_string(info[0].As<Napi::Number>().Int32Value()) +
                       ": " + std::strerror(code),
                   capture.Take());
  }
}

void MapSpecWrap::SetMaxEntries(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw UsageError(env, "setMaxEntries(n: number)");
  owner_->RequireUnloaded(env, "setMaxEntries of map '" + name_ + "'");
  int err = bpf_map__set_max_entries(map_, info[0].As<Napi::Number>().Uint32Value());
  if (err) throw BpfError(env, "bpf_map__set_max_entries", ErrorCode(err));
}

}  // namespace retis_bpf
