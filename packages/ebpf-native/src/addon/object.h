// A BPF object and everything attached from it. ObjectState owns the kernel resources (RAII); the JS
// wrapper only forwards to it, so closing, garbage collection and process exit all end in Destroy().
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <memory>
#include <mutex>
#include <set>
#include <vector>

namespace vigil {

class RingConsumer;

struct LinkState {
  bpf_link *link = nullptr;
  void Destroy();
  ~LinkState() { Destroy(); }
};

struct ObjectState : std::enable_shared_from_this<ObjectState> {
  bpf_object *obj = nullptr;
  std::vector<char> elf;  // open_mem does not copy the ELF image
  bool loaded = false;
  std::vector<std::shared_ptr<LinkState>> links;
  std::vector<std::shared_ptr<RingConsumer>> rings;
  // Order matters: consumers stop before the maps they read close, links detach before programs unload.
  void Destroy();
  ~ObjectState() { Destroy(); }
};

// Every live object of this environment, so the env cleanup hook can release what was never closed.
struct Registry {
  std::set<std::weak_ptr<ObjectState>, std::owner_less<std::weak_ptr<ObjectState>>> objects;
  void DestroyAll();
};

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfObjectWrap(const Napi::CallbackInfo &info);
  ~BpfObjectWrap() override;
  std::shared_ptr<ObjectState> state() const { return state_; }
  bpf_map *FindMap(Napi::Env env, const Napi::Value &name) const;

 private:
  bpf_program *FindProgram(Napi::Env env, const Napi::Value &name) const;
  void EnsureOpen(Napi::Env env) const;
  void EnsureLoaded(Napi::Env env) const;

  Napi::Value Programs(const Napi::CallbackInfo &info);
  Napi::Value Maps(const Napi::CallbackInfo &info);
  Napi::Value SetAutoload(const Napi::CallbackInfo &info);
  Napi::Value SetMaxEntries(const Napi::CallbackInfo &info);
  Napi::Value SetAutocreate(const Napi::CallbackInfo &info);
  Napi::Value Load(const Napi::CallbackInfo &info);
  Napi::Value Attach(const Napi::CallbackInfo &info);
  Napi::Value TestRun(const Napi::CallbackInfo &info);
  Napi::Value MapLookup(const Napi::CallbackInfo &info);
  Napi::Value MapUpdate(const Napi::CallbackInfo &info);
  Napi::Value MapDelete(const Napi::CallbackInfo &info);
  Napi::Value MapKeys(const Napi::CallbackInfo &info);
  Napi::Value MapLookupBatch(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  Napi::Value IsOpen(const Napi::CallbackInfo &info);
  Napi::Value IsLoaded(const Napi::CallbackInfo &info);

  std::shared_ptr<ObjectState> state_;
};

class LinkWrap : public Napi::ObjectWrap<LinkWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit LinkWrap(const Napi::CallbackInfo &info);
  void Adopt(std::shared_ptr<LinkState> link) { link_ = std::move(link); }

 private:
  Napi::Value Destroy(const Napi::CallbackInfo &info);
  Napi::Value IsAttached(const Napi::CallbackInfo &info);
  std::shared_ptr<LinkState> link_;
};

// Value size as the kernel lays it out for lookups: per-CPU maps return one 8-byte-aligned slot per CPU.
size_t MapValueBytes(const bpf_map *map);

}  // namespace vigil
