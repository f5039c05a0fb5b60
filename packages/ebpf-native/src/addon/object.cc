#include "object.h"

#include <bpf/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon-data.h"
#include "errors.h"
#include "ring-buffer.h"

namespace vigil {

void LinkState::Destroy() {
  if (link) {
    bpf_link__destroy(link);
    link = nullptr;
  }
}

void ObjectState::Destroy() {
  for (auto &ring : rings) ring->Stop();
  rings.clear();
  for (auto &link : links) link->Destroy();
  links.clear();
  if (obj) {
    bpf_object__close(obj);
    obj = nullptr;
  }
  loaded = false;
}

void Registry::DestroyAll() {
  for (auto &weak : objects) {
    if (auto state = weak.lock()) state->Destroy();
  }
  objects.clear();
}

size_t MapValueBytes(const bpf_map *map) {
  size_t size = bpf_map__value_size(map);
  switch (bpf_map__type(map)) {
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return ((size + 7) / 8) * 8 * static_cast<size_t>(libbpf_num_possible_cpus());
    default:
      return size;
  }
}

namespace {

std::string StringArg(Napi::Env env, const Napi::Value &v, const char *what) {
  if (!v.IsString()) ThrowArgument(env, std::string(what) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Buffer<uint8_t> BufferArg(Napi::Env env, const Napi::Value &v, const char *what, size_t expected) {
  if (!v.IsBuffer()) ThrowArgument(env, std::string(what) + " must be a Buffer");
  auto b = v.As<Napi::Buffer<uint8_t>>();
  if (b.Length() != expected) {
    ThrowArgument(env, std::string(what) + " must be " + std::to_string(expected) + " bytes, got " +
                           std::to_string(b.Length()));
  }
  return b;
}

int64_t IntField(Napi::Env env, const Napi::Object &o, const char *key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) ThrowArgument(env, std::string("attach option ") + key + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

}  // namespace

Napi::Function BpfObjectWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfObject",
                     {
                         InstanceMethod<&BpfObjectWrap::Programs>("programs"),
                         InstanceMethod<&BpfObjectWrap::Maps>("maps"),
                         InstanceMethod<&BpfObjectWrap::SetAutoload>("setAutoload"),
                         InstanceMethod<&BpfObjectWrap::SetMaxEntries>("setMaxEntries"),
                         InstanceMethod<&BpfObjectWrap::SetAutocreate>("setAutocreate"),
                         InstanceMethod<&BpfObjectWrap::Load>("load"),
                         InstanceMethod<&BpfObjectWrap::Attach>("attach"),
                         InstanceMethod<&BpfObjectWrap::TestRun>("testRun"),
                         InstanceMethod<&BpfObjectWrap::MapLookup>("mapLookup"),
                         InstanceMethod<&BpfObjectWrap::MapUpdate>("mapUpdate"),
                         InstanceMethod<&BpfObjectWrap::MapDelete>("mapDelete"),
                         InstanceMethod<&BpfObjectWrap::MapKeys>("mapKeys"),
                         InstanceMethod<&BpfObjectWrap::MapLookupBatch>("mapLookupBatch"),
                         InstanceMethod<&BpfObjectWrap::Close>("close"),
                         InstanceMethod<&BpfObjectWrap::IsOpen>("isOpen"),
                         InstanceMethod<&BpfObjectWrap::IsLoaded>("isLoaded"),
                     });
}

// new BpfObject(pathOrBuffer, objectName?)
BpfObjectWrap::BpfObjectWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<BpfObjectWrap>(info) {
  Napi::Env env = info.Env();
  state_ = std::make_shared<ObjectState>();
  std::string name = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  LIBBPF_OPTS(bpf_object_open_opts, opts);
  if (!name.empty()) opts.object_name = name.c_str();
  ResetLibbpfLog();
  if (info[0].IsBuffer()) {
    auto b = info[0].As<Napi::Buffer<char>>();
    state_->elf.assign(b.Data(), b.Data() + b.Length());
    state_->obj = bpf_object__open_mem(state_->elf.data(), state_->elf.size(), &opts);
  } else if (info[0].IsString()) {
    std::string path = info[0].As<Napi::String>().Utf8Value();
    state_->obj = bpf_object__open_file(path.c_str(), &opts);
  } else {
    ThrowArgument(env, "source must be a file path or a Buffer holding a BPF ELF object");
  }
  int err = libbpf_get_error(state_->obj);
  if (err || !state_->obj) {
    state_->obj = nullptr;
    ThrowNative(env, "EBPF_OPEN", "bpf_object__open", err ? err : -errno);
  }
  auto &objects = GetAddonData(env)->registry.objects;
  for (auto it = objects.begin(); it != objects.end();) it = it->expired() ? objects.erase(it) : std::next(it);
  objects.insert(state_);
}

BpfObjectWrap::~BpfObjectWrap() {
  if (state_) state_->Destroy();
}

void BpfObjectWrap::EnsureOpen(Napi::Env env) const {
  if (!state_->obj) {
    Napi::Error e = Napi::Error::New(env, "the BPF object is closed");
    e.Set("code", Napi::String::New(env, "EBPF_CLOSED"));
    throw e;
  }
}

void BpfObjectWrap::EnsureLoaded(Napi::Env env) const {
  EnsureOpen(env);
  if (!state_->loaded) {
    Napi::Error e = Napi::Error::New(env, "the BPF object is not loaded yet; call load() first");
    e.Set("code", Napi::String::New(env, "EBPF_NOT_LOADED"));
    throw e;
  }
}

bpf_program *BpfObjectWrap::FindProgram(Napi::Env env, const Napi::Value &name) const {
  EnsureOpen(env);
  std::string n = StringArg(env, name, "program name");
  bpf_program *p = bpf_object__find_program_by_name(state_->obj, n.c_str());
  if (!p) ThrowArgument(env, "no program named '" + n + "' in this object");
  return p;
}

bpf_map *BpfObjectWrap::FindMap(Napi::Env env, const Napi::Value &name) const {
  EnsureOpen(env);
  std::string n = StringArg(env, name, "map name");
  bpf_map *m = bpf_object__find_map_by_name(state_->obj, n.c_str());
  if (!m) ThrowArgument(env, "no map named '" + n + "' in this object");
  return m;
}

Napi::Value BpfObjectWrap::Programs(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  Napi::Array out = Napi::Array::New(env);
  bpf_program *p;
  uint32_t i = 0;
  bpf_object__for_each_program(p, state_->obj) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", bpf_program__name(p));
    o.Set("section", bpf_program__section_name(p));
    const char *type = libbpf_bpf_prog_type_str(bpf_program__type(p));
    o.Set("type", type ? type : "unknown");
    o.Set("autoload", bpf_program__autoload(p));
    o.Set("instructions", static_cast<double>(bpf_program__insn_cnt(p)));
    out.Set(i++, o);
  }
  return out;
}

Napi::Value BpfObjectWrap::Maps(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  Napi::Array out = Napi::Array::New(env);
  bpf_map *m;
  uint32_t i = 0;
  bpf_object__for_each_map(m, state_->obj) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", bpf_map__name(m));
    const char *type = libbpf_bpf_map_type_str(bpf_map__type(m));
    o.Set("type", type ? type : "unknown");
    o.Set("keySize", bpf_map__key_size(m));
    o.Set("valueSize", bpf_map__value_size(m));
    o.Set("maxEntries", bpf_map__max_entries(m));
    o.Set("internal", bpf_map__is_internal(m));
    out.Set(i++, o);
  }
  return out;
}

Napi::Value BpfObjectWrap::SetAutoload(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bpf_program *p = FindProgram(env, info[0]);
  int err = bpf_program__set_autoload(p, info[1].ToBoolean().Value());
  if (err) ThrowNative(env, "EBPF_STATE", "bpf_program__set_autoload", err);
  return env.Undefined();
}

Napi::Value BpfObjectWrap::SetMaxEntries(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bpf_map *m = FindMap(env, info[0]);
  if (!info[1].IsNumber()) ThrowArgument(env, "maxEntries must be a number");
  int err = bpf_map__set_max_entries(m, info[1].As<Napi::Number>().Uint32Value());
  if (err) ThrowNative(env, "EBPF_STATE", "bpf_map__set_max_entries", err);
  return env.Undefined();
}

Napi::Value BpfObjectWrap::SetAutocreate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bpf_map *m = FindMap(env, info[0]);
  int err = bpf_map__set_autocreate(m, info[1].ToBoolean().Value());
  if (err) ThrowNative(env, "EBPF_STATE", "bpf_map__set_autocreate", err);
  return env.Undefined();
}

Napi::Value BpfObjectWrap::Load(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  // A second load would fail in libbpf ("object already loaded") and the failure path below would close
  // a working object: loading is idempotent instead.
  if (state_->loaded) return env.Undefined();
  ResetLibbpfLog();
  // The verifier gives up with EAGAIN when a signal is pending, and libbpf retries only a few times: a
  // process under a sampling profiler (SIGPROF every millisecond, e.g. node --cpu-prof) could not load a
  // program that takes the verifier longer than that. Signals wait on this thread during the load instead.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  int err = bpf_object__load(state_->obj);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (err) {
    // A failed load leaves the object unusable; release it now rather than at GC. The log is already captured.
    state_->Destroy();
    ThrowNative(env, "EBPF_LOAD", "bpf_object__load", err);
  }
  state_->loaded = true;
  return env.Undefined();
}

// attach(programName, spec): spec.kind is auto | tracepoint | raw_tracepoint | uprobe | perf_event.
Napi::Value BpfObjectWrap::Attach(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_program *p = FindProgram(env, info[0]);
  if (!info[1].IsObject()) ThrowArgument(env, "attach spec must be an object");
  Napi::Object spec = info[1].As<Napi::Object>();
  std::string kind = StringArg(env, spec.Get("kind"), "attach spec kind");
  ResetLibbpfLog();
  bpf_link *link = nullptr;
  std::string op;
  if (kind == "auto") {
    op = "bpf_program__attach";
    link = bpf_program__attach(p);
  } else if (kind == "tracepoint") {
    std::string category = StringArg(env, spec.Get("category"), "tracepoint category");
    std::string name = StringArg(env, spec.Get("name"), "tracepoint name");
    op = "bpf_program__attach_tracepoint(" + category + ":" + name + ")";
    link = bpf_program__attach_tracepoint(p, category.c_str(), name.c_str());
  } else if (kind == "raw_tracepoint") {
    std::string name = StringArg(env, spec.Get("name"), "raw tracepoint name");
    op = "bpf_program__attach_raw_tracepoint(" + name + ")";
    link = bpf_program__attach_raw_tracepoint(p, name.c_str());
  } else if (kind == "uprobe") {
    std::string binary = StringArg(env, spec.Get("binary"), "uprobe binary");
    std::string func = spec.Get("func").IsString() ? spec.Get("func").As<Napi::String>().Utf8Value() : "";
    LIBBPF_OPTS(bpf_uprobe_opts, uopts);
    uopts.retprobe = spec.Get("retprobe").ToBoolean().Value();
    if (!func.empty()) uopts.func_name = func.c_str();
    int pid = static_cast<int>(IntField(env, spec, "pid", -1));
    size_t offset = static_cast<size_t>(IntField(env, spec, "offset", 0));
    op = std::string("bpf_program__attach_uprobe_opts(") + binary + (func.empty() ? "" : ":" + func) + ")";
    link = bpf_program__attach_uprobe_opts(p, pid, binary.c_str(), offset, &uopts);
  } else if (kind == "perf_event") {
    perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = static_cast<uint32_t>(IntField(env, spec, "type", PERF_TYPE_SOFTWARE));
    attr.config = static_cast<uint64_t>(IntField(env, spec, "config", PERF_COUNT_SW_CPU_CLOCK));
    int64_t freq = IntField(env, spec, "frequency", 0);
    if (freq > 0) {
      attr.freq = 1;
      attr.sample_freq = static_cast<uint64_t>(freq);
    } else {
      attr.sample_period = static_cast<uint64_t>(IntField(env, spec, "period", 1000000));
    }
    int pid = static_cast<int>(IntField(env, spec, "pid", -1));
    int cpu = static_cast<int>(IntField(env, spec, "cpu", 0));
    int pfd = static_cast<int>(syscall(__NR_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC));
    if (pfd < 0) ThrowNative(env, "EBPF_ATTACH", "perf_event_open", errno);
    op = "bpf_program__attach_perf_event";
    link = bpf_program__attach_perf_event(p, pfd);
    if (libbpf_get_error(link)) close(pfd);
  } else {
    ThrowArgument(env, "unknown attach kind '" + kind + "'");
  }
  int err = libbpf_get_error(link);
  if (err || !link) ThrowNative(env, "EBPF_ATTACH", op, err ? err : -errno);

  auto state = std::make_shared<LinkState>();
  state->link = link;
  state_->links.push_back(state);
  Napi::Object wrapper = GetAddonData(env)->link_constructor.New({});
  LinkWrap::Unwrap(wrapper)->Adopt(state);
  return wrapper;
}

// testRun(programName, ctxBuffer, repeat) → { retval, durationNs }
Napi::Value BpfObjectWrap::TestRun(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_program *p = FindProgram(env, info[0]);
  LIBBPF_OPTS(bpf_test_run_opts, opts);
  std::vector<uint8_t> ctx;
  if (info[1].IsBuffer()) {
    auto b = info[1].As<Napi::Buffer<uint8_t>>();
    ctx.assign(b.Data(), b.Data() + b.Length());
    opts.ctx_in = ctx.data();
    opts.ctx_size_in = static_cast<uint32_t>(ctx.size());
  }
  if (info[2].IsNumber()) opts.repeat = info[2].As<Napi::Number>().Uint32Value();
  ResetLibbpfLog();
  int err = bpf_prog_test_run_opts(bpf_program__fd(p), &opts);
  if (err) ThrowNative(env, "EBPF_TEST_RUN", "bpf_prog_test_run_opts", err < 0 && err != -1 ? err : errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("retval", opts.retval);
  out.Set("durationNs", opts.duration);
  return out;
}

Napi::Value BpfObjectWrap::MapLookup(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_map *m = FindMap(env, info[0]);
  auto key = BufferArg(env, info[1], "key", bpf_map__key_size(m));
  auto value = Napi::Buffer<uint8_t>::New(env, MapValueBytes(m));
  if (bpf_map_lookup_elem(bpf_map__fd(m), key.Data(), value.Data()) != 0) {
    if (errno == ENOENT) return env.Null();
    ThrowNative(env, "EBPF_MAP", "bpf_map_lookup_elem", errno);
  }
  return value;
}

Napi::Value BpfObjectWrap::MapUpdate(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_map *m = FindMap(env, info[0]);
  auto key = BufferArg(env, info[1], "key", bpf_map__key_size(m));
  auto value = BufferArg(env, info[2], "value", MapValueBytes(m));
  uint64_t flags = info[3].IsNumber() ? static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()) : 0;
  if (bpf_map_update_elem(bpf_map__fd(m), key.Data(), value.Data(), flags) != 0)
    ThrowNative(env, "EBPF_MAP", "bpf_map_update_elem", errno);
  return env.Undefined();
}

Napi::Value BpfObjectWrap::MapDelete(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_map *m = FindMap(env, info[0]);
  auto key = BufferArg(env, info[1], "key", bpf_map__key_size(m));
  if (bpf_map_delete_elem(bpf_map__fd(m), key.Data()) != 0) {
    if (errno == ENOENT) return Napi::Boolean::New(env, false);
    ThrowNative(env, "EBPF_MAP", "bpf_map_delete_elem", errno);
  }
  return Napi::Boolean::New(env, true);
}

// mapKeys(name) → Buffer of concatenated keys, in the kernel's iteration order.
Napi::Value BpfObjectWrap::MapKeys(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_map *m = FindMap(env, info[0]);
  size_t ks = bpf_map__key_size(m);
  std::vector<uint8_t> keys;
  std::vector<uint8_t> cur(ks), next(ks);
  int fd = bpf_map__fd(m);
  const void *prev = nullptr;
  // Bounded by max_entries so a map mutated under us cannot loop forever.
  for (uint64_t i = 0; i <= bpf_map__max_entries(m); i++) {
    if (bpf_map_get_next_key(fd, prev, next.data()) != 0) {
      if (errno == ENOENT) break;
      ThrowNative(env, "EBPF_MAP", "bpf_map_get_next_key", errno);
    }
    keys.insert(keys.end(), next.begin(), next.end());
    cur.swap(next);
    prev = cur.data();
  }
  return Napi::Buffer<uint8_t>::Copy(env, keys.data(), keys.size());
}

// mapLookupBatch(name) → { keys: Buffer, values: Buffer, count } using BPF_MAP_LOOKUP_BATCH, or null
// when this map type or kernel does not support batch operations.
Napi::Value BpfObjectWrap::MapLookupBatch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EnsureLoaded(env);
  bpf_map *m = FindMap(env, info[0]);
  size_t ks = bpf_map__key_size(m);
  size_t vs = MapValueBytes(m);
  // Called every second per aggregating probe: the chunk fits the map (a small array needs no 256-entry
  // buffers) and the buffers are kept between calls, so a read allocates nothing but its result (a fresh
  // 128 KiB buffer per call went to mmap and came back as page faults). Per thread: workers have their own.
  uint32_t chunk = std::max<uint32_t>(1, std::min<uint32_t>(256, bpf_map__max_entries(m)));
  thread_local std::vector<uint8_t> keys, values, kbuf, vbuf;
  keys.clear();
  values.clear();
  kbuf.resize(ks * chunk);
  vbuf.resize(vs * chunk);
  // The batch cursor is opaque; 8 bytes is enough for every map type (it holds a bucket index or key).
  std::vector<uint8_t> in_batch(std::max<size_t>(ks, 8)), out_batch(std::max<size_t>(ks, 8));
  bool first = true;
  int fd = bpf_map__fd(m);
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  for (;;) {
    uint32_t count = chunk;
    int err = bpf_map_lookup_batch(fd, first ? nullptr : in_batch.data(), out_batch.data(), kbuf.data(),
                                   vbuf.data(), &count, &opts);
    int e = err ? errno : 0;
    if (err && e != ENOENT) {
      if (e == EINVAL || e == ENOTSUP || e == EOPNOTSUPP) return env.Null();
      ThrowNative(env, "EBPF_MAP", "bpf_map_lookup_batch", e);
    }
    keys.insert(keys.end(), kbuf.begin(), kbuf.begin() + count * ks);
    values.insert(values.end(), vbuf.begin(), vbuf.begin() + count * vs);
    if (e == ENOENT) break;
    in_batch.swap(out_batch);
    first = false;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), keys.size()));
  out.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), values.size()));
  out.Set("count", static_cast<double>(ks ? keys.size() / ks : 0));
  return out;
}

Napi::Value BpfObjectWrap::Close(const Napi::CallbackInfo &info) {
  state_->Destroy();
  GetAddonData(info.Env())->registry.objects.erase(state_);
  return info.Env().Undefined();
}

Napi::Value BpfObjectWrap::IsOpen(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), state_->obj != nullptr);
}

Napi::Value BpfObjectWrap::IsLoaded(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), state_->loaded);
}

Napi::Function LinkWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfLink",
                     {
                         InstanceMethod<&LinkWrap::Destroy>("destroy"),
                         InstanceMethod<&LinkWrap::IsAttached>("isAttached"),
                     });
}

LinkWrap::LinkWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<LinkWrap>(info) {}

Napi::Value LinkWrap::Destroy(const Napi::CallbackInfo &info) {
  if (link_) link_->Destroy();
  return info.Env().Undefined();
}

Napi::Value LinkWrap::IsAttached(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), link_ && link_->link != nullptr);
}

}  // namespace vigil
