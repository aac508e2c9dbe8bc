import { describe, expect, it } from 'vitest';
import { collectDefaultMetricsOnce, counter, histogram, renderMetrics } from './index.js';

describe('metrics', () => {
  it('collects default process metrics once, however often it is asked', async () => {
    collectDefaultMetricsOnce();
    collectDefaultMetricsOnce();
    const { body, contentType } = await renderMetrics();
    expect(contentType).toContain('text/plain');
    expect(body.match(/^# TYPE process_cpu_user_seconds_total/gm)).toHaveLength(1);
  });

  it('returns the same metric when two modules ask for one name', async () => {
    const a = histogram('usersync_test_duration_seconds', 'test', ['rpc']);
    const b = histogram('usersync_test_duration_seconds', 'test', ['rpc']);
    expect(a).toBe(b);
    a.observe({ rpc: 'x' }, 0.2);
    counter('usersync_test_total', 'test').inc();
    const { body } = await renderMetrics();
    expect(body).toContain('usersync_test_duration_seconds_count{rpc="x"} 1');
    expect(body).toContain('usersync_test_total 1');
  });
});
