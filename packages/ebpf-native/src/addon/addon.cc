// Module entry: registers the classes and releases every kernel resource still held when the environment
// (the process or a worker thread) shuts down.
#include <napi.h>

#include "addon-data.h"
#include "errors.h"
#include "object.h"
#include "ring-buffer.h"

namespace vigil {
namespace {

Napi::Value NumPossibleCpus(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), libbpf_num_possible_cpus());
}

Napi::Value LibbpfVersion(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), libbpf_version_string());
}

void Cleanup(void *arg) { static_cast<AddonData *>(arg)->registry.DestroyAll(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfLogCapture();
  auto *data = new AddonData();
  data->link_constructor = Napi::Persistent(LinkWrap::Init(env));
  env.SetInstanceData<AddonData>(data);
  napi_add_env_cleanup_hook(env, Cleanup, data);
  exports.Set("BpfObject", BpfObjectWrap::Init(env));
  exports.Set("RingConsumer", RingConsumerWrap::Init(env));
  exports.Set("numPossibleCpus", Napi::Function::New(env, NumPossibleCpus));
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion));
  return exports;
}

}  // namespace
}  // namespace vigil

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return vigil::Init(env, exports); }

NODE_API_MODULE(vigil_bpf, InitAddon)
