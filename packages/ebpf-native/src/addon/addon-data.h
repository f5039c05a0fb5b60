// Per-environment state: constructors the addon instantiates itself and the registry of live objects.
#pragma once

#include <napi.h>

#include "object.h"

namespace vigil {

struct AddonData {
  Napi::FunctionReference link_constructor;
  Registry registry;
};

inline AddonData *GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace vigil
