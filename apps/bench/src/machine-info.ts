import os from 'node:os';
import type { MachineInfo } from './results-schema';

/** CPU model, logical cores (`os.cpus()`), memory, platform and Node version of this machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
  };
}
