/**
 * Where a command's time and memory go, read from /proc (Linux) while it runs: every process below the bench
 * process is sampled every {@link SAMPLE_MS} ms and classified (the `pulumi` engine of the command, the
 * dynamic-provider host it started, the Automation API runner that runs the program, other short helpers), plus the
 * emulator process. For each class: peak resident memory (VmHWM, the kernel's own high-water mark, so sampling
 * misses nothing but a process's last {@link SAMPLE_MS} ms) and CPU time (user + system) spent during the window.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Sampling period. */
export const SAMPLE_MS = 100;
/** Kernel clock ticks per second (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** What a process is, for the bench. */
export type ProcessClass = "engine" | "host" | "program" | "helpers" | "emulator";

/** Peak RSS (MB) and CPU (ms) of each class over one window; the bench process's own CPU too. */
export interface ProcessFigures {
  readonly peakRssMb: Record<ProcessClass, number>;
  readonly cpuMs: Record<ProcessClass | "bench", number>;
}

interface Seen {
  /** Samples in which the process showed each class's command line (the class with most samples wins). */
  readonly votes: Map<ProcessClass, number>;
  /** Peak RSS (kB) seen while it showed each class's command line. */
  readonly peakKb: Map<ProcessClass, number>;
  /** CPU ticks at the first sample of this window (0 for a process born during it). */
  readonly firstTicks: number;
  lastTicks: number;
}

interface Stat {
  ppid: number;
  ticks: number;
  /** Start time in ticks since boot: with the pid, it names a process (pids are reused within minutes here). */
  startTime: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesized and may contain spaces: split after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function peakKb(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The class of a process from its command line; undefined when there is none to read (a process that has exited
 * and not been reaped shows an empty one).
 */
function classify(pid: number): ProcessClass | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
  const command = argv.join(" ").trim();
  if (command === "") return undefined;
  if (/\/pulumi$/.test(argv[0] ?? "") && ["up", "refresh", "destroy", "preview"].includes(argv[1] ?? "")) {
    return "engine";
  }
  if (command.includes("cmd/dynamic-provider")) return "host";
  if (command.includes("inlineRunnerEntry")) return "program";
  return "helpers";
}

/** Samples the bench's process tree and the emulator between {@link start} and {@link stop}. */
export class ProcessSampler {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private cpuAtStart: NodeJS.CpuUsage | undefined;

  constructor(private readonly emulatorPid: number) {}

  /** Begins a window. */
  start(): void {
    this.seen.clear();
    this.cpuAtStart = process.cpuUsage();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), SAMPLE_MS);
  }

  /** Ends the window and returns its figures. */
  stop(): ProcessFigures {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    const classes: ProcessClass[] = ["engine", "host", "program", "helpers", "emulator"];
    const peakRssMb = Object.fromEntries(classes.map((c) => [c, 0])) as Record<ProcessClass, number>;
    const cpuMs = Object.fromEntries([...classes, "bench"].map((c) => [c, 0])) as ProcessFigures["cpuMs"];
    for (const s of this.seen.values()) {
      let cls: ProcessClass = "helpers";
      let most = 0;
      for (const [c, n] of s.votes) {
        if (n > most) [cls, most] = [c, n];
      }
      peakRssMb[cls] = Math.max(peakRssMb[cls], (s.peakKb.get(cls) ?? 0) / 1024);
      cpuMs[cls] += ((s.lastTicks - s.firstTicks) * 1000) / TICKS_PER_SECOND;
    }
    const bench = process.cpuUsage(this.cpuAtStart);
    cpuMs.bench = (bench.user + bench.system) / 1000;
    return { peakRssMb, cpuMs };
  }

  private sample(first: boolean): void {
    const stats = new Map<number, Stat>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) stats.set(Number(entry), stat);
    }
    const inTree = new Set<number>([process.pid]);
    // Parents have lower pids almost always, but not after pid wrap-around: iterate until nothing is added.
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, stat] of stats) {
        if (!inTree.has(pid) && inTree.has(stat.ppid)) {
          inTree.add(pid);
          grew = true;
        }
      }
    }
    inTree.delete(process.pid);
    inTree.delete(this.emulatorPid);
    const visit = (pid: number, fixed: ProcessClass | undefined) => {
      const stat = stats.get(pid);
      if (!stat) return;
      const id = `${pid}@${stat.startTime}`;
      let s = this.seen.get(id);
      if (!s) {
        s = { votes: new Map(), peakKb: new Map(), firstTicks: first ? stat.ticks : 0, lastTicks: stat.ticks };
        this.seen.set(id, s);
      }
      s.lastTicks = stat.ticks;
      // A process's command line changes: between fork and exec a plugin still shows the engine's, and the host
      // starts as a shell script that execs node. Memory is counted per command line: a fork's is its parent's.
      const cls = fixed ?? classify(pid);
      if (cls === undefined) return;
      s.votes.set(cls, (s.votes.get(cls) ?? 0) + 1);
      s.peakKb.set(cls, Math.max(s.peakKb.get(cls) ?? 0, peakKb(pid)));
    };
    for (const pid of inTree) visit(pid, undefined);
    visit(this.emulatorPid, "emulator");
  }
}
