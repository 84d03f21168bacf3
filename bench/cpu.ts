// Who is busy during a phase: the CPU seconds the client (this process), a worker process and the
// dev server used, from /proc (Linux); elsewhere the figures are left out.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ": state, ppid, ... utime is field 14 of the line, stime 15.
    return [
      text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
      ...text.slice(text.lastIndexOf(")") + 2).split(" "),
    ];
  } catch {
    return undefined;
  }
}

/** CPU seconds (user and system, every thread) a process has used so far. */
function cpuSeconds(pid: number): number | undefined {
  const fields = stat(pid);
  return fields === undefined ? undefined : (Number(fields[12]) + Number(fields[13])) / TICKS;
}

/** The dev server: this process's child named `temporal`. */
export function devServerPid(): number | undefined {
  try {
    for (const entry of readdirSync("/proc")) {
      const fields = /^\d+$/.test(entry) ? stat(Number(entry)) : undefined;
      if (fields?.[0] === "temporal" && Number(fields[2]) === process.pid) return Number(entry);
    }
  } catch {
    // no /proc
  }
  return undefined;
}

export type CpuShares = Readonly<Record<string, number>>;

/** Tallies the CPU some processes use while given tasks run; percent of one core over that time. */
export class CpuMeter {
  private busy: Record<string, number> = {};
  private wall = 0;

  constructor(private readonly pids: Readonly<Record<string, number | undefined>>) {}

  /** Runs `task`, adding the CPU each process used meanwhile to the tally. */
  async during<T>(task: () => Promise<T>): Promise<T> {
    const before = this.read();
    try {
      return await task();
    } finally {
      const after = this.read();
      this.wall += (after.at - before.at) / 1000;
      for (const [name, seconds] of Object.entries(after.seconds)) {
        const start = before.seconds[name];
        if (seconds !== undefined && start !== undefined) this.busy[name] = (this.busy[name] ?? 0) + seconds - start;
      }
    }
  }

  /** Percent of one core each process used over the tallied time; starts a new tally. */
  take(): CpuShares {
    const shares = Object.fromEntries(
      Object.entries(this.busy).map(([name, seconds]) => [name, Math.round((100 * seconds) / this.wall)]),
    );
    this.busy = {};
    this.wall = 0;
    return shares;
  }

  private read() {
    const seconds: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(this.pids))
      seconds[name] = pid === undefined ? undefined : cpuSeconds(pid);
    return { at: Date.now(), seconds };
  }
}
