// NativeRingBuffer: reads a BPF ring buffer on a dedicated thread and hands
// the records to JavaScript in batches, one call per batch.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cleanup.h"

namespace retis_bpf {

// Records of one wakeup, back to back in one memory region, delimited by
// offsets/lengths. JavaScript receives views over this memory (no copy).
struct Batch;
class Reader;

class RingBufferWrap : public Napi::ObjectWrap<RingBufferWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // ringBuffer(mapFd: number, onBatch: (data, offsets, lengths) => void)
  static Napi::Value Create(const Napi::CallbackInfo& info);

  explicit RingBufferWrap(const Napi::CallbackInfo& info);
  ~RingBufferWrap() override;

 private:
  void Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value IsRunning(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  std::shared_ptr<Reader> reader_;
};

}  // namespace retis_bpf
