#include "patch.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "log.h"

namespace retis_bpf {
namespace {

constexpr uint8_t kLdImm64 = BPF_LD | BPF_IMM | BPF_DW;

// Where a control-flow instruction keeps its relative target.
enum class Target { kNone, kOff, kImm };

Target TargetOf(const bpf_insn& insn) {
  uint8_t cls = BPF_CLASS(insn.code);
  uint8_t op = BPF_OP(insn.code);
  if (insn.code == kLdImm64) {
    // A callback's address (bpf_loop, timers...): imm is relative like a call.
    return insn.src_reg == BPF_PSEUDO_FUNC ? Target::kImm : Target::kNone;
  }
  if (cls != BPF_JMP && cls != BPF_JMP32) return Target::kNone;
  if (op == BPF_CALL) return insn.src_reg == BPF_PSEUDO_CALL ? Target::kImm : Target::kNone;
  if (op == BPF_EXIT) return Target::kNone;
  // `gotol` (BPF_JMP32|BPF_JA) has a 32-bit offset in imm.
  if (cls == BPF_JMP32 && op == BPF_JA) return Target::kImm;
  return Target::kOff;
}

bool IsPlaceholder(const bpf_insn& insn, int32_t magic) {
  return insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == 0 && insn.imm == magic;
}

const CallPatch* PatchFor(const bpf_insn& insn, const std::vector<CallPatch>& patches) {
  if (insn.code != (BPF_JMP | BPF_CALL) || insn.src_reg != 0) return nullptr;
  for (const CallPatch& patch : patches) {
    if (IsPlaceholder(insn, patch.magic)) return &patch;
  }
  return nullptr;
}

int64_t RelativeTarget(const bpf_insn& insn, Target kind) {
  return kind == Target::kOff ? insn.off : insn.imm;
}

std::mutex registryMutex;
std::unordered_map<const bpf_program*, std::shared_ptr<PatchSet>> registry;

}  // namespace

std::string CheckBlock(const std::vector<bpf_insn>& block) {
  const int64_t n = static_cast<int64_t>(block.size());
  for (int64_t i = 0; i < n; i++) {
    const bpf_insn& insn = block[i];
    std::ostringstream where;
    where << "instruction " << i << " of the block";
    if ((BPF_CLASS(insn.code) == BPF_JMP || BPF_CLASS(insn.code) == BPF_JMP32) &&
        BPF_OP(insn.code) == BPF_EXIT) {
      return where.str() + " is an exit; jump to the end of the block instead";
    }
    if (insn.code == kLdImm64) {
      if (insn.src_reg == BPF_PSEUDO_FUNC) return where.str() + " loads a subprogram address";
      if (i + 1 >= n) return where.str() + " is a ld_imm64 without its second half";
      i++;
      continue;
    }
    Target kind = TargetOf(insn);
    if (kind == Target::kImm && BPF_OP(insn.code) == BPF_CALL) {
      return where.str() + " is a bpf-to-bpf call";
    }
    if (kind == Target::kNone) continue;
    int64_t target = i + 1 + RelativeTarget(insn, kind);
    if (target < 0 || target > n) {
      return where.str() + " jumps outside the block (to " + std::to_string(target) + ")";
    }
  }
  return std::string();
}

int SpliceCalls(const std::vector<bpf_insn>& in, const std::vector<CallPatch>& patches,
                std::vector<bpf_insn>* out, std::vector<uint32_t>* newIndex, std::string* error) {
  const size_t n = in.size();
  // First pass: the new index of every old instruction. A placeholder's new
  // index is the start of its block, so a jump that targeted the call now
  // lands on the block.
  std::vector<const CallPatch*> at(n, nullptr);
  newIndex->assign(n + 1, 0);
  size_t next = 0;
  int replaced = 0;
  for (size_t i = 0; i < n; i++) {
    (*newIndex)[i] = static_cast<uint32_t>(next);
    if (in[i].code == kLdImm64 && i + 1 < n) {
      (*newIndex)[i + 1] = static_cast<uint32_t>(next + 1);
      next += 2;
      i++;
      continue;
    }
    at[i] = PatchFor(in[i], patches);
    if (at[i] != nullptr) replaced++;
    next += at[i] != nullptr ? at[i]->block.size() : 1;
  }
  (*newIndex)[n] = static_cast<uint32_t>(next);
  if (replaced == 0) return 0;

  // Second pass: copy, with the blocks in place and targets re-aimed.
  out->clear();
  out->reserve(next);
  for (size_t i = 0; i < n; i++) {
    if (at[i] != nullptr) {
      // Blocks only jump within themselves: their offsets do not move.
      out->insert(out->end(), at[i]->block.begin(), at[i]->block.end());
      continue;
    }
    bpf_insn insn = in[i];
    Target kind = TargetOf(insn);
    if (kind != Target::kNone) {
      int64_t target = static_cast<int64_t>(i) + 1 + RelativeTarget(insn, kind);
      if (target < 0 || target > static_cast<int64_t>(n)) {
        *error = "instruction " + std::to_string(i) + " jumps outside the program";
        return -1;
      }
      int64_t moved = static_cast<int64_t>((*newIndex)[target]) - ((*newIndex)[i] + 1);
      if (kind == Target::kOff) {
        if (moved < std::numeric_limits<int16_t>::min() || moved > std::numeric_limits<int16_t>::max()) {
          *error = "jump at instruction " + std::to_string(i) + " no longer fits a 16-bit offset (" +
                   std::to_string(moved) + ")";
          return -1;
        }
        insn.off = static_cast<int16_t>(moved);
      } else {
        if (moved < std::numeric_limits<int32_t>::min() || moved > std::numeric_limits<int32_t>::max()) {
          *error = "call at instruction " + std::to_string(i) + " no longer fits a 32-bit offset";
          return -1;
        }
        insn.imm = static_cast<int32_t>(moved);
      }
    }
    out->push_back(insn);
    if (insn.code == kLdImm64 && i + 1 < n) out->push_back(in[++i]);
  }
  return replaced;
}

void PatchSet::Set(int32_t magic, std::vector<bpf_insn> block) {
  for (CallPatch& patch : patches_) {
    if (patch.magic == magic) {
      patch.block = std::move(block);
      return;
    }
  }
  patches_.push_back(CallPatch{magic, std::move(block)});
}

int PatchSet::Apply(bpf_program* prog, bpf_prog_load_opts* opts) {
  const bpf_insn* insns = bpf_program__insns(prog);
  std::vector<bpf_insn> in(insns, insns + bpf_program__insn_cnt(prog));
  std::vector<bpf_insn> out;
  std::vector<uint32_t> newIndex;
  std::string error;
  int replaced = SpliceCalls(in, patches_, &out, &newIndex, &error);
  LogCapture* log = LogCapture::Current();
  if (replaced < 0) {
    if (log) log->Append(kLogWarn, "prog '" + std::string(bpf_program__name(prog)) + "': patchCalls: " + error + "\n");
    return -ERANGE;
  }
  if (replaced == 0) return 0;

  // func_info and line_info records start with their instruction offset;
  // libbpf owns the arrays, so the shifted ones are copies kept until the
  // load returns.
  auto shift = [&](const void* records, uint32_t count, uint32_t recSize) -> const void* {
    if (records == nullptr || count == 0) return records;
    size_t bytes = static_cast<size_t>(count) * recSize;
    std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes]);
    std::memcpy(copy.get(), records, bytes);
    for (uint32_t r = 0; r < count; r++) {
      uint32_t off;
      std::memcpy(&off, copy.get() + static_cast<size_t>(r) * recSize, sizeof(off));
      if (off < newIndex.size()) off = newIndex[off];
      std::memcpy(copy.get() + static_cast<size_t>(r) * recSize, &off, sizeof(off));
    }
    loadBuffers_.push_back(std::move(copy));
    return loadBuffers_.back().get();
  };
  opts->func_info = shift(opts->func_info, opts->func_info_cnt, opts->func_info_rec_size);
  opts->line_info = shift(opts->line_info, opts->line_info_cnt, opts->line_info_rec_size);

  int err = bpf_program__set_insns(prog, out.data(), out.size());
  if (err) return err;
  if (log) {
    log->Append(kLogDebug, "prog '" + std::string(bpf_program__name(prog)) + "': patchCalls replaced " +
                               std::to_string(replaced) + " call(s), " + std::to_string(in.size()) + " -> " +
                               std::to_string(out.size()) + " instructions\n");
  }
  return 0;
}

void PatchSet::ReleaseLoadBuffers() { loadBuffers_.clear(); }

void RegisterPatchedObject(bpf_object* obj, std::shared_ptr<PatchSet> patches) {
  std::lock_guard<std::mutex> lock(registryMutex);
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) registry[prog] = patches;
}

void UnregisterPatchedObject(bpf_object* obj) {
  std::lock_guard<std::mutex> lock(registryMutex);
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) registry.erase(prog);
}

int ApplyRegisteredPatches(bpf_program* prog, bpf_prog_load_opts* opts) {
  std::shared_ptr<PatchSet> patches;
  {
    std::lock_guard<std::mutex> lock(registryMutex);
    auto it = registry.find(prog);
    if (it == registry.end()) return 0;
    patches = it->second;
  }
  return patches->Apply(prog, opts);
}

}  // namespace retis_bpf
