// Stub implementation of affinity.h for platforms other than Linux: affinity is unsupported
// (ENOSYS), the current CPU and thread id are unknown (-1), yield uses the standard library.
#ifndef __linux__

#include "affinity.h"

#include <cerrno>
#include <thread>

namespace ringbus {

bool PlatformSupported() {
  return false;
}

int SetThreadAffinity(const std::vector<int>&) {
  return ENOSYS;
}

int GetThreadAffinity(std::vector<int>& out) {
  out.clear();
  return ENOSYS;
}

int CurrentCpu() {
  return -1;
}

void YieldThread() {
  std::this_thread::yield();
}

int64_t ThreadId() {
  return -1;
}

int ConfiguredCpus() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace ringbus

#endif  // !__linux__
