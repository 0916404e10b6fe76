#include "cleanup.h"

namespace retis_bpf {

void EnvCleanup::Add(napi_env env, Callback callback, void* arg) {
  Remove();
  if (napi_add_env_cleanup_hook(env, callback, arg) == napi_ok) {
    env_ = env;
    callback_ = callback;
    arg_ = arg;
  }
}

void EnvCleanup::Remove() {
  if (env_ == nullptr) return;
  napi_remove_env_cleanup_hook(env_, callback_, arg_);
  env_ = nullptr;
}

}  // namespace retis_bpf
