#include "ring-buffer.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "errors.h"
#include "object.h"

namespace vigil {
namespace {

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Records a consume must find for the consumer to hold off the ring for a whole flushMs afterwards.
constexpr uint64_t kFullHoldRecords = 16;

// Returned by OnRecord to make libbpf stop consuming; the record it was called with is already kept.
constexpr int kBackpressure = -EAGAIN;

uint32_t OptionU32(const Napi::Object &o, const char *key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
}

}  // namespace

void CallRingJs(Napi::Env env, Napi::Function callback, std::nullptr_t *, Delivery *delivery) {
  std::unique_ptr<Delivery> owned(delivery);
  // Whatever the callback does, even throw, the consumer thread must learn this batch is done.
  struct Done {
    std::shared_ptr<RingConsumer> consumer;
    ~Done() {
      if (consumer) consumer->BatchDone();
    }
  } done{owned->consumer.lock()};
  if (env == nullptr || callback == nullptr) return;
  // No C++ exception may leave this function: Node calls it from C, so one would reach std::terminate
  // ("terminate called after throwing an instance of 'Napi::Error'"). At exit, once JS can no longer run,
  // every N-API call below fails and node-addon-api throws; the batch then has no reader and is dropped.
  // The callback itself is called through the C API, so an exception it throws stays pending and Node
  // reports it as uncaught, as for any other callback.
  try {
    std::unique_ptr<RingBatch> batch = std::move(owned->batch);
    size_t count = batch->offsets.size() - 1;
    auto offsets = Napi::ArrayBuffer::New(env, batch->offsets.size() * sizeof(uint32_t));
    memcpy(offsets.Data(), batch->offsets.data(), offsets.ByteLength());
    auto offsets_view = Napi::Uint32Array::New(env, batch->offsets.size(), offsets, 0);
    uint8_t *bytes = batch->data.data();
    size_t size = batch->data.size();
    // The record bytes are handed over without a copy; the finalizer frees them with the batch.
    auto data = Napi::Buffer<uint8_t>::New(
        env, bytes, size, [](Napi::Env, uint8_t *, RingBatch *b) { delete b; }, batch.get());
    batch.release();
    napi_value args[3] = {data, offsets_view, Napi::Number::New(env, static_cast<double>(count))};
    napi_value result;
    napi_value recv = env.Undefined();
    napi_call_function(env, recv, callback, 3, args, &result);
  } catch (const Napi::Error &) {
    // The environment is shutting down.
  }
}

RingConsumer::~RingConsumer() { Stop(); }

int RingConsumer::Start(RingTsfn tsfn) {
  tsfn_ = tsfn;
  rb_ = ring_buffer__new(map_fd_, OnRecord, this, nullptr);
  int err = libbpf_get_error(rb_);
  if (err || !rb_) {
    rb_ = nullptr;
    tsfn_.Release();
    stopped_ = true;
    return err ? err : -errno;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = 0;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb_), &ev);
  ev.data.u32 = 1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return 0;
}

int RingConsumer::OnRecord(void *ctx, void *data, size_t size) {
  auto *self = static_cast<RingConsumer *>(ctx);
  if (!self->batch_) {
    self->batch_ = std::make_unique<RingBatch>();
    self->batch_->offsets.reserve(self->options_.max_batch + 1);
    self->batch_->offsets.push_back(0);
    self->batch_started_ns_ = NowNs();
  }
  RingBatch &b = *self->batch_;
  b.data.insert(b.data.end(), static_cast<uint8_t *>(data), static_cast<uint8_t *>(data) + size);
  b.offsets.push_back(static_cast<uint32_t>(b.data.size()));
  self->records.fetch_add(1, std::memory_order_relaxed);
  self->bytes.fetch_add(size, std::memory_order_relaxed);
  if (b.offsets.size() - 1 >= self->options_.max_batch) {
    self->Deliver();
    if (self->pending.load() >= self->options_.max_pending) return kBackpressure;
  }
  return 0;
}

void RingConsumer::Deliver() {
  if (!batch_ || batch_->offsets.size() <= 1) return;
  auto *delivery = new Delivery{std::move(batch_), weak_from_this()};
  pending.fetch_add(1);
  batches.fetch_add(1, std::memory_order_relaxed);
  if (tsfn_.NonBlockingCall(delivery) != napi_ok) {
    // The environment is going away; nobody is left to read this batch.
    pending.fetch_sub(1);
    delete delivery;
  }
}

void RingConsumer::BatchDone() {
  pending.fetch_sub(1);
  cv_.notify_all();
}

void RingConsumer::Run() {
  epoll_event events[2];
  pollfd wake{wake_fd_, POLLIN, 0};
  uint64_t last_consume_ns = 0;
  uint64_t last_count = 0;
  while (!stopping_.load()) {
    // Backpressure: while JS is behind, leave records in the kernel ring. When it fills, the probes'
    // reserve fails and their drop counter says so, instead of this process buffering without bound.
    if (pending.load() >= options_.max_pending) {
      backpressure_waits.fetch_add(1, std::memory_order_relaxed);
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_ms),
                   [this] { return stopping_.load() || pending.load() < options_.max_pending; });
      if (pending.load() < options_.max_pending) {
        ring_buffer__consume(rb_);
        Deliver();
        last_count = kFullHoldRecords;
        last_consume_ns = NowNs();
      }
      continue;
    }
    // Asleep until data: after a consume the ring is drained, and the kernel wakes a drained ring's
    // reader when the next record is committed (adaptive notification; the probes submit with flags 0),
    // so an idle probe costs no wake-ups at all.
    int n = epoll_wait(epoll_fd_, events, 2, -1);
    if (n < 0 && errno != EINTR) break;
    if (stopping_.load()) break;
    // Then hold off reading the ring for a while after the last consume: while records stay unconsumed
    // the kernel wakes nobody, so a busy ring costs one wake-up per hold, not one per record. The hold
    // grows with the records the last consume found, up to flushMs: a steady stream is read in batches
    // of flushMs, while a record after a quiet spell (or a few sparse ones, which a probe may wait on,
    // as the tracer waits on a new header block to name it) is delivered within a fraction of it.
    uint64_t hold_ns = static_cast<uint64_t>(options_.flush_ms) * 1000000ull *
                       std::min<uint64_t>(last_count, kFullHoldRecords) / kFullHoldRecords;
    uint64_t since_ns = NowNs() - last_consume_ns;
    if (since_ns < hold_ns) {
      int hold_ms = static_cast<int>((hold_ns - since_ns + 999999) / 1000000);
      if (poll(&wake, 1, hold_ms) > 0 || stopping_.load()) break;
    }
    uint64_t before = records.load(std::memory_order_relaxed);
    ring_buffer__consume(rb_);
    Deliver();
    last_count = records.load(std::memory_order_relaxed) - before;
    last_consume_ns = NowNs();
  }
  // Drain what is already in the ring so close() loses nothing that was submitted before it.
  ring_buffer__consume(rb_);
  Deliver();
}

void RingConsumer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) {
    stopping_.store(true);
    uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof(one)) < 0) {
      // The eventfd cannot be full at one write; the flag alone still ends the loop within flush_ms.
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    tsfn_.Release();
  }
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  wake_fd_ = epoll_fd_ = -1;
}

void RingConsumer::Ref(Napi::Env env) {
  if (!stopped_) tsfn_.Ref(env);
}

void RingConsumer::Unref(Napi::Env env) {
  if (!stopped_) tsfn_.Unref(env);
}

Napi::Function RingConsumerWrap::Init(Napi::Env env) {
  return DefineClass(env, "RingConsumer",
                     {
                         InstanceMethod<&RingConsumerWrap::Stop>("stop"),
                         InstanceMethod<&RingConsumerWrap::Stats>("stats"),
                         InstanceMethod<&RingConsumerWrap::Ref>("ref"),
                         InstanceMethod<&RingConsumerWrap::Unref>("unref"),
                     });
}

RingConsumerWrap::RingConsumerWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RingConsumerWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowArgument(env, "first argument must be a BpfObject");
  BpfObjectWrap *object = BpfObjectWrap::Unwrap(info[0].As<Napi::Object>());
  if (!object) ThrowArgument(env, "first argument must be a BpfObject");
  bpf_map *map = object->FindMap(env, info[1]);
  if (!object->state()->loaded) ThrowArgument(env, "the BPF object must be loaded before consuming a ring");
  if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF) ThrowArgument(env, "map is not a BPF_MAP_TYPE_RINGBUF");
  if (!info[2].IsFunction()) ThrowArgument(env, "onBatch must be a function");
  RingOptions options;
  if (info[3].IsObject()) {
    Napi::Object o = info[3].As<Napi::Object>();
    options.max_batch = std::max<uint32_t>(1, OptionU32(o, "maxBatch", options.max_batch));
    options.flush_ms = std::max<uint32_t>(1, OptionU32(o, "flushMs", options.flush_ms));
    options.max_pending = std::max<uint32_t>(1, OptionU32(o, "maxPending", options.max_pending));
  }
  consumer_ = std::make_shared<RingConsumer>(bpf_map__fd(map), options);
  RingTsfn tsfn = RingTsfn::New(env, info[2].As<Napi::Function>(), "vigil-ring-buffer", 0, 1, nullptr);
  ResetLibbpfLog();
  int err = consumer_->Start(tsfn);
  if (err) ThrowNative(env, "EBPF_RINGBUF", "ring_buffer__new", err);
  object->state()->rings.push_back(consumer_);
}

Napi::Value RingConsumerWrap::Stop(const Napi::CallbackInfo &info) {
  consumer_->Stop();
  return info.Env().Undefined();
}

Napi::Value RingConsumerWrap::Stats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("records", static_cast<double>(consumer_->records.load()));
  o.Set("bytes", static_cast<double>(consumer_->bytes.load()));
  o.Set("batches", static_cast<double>(consumer_->batches.load()));
  o.Set("pendingBatches", static_cast<double>(consumer_->pending.load()));
  o.Set("backpressureWaits", static_cast<double>(consumer_->backpressure_waits.load()));
  return o;
}

Napi::Value RingConsumerWrap::Ref(const Napi::CallbackInfo &info) {
  consumer_->Ref(info.Env());
  return info.Env().Undefined();
}

Napi::Value RingConsumerWrap::Unref(const Napi::CallbackInfo &info) {
  consumer_->Unref(info.Env());
  return info.Env().Undefined();
}

}  // namespace vigil
