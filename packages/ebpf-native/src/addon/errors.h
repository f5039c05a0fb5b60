// Native errors carry what the TypeScript layer needs to classify them: a stable code, the errno and
// the tail of libbpf's log (which holds the verifier log when a load fails).
#pragma once

#include <napi.h>

#include <string>

namespace vigil {

// Installs the libbpf print callback that records messages for the current operation.
void InstallLibbpfLogCapture();
// Starts a fresh capture; call before each libbpf operation whose failure should carry its log.
void ResetLibbpfLog();
// The last `max_bytes` of what libbpf printed since the last reset.
std::string LibbpfLogTail(size_t max_bytes = 8192);

// Throws a JS Error with `code`, `errno`, `syscall` (the failed operation) and `libbpfLog`.
[[noreturn]] void ThrowNative(Napi::Env env, const char *code, const std::string &op, int err);
// Throws a JS TypeError with code EBPF_ARGUMENT for malformed arguments from the TS layer.
[[noreturn]] void ThrowArgument(Napi::Env env, const std::string &message);

}  // namespace vigil
