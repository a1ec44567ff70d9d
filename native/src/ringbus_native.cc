// ringbus_native: the N-API surface of the optional addon (node-addon-api, no C++ exceptions).
//
//   pinToCpus(cpus: number[]): boolean   restrict the CALLING thread to `cpus`; false on failure,
//                                        with the errno in lastError()
//   getAffinity(): number[]              CPUs the calling thread may run on ([] on failure)
//   currentCpu(): number                 sched_getcpu(), -1 when unknown
//   yieldThread(): void                  sched_yield()
//   threadId(): number                   gettid(), -1 when unknown
//   cpuCount(): number                   CPUs configured in the system
//   lastError(): number                  errno of this thread's last failed call (0: none)
//   errorMessage(errno: number): string  strerror text for an errno
//   bindClock(cell: Float64Array): void  remember `cell` (this thread) as the target of clockTick()
//   clockTick(): void                    cell[0] = steady (monotonic) clock in ns; allocates nothing in JS
//   clockNs(): number                    the same clock, returned (allocates a number: calibration only)
//   supported: boolean                   false where the functions above are stubs
//
// Node-API addons are context-aware: each worker thread that requires this file gets its own
// instance. Nothing here is shared between threads; lastError() is thread-local.
#include <napi.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <string>
#include <system_error>
#include <vector>

#include "affinity.h"

namespace {

thread_local int last_error = 0;
thread_local double* clock_cell = nullptr;
thread_local Napi::Reference<Napi::Float64Array>* clock_ref = nullptr;

inline double SteadyNs() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

void BindClock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::Float64Array>().ElementLength() < 1) {
    Napi::TypeError::New(env, "bindClock(cell): cell must be a Float64Array with at least one element").ThrowAsJavaScriptException();
    return;
  }
  Napi::Float64Array cell = info[0].As<Napi::Float64Array>();
  delete clock_ref;
  clock_ref = new Napi::Reference<Napi::Float64Array>(Napi::Persistent(cell));
  clock_cell = cell.Data();
}

void ClockTick(const Napi::CallbackInfo&) {
  if (clock_cell != nullptr) *clock_cell = SteadyNs();
}

Napi::Value ClockNs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), SteadyNs());
}

Napi::Value PinToCpus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "pinToCpus(cpus): cpus must be an array of CPU indices").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array array = info[0].As<Napi::Array>();
  uint32_t length = array.Length();
  if (length == 0) {
    Napi::RangeError::New(env, "pinToCpus(cpus): cpus must not be empty").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int> cpus;
  cpus.reserve(length);
  for (uint32_t i = 0; i < length; i++) {
    Napi::Value item = array.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();
    double value = item.IsNumber() ? item.As<Napi::Number>().DoubleValue() : NAN;
    if (!(value >= 0 && value <= ringbus::kMaxCpuIndex) || std::floor(value) != value) {
      std::string msg = "pinToCpus(cpus): cpus[" + std::to_string(i) + "] must be an integer in [0, " +
                        std::to_string(ringbus::kMaxCpuIndex) + "]";
      Napi::RangeError::New(env, msg).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    cpus.push_back(static_cast<int>(value));
  }
  int err = ringbus::SetThreadAffinity(cpus);
  last_error = err;
  return Napi::Boolean::New(env, err == 0);
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> cpus;
  int err = ringbus::GetThreadAffinity(cpus);
  last_error = err;
  Napi::Array result = Napi::Array::New(env, cpus.size());
  for (size_t i = 0; i < cpus.size(); i++) result.Set(static_cast<uint32_t>(i), Napi::Number::New(env, cpus[i]));
  return result;
}

Napi::Value CurrentCpu(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ringbus::CurrentCpu());
}

void YieldThread(const Napi::CallbackInfo&) {
  ringbus::YieldThread();
}

Napi::Value ThreadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ringbus::ThreadId()));
}

Napi::Value CpuCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ringbus::ConfiguredCpus());
}

Napi::Value LastError(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), last_error);
}

Napi::Value ErrorMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  return Napi::String::New(env, std::generic_category().message(code));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("pinToCpus", Napi::Function::New(env, PinToCpus, "pinToCpus"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("currentCpu", Napi::Function::New(env, CurrentCpu, "currentCpu"));
  exports.Set("yieldThread", Napi::Function::New(env, YieldThread, "yieldThread"));
  exports.Set("threadId", Napi::Function::New(env, ThreadId, "threadId"));
  exports.Set("cpuCount", Napi::Function::New(env, CpuCount, "cpuCount"));
  exports.Set("lastError", Napi::Function::New(env, LastError, "lastError"));
  exports.Set("errorMessage", Napi::Function::New(env, ErrorMessage, "errorMessage"));
  exports.Set("bindClock", Napi::Function::New(env, BindClock, "bindClock"));
  exports.Set("clockTick", Napi::Function::New(env, ClockTick, "clockTick"));
  exports.Set("clockNs", Napi::Function::New(env, ClockNs, "clockNs"));
  exports.Set("supported", Napi::Boolean::New(env, ringbus::PlatformSupported()));
  return exports;
}

}  // namespace

NODE_API_MODULE(ringbus_native, Init)
