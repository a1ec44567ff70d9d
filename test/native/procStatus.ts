/**
 * Reads a thread's CPU affinity the way the kernel reports it (/proc/self/task/<tid>/status,
 * `Cpus_allowed_list`), independently of the native addon under test. Linux only.
 */
import { readFileSync } from 'node:fs';

/** Expands a kernel CPU list such as "0-2,5" into [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [lo, hi] = part.split('-').map(Number) as [number, number | undefined];
    for (let cpu = lo; cpu <= (hi ?? lo); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs thread `tid` of this process may run on, per /proc. */
export function kernelAffinity(tid: number): number[] {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  if (line === undefined) throw new Error(`/proc/self/task/${tid}/status has no Cpus_allowed_list line`);
  return parseCpuList(line.slice('Cpus_allowed_list:'.length));
}
