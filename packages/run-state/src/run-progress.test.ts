import { describe, expect, it } from 'vitest';
import { useRunsDatabase } from './runs-database.fixture.js';
import { readRunProgress, writeRunProgress } from './run-progress.js';

const runs = useRunsDatabase();

describe('run progress', () => {
  it('is undefined before the first write, then the latest phase and count', async () => {
    expect(await readRunProgress(runs.pool, 41)).toBeUndefined();
    await writeRunProgress(runs.pool, 41, 'transform', 0);
    await writeRunProgress(runs.pool, 41, 'apply', 1500);
    const p = await readRunProgress(runs.pool, 41);
    expect(p).toMatchObject({ phase: 'apply', processed: 1500 });
    expect(p!.updatedAt).toBeInstanceOf(Date);
    expect(await readRunProgress(runs.pool, 42)).toBeUndefined();
  });
});
