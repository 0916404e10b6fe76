// patchCalls: splicing instruction blocks over `call <magic>` placeholders.
//
// The splice runs at load time, from the prog_prepare_load_fn of the retis/
// section handlers, when libbpf has appended and relocated the subprograms of
// the program: jumps and bpf-to-bpf calls are then final and can be shifted.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace retis_bpf {

struct CallPatch {
  int32_t magic;
  std::vector<bpf_insn> block;
};

// Empty when `block` can be spliced: no exit, no bpf-to-bpf call, every jump
// lands inside the block or right after it, no ld_imm64 cut in half.
std::string CheckBlock(const std::vector<bpf_insn>& block);

// Replaces every `call <magic>` of `in` (BPF_JMP|BPF_CALL, src_reg 0) by its
// block, shifting jump offsets, bpf-to-bpf call offsets and callback
// (ld_imm64 BPF_PSEUDO_FUNC) offsets that cross a splice point. `newIndex`
// receives, for each old instruction index (and for the end), its new index,
// to move func_info/line_info. Returns the number of calls replaced, or -1
// with `error` set when an offset no longer fits.
int SpliceCalls(const std::vector<bpf_insn>& in, const std::vector<CallPatch>& patches,
                std::vector<bpf_insn>* out, std::vector<uint32_t>* newIndex, std::string* error);

// The patches of one bpf_object, and the buffers handed to the kernel for
// the load in progress.
class PatchSet {
 public:
  // A later block for the same magic replaces the earlier one.
  void Set(int32_t magic, std::vector<bpf_insn> block);
  // Splices `prog` and moves opts' func_info/line_info. Returns 0 or -errno.
  int Apply(bpf_program* prog, bpf_prog_load_opts* opts);
  // Frees the func_info/line_info copies once bpf_object__load() returned.
  void ReleaseLoadBuffers();

 private:
  std::vector<CallPatch> patches_;
  std::vector<std::unique_ptr<uint8_t[]>> loadBuffers_;
};

// Process-wide map bpf_program* -> patch set: the prepare callback only gets
// the program.
void RegisterPatchedObject(bpf_object* obj, std::shared_ptr<PatchSet> patches);
void UnregisterPatchedObject(bpf_object* obj);

// Applies the patch set registered for `prog`'s object, if any (called from
// the prog_prepare_load_fn of the retis/ sections). Returns 0 or -errno.
int ApplyRegisteredPatches(bpf_program* prog, bpf_prog_load_opts* opts);

}  // namespace retis_bpf
