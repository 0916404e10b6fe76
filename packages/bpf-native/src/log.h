// libbpf's output. libbpf prints through one process-wide callback, from the
// JavaScript thread or from a load worker. While a native operation runs, a
// LogCapture on that thread collects what libbpf prints, so that a failure can
// carry it as `libbpfLog`; everything else (and the lines of operations that
// succeeded) goes to the handler given to setLogHandler(), if any.
#pragma once

#include <napi.h>

#include <string>
#include <utility>
#include <vector>

namespace retis_bpf {

// libbpf print levels, as seen by JavaScript: 0 warn, 1 info, 2 debug.
enum LogLevel { kLogWarn = 0, kLogInfo = 1, kLogDebug = 2 };

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Warn and info text gathered so far (the verifier log is printed at warn
  // level); those lines are then not forwarded to the log handler.
  std::string Take();
  // Adds text as if libbpf printed it (used for our own diagnostics inside an
  // operation, e.g. from the program load preparation).
  void Append(int level, std::string text);

  // The capture active on this thread, or null.
  static LogCapture* Current();

 private:
  LogCapture* previous_;
  std::vector<std::pair<int, std::string>> entries_;
  bool taken_ = false;
};

// Routes libbpf_set_print() to this module; process-wide, done once.
void InstallLibbpfPrint();

// setLogHandler(fn | null) for this environment.
void SetLogHandler(Napi::Env env, Napi::Value handler);

}  // namespace retis_bpf
