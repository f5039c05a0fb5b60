#include "errors.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace vigil {
namespace {

// libbpf calls the print hook from whichever thread runs it; only the main thread runs libbpf operations
// whose logs we report, but a mutex keeps a stray message from a consumer thread from corrupting the buffer.
std::mutex log_mutex;
std::string log_buffer;
constexpr size_t kLogCap = 256 * 1024;

int CapturePrint(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // The verifier log arrives as one message of up to megabytes, so size the buffer to the message.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string line(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(line.data(), line.size(), format, args);
  line.resize(static_cast<size_t>(n));
  std::lock_guard<std::mutex> lock(log_mutex);
  log_buffer.append(line);
  // Keep the tail: the verifier's verdict is at the end of its log.
  if (log_buffer.size() > kLogCap) log_buffer.erase(0, log_buffer.size() - kLogCap / 2);
  return 0;
}

}  // namespace

void InstallLibbpfLogCapture() { libbpf_set_print(CapturePrint); }

void ResetLibbpfLog() {
  std::lock_guard<std::mutex> lock(log_mutex);
  log_buffer.clear();
}

std::string LibbpfLogTail(size_t max_bytes) {
  std::lock_guard<std::mutex> lock(log_mutex);
  if (log_buffer.size() <= max_bytes) return log_buffer;
  return log_buffer.substr(log_buffer.size() - max_bytes);
}

void ThrowNative(Napi::Env env, const char *code, const std::string &op, int err) {
  int e = err < 0 ? -err : err;
  std::string message = op + " failed: " + (e ? strerror(e) : "unknown error");
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, e));
  error.Set("syscall", Napi::String::New(env, op));
  error.Set("libbpfLog", Napi::String::New(env, LibbpfLogTail()));
  throw error;
}

void ThrowArgument(Napi::Env env, const std::string &message) {
  Napi::Error error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "EBPF_ARGUMENT"));
  throw error;
}

}  // namespace vigil
