#include "btf.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"
#include "errors.h"
#include "log.h"

namespace retis_bpf {
namespace {

const char* const kKindNames[] = {
    "unknown", "int",      "ptr", "array",   "struct",   "union",    "enum",  "fwd",      "typedef",  "volatile",
    "const",   "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag", "type_tag", "enum64",
};
constexpr int kKindCount = sizeof(kKindNames) / sizeof(kKindNames[0]);

const char* KindName(int kind) { return kind > 0 && kind < kKindCount ? kKindNames[kind] : "unknown"; }

int KindFromName(const std::string& name) {
  for (int i = 1; i < kKindCount; i++) {
    if (name == kKindNames[i]) return i;
  }
  return -1;
}

bool IsElf(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[4] = {};
  bool elf = read(fd, magic, sizeof(magic)) == sizeof(magic) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
  close(fd);
  return elf;
}

// btf__free takes NULL too, but an empty pointer must test false.
std::shared_ptr<struct btf> Own(struct btf* types) {
  return types == nullptr ? std::shared_ptr<struct btf>() : std::shared_ptr<struct btf>(types, btf__free);
}

// A module's raw BTF continues vmlinux's numbering: its names point past its
// own string section. libbpf 1.1 parses such a file alone without complaint,
// so look for names that do not resolve.
bool NeedsBase(const struct btf* types) {
  for (uint32_t id = 1; id < btf__type_cnt(types); id++) {
    const btf_type* t = btf__type_by_id(types, id);
    if (t == nullptr || btf__name_by_offset(types, t->name_off) == nullptr) return true;
  }
  return false;
}

constexpr const char* kModuleUsage = "loadBtf({ module: string, base?: Btf })";

// A kernel module name as /sys/kernel/btf names its file (MODULE_NAME_LEN is
// 56 with the NUL): letters, digits, '_' and '-'; vmlinux is not a module.
bool ValidModuleName(const std::string& name) {
  if (name.empty() || name.size() > 55 || name == "vmlinux") return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

Napi::Function BtfWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeBtf",
                     {
                         InstanceMethod<&BtfWrap::FindByName>("findByName"),
                         InstanceMethod<&BtfWrap::Type>("type"),
                         InstanceAccessor<&BtfWrap::GetTypeCount>("typeCount"),
                         InstanceAccessor<&BtfWrap::IsSplit>("split"),
                         InstanceMethod<&BtfWrap::Close>("close"),
                     });
}

Napi::Value BtfWrap::Load(const Napi::CallbackInfo& info) {
  if (!(info[0].IsUndefined() || info[0].IsString())) throw UsageError(info.Env(), "loadBtf(path?: string)");
  return Data(info.Env()).btfClass.New({info[0]});
}

Napi::Value BtfWrap::LoadModule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !(info[1].IsUndefined() || info[1].IsObject())) {
    throw UsageError(env, kModuleUsage);
  }
  return Data(env).btfClass.New({env.Null(), info[0], info[1]});
}

// new NativeBtf(): vmlinux; (path): a file; (null, module, base?): a module.
BtfWrap::BtfWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BtfWrap>(info) {
  Napi::Env env = info.Env();
  if (info[0].IsUndefined()) {
    btf_ = LoadVmlinux(env);
    vmlinux_ = true;
  } else if (info[0].IsString()) {
    LoadFile(env, info[0].As<Napi::String>().Utf8Value());
  } else if (info[0].IsNull() && info[1].IsString() && (info[2].IsUndefined() || info[2].IsObject())) {
    BtfWrap* base = nullptr;
    if (info[2].IsObject()) {
      Napi::Object obj = info[2].As<Napi::Object>();
      if (!obj.InstanceOf(Data(env).btfClass.Value())) throw UsageError(env, kModuleUsage);
      base = BtfWrap::Unwrap(obj);
    }
    LoadModuleBtf(env, info[1].As<Napi::String>().Utf8Value(), base);
  } else {
    throw UsageError(env, "loadBtf(path?: string)");
  }
  cleanup_.Add(env, OnEnvTeardown, this);
}

void BtfWrap::LoadFile(Napi::Env env, const std::string& path) {
  LogCapture capture;
  struct btf* parsed = btf__parse(path.c_str(), nullptr);
  int err = parsed == nullptr ? LastErrno() : 0;
  btf_ = Own(parsed);
  bool elf = IsElf(path);
  if (btf_ && !elf && NeedsBase(btf_.get())) {
    btf_.reset();
    err = EINVAL;
  }
  // A module's raw BTF refers to vmlinux types and strings: it only parses
  // on top of them.
  if (!btf_ && err != ENOENT && err != EACCES && !elf) {
    std::shared_ptr<struct btf> base = Own(btf__load_vmlinux_btf());
    if (base) {
      btf_ = Own(btf__parse_split(path.c_str(), base.get()));
      if (btf_) base_ = base;
    }
  }
  if (!btf_) {
    throw BpfError(env, "btf__parse", err, "cannot read BTF from '" + path + "': " + std::strerror(err), capture.Take());
  }
}

// The BTF the running kernel gives for a loaded module (/sys/kernel/btf/<module>),
// split over `base` (a vmlinux handle, shared) or over vmlinux loaded for it.
void BtfWrap::LoadModuleBtf(Napi::Env env, const std::string& module, BtfWrap* base) {
  if (!ValidModuleName(module)) throw UsageError(env, kModuleUsage);
  if (base != nullptr) {
    if (!base->btf_) throw BpfError(env, "btf__load_module_btf", EBADF, "loadBtf({ module }): the base BTF is closed");
    if (!base->vmlinux_) throw UsageError(env, std::string(kModuleUsage) + ": base must be the vmlinux BTF (loadBtf())");
    base_ = base->btf_;
  } else {
    base_ = LoadVmlinux(env);
  }
  LogCapture capture;
  struct btf* types = btf__load_module_btf(module.c_str(), base_.get());
  if (types == nullptr) {
    int err = LastErrno();
    base_.reset();
    throw BpfError(env, "btf__load_module_btf", err,
                   "cannot load the BTF of module '" + module + "': " + std::strerror(err), capture.Take());
  }
  btf_ = Own(types);
}

std::shared_ptr<struct btf> BtfWrap::LoadVmlinux(Napi::Env env) {
  LogCapture capture;
  struct btf* types = btf__load_vmlinux_btf();
  if (types == nullptr) {
    int err = LastErrno();
    throw BpfError(env, "btf__load_vmlinux_btf", err, std::string("cannot load vmlinux BTF: ") + std::strerror(err),
                   capture.Take());
  }
  return Own(types);
}

BtfWrap::~BtfWrap() { CloseNow(); }

void BtfWrap::CloseNow() {
  // The split types go first: they point into their base.
  btf_.reset();
  base_.reset();
  cleanup_.Remove();
}

void BtfWrap::OnEnvTeardown(void* self) { static_cast<BtfWrap*>(self)->CloseNow(); }

void BtfWrap::Close(const Napi::CallbackInfo&) { CloseNow(); }

struct btf* BtfWrap::Require(Napi::Env env, const char* what) {
  if (!btf_) throw BpfError(env, what, EBADF, std::string(what) + ": BTF is closed");
  return btf_.get();
}

Napi::Value BtfWrap::GetTypeCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), btf__type_cnt(Require(info.Env(), "typeCount")));
}

Napi::Value BtfWrap::IsSplit(const Napi::CallbackInfo& info) {
  Require(info.Env(), "split");
  return Napi::Boolean::New(info.Env(), static_cast<bool>(base_));
}

// findByName(name, kind?): the first id, base BTF included, or -1.
Napi::Value BtfWrap::FindByName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !(info[1].IsUndefined() || info[1].IsString())) {
    throw UsageError(env, "findByName(name: string, kind?: BtfKind)");
  }
  struct btf* types = Require(env, "findByName");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int id;
  if (info[1].IsString()) {
    int kind = KindFromName(info[1].As<Napi::String>().Utf8Value());
    if (kind < 0) throw UsageError(env, "findByName(name: string, kind?: BtfKind): unknown kind");
    id = btf__find_by_name_kind(types, name.c_str(), kind);
  } else {
    id = btf__find_by_name(types, name.c_str());
  }
  return Napi::Number::New(env, id < 0 ? -1 : id);
}

// type(id): the BtfType shape of api.ts.
Napi::Value BtfWrap::Type(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw UsageError(env, "type(id: number)");
  struct btf* types = Require(env, "type");
  int64_t rawId = info[0].As<Napi::Number>().Int64Value();
  if (rawId < 0 || rawId >= btf__type_cnt(types)) {
    throw BpfError(env, "btf__type_by_id", ENOENT, "no BTF type with id " + std::to_string(rawId));
  }
  uint32_t id = static_cast<uint32_t>(rawId);
  const btf_type* t = btf__type_by_id(types, id);
  if (t == nullptr) throw BpfError(env, "btf__type_by_id", ENOENT, "no BTF type with id " + std::to_string(id));
  auto name = [&](uint32_t off) { return Napi::String::New(env, btf__name_by_offset(types, off)); };

  Napi::Object out = Napi::Object::New(env);
  int kind = id == 0 ? 0 : btf_kind(t);
  out.Set("id", Napi::Number::New(env, id));
  out.Set("kind", KindName(kind));
  out.Set("name", id == 0 ? Napi::String::New(env, "void") : name(t->name_off));
  switch (kind) {
    case BTF_KIND_INT: {
      uint32_t encoding = btf_int_encoding(t);
      out.Set("size", Napi::Number::New(env, t->size));
      out.Set("signed", Napi::Boolean::New(env, (encoding & BTF_INT_SIGNED) != 0));
      out.Set("bits", Napi::Number::New(env, btf_int_bits(t)));
      out.Set("bitOffset", Napi::Number::New(env, btf_int_offset(t)));
      break;
    }
    case BTF_KIND_FLOAT:
      out.Set("size", Napi::Number::New(env, t->size));
      break;
    case BTF_KIND_PTR:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_VAR:
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_DECL_TAG:
      out.Set("typeId", Napi::Number::New(env, t->type));
      break;
    case BTF_KIND_ARRAY: {
      const struct btf_array* array = btf_array(t);
      out.Set("elemTypeId", Napi::Number::New(env, array->type));
      out.Set("nelems", Napi::Number::New(env, array->nelems));
      break;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
      out.Set("size", Napi::Number::New(env, t->size));
      const struct btf_member* members = btf_members(t);
      Napi::Array list = Napi::Array::New(env, btf_vlen(t));
      for (uint32_t i = 0; i < btf_vlen(t); i++) {
        Napi::Object m = Napi::Object::New(env);
        m.Set("name", name(members[i].name_off));
        m.Set("typeId", Napi::Number::New(env, members[i].type));
        m.Set("bitOffset", Napi::Number::New(env, btf_member_bit_offset(t, i)));
        m.Set("bitfieldSize", Napi::Number::New(env, btf_member_bitfield_size(t, i)));
        list.Set(i, m);
      }
      out.Set("members", list);
      break;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
      bool isSigned = btf_kflag(t);
      out.Set("size", Napi::Number::New(env, t->size));
      out.Set("enumSigned", Napi::Boolean::New(env, isSigned));
      Napi::Array list = Napi::Array::New(env, btf_vlen(t));
      for (uint32_t i = 0; i < btf_vlen(t); i++) {
        Napi::Object v = Napi::Object::New(env);
        if (kind == BTF_KIND_ENUM) {
          const struct btf_enum* e = btf_enum(t) + i;
          v.Set("name", name(e->name_off));
          v.Set("value", isSigned ? Napi::BigInt::New(env, static_cast<int64_t>(e->val))
                                  : Napi::BigInt::New(env, static_cast<uint64_t>(static_cast<uint32_t>(e->val))));
        } else {
          const struct btf_enum64* e = btf_enum64(t) + i;
          uint64_t raw = btf_enum64_value(e);
          v.Set("name", name(e->name_off));
          v.Set("value", isSigned ? Napi::BigInt::New(env, static_cast<int64_t>(raw)) : Napi::BigInt::New(env, raw));
        }
        list.Set(i, v);
      }
      out.Set("values", list);
      break;
    }
    case BTF_KIND_FUNC_PROTO: {
      out.Set("returnTypeId", Napi::Number::New(env, t->type));
      const struct btf_param* params = btf_params(t);
      Napi::Array list = Napi::Array::New(env, btf_vlen(t));
      for (uint32_t i = 0; i < btf_vlen(t); i++) {
        Napi::Object p = Napi::Object::New(env);
        p.Set("name", name(params[i].name_off));
        p.Set("typeId", Napi::Number::New(env, params[i].type));
        list.Set(i, p);
      }
      out.Set("params", list);
      break;
    }
    case BTF_KIND_DATASEC:
      out.Set("size", Napi::Number::New(env, t->size));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace retis_bpf
