#include "object.h"

#include <bpf/btf.h>

#include <cerrno>
#include <cstring>

#include "addon.h"
#include "errors.h"
#include "link.h"
#include "log.h"
#include "map_spec.h"
#include "program.h"

namespace retis_bpf {

// bpf_object__load() on the libuv thread pool: the verifier can take a while.
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, BpfObjectWrap* owner)
      : Napi::AsyncWorker(env, "retis-bpf-load"),
        owner_(owner),
        ownerRef_(Napi::Persistent(owner->Value())),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    {
      LogCapture capture;
      int ret = bpf_object__load(owner_->obj_);
      err_ = ret < 0 ? -ret : 0;
      if (err_ != 0) log_ = capture.Take();
    }
    if (owner_->patches_) owner_->patches_->ReleaseLoadBuffers();
    owner_->MarkLoadFinished();
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (owner_->state_ == BpfObjectWrap::State::kLoading) {
      owner_->state_ = err_ == 0 ? BpfObjectWrap::State::kLoaded : BpfObjectWrap::State::kLoadFailed;
      if (owner_->closeAfterLoad_) owner_->CloseNow();
    }
    if (err_ == 0) {
      deferred_.Resolve(env.Undefined());
      return;
    }
    std::string message = "cannot load BPF object '" + owner_->name_ + "': " + std::strerror(err_);
    deferred_.Reject(BpfError(env, "bpf_object__load", err_, message, log_).Value());
  }

 private:
  BpfObjectWrap* owner_;
  Napi::ObjectReference ownerRef_;  // keeps the wrapper alive while loading
  Napi::Promise::Deferred deferred_;
  int err_ = 0;
  std::string log_;
};

Napi::Function BpfObjectWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeObject",
                     {
                         InstanceAccessor<&BpfObjectWrap::GetName>("name"),
                         InstanceAccessor<&BpfObjectWrap::GetState>("state"),
                         InstanceMethod<&BpfObjectWrap::SetGlobal>("setGlobal"),
                         InstanceMethod<&BpfObjectWrap::Programs>("programs"),
                         InstanceMethod<&BpfObjectWrap::Program>("program"),
                         InstanceMethod<&BpfObjectWrap::Maps>("maps"),
                         InstanceMethod<&BpfObjectWrap::Map>("map"),
                         InstanceMethod<&BpfObjectWrap::PatchCalls>("patchCalls"),
                         InstanceMethod<&BpfObjectWrap::Load>("load"),
                         InstanceMethod<&BpfObjectWrap::Close>("close"),
                     });
}

Napi::Value BpfObjectWrap::Open(const Napi::CallbackInfo& info) {
  std::vector<napi_value> args(info.Length());
  for (size_t i = 0; i < info.Length(); i++) args[i] = info[i];
  return Data(info.Env()).objectClass.New(args);
}

BpfObjectWrap::BpfObjectWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObjectWrap>(info) {
  Napi::Env env = info.Env();
  bool fromPath = info[0].IsString();
  if ((!fromPath && !info[0].IsBuffer()) || !(info[1].IsUndefined() || info[1].IsString())) {
    throw UsageError(env, "openObject(source: string | Buffer, name?: string)");
  }
  std::string requestedName = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : std::string();
  bpf_object_open_opts opts{};
  opts.sz = sizeof(opts);
  if (!requestedName.empty()) opts.object_name = requestedName.c_str();

  LogCapture capture;
  std::string path;
  const char* op;
  if (fromPath) {
    path = info[0].As<Napi::String>().Utf8Value();
    op = "bpf_object__open_file";
    obj_ = bpf_object__open_file(path.c_str(), &opts);
  } else {
    auto buffer = info[0].As<Napi::Buffer<uint8_t>>();
    elf_.assign(buffer.Data(), buffer.Data() + buffer.Length());
    op = "bpf_object__open_mem";
    obj_ = bpf_object__open_mem(elf_.data(), elf_.size(), &opts);
  }
  if (obj_ == nullptr) {
    int err = LastErrno();
    std::string what = fromPath ? "'" + path + "'" : requestedName.empty() ? "from memory" : "'" + requestedName + "'";
    throw BpfError(env, op, err, "cannot open BPF object " + what + ": " + std::strerror(err), capture.Take());
  }
  name_ = bpf_object__name(obj_);
  state_ = State::kOpened;
  cleanup_.Add(env, OnEnvTeardown, this);
}

BpfObjectWrap::~BpfObjectWrap() { CloseNow(); }

bpf_object* BpfObjectWrap::Require(Napi::Env env, const std::string& what) {
  if (state_ == State::kClosed) {
    throw BpfError(env, what, EBADF, what + ": BPF object '" + name_ + "' is closed");
  }
  if (state_ == State::kLoading) {
    throw BpfError(env, what, EBUSY, what + ": BPF object '" + name_ + "' is being loaded");
  }
  return obj_;
}

bpf_object* BpfObjectWrap::RequireUnloaded(Napi::Env env, const std::string& what) {
  bpf_object* obj = Require(env, what);
  if (state_ == State::kLoaded) {
    throw BpfError(env, what, EBUSY, what + ": BPF object '" + name_ + "' was already loaded");
  }
  if (state_ == State::kLoadFailed) {
    throw BpfError(env, what, EBUSY, what + ": BPF object '" + name_ + "' failed to load; open it again");
  }
  return obj;
}

Napi::Value BpfObjectWrap::GetName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }

Napi::Value BpfObjectWrap::GetState(const Napi::CallbackInfo& info) {
  static const char* const kNames[] = {"opened", "loading", "loaded", "failed", "closed"};
  return Napi::String::New(info.Env(), kNames[static_cast<int>(state_)]);
}

// Globals live in the internal maps (.rodata, .data, .bss and their
// .<name> variants); libbpf keeps their initial image writable until load.
void BpfObjectWrap::SetGlobal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsBuffer()) throw UsageError(env, "setGlobal(name: string, value: Buffer)");
  bpf_object* obj = RequireUnloaded(env, "setGlobal");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  auto value = info[1].As<Napi::Buffer<uint8_t>>();

  const btf* types = bpf_object__btf(obj);
  if (types == nullptr) {
    throw BpfError(env, "setGlobal", ENOENT, "setGlobal: BPF object '" + name_ + "' has no BTF to find '" + name + "'");
  }
  for (uint32_t id = 1; id < btf__type_cnt(types); id++) {
    const btf_type* sec = btf__type_by_id(types, id);
    if (!btf_is_datasec(sec)) continue;
    const btf_var_secinfo* vars = btf_var_secinfos(sec);
    for (uint16_t i = 0; i < btf_vlen(sec); i++) {
      const btf_type* var = btf__type_by_id(types, vars[i].type);
      if (name != btf__name_by_offset(types, var->name_off)) continue;
      if (vars[i].size != value.Length()) {
        throw BpfError(env, "setGlobal", EINVAL,
                       "setGlobal: '" + name + "' is " + std::to_string(vars[i].size) + " bytes, got " +
                           std::to_string(value.Length()));
      }
      // Internal maps are named "<object prefix><section>", e.g. "basic.rodata".
      std::string section = btf__name_by_offset(types, sec->name_off);
      bpf_map* map;
      bpf_object__for_each_map(map, obj) {
        std::string mapName = bpf_map__name(map);
        if (!bpf_map__is_internal(map) || mapName.size() < section.size() ||
            mapName.compare(mapName.size() - section.size(), section.size(), section) != 0) {
          continue;
        }
        size_t size = 0;
        void* image = const_cast<void*>(bpf_map__initial_value(map, &size));
        if (image == nullptr || vars[i].offset + vars[i].size > size) break;
        std::memcpy(static_cast<uint8_t*>(image) + vars[i].offset, value.Data(), value.Length());
        return;
      }
      throw BpfError(env, "setGlobal", ENOENT,
                     "setGlobal: no writable map holds section '" + section + "' of '" + name + "'");
    }
  }
  throw BpfError(env, "setGlobal", ENOENT, "setGlobal: no global named '" + name + "' in BPF object '" + name_ + "'");
}

Napi::Value BpfObjectWrap::Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_object* obj = Require(env, "programs");
  Napi::Array out = Napi::Array::New(env);
  bpf_program* prog;
  uint32_t i = 0;
  bpf_object__for_each_program(prog, obj) out.Set(i++, ProgramWrap::New(env, prog, Value()));
  return out;
}

Napi::Value BpfObjectWrap::Program(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw UsageError(env, "program(name: string)");
  bpf_object* obj = Require(env, "program");
  bpf_program* prog = bpf_object__find_program_by_name(obj, info[0].As<Napi::String>().Utf8Value().c_str());
  if (prog == nullptr) return env.Undefined();
  return ProgramWrap::New(env, prog, Value());
}

Napi::Value BpfObjectWrap::Maps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_object* obj = Require(env, "maps");
  Napi::Array out = Napi::Array::New(env);
  bpf_map* map;
  uint32_t i = 0;
  bpf_object__for_each_map(map, obj) out.Set(i++, MapSpecWrap::New(env, map, Value()));
  return out;
}

Napi::Value BpfObjectWrap::Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw UsageError(env, "map(name: string)");
  bpf_object* obj = Require(env, "map");
  bpf_map* map = bpf_object__find_map_by_name(obj, info[0].As<Napi::String>().Utf8Value().c_str());
  if (map == nullptr) return env.Undefined();
  return MapSpecWrap::New(env, map, Value());
}

void BpfObjectWrap::PatchCalls(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsBuffer()) throw UsageError(env, "patchCalls(magic: number, insns: Buffer)");
  bpf_object* obj = RequireUnloaded(env, "patchCalls");
  auto bytes = info[1].As<Napi::Buffer<uint8_t>>();
  if (bytes.Length() == 0 || bytes.Length() % sizeof(bpf_insn) != 0) {
    throw BpfError(env, "patchCalls", EINVAL, "patchCalls: the block must be a non-empty multiple of 8 bytes");
  }
  std::vector<bpf_insn> block(bytes.Length() / sizeof(bpf_insn));
  std::memcpy(block.data(), bytes.Data(), bytes.Length());
  std::string problem = CheckBlock(block);
  if (!problem.empty()) throw BpfError(env, "patchCalls", EINVAL, "patchCalls: " + problem);
  // The magic is an imm32; accept it written as signed or unsigned.
  int64_t magic = info[0].As<Napi::Number>().Int64Value();
  if (!patches_) {
    patches_ = std::make_shared<PatchSet>();
    RegisterPatchedObject(obj, patches_);
  }
  patches_->Set(static_cast<int32_t>(static_cast<uint32_t>(magic)), std::move(block));
}

Napi::Value BpfObjectWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUnloaded(env, "load");
  auto* worker = new LoadWorker(env, this);
  state_ = State::kLoading;
  {
    std::lock_guard<std::mutex> lock(loadMutex_);
    loadRunning_ = true;
  }
  worker->Queue();
  return worker->Promise();
}

void BpfObjectWrap::MarkLoadFinished() {
  std::lock_guard<std::mutex> lock(loadMutex_);
  loadRunning_ = false;
  loadDone_.notify_all();
}

void BpfObjectWrap::Close(const Napi::CallbackInfo&) {
  if (state_ == State::kLoading) {
    closeAfterLoad_ = true;
    return;
  }
  CloseNow();
}

void BpfObjectWrap::CloseNow() {
  if (obj_ == nullptr) return;
  // Closing a link may remove it from the set.
  while (!dependentLinks_.empty()) (*dependentLinks_.begin())->CloseNow();
  UnregisterPatchedObject(obj_);
  bpf_object__close(obj_);
  obj_ = nullptr;
  elf_.clear();
  elf_.shrink_to_fit();
  state_ = State::kClosed;
  cleanup_.Remove();
}

void BpfObjectWrap::OnEnvTeardown(void* arg) {
  auto* self = static_cast<BpfObjectWrap*>(arg);
  {
    std::unique_lock<std::mutex> lock(self->loadMutex_);
    self->loadDone_.wait(lock, [self] { return !self->loadRunning_; });
  }
  self->CloseNow();
}

}  // namespace retis_bpf
