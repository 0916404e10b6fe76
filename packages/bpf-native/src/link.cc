#include "link.h"

#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"
#include "log.h"
#include "object.h"
#include "program.h"
#include "tracefs.h"

namespace retis_bpf {
namespace {

struct LinkInit {
  bpf_link* link;
  int fd;
};

// The kernel's attr for BPF_RAW_TRACEPOINT_OPEN since 6.10; Debian's
// linux/bpf.h predates the cookie field.
struct RawTracepointOpenAttr {
  uint64_t name;
  uint32_t prog_fd;
  uint32_t pad;
  uint64_t cookie;
};

bool KprobesAvailable() {
  return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0 ||
         access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
         access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
}

Napi::Object Options(const Napi::CallbackInfo& info, size_t index) {
  return info[index].IsObject() ? info[index].As<Napi::Object>() : Napi::Object::New(info.Env());
}

bool OptBool(Napi::Object opts, const char* key) {
  Napi::Value v = opts.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

uint64_t OptCookie(Napi::Object opts, const char* key) {
  Napi::Value v = opts.Get(key);
  if (!v.IsBigInt()) return 0;
  bool lossless;
  return v.As<Napi::BigInt>().Uint64Value(&lossless);
}

int OptPid(Napi::Object opts) {
  Napi::Value v = opts.Get("pid");
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : -1;
}

std::string Str(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

std::string Hex(uint64_t value) {
  char text[24];
  snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

[[noreturn]] void ThrowAttach(Napi::Env env, const char* op, int err, const std::string& name, const std::string& kind,
                              const std::string& target, LogCapture& capture) {
  throw BpfError(env, op, err,
                 "cannot attach program '" + name + "' to " + kind + " '" + target + "': " + std::strerror(err),
                 capture.Take());
}

int OpenTracepointEvent(int id) {
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = static_cast<uint64_t>(id);
  int fd = static_cast<int>(syscall(__NR_perf_event_open, &attr, -1 /* pid */, 0 /* cpu */, -1 /* group */,
                                    PERF_FLAG_FD_CLOEXEC));
  return fd < 0 ? -errno : fd;
}

}  // namespace

int RawTracepointOpen(const char* name, int progFd, uint64_t cookie) {
  RawTracepointOpenAttr attr{};
  attr.name = reinterpret_cast<uintptr_t>(name);
  attr.prog_fd = static_cast<uint32_t>(progFd);
  attr.cookie = cookie;
  int fd = static_cast<int>(syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr)));
  return fd < 0 ? -errno : fd;
}

Napi::Function LinkWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeLink",
                     {
                         InstanceAccessor<&LinkWrap::GetFd>("fd"),
                         InstanceMethod<&LinkWrap::Close>("close"),
                     });
}

Napi::Object LinkWrap::New(Napi::Env env, bpf_link* link, int fd, Napi::Object dependsOn) {
  LinkInit init{link, fd};
  Napi::Value owner = dependsOn.IsEmpty() ? env.Undefined() : Napi::Value(dependsOn);
  return Data(env).linkClass.New({Handle(env, &init), owner});
}

LinkWrap::LinkWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LinkWrap>(info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "NativeLink cannot be constructed from JavaScript");
  LinkInit* init = info[0].As<Napi::External<LinkInit>>().Data();
  link_ = init->link;
  fd_ = link_ != nullptr ? bpf_link__fd(link_) : init->fd;
  if (info[1].IsObject()) {
    dependsOn_ = BpfObjectWrap::Unwrap(info[1].As<Napi::Object>());
    dependsOnRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    dependsOn_->AddDependentLink(this);
  }
  cleanup_.Add(info.Env(), OnEnvTeardown, this);
}

LinkWrap::~LinkWrap() { CloseNow(); }

void LinkWrap::CloseNow() {
  if (link_ != nullptr) {
    bpf_link__destroy(link_);
  } else if (fd_ >= 0) {
    close(fd_);
  }
  link_ = nullptr;
  fd_ = -1;
  if (dependsOn_ != nullptr) {
    dependsOn_->RemoveDependentLink(this);
    dependsOn_ = nullptr;
    if (!dependsOnRef_.IsEmpty()) dependsOnRef_.Reset();
  }
  cleanup_.Remove();
}

void LinkWrap::OnEnvTeardown(void* self) { static_cast<LinkWrap*>(self)->CloseNow(); }

Napi::Value LinkWrap::GetFd(const Napi::CallbackInfo& info) {
  if (fd_ < 0) throw BpfError(info.Env(), "fd", EBADF, "fd: link is closed");
  return Napi::Number::New(info.Env(), fd_);
}

void LinkWrap::Close(const Napi::CallbackInfo&) { CloseNow(); }

// ---- attach operations of NativeProgram ----

Napi::Value ProgramWrap::AttachRawTracepoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !(info[1].IsUndefined() || info[1].IsBigInt())) {
    throw UsageError(env, "attachRawTracepoint(name: string, cookie?: bigint)");
  }
  int progFd = RequireLoaded(env, "attachRawTracepoint");
  std::string tp = Str(info[0]);
  LogCapture capture;
  if (info[1].IsUndefined()) {
    bpf_link* link = bpf_program__attach_raw_tracepoint(prog_, tp.c_str());
    if (link == nullptr) ThrowAttach(env, "bpf_program__attach_raw_tracepoint", LastErrno(), name_, "raw tracepoint", tp, capture);
    return LinkWrap::New(env, link, -1);
  }
  bool lossless;
  uint64_t cookie = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  int fd = RawTracepointOpen(tp.c_str(), progFd, cookie);
  if (fd < 0) ThrowAttach(env, "BPF_RAW_TRACEPOINT_OPEN", -fd, name_, "raw tracepoint", tp, capture);
  return LinkWrap::New(env, nullptr, fd);
}

Napi::Value ProgramWrap::AttachTracepoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString()) throw UsageError(env, "attachTracepoint(group: string, name: string)");
  RequireLoaded(env, "attachTracepoint");
  std::string group = Str(info[0]), tp = Str(info[1]);
  LogCapture capture;
  if (LibbpfSeesTracefs()) {
    bpf_link* link = bpf_program__attach_tracepoint(prog_, group.c_str(), tp.c_str());
    if (link != nullptr) return LinkWrap::New(env, link, -1);
    int err = LastErrno();
    // libbpf caches where tracefs is; if that went stale, look ourselves.
    if (err != ENOENT) ThrowAttach(env, "bpf_program__attach_tracepoint", err, name_, "tracepoint", group + ":" + tp, capture);
  }
  // No tracefs where libbpf looks: resolve the id ourselves (mounting a
  // private tracefs if needed), then let libbpf attach to the perf event.
  int id = 0;
  int err = TracepointId(group, tp, &id);
  if (err) ThrowAttach(env, "tracepoint_id", err, name_, "tracepoint", group + ":" + tp, capture);
  int pfd = OpenTracepointEvent(id);
  if (pfd < 0) ThrowAttach(env, "perf_event_open", -pfd, name_, "tracepoint", group + ":" + tp, capture);
  bpf_link* link = bpf_program__attach_perf_event(prog_, pfd);
  if (link == nullptr) {
    err = LastErrno();
    close(pfd);
    ThrowAttach(env, "bpf_program__attach_perf_event", err, name_, "tracepoint", group + ":" + tp, capture);
  }
  return LinkWrap::New(env, link, -1);
}

Napi::Value ProgramWrap::AttachTpBtf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, "attachTpBtf");
  LogCapture capture;
  bpf_link* link = bpf_program__attach(prog_);
  if (link == nullptr) {
    ThrowAttach(env, "bpf_program__attach", LastErrno(), name_, "BTF tracepoint", bpf_program__section_name(prog_), capture);
  }
  return LinkWrap::New(env, link, -1);
}

Napi::Value ProgramWrap::AttachKprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw UsageError(env, "attachKprobe(func: string, opts?: { retprobe?: boolean; cookie?: bigint })");
  RequireLoaded(env, "attachKprobe");
  std::string func = Str(info[0]);
  Napi::Object opts = Options(info, 1);
  bool retprobe = OptBool(opts, "retprobe");
  const char* kind = retprobe ? "kretprobe" : "kprobe";
  LogCapture capture;
  if (!KprobesAvailable()) {
    throw BpfError(env, "bpf_program__attach_kprobe_opts", EOPNOTSUPP,
                   std::string("cannot attach program '") + name_ + "' to " + kind + " '" + func +
                       "': this kernel has no kprobe support (no kprobe PMU, no kprobe_events)");
  }
  bpf_kprobe_opts kopts{};
  kopts.sz = sizeof(kopts);
  kopts.bpf_cookie = OptCookie(opts, "cookie");
  kopts.retprobe = retprobe;
  bpf_link* link = bpf_program__attach_kprobe_opts(prog_, func.c_str(), &kopts);
  if (link == nullptr) ThrowAttach(env, "bpf_program__attach_kprobe_opts", LastErrno(), name_, kind, func, capture);
  return LinkWrap::New(env, link, -1);
}

Napi::Value ProgramWrap::AttachKprobeMulti(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "attachKprobeMulti(funcs: string[], opts?: { retprobe?: boolean; cookies?: bigint[] })";
  if (!info[0].IsArray()) throw UsageError(env, usage);
  RequireLoaded(env, "attachKprobeMulti");
  Napi::Array funcs = info[0].As<Napi::Array>();
  Napi::Object opts = Options(info, 1);
  std::vector<std::string> names;
  for (uint32_t i = 0; i < funcs.Length(); i++) {
    if (!funcs.Get(i).IsString()) throw UsageError(env, usage);
    names.push_back(Str(funcs.Get(i)));
  }
  std::vector<const char*> syms;
  for (const std::string& n : names) syms.push_back(n.c_str());
  std::vector<__u64> cookies;
  if (opts.Get("cookies").IsArray()) {
    Napi::Array list = opts.Get("cookies").As<Napi::Array>();
    if (list.Length() != names.size()) throw UsageError(env, usage);
    for (uint32_t i = 0; i < list.Length(); i++) {
      if (!list.Get(i).IsBigInt()) throw UsageError(env, usage);
      bool lossless;
      cookies.push_back(list.Get(i).As<Napi::BigInt>().Uint64Value(&lossless));
    }
  }
  std::string target = names.empty() ? "" : names[0] + (names.size() > 1 ? ", ..." : "");
  LogCapture capture;
  if (!KprobesAvailable()) {
    throw BpfError(env, "bpf_program__attach_kprobe_multi_opts", EOPNOTSUPP,
                   "cannot attach program '" + name_ + "' to kprobe.multi '" + target +
                       "': this kernel has no kprobe support (no kprobe PMU, no kprobe_events)");
  }
  bpf_kprobe_multi_opts kopts{};
  kopts.sz = sizeof(kopts);
  kopts.syms = syms.data();
  kopts.cnt = syms.size();
  kopts.cookies = cookies.empty() ? nullptr : cookies.data();
  kopts.retprobe = OptBool(opts, "retprobe");
  bpf_link* link = bpf_program__attach_kprobe_multi_opts(prog_, nullptr, &kopts);
  if (link == nullptr) {
    ThrowAttach(env, "bpf_program__attach_kprobe_multi_opts", LastErrno(), name_, "kprobe.multi", target, capture);
  }
  return LinkWrap::New(env, link, -1);
}

Napi::Value ProgramWrap::AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsBigInt()) {
    throw UsageError(env, "attachUprobe(path: string, offset: bigint, opts?: { retprobe?: boolean; pid?: number; cookie?: bigint })");
  }
  RequireLoaded(env, "attachUprobe");
  std::string path = Str(info[0]);
  bool lossless;
  uint64_t offset = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  Napi::Object opts = Options(info, 2);
  bpf_uprobe_opts uopts{};
  uopts.sz = sizeof(uopts);
  uopts.bpf_cookie = OptCookie(opts, "cookie");
  uopts.retprobe = OptBool(opts, "retprobe");
  LogCapture capture;
  bpf_link* link = bpf_program__attach_uprobe_opts(prog_, OptPid(opts), path.c_str(), offset, &uopts);
  if (link == nullptr) {
    ThrowAttach(env, "bpf_program__attach_uprobe_opts", LastErrno(), name_, uopts.retprobe ? "uretprobe" : "uprobe",
                path + "+" + Hex(offset), capture);
  }
  return LinkWrap::New(env, link, -1);
}

Napi::Value ProgramWrap::AttachUsdt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
    throw UsageError(env, "attachUsdt(path: string, provider: string, name: string, opts?: { pid?: number; cookie?: bigint })");
  }
  RequireLoaded(env, "attachUsdt");
  std::string path = Str(info[0]), provider = Str(info[1]), probe = Str(info[2]);
  Napi::Object opts = Options(info, 3);
  bpf_usdt_opts uopts{};
  uopts.sz = sizeof(uopts);
  uopts.usdt_cookie = OptCookie(opts, "cookie");
  LogCapture capture;
  bpf_link* link =
      bpf_program__attach_usdt(prog_, OptPid(opts), path.c_str(), provider.c_str(), probe.c_str(), &uopts);
  if (link == nullptr) {
    ThrowAttach(env, "bpf_program__attach_usdt", LastErrno(), name_, "USDT", path + ":" + provider + ":" + probe, capture);
  }
  // USDT links use the object's USDT manager when detaching.
  return LinkWrap::New(env, link, -1, ownerRef_.Value());
}

Napi::Value ProgramWrap::AttachTrace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, "attachTrace");
  LogCapture capture;
  bpf_link* link = bpf_program__attach_trace(prog_);
  if (link == nullptr) {
    ThrowAttach(env, "bpf_program__attach_trace", LastErrno(), name_, "trace target", bpf_program__section_name(prog_), capture);
  }
  return LinkWrap::New(env, link, -1);
}

}  // namespace retis_bpf
