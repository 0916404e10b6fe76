#include "ringbuf.h"

#include <sys/mman.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "addon.h"
#include "errors.h"
#include "log.h"

namespace retis_bpf {
namespace {

constexpr int kPollTimeoutMs = 100;
// Batches queued towards JavaScript; when full, the reader thread waits
// (and the kernel ring fills up) instead of dropping anything.
constexpr size_t kQueueSize = 16;
// A batch is handed over once it holds this much, even if the ring still has
// records: it bounds both latency and the size of one JavaScript call.
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kRegionBytes = 2 << 20;
// Returned by the sample callback to end a batch; libbpf stops consuming
// after the record just handled and hands the value back from poll/consume.
constexpr int kBatchFull = -ENOBUFS;

// Batch memory is an anonymous mapping: untouched pages cost nothing, and
// growing it with mremap moves pages instead of copying records again.
struct Region {
  uint8_t* base = nullptr;
  size_t capacity = 0;
};

Region MapRegion(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return Region{};
  return Region{static_cast<uint8_t*>(p), bytes};
}

// Regions JavaScript is done with, reused by the reader thread so that
// steady-state batches do not fault pages in again.
class RegionPool {
 public:
  ~RegionPool() {
    for (Region& r : free_) munmap(r.base, r.capacity);
  }
  Region Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        Region r = free_.back();
        free_.pop_back();
        return r;
      }
    }
    return MapRegion(kRegionBytes);
  }
  void Give(Region r) {
    if (r.base == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (free_.size() < kQueueSize + 2) {
        free_.push_back(r);
        return;
      }
    }
    munmap(r.base, r.capacity);
  }

 private:
  std::mutex mutex_;
  std::vector<Region> free_;
};

}  // namespace

struct Batch {
  explicit Batch(std::shared_ptr<RegionPool> p) : pool(std::move(p)), region(pool->Take()) {
    offsets.reserve(1024);
    lengths.reserve(1024);
  }
  ~Batch() { pool->Give(region); }

  bool Append(const void* data, size_t len) {
    if (size + len > region.capacity) {
      size_t capacity = region.capacity == 0 ? kRegionBytes : region.capacity;
      while (capacity < size + len) capacity *= 2;
      void* moved = region.base == nullptr ? mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                                            : mremap(region.base, region.capacity, capacity, MREMAP_MAYMOVE);
      if (moved == MAP_FAILED) return false;
      region = Region{static_cast<uint8_t*>(moved), capacity};
    }
    std::memcpy(region.base + size, data, len);
    offsets.push_back(static_cast<uint32_t>(size));
    lengths.push_back(static_cast<uint32_t>(len));
    size += len;
    return true;
  }

  std::shared_ptr<RegionPool> pool;
  Region region;
  size_t size = 0;
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> lengths;
  // The Buffer and the two arrays JavaScript holds; the batch goes back to
  // the pool when the last one is collected (JS thread only).
  int jsOwners = 0;
};

namespace {
void DeliverBatch(Napi::Env env, Napi::Function callback, Reader* reader, Batch* batch);
void OnReaderDone(Napi::Env env, std::shared_ptr<Reader>* holder, Reader* reader);
}  // namespace

class Reader {
 public:
  using Tsfn = Napi::TypedThreadSafeFunction<Reader, Batch, DeliverBatch>;

  Reader(Napi::Env env, int mapFd, Napi::Function callback) : pool_(std::make_shared<RegionPool>()) {
    LogCapture capture;
    rb_ = ring_buffer__new(mapFd, OnSample, this, nullptr);
    if (rb_ == nullptr) {
      int err = LastErrno();
      throw BpfError(env, "ring_buffer__new", err,
                     "cannot read ring buffer map fd " + std::to_string(mapFd) + ": " + std::strerror(err),
                     capture.Take());
    }
    callback_ = Napi::Persistent(callback);
  }

  ~Reader() {
    if (thread_.joinable()) thread_.join();
    if (rb_ != nullptr) ring_buffer__free(rb_);
  }

  void Start(Napi::Env env, Napi::Object wrapper, std::shared_ptr<Reader> self) {
    if (closed_) throw BpfError(env, "start", EBADF, "start: ring buffer reader is closed");
    if (started_) throw BpfError(env, "start", EBUSY, "start: ring buffer reader already started");
    tsfn_ = Tsfn::New(env, callback_.Value(), "retis-bpf-ringbuf", kQueueSize, 1, this, OnReaderDone,
                      new std::shared_ptr<Reader>(self));
    callback_.Reset();
    // After the thread-safe function: runs before Node tears it down.
    cleanup_.Add(env, OnEnvTeardown, this);
    wrapper_ = Napi::Persistent(wrapper);  // no GC while running
    started_ = true;
    thread_ = std::thread([this] { Run(); });
  }

  Napi::Value Stop(Napi::Env env) {
    auto deferred = Napi::Promise::Deferred::New(env);
    if (started_ && !finished_) {
      waiters_.push_back(deferred);
      stopping_.store(true);
    } else {
      Settle(env, deferred);
    }
    return deferred.Promise();
  }

  // Stops without draining: environment teardown, or an explicit close().
  void Close() {
    if (closed_) return;
    closed_ = true;
    if (thread_.joinable()) {
      aborting_.store(true);
      stopping_.store(true);
      queueSpace_.notify_all();
      thread_.join();
    }
    if (rb_ != nullptr) ring_buffer__free(rb_);
    rb_ = nullptr;
    cleanup_.Remove();
  }

  // JS thread: the thread-safe function is gone, every batch was delivered.
  void Finish(Napi::Env env) {
    if (thread_.joinable()) thread_.join();
    finished_ = true;
    cleanup_.Remove();
    if (env != nullptr) {
      for (auto& deferred : waiters_) Settle(env, deferred);
    }
    waiters_.clear();
    if (!wrapper_.IsEmpty()) wrapper_.Reset();
  }

  void Deliver(Napi::Env env, Napi::Function callback, std::unique_ptr<Batch> batch) {
    queueSpace_.notify_all();
    if (env == nullptr || closed_ || callback.IsEmpty()) return;
    size_t count = batch->offsets.size();
    batches_++;
    events_ += count;
    bytes_ += batch->size;

    Batch* owned = batch.release();
    owned->jsOwners = 3;
    Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(owned->size));
    auto release = [](Napi::Env env, Batch* b) {
      if (--b->jsOwners > 0) return;
      Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(b->size));
      delete b;
    };
    auto releaseBuffer = [release](Napi::Env env, uint8_t*, Batch* b) { release(env, b); };
    auto releaseArray = [release](Napi::Env env, void*, Batch* b) { release(env, b); };
    auto data = Napi::Buffer<uint8_t>::New(env, owned->region.base, owned->size, releaseBuffer, owned);
    auto offsets = Napi::ArrayBuffer::New(env, owned->offsets.data(), count * sizeof(uint32_t), releaseArray, owned);
    auto lengths = Napi::ArrayBuffer::New(env, owned->lengths.data(), count * sizeof(uint32_t), releaseArray, owned);
    try {
      callback.Call({data, Napi::Uint32Array::New(env, count, offsets, 0), Napi::Uint32Array::New(env, count, lengths, 0)});
    } catch (const Napi::Error& e) {
      // Like a throwing event listener: an uncaught exception.
      e.ThrowAsJavaScriptException();
    }
  }

  Napi::Value Stats(Napi::Env env) const {
    Napi::Object out = Napi::Object::New(env);
    out.Set("batches", Napi::Number::New(env, static_cast<double>(batches_)));
    out.Set("events", Napi::Number::New(env, static_cast<double>(events_)));
    out.Set("bytes", Napi::Number::New(env, static_cast<double>(bytes_)));
    out.Set("stalls", Napi::Number::New(env, static_cast<double>(stalls_.load())));
    return out;
  }

  bool Running() const { return started_ && !finished_ && !closed_; }

 private:
  static int OnSample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<Reader*>(ctx);
    if (!self->current_) self->current_ = std::make_unique<Batch>(self->pool_);
    if (!self->current_->Append(data, size)) return -ENOMEM;
    return self->current_->size >= kBatchBytes ? kBatchFull : 0;
  }

  static void OnEnvTeardown(void* self) { static_cast<Reader*>(self)->Close(); }

  // The reader thread.
  void Run() {
    while (!stopping_.load()) {
      int n = ring_buffer__poll(rb_, kPollTimeoutMs);
      // Producers may skip wakeups (BPF_RB_NO_WAKEUP) until enough data is
      // waiting: a poll that timed out still takes what is there.
      if (n == 0) n = ring_buffer__consume(rb_);
      if (n < 0 && n != kBatchFull && n != -EINTR) {
        threadError_ = -n;
        break;
      }
      if (!Post()) break;
    }
    // Stopping: take what the kernel already holds, then let go.
    while (!aborting_.load()) {
      int n = ring_buffer__consume(rb_);
      if (n < 0 && n != kBatchFull && threadError_ == 0) threadError_ = -n;
      if (!Post() || n != kBatchFull) break;
    }
    current_.reset();
    tsfn_.Release();
  }

  // Queues the current batch; waits while the queue is full.
  bool Post() {
    if (!current_ || current_->offsets.empty()) return true;
    Batch* batch = current_.release();
    for (bool waited = false;; waited = true) {
      napi_status status = tsfn_.NonBlockingCall(batch);
      if (status == napi_ok) return true;
      if (status != napi_queue_full || aborting_.load()) {
        delete batch;  // the environment is going away
        return false;
      }
      if (!waited) stalls_.fetch_add(1);
      std::unique_lock<std::mutex> lock(queueMutex_);
      queueSpace_.wait_for(lock, std::chrono::milliseconds(10));
    }
  }

  void Settle(Napi::Env env, Napi::Promise::Deferred& deferred) {
    if (threadError_ != 0) {
      deferred.Reject(BpfError(env, "ring_buffer__poll", threadError_).Value());
    } else {
      deferred.Resolve(env.Undefined());
    }
  }

  ring_buffer* rb_ = nullptr;
  std::shared_ptr<RegionPool> pool_;
  std::unique_ptr<Batch> current_;  // reader thread only
  Napi::FunctionReference callback_;
  Tsfn tsfn_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> aborting_{false};
  std::mutex queueMutex_;
  std::condition_variable queueSpace_;
  int threadError_ = 0;
  std::atomic<uint64_t> stalls_{0};

  // JS thread only.
  bool started_ = false;
  bool finished_ = false;
  bool closed_ = false;
  uint64_t batches_ = 0;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
  std::vector<Napi::Promise::Deferred> waiters_;
  Napi::ObjectReference wrapper_;
  EnvCleanup cleanup_;
};

namespace {

void DeliverBatch(Napi::Env env, Napi::Function callback, Reader* reader, Batch* batch) {
  reader->Deliver(env, callback, std::unique_ptr<Batch>(batch));
}

void OnReaderDone(Napi::Env env, std::shared_ptr<Reader>* holder, Reader*) {
  std::unique_ptr<std::shared_ptr<Reader>> keep(holder);
  (*holder)->Finish(env);
}

}  // namespace

Napi::Function RingBufferWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeRingBuffer",
                     {
                         InstanceMethod<&RingBufferWrap::Start>("start"),
                         InstanceMethod<&RingBufferWrap::Stop>("stop"),
                         InstanceMethod<&RingBufferWrap::Stats>("stats"),
                         InstanceAccessor<&RingBufferWrap::IsRunning>("running"),
                         InstanceMethod<&RingBufferWrap::Close>("close"),
                     });
}

Napi::Value RingBufferWrap::Create(const Napi::CallbackInfo& info) {
  return Data(info.Env()).ringBufferClass.New({info[0], info[1]});
}

RingBufferWrap::RingBufferWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RingBufferWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsFunction()) {
    throw UsageError(env, "ringBuffer(mapFd: number, onBatch: (data: Buffer, offsets: Uint32Array, lengths: Uint32Array) => void)");
  }
  reader_ = std::make_shared<Reader>(env, info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Function>());
}

RingBufferWrap::~RingBufferWrap() {
  if (reader_) reader_->Close();
}

void RingBufferWrap::Start(const Napi::CallbackInfo& info) { reader_->Start(info.Env(), info.This().As<Napi::Object>(), reader_); }

Napi::Value RingBufferWrap::Stop(const Napi::CallbackInfo& info) { return reader_->Stop(info.Env()); }

Napi::Value RingBufferWrap::Stats(const Napi::CallbackInfo& info) { return reader_->Stats(info.Env()); }

Napi::Value RingBufferWrap::IsRunning(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), reader_->Running());
}

void RingBufferWrap::Close(const Napi::CallbackInfo&) { reader_->Close(); }

}  // namespace retis_bpf
