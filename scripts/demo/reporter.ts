/**
 * How the demo talks to a person: one line per step with its duration, a live epoch counter
 * while training. With `--json` everything goes to stderr except the final JSON line.
 */
export class Reporter {
  private readonly out: NodeJS.WriteStream;
  private progressShown = false;

  constructor(private readonly quiet: boolean) {
    this.out = quiet ? process.stderr : process.stdout;
  }

  async step<T>(title: string, work: () => Promise<{ value: T; detail: string }>): Promise<T> {
    const started = performance.now();
    if (!this.quiet) this.out.write(`• ${title}\n`);
    try {
      const { value, detail } = await work();
      this.clearProgress();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (!this.quiet) this.out.write(`  ✓ ${detail} (${seconds} s)\n`);
      return value;
    } catch (err) {
      this.clearProgress();
      this.out.write(`  ✗ ${title} failed\n`);
      throw err;
    }
  }

  progress(epoch: number, epochs: number, loss: number | null): void {
    if (this.quiet || !this.out.isTTY) return;
    const width = 30;
    const filled = Math.round((epoch / epochs) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.out.write(
      `\r  ${bar} epoch ${epoch}/${epochs}${loss === null ? '' : ` loss ${loss.toFixed(4)}`}   `,
    );
    this.progressShown = true;
  }

  info(line: string): void {
    if (!this.quiet) this.out.write(`${line}\n`);
  }

  private clearProgress(): void {
    if (this.progressShown) this.out.write('\r\x1b[2K');
    this.progressShown = false;
  }
}
