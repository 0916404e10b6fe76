#include "features.h"

#include <map>
#include <mutex>
#include <string>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

#include "link.h"
#include "log.h"
#include "tracefs.h"

namespace retis_bpf {
namespace {

struct Features {
  bool rawTracepoint, rawTracepointCookie, tpBtf, tracepoint, kprobe, kprobeMulti, kretprobe, fentry, fexit, uprobe,
      ringbuf;
};

// Closes an fd when leaving the scope: every probe leaves nothing behind.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  bool ok() const { return fd >= 0; }
};

// Candidate functions to probe, in order: present on every x86/arm64 kernel
// and harmless to hit for a microsecond.
const char* const kFunctions[] = {"__x64_sys_getpid", "__arm64_sys_getpid", "schedule"};

int LoadTrivial(bpf_prog_type type, bpf_attach_type expected = static_cast<bpf_attach_type>(0), uint32_t btfId = 0) {
  // r0 = 0; exit
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[1].code = BPF_JMP | BPF_EXIT;
  bpf_prog_load_opts opts{};
  opts.sz = sizeof(opts);
  opts.expected_attach_type = expected;
  opts.attach_btf_id = btfId;
  return bpf_prog_load(type, "retis_probe", "GPL", insns, 2, &opts);
}

int PmuType(const char* pmu) {
  std::ifstream file(std::string("/sys/bus/event_source/devices/") + pmu + "/type");
  int type = -1;
  if (!(file >> type)) return -1;
  return type;
}

// The bit to set in perf_event_attr.config for a return probe ("config:0").
int RetprobeBit(const char* pmu) {
  std::ifstream file(std::string("/sys/bus/event_source/devices/") + pmu + "/format/retprobe");
  std::string format;
  int bit = -1;
  if (file >> format && sscanf(format.c_str(), "config:%d", &bit) == 1) return bit;
  return -1;
}

int PerfEventOpen(perf_event_attr* attr, int pid, int cpu) {
  attr->size = sizeof(*attr);
  return static_cast<int>(syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

bool AttachPerfEvent(int progFd, int perfFd) {
  Fd link(bpf_link_create(progFd, perfFd, BPF_PERF_EVENT, nullptr));
  return link.ok();
}

bool ProbeRingbuf() {
  Fd map(bpf_map_create(BPF_MAP_TYPE_RINGBUF, nullptr, 0, 0, static_cast<uint32_t>(getpagesize()), nullptr));
  return map.ok();
}

bool ProbeRawTracepoint(bool withCookie) {
  Fd prog(LoadTrivial(BPF_PROG_TYPE_RAW_TRACEPOINT));
  if (!prog.ok()) return false;
  Fd link(withCookie ? RawTracepointOpen("sys_enter", prog.fd, 1) : bpf_raw_tracepoint_open("sys_enter", prog.fd));
  return link.ok();
}

bool ProbeTpBtf(const btf* vmlinux) {
  if (vmlinux == nullptr) return false;
  int id = btf__find_by_name_kind(vmlinux, "btf_trace_sys_enter", BTF_KIND_TYPEDEF);
  if (id <= 0) return false;
  Fd prog(LoadTrivial(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, static_cast<uint32_t>(id)));
  if (!prog.ok()) return false;
  Fd link(bpf_raw_tracepoint_open(nullptr, prog.fd));
  return link.ok();
}

bool ProbeTracepoint() {
  Fd prog(LoadTrivial(BPF_PROG_TYPE_TRACEPOINT));
  if (!prog.ok()) return false;
  int id = 0;
  if (TracepointId("sched", "sched_switch", &id) != 0) return false;
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.config = static_cast<uint64_t>(id);
  Fd event(PerfEventOpen(&attr, -1, 0));
  return event.ok() && AttachPerfEvent(prog.fd, event.fd);
}

bool ProbeKprobe(bool retprobe) {
  int type = PmuType("kprobe");
  int bit = retprobe ? RetprobeBit("kprobe") : 0;
  if (type < 0 || bit < 0) return false;
  Fd prog(LoadTrivial(BPF_PROG_TYPE_KPROBE));
  if (!prog.ok()) return false;
  for (const char* func : kFunctions) {
    perf_event_attr attr{};
    attr.type = static_cast<uint32_t>(type);
    attr.config = retprobe ? 1ULL << bit : 0;
    attr.config1 = reinterpret_cast<uintptr_t>(func);  // kprobe_func
    Fd event(PerfEventOpen(&attr, -1, 0));
    if (event.ok()) return AttachPerfEvent(prog.fd, event.fd);
  }
  return false;
}

bool ProbeKprobeMulti() {
  Fd prog(LoadTrivial(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI));
  if (!prog.ok()) return false;
  for (const char* func : kFunctions) {
    bpf_link_create_opts opts{};
    opts.sz = sizeof(opts);
    opts.kprobe_multi.syms = &func;
    opts.kprobe_multi.cnt = 1;
    Fd link(bpf_link_create(prog.fd, 0, BPF_TRACE_KPROBE_MULTI, &opts));
    if (link.ok()) return true;
    if (errno != ENOENT && errno != ESRCH) return false;
  }
  return false;
}

bool ProbeTrampoline(const btf* vmlinux, bpf_attach_type attachType) {
  if (vmlinux == nullptr) return false;
  for (const char* func : kFunctions) {
    int id = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC);
    if (id <= 0) continue;
    Fd prog(LoadTrivial(BPF_PROG_TYPE_TRACING, attachType, static_cast<uint32_t>(id)));
    if (!prog.ok()) return false;
    Fd link(bpf_link_create(prog.fd, 0, attachType, nullptr));
    return link.ok();
  }
  return false;
}

// File offset of this executable's entry point: an instruction boundary in
// code that never runs again, so a probe there is harmless.
long EntryFileOffset(const char* path) {
  FILE* file = fopen(path, "rb");
  if (file == nullptr) return -1;
  long result = -1;
  Elf64_Ehdr header;
  if (fread(&header, sizeof(header), 1, file) == 1 && std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
      header.e_ident[EI_CLASS] == ELFCLASS64) {
    for (int i = 0; i < header.e_phnum && result < 0; i++) {
      Elf64_Phdr phdr;
      if (fseek(file, static_cast<long>(header.e_phoff + i * header.e_phentsize), SEEK_SET) != 0 ||
          fread(&phdr, sizeof(phdr), 1, file) != 1) {
        break;
      }
      if (phdr.p_type == PT_LOAD && (phdr.p_flags & PF_X) && header.e_entry >= phdr.p_vaddr &&
          header.e_entry < phdr.p_vaddr + phdr.p_filesz) {
        result = static_cast<long>(header.e_entry - phdr.p_vaddr + phdr.p_offset);
      }
    }
  }
  fclose(file);
  return result;
}

bool ProbeUprobe() {
  int type = PmuType("uprobe");
  if (type < 0) return false;
  static const char kSelf[] = "/proc/self/exe";
  long offset = EntryFileOffset(kSelf);
  if (offset < 0) return false;
  Fd prog(LoadTrivial(BPF_PROG_TYPE_KPROBE));
  if (!prog.ok()) return false;
  perf_event_attr attr{};
  attr.type = static_cast<uint32_t>(type);
  attr.config1 = reinterpret_cast<uintptr_t>(kSelf);  // uprobe_path
  attr.config2 = static_cast<uint64_t>(offset);        // probe_offset
  // Only this process, which is long past its entry point.
  Fd event(PerfEventOpen(&attr, getpid(), -1));
  return event.ok() && AttachPerfEvent(prog.fd, event.fd);
}

// One feature, probed on demand: a run pays only for the probes it asks
// about (each one is a real load or attach, some take tens of ms).
bool ProbeOne(const std::string& name) {
  // Keep libbpf quiet while probing: failures are expected answers.
  LogCapture capture;
  bool ok = false;
  if (name == "ringbuf") ok = ProbeRingbuf();
  else if (name == "rawTracepoint") ok = ProbeRawTracepoint(false);
  else if (name == "rawTracepointCookie") ok = ProbeRawTracepoint(true);
  else if (name == "tracepoint") ok = ProbeTracepoint();
  else if (name == "kprobe") ok = ProbeKprobe(false);
  else if (name == "kretprobe") ok = ProbeKprobe(true);
  else if (name == "kprobeMulti") ok = ProbeKprobeMulti();
  else if (name == "uprobe") ok = ProbeUprobe();
  else {
    btf* vmlinux = btf__load_vmlinux_btf();
    if (name == "tpBtf") ok = ProbeTpBtf(vmlinux);
    else if (name == "fentry") ok = ProbeTrampoline(vmlinux, BPF_TRACE_FENTRY);
    else if (name == "fexit") ok = ProbeTrampoline(vmlinux, BPF_TRACE_FEXIT);
    btf__free(vmlinux);
  }
  capture.Take();
  return ok;
}

std::mutex cacheMutex;
std::map<std::string, bool> cache;

const char* const kFeatureNames[] = {
    "rawTracepoint", "rawTracepointCookie", "tpBtf", "tracepoint", "kprobe", "kprobeMulti",
    "kretprobe", "fentry", "fexit", "uprobe", "ringbuf",
};

Napi::Value GetFeature(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(env, "Usage: feature(name: string)");
  }
  std::string name = info[0].As<Napi::String>();
  bool known = false;
  for (const char* n : kFeatureNames) known = known || name == n;
  if (!known) throw Napi::TypeError::New(env, "Usage: feature(name): unknown feature " + name);
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, ProbeOne(name)).first;
  return Napi::Boolean::New(env, it->second);
}

}  // namespace

void InitFeatures(Napi::Env env, Napi::Object exports) {
  exports.Set("feature", Napi::Function::New<GetFeature>(env, "feature"));
}

}  // namespace retis_bpf
