// Linux implementation of affinity.h.
#ifdef __linux__

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "affinity.h"

#include <cerrno>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ringbus {

namespace {

// The calling thread's id. sched_setaffinity(0, ...) would also mean "this thread", but naming
// the tid keeps it obvious that the process's other threads are left alone.
pid_t SelfTid() {
  return static_cast<pid_t>(syscall(SYS_gettid));
}

// RAII holder for a dynamically sized cpu_set_t (CPU_ALLOC), so machines with more than
// CPU_SETSIZE (1024) CPUs work too.
class CpuSet {
 public:
  explicit CpuSet(int cpu_count) : count_(cpu_count), set_(CPU_ALLOC(cpu_count)), size_(CPU_ALLOC_SIZE(cpu_count)) {
    if (set_ != nullptr) CPU_ZERO_S(size_, set_);
  }
  ~CpuSet() {
    if (set_ != nullptr) CPU_FREE(set_);
  }
  CpuSet(const CpuSet&) = delete;
  CpuSet& operator=(const CpuSet&) = delete;

  bool ok() const { return set_ != nullptr; }
  int count() const { return count_; }
  size_t size() const { return size_; }
  cpu_set_t* get() { return set_; }

 private:
  int count_;
  cpu_set_t* set_;
  size_t size_;
};

}  // namespace

bool PlatformSupported() {
  return true;
}

int SetThreadAffinity(const std::vector<int>& cpus) {
  int highest = 0;
  for (int cpu : cpus) {
    if (cpu < 0 || cpu > kMaxCpuIndex) return EINVAL;
    if (cpu > highest) highest = cpu;
  }
  CpuSet set(highest + 1);
  if (!set.ok()) return ENOMEM;
  for (int cpu : cpus) CPU_SET_S(static_cast<size_t>(cpu), set.size(), set.get());
  if (sched_setaffinity(SelfTid(), set.size(), set.get()) != 0) return errno;
  return 0;
}

int GetThreadAffinity(std::vector<int>& out) {
  out.clear();
  long configured = sysconf(_SC_NPROCESSORS_CONF);
  int count = configured > CPU_SETSIZE ? static_cast<int>(configured) : CPU_SETSIZE;
  // The kernel answers EINVAL when the mask is smaller than its own; grow until it fits.
  for (;;) {
    CpuSet set(count);
    if (!set.ok()) return ENOMEM;
    if (sched_getaffinity(SelfTid(), set.size(), set.get()) == 0) {
      int limit = static_cast<int>(set.size() * 8);
      for (int cpu = 0; cpu < limit; cpu++) {
        if (CPU_ISSET_S(static_cast<size_t>(cpu), set.size(), set.get())) out.push_back(cpu);
      }
      return 0;
    }
    int err = errno;
    if (err != EINVAL || count > kMaxCpuIndex) return err;
    count *= 2;
  }
}

int CurrentCpu() {
  int cpu = sched_getcpu();
  return cpu < 0 ? -1 : cpu;
}

void YieldThread() {
  sched_yield();
}

int64_t ThreadId() {
  return static_cast<int64_t>(SelfTid());
}

int ConfiguredCpus() {
  long n = sysconf(_SC_NPROCESSORS_CONF);
  return n < 1 ? 1 : static_cast<int>(n);
}

}  // namespace ringbus

#endif  // __linux__
