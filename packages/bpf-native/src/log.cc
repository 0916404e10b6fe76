#include "log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>

#include "cleanup.h"

namespace retis_bpf {
namespace {

thread_local LogCapture* currentCapture = nullptr;

struct LogLine {
  int level;
  std::string text;
};

void CallHandler(Napi::Env env, Napi::Function handler, std::nullptr_t*, LogLine* line) {
  std::unique_ptr<LogLine> owned(line);
  if (env == nullptr || handler.IsEmpty()) return;
  try {
    handler.Call({Napi::Number::New(env, line->level), Napi::String::New(env, line->text)});
  } catch (const Napi::Error& e) {
    // A throwing handler surfaces as an uncaught exception, like a throwing
    // event listener would.
    e.ThrowAsJavaScriptException();
  }
}

using HandlerFn = Napi::TypedThreadSafeFunction<std::nullptr_t, LogLine, CallHandler>;

// One handler per environment. Guarded by sinksMutex: libbpf may print from a
// load worker while JavaScript replaces the handler.
struct LogSink {
  napi_env env;
  HandlerFn tsfn;
  EnvCleanup cleanup;
};

std::mutex sinksMutex;
std::vector<std::unique_ptr<LogSink>> sinks;

void RemoveSinkLocked(napi_env env) {
  for (auto it = sinks.begin(); it != sinks.end(); ++it) {
    if ((*it)->env != env) continue;
    (*it)->cleanup.Remove();
    (*it)->tsfn.Release();
    sinks.erase(it);
    return;
  }
}

void RemoveSinkOnTeardown(void* env) {
  std::lock_guard<std::mutex> lock(sinksMutex);
  RemoveSinkLocked(static_cast<napi_env>(env));
}

// Sends each line of `text` (libbpf prints several lines at once, the
// verifier log in one call) to every handler.
void Forward(int level, const std::string& text) {
  std::lock_guard<std::mutex> lock(sinksMutex);
  if (sinks.empty()) return;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      for (auto& sink : sinks) {
        sink->tsfn.NonBlockingCall(new LogLine{level, text.substr(start, end - start)});
      }
    }
    start = end + 1;
  }
}

int PrintFromLibbpf(enum libbpf_print_level level, const char* format, va_list args) {
  char small[512];
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(small, sizeof(small), format, copy);
  va_end(copy);
  if (n < 0) return n;
  std::string text;
  if (static_cast<size_t>(n) < sizeof(small)) {
    text.assign(small, n);
  } else {
    text.resize(n + 1);
    vsnprintf(text.data(), text.size(), format, args);
    text.resize(n);
  }
  if (LogCapture* capture = LogCapture::Current()) {
    capture->Append(level, std::move(text));
  } else {
    Forward(level, text);
  }
  return n;
}

}  // namespace

LogCapture::LogCapture() : previous_(currentCapture) { currentCapture = this; }

LogCapture::~LogCapture() {
  currentCapture = previous_;
  for (auto& [level, text] : entries_) {
    if (taken_ && level != kLogDebug) continue;
    Forward(level, text);
  }
}

std::string LogCapture::Take() {
  taken_ = true;
  std::string out;
  for (auto& [level, text] : entries_) {
    if (level == kLogDebug) continue;
    out += text;
    if (!text.empty() && text.back() != '\n') out += '\n';
  }
  return out;
}

void LogCapture::Append(int level, std::string text) { entries_.emplace_back(level, std::move(text)); }

LogCapture* LogCapture::Current() { return currentCapture; }

void InstallLibbpfPrint() { libbpf_set_print(PrintFromLibbpf); }

void SetLogHandler(Napi::Env env, Napi::Value handler) {
  std::lock_guard<std::mutex> lock(sinksMutex);
  RemoveSinkLocked(env);
  if (!handler.IsFunction()) return;
  auto sink = std::make_unique<LogSink>();
  sink->env = env;
  sink->tsfn = HandlerFn::New(env, handler.As<Napi::Function>(), "retis-bpf-log", 0, 1);
  // Logging alone must not keep the process alive.
  sink->tsfn.Unref(env);
  // Registered after the thread-safe function, so it runs before Node tears
  // that function down and no print can reach a dead one.
  sink->cleanup.Add(env, RemoveSinkOnTeardown, env);
  sinks.push_back(std::move(sink));
}

}  // namespace retis_bpf
