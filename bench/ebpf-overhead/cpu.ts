/** CPU time of processes from /proc, shared by the overhead benches. */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time of every thread of `pid`, in ns (schedstat's first field: time on CPU). */
export function threadsCpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns;
}
