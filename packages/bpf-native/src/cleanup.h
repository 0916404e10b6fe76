// Ties a native resource to the lifetime of its JavaScript environment.
//
// Node runs environment cleanup hooks in reverse order of registration, so a
// resource registered after another one is closed first: links go before the
// object they came from, and a reader's hook (registered right after its
// thread-safe function) runs before Node tears that function down.
#pragma once

#include <node_api.h>

namespace retis_bpf {

class EnvCleanup {
 public:
  using Callback = void (*)(void* arg);

  EnvCleanup() = default;
  EnvCleanup(const EnvCleanup&) = delete;
  EnvCleanup& operator=(const EnvCleanup&) = delete;
  ~EnvCleanup() { Remove(); }

  // Runs `callback(arg)` when `env` is torn down, unless Remove() ran first.
  void Add(napi_env env, Callback callback, void* arg);
  void Remove();

 private:
  napi_env env_ = nullptr;
  Callback callback_ = nullptr;
  void* arg_ = nullptr;
};

}  // namespace retis_bpf
