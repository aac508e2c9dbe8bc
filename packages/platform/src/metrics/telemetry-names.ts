/**
 * Every metric name and label the platform library records, in one place (as the OTel demo keeps
 * its attribute names), so dashboards and alerts have one file to read and no module invents its own.
 */

/** Metric names: `usersync_` prefix, Prometheus base units (seconds, bytes). */
export const MetricNames = {
  /** Histogram of server-side gRPC call duration, labelled by rpc and status code. */
  rpcServerDuration: 'usersync_rpc_server_duration_seconds',
  /** Histogram of client-side gRPC call duration (unary helper), labelled by rpc and status code. */
  rpcClientDuration: 'usersync_rpc_client_duration_seconds',
  /** Histogram of HTTP request duration, labelled by method, route and status code. */
  httpRequestDuration: 'usersync_http_request_duration_seconds',
  /** Counter of readiness check failures, labelled by check name. */
  readinessCheckFailures: 'usersync_readiness_check_failures_total',
  /** Counter of bytes written to the object store. */
  objectStoreBytesWritten: 'usersync_objectstore_bytes_written_total',
  /** Histogram of object store put duration, labelled by outcome. */
  objectStorePutDuration: 'usersync_objectstore_put_duration_seconds',
} as const;

/** Label names used with the metrics above. */
export const MetricLabels = {
  rpc: 'rpc',
  code: 'code',
  method: 'method',
  route: 'route',
  status: 'status_code',
  check: 'check',
  outcome: 'outcome',
} as const;

/** Latency buckets (seconds) shared by request and RPC histograms: 5 ms to 30 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
