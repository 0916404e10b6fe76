#include "errors.h"

#include <cerrno>
#include <cstring>

#include "addon.h"

namespace retis_bpf {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "E" + std::to_string(err);
}

Napi::Error BpfError(Napi::Env env, const std::string& op, int err,
                     const std::string& message, const std::string& libbpfLog) {
  std::string text = message.empty() ? op + " failed: " + std::strerror(err) : message;
  std::string code = ErrnoName(err);
  AddonData& data = Data(env);
  if (!data.bpfErrorClass.IsEmpty()) {
    napi_value ctorArgs[] = {
        Napi::String::New(env, text), Napi::String::New(env, code), Napi::Number::New(env, err),
        Napi::String::New(env, op),
        libbpfLog.empty() ? env.Undefined() : Napi::String::New(env, libbpfLog),
    };
    Napi::Object error = data.bpfErrorClass.Value().New(5, ctorArgs);
    return Napi::Error(env, error);
  }
  // Before initialize(): a plain Error carrying the same fields.
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", code);
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("op", op);
  if (!libbpfLog.empty()) error.Set("libbpfLog", libbpfLog);
  return error;
}

Napi::Error UsageError(Napi::Env env, const std::string& usage) {
  return Napi::TypeError::New(env, "Usage: " + usage);
}

int ErrorCode(long ret) { return ret < 0 ? static_cast<int>(-ret) : LastErrno(); }

int LastErrno() { return errno != 0 ? errno : EINVAL; }

}  // namespace retis_bpf
