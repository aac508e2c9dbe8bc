// Container health check without curl: GET /readyz on this process's health port, 2 s timeout.
const port = process.env.HEALTH_PORT || process.env.HTTP_PORT;
if (!port) {
  console.error('healthcheck: neither HEALTH_PORT nor HTTP_PORT is set');
  process.exit(1);
}
try {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
}
