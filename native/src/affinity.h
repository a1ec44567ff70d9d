// Platform layer of the ringbus native addon. Every function acts on the CALLING thread only
// (never the whole process) and reports failure with an errno value instead of throwing.
// affinity_linux.cc implements it with sched_setaffinity / sched_getcpu / gettid;
// affinity_stub.cc compiles on every other platform and reports "unsupported" (ENOSYS).
#ifndef RINGBUS_NATIVE_AFFINITY_H_
#define RINGBUS_NATIVE_AFFINITY_H_

#include <cstdint>
#include <vector>

namespace ringbus {

// Largest CPU index the addon accepts (a sanity bound for the cpu_set_t it allocates).
constexpr int kMaxCpuIndex = 65535;

// True where the functions below do real work (Linux); false where they are stubs.
bool PlatformSupported();

// Restricts the calling thread to `cpus` (each in [0, kMaxCpuIndex]). Returns 0 or an errno.
int SetThreadAffinity(const std::vector<int>& cpus);

// Fills `out` with the CPUs the calling thread may run on, ascending. Returns 0 or an errno.
int GetThreadAffinity(std::vector<int>& out);

// The CPU the calling thread is running on right now, or -1 when unknown.
int CurrentCpu();

// Gives the CPU away once (sched_yield).
void YieldThread();

// The kernel thread id of the calling thread (gettid), or -1 when unknown.
int64_t ThreadId();

// Number of CPUs configured in the system (not only those this thread may use), at least 1.
int ConfiguredCpus();

}  // namespace ringbus

#endif  // RINGBUS_NATIVE_AFFINITY_H_
