// Process and Node.js runtime metrics under the names prom-client's default metrics use.
import type { Exposition } from './exposition.js';

const startSeconds = Math.round(Date.now() / 1000 - process.uptime());

export function writeProcessMetrics(out: Exposition): void {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  out.family('process_cpu_user_seconds_total', 'counter', 'Total user CPU time spent in seconds.').sample('process_cpu_user_seconds_total', cpu.user / 1e6);
  out.family('process_cpu_system_seconds_total', 'counter', 'Total system CPU time spent in seconds.').sample('process_cpu_system_seconds_total', cpu.system / 1e6);
  out.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.').sample('process_cpu_seconds_total', (cpu.user + cpu.system) / 1e6);
  out.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.').sample('process_start_time_seconds', startSeconds);
  out.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.').sample('process_resident_memory_bytes', mem.rss);
  out.family('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.').sample('nodejs_heap_size_total_bytes', mem.heapTotal);
  out.family('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.').sample('nodejs_heap_size_used_bytes', mem.heapUsed);
  out.family('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.').sample('nodejs_external_memory_bytes', mem.external);
  const [major, minor, patch] = process.versions.node.split('.');
  out.family('nodejs_version_info', 'gauge', 'Node.js version info.').sample('nodejs_version_info', 1, { version: `v${process.versions.node}`, major, minor, patch });
}
