/**
 * Metric names of the data/messaging half of the platform (outbox, consumer loop), kept together
 * beside metrics/telemetry-names.ts, and the metrics themselves on prom-client's default registry.
 * Metrics are get-or-create, so several relays or consumer loops in one process share them.
 */
import { Gauge } from 'prom-client';
import { counter, metricsRegistry } from '../metrics/registry.js';

/** Prometheus metric names (labels in the comments). */
export const MessagingMetricNames = {
  /** Gauge {owner}: outbox rows not yet published. */
  OutboxBacklog: 'usersync_outbox_backlog',
  /** Counter {owner}: outbox rows published (including JetStream-deduplicated re-sends). */
  OutboxPublished: 'usersync_outbox_published_total',
  /** Counter {stream, consumer, outcome = ack|nak|term}: messages handled by a consumer loop. */
  ConsumerMessages: 'usersync_consumer_messages_total',
  /** Counter {stream, consumer}: messages received with a delivery count above 1. */
  ConsumerRedeliveries: 'usersync_consumer_redeliveries_total',
  /** Gauge {stream, consumer}: messages in the stream not yet delivered to the consumer (num_pending). */
  ConsumerLag: 'usersync_consumer_lag',
} as const;

function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const existing = metricsRegistry.getSingleMetric(name) as Gauge<L> | undefined;
  return existing ?? new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
}

/** The outbox metrics. */
export function outboxMetrics() {
  return {
    backlog: gauge(MessagingMetricNames.OutboxBacklog, 'Outbox rows not yet published', ['owner']),
    published: counter(MessagingMetricNames.OutboxPublished, 'Outbox rows published to JetStream', ['owner']),
  };
}

/** The consumer-loop metrics. */
export function consumerMetrics() {
  return {
    handled: counter(MessagingMetricNames.ConsumerMessages, 'Messages handled, by outcome', [
      'stream',
      'consumer',
      'outcome',
    ]),
    redeliveries: counter(MessagingMetricNames.ConsumerRedeliveries, 'Messages delivered more than once', [
      'stream',
      'consumer',
    ]),
    lag: gauge(MessagingMetricNames.ConsumerLag, 'Messages not yet delivered to the consumer', ['stream', 'consumer']),
  };
}
