/**
 * How the demo talks to a terminal: numbered steps, the commands a user would type with what the Pulumi CLI printed,
 * colours and a live progress line when the output is a TTY, and plain stable lines otherwise (CI logs, the tests).
 */

/** Where the demo writes. */
export interface DemoOutput {
  /** Write a chunk of text. */
  write(text: string): unknown;
  /** True for an interactive terminal (colours, progress line rewritten in place). */
  isTTY?: boolean;
}

const STYLES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;

/** A style the printer can apply. */
export type Style = keyof typeof STYLES;

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Prints the demo's narrative. */
export class DemoPrinter {
  private stepNumber = 0;
  private progress: { label: string; started: number; timer: NodeJS.Timeout; frame: number } | undefined;
  private readonly color: boolean;

  /**
   * @param out the stream to write to
   * @param color use ANSI colours (default: when `out` is a TTY and NO_COLOR is not set)
   */
  constructor(
    private readonly out: DemoOutput,
    color?: boolean,
  ) {
    this.color = color ?? (out.isTTY === true && !process.env["NO_COLOR"]);
  }

  /** `text` in a style, when colours are on. */
  style(style: Style, text: string): string {
    return this.color ? `\u001b[${STYLES[style]}m${text}\u001b[0m` : text;
  }

  /** Starts the next numbered step: `\n[3] title`. */
  step(title: string): void {
    this.stepNumber += 1;
    this.line("");
    this.line(this.style("bold", `[${this.stepNumber}] ${title}`));
  }

  /** An indented line. */
  line(text: string): void {
    this.stopProgress();
    this.out.write(`${text}\n`);
  }

  /** A line under the current step, with a marker: `  ✓ text`. */
  item(marker: string, text: string, style?: Style): void {
    this.line(`  ${style ? this.style(style, marker) : marker} ${text}`);
  }

  /** A continuation line under an item. */
  detail(text: string): void {
    this.line(`      ${text}`);
  }

  /** The command a user would type, and in which example: `  data-delivery $ pulumi up`. */
  command(text: string, where: string): void {
    this.line(`  ${this.style("dim", where)} ${this.style("cyan", "$")} ${this.style("bold", text)}`);
  }

  /** What a command printed, indented under it (see {@link terminalView}). */
  output(text: string): void {
    for (const line of text.split("\n")) this.line(line === "" ? "" : `    ${line}`);
  }

  /**
   * Shows that something is being waited on. On a TTY a spinner with the elapsed seconds is redrawn in place until
   * the next line is printed; otherwise nothing (the command line above already says what runs).
   */
  waiting(label: string): void {
    this.stopProgress();
    if (!this.out.isTTY) return;
    const started = Date.now();
    const progress = {
      label,
      started,
      frame: 0,
      timer: setInterval(() => this.drawProgress(), 100),
    };
    progress.timer.unref();
    this.progress = progress;
    this.drawProgress();
  }

  private drawProgress(): void {
    const progress = this.progress;
    if (!progress) return;
    const seconds = ((Date.now() - progress.started) / 1000).toFixed(1);
    const frame = SPINNER[progress.frame++ % SPINNER.length] ?? "-";
    this.out.write(`\r\u001b[2K  ${this.style("cyan", frame)} ${progress.label} ${this.style("dim", `${seconds} s`)}`);
  }

  private stopProgress(): void {
    if (!this.progress) return;
    clearInterval(this.progress.timer);
    this.progress = undefined;
    this.out.write("\r\u001b[2K");
  }
}

/**
 * The Pulumi CLI's non-interactive output as an interactive terminal leaves it once the command is over: without the
 * in-progress lines (`creating (0s)`, `running`, the `@ updating....` dots) that the terminal redraws in place,
 * without the Automation API's own command line and colour tags, and without repeated or doubled blank lines.
 * `outputs: false` also leaves out the Outputs block (a first preview's is all `[unknown]`).
 */
export function terminalView(text: string, opts: { outputs?: boolean } = {}): string {
  const kept: string[] = [];
  const reads = new Set<string>();
  let inOutputs = false;
  for (const raw of text.replace(/<\{%[^%]*%\}>/g, "").split("\n")) {
    const line = raw.trimEnd();
    if (opts.outputs === false) {
      if (line === "Outputs:") inOutputs = true;
      else if (inOutputs && line === "") inOutputs = false;
      if (inOutputs) continue;
    }
    if (/^Command failed with exit code \d+: /.test(line) || /^@ /.test(line)) continue;
    const inProgress = /^ *[-+~]* +\S+ \S+ (creating|updating|deleting|refreshing|reading|replacing|running)\b/.test(
      line,
    );
    if (inProgress) {
      // A StackReference read shows only on the stack's in-progress row: keep each once.
      const read = /read pulumi:pulumi:StackReference .*$/.exec(line)?.[0];
      if (read === undefined || reads.has(read)) continue;
      reads.add(read);
    }
    if (line === "" && (kept.length === 0 || kept[kept.length - 1] === "")) continue;
    kept.push(line);
  }
  while (kept[kept.length - 1] === "") kept.pop();
  return kept.join("\n");
}
