#include "maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.h"

namespace retis_bpf {
namespace {

bool IsFd(const Napi::Value& v) { return v.IsNumber() && v.As<Napi::Number>().Int32Value() >= 0; }

struct MapSizes {
  size_t key;
  size_t value;  // for per-CPU maps: one 8-byte aligned slot per possible CPU
};

// The kernel writes key_size/value_size bytes into our buffers: check them
// against the map's real sizes first.
MapSizes Sizes(Napi::Env env, int fd, const char* op) {
  bpf_map_info mapInfo{};
  uint32_t len = sizeof(mapInfo);
  int err = bpf_obj_get_info_by_fd(fd, &mapInfo, &len);
  if (err) throw BpfError(env, op, ErrorCode(err), std::string(op) + ": fd " + std::to_string(fd) + " is not a BPF map");
  MapSizes sizes{mapInfo.key_size, mapInfo.value_size};
  switch (mapInfo.type) {
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      sizes.value = ((sizes.value + 7) / 8 * 8) * static_cast<size_t>(libbpf_num_possible_cpus());
      break;
    default:
      break;
  }
  return sizes;
}

void CheckSize(Napi::Env env, const char* op, const char* what, size_t given, size_t needed) {
  if (given < needed) {
    throw BpfError(env, op, EINVAL,
                   std::string(op) + ": " + what + " is " + std::to_string(given) + " bytes, the map needs " +
                       std::to_string(needed));
  }
}

// mapLookup(fd, key, valueSize): Buffer | null
Napi::Value Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsFd(info[0]) || !info[1].IsBuffer() || !info[2].IsNumber()) {
    throw UsageError(env, "lookup(fd: number, key: Buffer, valueSize: number)");
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto key = info[1].As<Napi::Buffer<uint8_t>>();
  MapSizes sizes = Sizes(env, fd, "bpf_map_lookup_elem");
  CheckSize(env, "bpf_map_lookup_elem", "key", key.Length(), sizes.key);
  size_t valueSize = info[2].As<Napi::Number>().Uint32Value();
  CheckSize(env, "bpf_map_lookup_elem", "valueSize", valueSize, sizes.value);
  std::vector<uint8_t> value(valueSize);
  int err = bpf_map_lookup_elem(fd, key.Data(), value.data());
  if (err == -ENOENT) return env.Null();
  if (err) throw BpfError(env, "bpf_map_lookup_elem", ErrorCode(err));
  return Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size());
}

// mapUpdate(fd, key, value, flags)
void Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsFd(info[0]) || !info[1].IsBuffer() || !info[2].IsBuffer() || !(info[3].IsUndefined() || info[3].IsNumber())) {
    throw UsageError(env, "update(fd: number, key: Buffer, value: Buffer, flags?: number)");
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto key = info[1].As<Napi::Buffer<uint8_t>>();
  auto value = info[2].As<Napi::Buffer<uint8_t>>();
  MapSizes sizes = Sizes(env, fd, "bpf_map_update_elem");
  CheckSize(env, "bpf_map_update_elem", "key", key.Length(), sizes.key);
  CheckSize(env, "bpf_map_update_elem", "value", value.Length(), sizes.value);
  uint64_t flags = info[3].IsNumber() ? info[3].As<Napi::Number>().Int64Value() : 0;
  int err = bpf_map_update_elem(fd, key.Data(), value.Data(), flags);
  if (err) throw BpfError(env, "bpf_map_update_elem", ErrorCode(err));
}

// mapDelete(fd, key): boolean (false when the key was missing)
Napi::Value Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsFd(info[0]) || !info[1].IsBuffer()) throw UsageError(env, "delete(fd: number, key: Buffer)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto key = info[1].As<Napi::Buffer<uint8_t>>();
  CheckSize(env, "bpf_map_delete_elem", "key", key.Length(), Sizes(env, fd, "bpf_map_delete_elem").key);
  int err = bpf_map_delete_elem(fd, key.Data());
  if (err == -ENOENT) return Napi::Boolean::New(env, false);
  if (err) throw BpfError(env, "bpf_map_delete_elem", ErrorCode(err));
  return Napi::Boolean::New(env, true);
}

// mapKeys(fd, keySize): Buffer[]
Napi::Value Keys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsFd(info[0]) || !info[1].IsNumber()) throw UsageError(env, "keys(fd: number, keySize: number)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  size_t keySize = info[1].As<Napi::Number>().Uint32Value();
  CheckSize(env, "bpf_map_get_next_key", "keySize", keySize, Sizes(env, fd, "bpf_map_get_next_key").key);
  std::vector<uint8_t> prev(keySize), next(keySize);
  Napi::Array out = Napi::Array::New(env);
  const void* cursor = nullptr;  // null asks for the first key
  for (uint32_t i = 0;; i++) {
    int err = bpf_map_get_next_key(fd, cursor, next.data());
    if (err == -ENOENT) break;
    if (err) throw BpfError(env, "bpf_map_get_next_key", ErrorCode(err));
    out.Set(i, Napi::Buffer<uint8_t>::Copy(env, next.data(), keySize));
    prev.swap(next);
    cursor = prev.data();
  }
  return out;
}

}  // namespace

void InitMapOps(Napi::Env env, Napi::Object exports) {
  exports.Set("mapLookup", Napi::Function::New<Lookup>(env, "mapLookup"));
  exports.Set("mapUpdate", Napi::Function::New<Update>(env, "mapUpdate"));
  exports.Set("mapDelete", Napi::Function::New<Delete>(env, "mapDelete"));
  exports.Set("mapKeys", Napi::Function::New<Keys>(env, "mapKeys"));
}

}  // namespace retis_bpf
