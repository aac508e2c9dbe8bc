import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * CI reads a plain final line `N passed, N failed` (vitest's own summary is not recognised).
 * A test file that fails to load counts as one failure, so a broken import cannot pass silently.
 */
export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state;
    if (state === 'passed') this.passed++;
    else if (state === 'failed') this.failed++;
    else this.skipped++;
  }

  onTestModuleEnd(module: TestModule): void {
    if (module.state() === 'failed' && module.errors().length > 0) this.failed++;
  }

  onTestRunEnd(): void {
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed${skipped}\n`);
  }
}
