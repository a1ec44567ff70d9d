/** What machine a figure was measured on, printed with every report. */
import os from 'node:os';

export interface MachineInfo {
  /** CPU model name (first CPU). */
  readonly cpuModel: string;
  /** Logical CPUs the OS reports. */
  readonly cpus: number;
  /** CPUs this process may use (affinity / cgroup aware). */
  readonly availableParallelism: number;
  readonly node: string;
  readonly v8: string;
  /** e.g. "linux 6.1.0 x64". */
  readonly os: string;
  readonly totalMemoryBytes: number;
  /** 1-minute load average when the run started: a busy machine makes figures lower. */
  readonly loadAverage1m: number;
}

/** Describes this machine. Allocates; call once per run. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    totalMemoryBytes: os.totalmem(),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
