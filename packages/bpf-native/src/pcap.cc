// Kept apart from the libbpf files: libpcap's `struct bpf_insn` (cBPF) and
// linux/bpf.h's (eBPF) share a name.
#include "pcap.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <memory>
#include <string>

#include "errors.h"

namespace retis_bpf {
namespace {

static_assert(sizeof(struct bpf_insn) == 8, "cBPF instructions are 8 bytes");

// pcapCompile(expr, linkType, snaplen, optimize): Buffer of cBPF instructions
Napi::Value Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsBoolean()) {
    throw UsageError(env, "pcapCompile(expr: string, linkType: number, snaplen?: number, optimize?: boolean)");
  }
  std::string expr = info[0].As<Napi::String>().Utf8Value();
  int linkType = info[1].As<Napi::Number>().Int32Value();
  int snaplen = info[2].As<Napi::Number>().Int32Value();
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> pcap(pcap_open_dead(linkType, snaplen), pcap_close);
  if (!pcap) throw BpfError(env, "pcap_open_dead", ENOMEM, "pcap_open_dead failed for link type " + std::to_string(linkType));
  bpf_program program{};
  if (pcap_compile(pcap.get(), &program, expr.c_str(), info[3].As<Napi::Boolean>().Value() ? 1 : 0,
                   PCAP_NETMASK_UNKNOWN) != 0) {
    throw BpfError(env, "pcap_compile", EINVAL, pcap_geterr(pcap.get()));
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(
      env, reinterpret_cast<const uint8_t*>(program.bf_insns), program.bf_len * sizeof(struct bpf_insn));
  pcap_freecode(&program);
  return out;
}

// pcapFilter(program, packet, wireLen): the filter's return value (0 = drop)
Napi::Value Filter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBuffer() || !info[1].IsBuffer() || !info[2].IsNumber()) {
    throw UsageError(env, "pcapFilter(program: Buffer, packet: Buffer, wireLen?: number)");
  }
  auto program = info[0].As<Napi::Buffer<uint8_t>>();
  auto packet = info[1].As<Napi::Buffer<uint8_t>>();
  if (program.Length() == 0 || program.Length() % sizeof(struct bpf_insn) != 0) {
    throw BpfError(env, "bpf_validate", EINVAL, "pcapFilter: the program must be a non-empty multiple of 8 bytes");
  }
  auto* insns = reinterpret_cast<const struct bpf_insn*>(program.Data());
  int count = static_cast<int>(program.Length() / sizeof(struct bpf_insn));
  // bpf_filter() trusts its program (jump targets included).
  if (!bpf_validate(insns, count)) throw BpfError(env, "bpf_validate", EINVAL, "pcapFilter: invalid cBPF program");
  u_int verdict = bpf_filter(insns, packet.Data(), info[2].As<Napi::Number>().Uint32Value(),
                             static_cast<u_int>(packet.Length()));
  return Napi::Number::New(env, verdict);
}

}  // namespace

void InitPcap(Napi::Env env, Napi::Object exports) {
  exports.Set("pcapCompile", Napi::Function::New<Compile>(env, "pcapCompile"));
  exports.Set("pcapFilter", Napi::Function::New<Filter>(env, "pcapFilter"));
}

}  // namespace retis_bpf
