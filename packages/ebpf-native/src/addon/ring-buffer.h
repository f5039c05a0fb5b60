// Consumes a BPF ring buffer on its own thread and hands records to JS in batches through a
// ThreadSafeFunction, so the event loop wakes once per batch, never once per event.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil {

struct RingBatch {
  std::vector<uint8_t> data;
  std::vector<uint32_t> offsets;  // count + 1 entries: record i is data[offsets[i], offsets[i+1])
};

class RingConsumer;
struct Delivery {
  std::unique_ptr<RingBatch> batch;
  std::weak_ptr<RingConsumer> consumer;
};
void CallRingJs(Napi::Env env, Napi::Function callback, std::nullptr_t *context, Delivery *delivery);
using RingTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, Delivery, CallRingJs>;

struct RingOptions {
  uint32_t max_batch = 4096;  // records per batch
  uint32_t flush_ms = 20;     // a partial batch waits at most this long
  uint32_t max_pending = 8;   // batches handed to JS and not yet processed
};

class RingConsumer : public std::enable_shared_from_this<RingConsumer> {
 public:
  RingConsumer(int map_fd, RingOptions options) : map_fd_(map_fd), options_(options) {}
  ~RingConsumer();
  // Creates the ring buffer and starts the thread; returns a negative errno on failure.
  int Start(RingTsfn tsfn);
  // Stops and joins the thread, hands the last partial batch to JS and releases the callback. Idempotent.
  void Stop();
  // Called on the JS thread once a batch has been processed.
  void BatchDone();
  void Ref(Napi::Env env);
  void Unref(Napi::Env env);

  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> backpressure_waits{0};
  std::atomic<uint32_t> pending{0};

 private:
  static int OnRecord(void *ctx, void *data, size_t size);
  void Run();
  void Deliver();

  int map_fd_;
  RingOptions options_;
  RingTsfn tsfn_;
  bool started_ = false;
  bool stopped_ = false;
  ring_buffer *rb_ = nullptr;
  int wake_fd_ = -1;
  int epoll_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::unique_ptr<RingBatch> batch_;
  uint64_t batch_started_ns_ = 0;
};

class RingConsumerWrap : public Napi::ObjectWrap<RingConsumerWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  // new RingConsumer(bpfObject, mapName, onBatch, { maxBatch, flushMs, maxPending })
  explicit RingConsumerWrap(const Napi::CallbackInfo &info);

 private:
  Napi::Value Stop(const Napi::CallbackInfo &info);
  Napi::Value Stats(const Napi::CallbackInfo &info);
  Napi::Value Ref(const Napi::CallbackInfo &info);
  Napi::Value Unref(const Napi::CallbackInfo &info);
  std::shared_ptr<RingConsumer> consumer_;
};

}  // namespace vigil
