// Errors thrown to JavaScript: BpfError for failed kernel/libbpf operations,
// TypeError('Usage: ...') for bad arguments.
#pragma once

#include <napi.h>

#include <string>

namespace retis_bpf {

// errno name, e.g. "EPERM"; "E<n>" when the libc does not know it.
std::string ErrnoName(int err);

// A BpfError (the class handed over by initialize()) with code/errno/op and
// the libbpf log of the failed operation. `message` defaults to
// "<op> failed: <strerror>".
Napi::Error BpfError(Napi::Env env, const std::string& op, int err,
                     const std::string& message = std::string(),
                     const std::string& libbpfLog = std::string());

// TypeError("Usage: <usage>").
Napi::Error UsageError(Napi::Env env, const std::string& usage);

// libbpf 1.x int-returning calls give -errno; pointer-returning calls give
// NULL and set errno. Both helpers return a positive errno, never 0.
int ErrorCode(long ret);
int LastErrno();

}  // namespace retis_bpf
