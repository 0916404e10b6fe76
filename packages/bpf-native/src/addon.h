// Per-environment state of the addon (each worker thread has its own).
#pragma once

#include <napi.h>

namespace retis_bpf {

struct AddonData {
  // The JavaScript BpfError class, handed over by initialize().
  Napi::FunctionReference bpfErrorClass;
  // Constructors of the wrapped native objects, created from C++ only.
  Napi::FunctionReference objectClass;
  Napi::FunctionReference programClass;
  Napi::FunctionReference mapSpecClass;
  Napi::FunctionReference linkClass;
  Napi::FunctionReference ringBufferClass;
  Napi::FunctionReference btfClass;
};

AddonData& Data(Napi::Env env);

// Wraps a C++ pointer so that a native constructor can tell it was called
// from C++ (JavaScript cannot forge an External).
template <typename T>
Napi::External<T> Handle(Napi::Env env, T* ptr) {
  return Napi::External<T>::New(env, ptr);
}

}  // namespace retis_bpf
