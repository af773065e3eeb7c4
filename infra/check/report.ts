/** Findings of one check run: failures make `npm run infra:check` exit 1, notes do not. */
export class Report {
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  private passed = 0;

  constructor(private readonly out: (line: string) => void) {}

  section(title: string): void {
    this.out(`\n== ${title}`);
  }

  expect(ok: boolean, what: string): void {
    if (ok) this.passed += 1;
    else {
      this.failures.push(what);
      this.out(`  FAIL ${what}`);
    }
  }

  note(what: string): void {
    this.notes.push(what);
    this.out(`  note ${what}`);
  }

  ok(what: string): void {
    this.out(`  ok   ${what}`);
  }

  summary(): string {
    return `infra:check: ${this.passed} checks passed, ${this.failures.length} failed`;
  }
}
