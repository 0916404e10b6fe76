#include "sections.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <mutex>
#include <string>

#include "log.h"
#include "patch.h"

namespace retis_bpf {
namespace {

struct Section {
  const char* name;
  bpf_prog_type type;
  bpf_attach_type expectedAttach;
  bool needsBtfTarget;
};

// "+" accepts both SEC("retis/kprobe") and SEC("retis/kprobe/<anything>").
constexpr Section kSections[] = {
    {"retis/raw_tracepoint+", BPF_PROG_TYPE_RAW_TRACEPOINT, static_cast<bpf_attach_type>(0), false},
    {"retis/kprobe+", BPF_PROG_TYPE_KPROBE, static_cast<bpf_attach_type>(0), false},
    {"retis/kretprobe+", BPF_PROG_TYPE_KPROBE, static_cast<bpf_attach_type>(0), false},
    // kprobe.multi links only take programs loaded with this attach type.
    {"retis/kprobe.multi+", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, false},
    {"retis/usdt+", BPF_PROG_TYPE_KPROBE, static_cast<bpf_attach_type>(0), false},
    {"retis/fentry+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true},
    {"retis/fexit+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, true},
};

int PrepareRetisProgram(bpf_program* prog, bpf_prog_load_opts* opts, long cookie) {
  const Section& section = kSections[cookie];
  if (section.needsBtfTarget && opts->attach_btf_id == 0) {
    if (LogCapture* log = LogCapture::Current()) {
      log->Append(kLogWarn, "prog '" + std::string(bpf_program__name(prog)) + "': section '" +
                                bpf_program__section_name(prog) +
                                "' needs a target function: call setAttachTarget() before load\n");
    }
    return -EINVAL;
  }
  return ApplyRegisteredPatches(prog, opts);
}

int registrationResult = 0;
std::once_flag registered;

}  // namespace

int RegisterRetisSections() {
  std::call_once(registered, [] {
    for (size_t i = 0; i < sizeof(kSections) / sizeof(kSections[0]); i++) {
      libbpf_prog_handler_opts opts{};
      opts.sz = sizeof(opts);
      opts.cookie = static_cast<long>(i);
      opts.prog_prepare_load_fn = PrepareRetisProgram;
      int id = libbpf_register_prog_handler(kSections[i].name, kSections[i].type,
                                            kSections[i].expectedAttach, &opts);
      if (id < 0 && registrationResult == 0) registrationResult = id;
    }
  });
  return registrationResult;
}

}  // namespace retis_bpf
