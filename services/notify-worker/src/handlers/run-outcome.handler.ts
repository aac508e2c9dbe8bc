/**
 * sync.run.completed / failed / held / cancelled → the report, by email to every configured address
 * and to the signed webhook. Other sync.run.* subjects (sync.run.queued) are acked and ignored: NATS
 * 2.9 allows one filter subject per consumer, so the durable sees all of sync.run.>.
 */
import { decodeAnyEvent, type EventOf } from '@usersync/contracts';
import { RetryableError, ValidationError, type MessageHandler } from '@usersync/platform';
import {
  getRun,
  holdReasonFromProto,
  loadSyncConfig,
  reportTargetsOf,
  runLogSizeBytes,
  runLogText,
  type ActionCountsRow,
} from '@usersync/run-state';
import { deliverTo, type DeliveryContext, type WebhookSettings } from '../usecases/deliver-target.js';
import { loadReport, type ReportSources } from '../usecases/load-report.js';
import { reportsTo } from '../domain/report-policy.js';
import type { EmailSender, MailAttachment } from '../clients/email.sender.js';
import { renderReportEmail } from '../domain/report-email.js';
import type { SubjectStyle } from '../domain/report-subject.js';
import {
  OUTCOME_KINDS,
  webhookPayload,
  type OutcomeKind,
  type ReportInputs,
  type RunReport,
} from '../domain/run-report.js';

/** What the handler needs, built once by createApp. */
export interface NotifyDeps extends ReportSources {
  email: EmailSender;
  subjectStyle: SubjectStyle;
  /** The full log is attached when at most this many bytes. */
  attachMaxBytes: number;
  webhook: WebhookSettings;
  /** The consumer's max deliveries: on the last one, pending deliveries are failed instead of retried. */
  maxDeliver: number;
}

const isOutcome = (token: string | undefined): token is OutcomeKind => OUTCOME_KINDS.includes(token as OutcomeKind);

type Outcome = EventOf<'sync.run.completed' | 'sync.run.failed' | 'sync.run.held' | 'sync.run.cancelled'>;

function decodeOutcome(
  subject: string,
  data: Uint8Array,
): { runId: number; eventId: string; facts: ReportInputs['event'] } {
  let decoded;
  try {
    decoded = decodeAnyEvent(subject, data);
  } catch (err) {
    throw new ValidationError('NOTIFY_BAD_EVENT', `cannot decode ${subject}`, [], { cause: err });
  }
  const e = decoded.event as Outcome;
  const facts: ReportInputs['event'] = {};
  if (decoded.subject === 'sync.run.completed') {
    facts.counts = decoded.event.counts as ActionCountsRow | undefined;
    facts.errorCount = decoded.event.errorCount;
    facts.appliedAt = decoded.event.appliedAt ?? null;
  } else if (decoded.subject === 'sync.run.held') {
    facts.holdReason = holdReasonFromProto(decoded.event.holdReason);
    facts.holdDetail = decoded.event.holdDetail;
    facts.counts = decoded.event.planCounts as ActionCountsRow | undefined;
  } else if (decoded.subject === 'sync.run.failed') {
    facts.error = decoded.event.error;
  } else if (decoded.subject === 'sync.run.cancelled') {
    facts.reason = decoded.event.reason;
  }
  return { runId: Number(e.runId), eventId: e.eventId, facts };
}

async function emailContent(deps: NotifyDeps, report: RunReport) {
  const size = await runLogSizeBytes(deps.pool, report.runId);
  const attachments: MailAttachment[] = [];
  let note: string;
  if (size === 0) note = 'The log is empty.';
  else if (size <= deps.attachMaxBytes) {
    attachments.push({ filename: `run-${report.runId}.log`, content: await runLogText(deps.pool, report.runId) });
    note = `The full log is attached (run-${report.runId}.log).`;
  } else note = `The full log (${size.toLocaleString('en-US')} bytes) is too large to attach: read it on the run page.`;
  return { mail: renderReportEmail(report, note, deps.subjectStyle), attachments };
}

/** The consumer's handler: at most one successful send per (run, outcome, channel, recipient). */
export function runOutcomeHandler(deps: NotifyDeps): MessageHandler {
  return async (msg, { log, deliveryCount }) => {
    const kind = msg.subject.split('.').pop();
    if (!isOutcome(kind)) return;
    const { runId, eventId, facts } = decodeOutcome(msg.subject, msg.data);
    const { config } = await loadSyncConfig(deps.pool);
    const configured = reportTargetsOf(config);
    if (configured.length === 0) {
      log.debug({ runId }, 'no report recipients configured');
      return;
    }
    // Decided on the run row alone, before the report is built: a clean SCIM run every batch window would
    // otherwise load its error lines and planned blocks only to send nothing.
    const run = await getRun(deps.pool, runId);
    const targets = configured.filter((t) => reportsTo(t.channel, kind, run));
    if (targets.length === 0) {
      log.debug({ runId, source: run.source }, 'a clean SCIM run: no email report (report-policy.ts)');
      return;
    }
    const { report } = await loadReport(deps, kind, runId, facts);
    let content: ReturnType<typeof emailContent> | undefined;
    const ctx: DeliveryContext = {
      pool: deps.pool,
      log: log.child({ runId }),
      runId,
      eventId,
      kind,
      finalAttempt: () => deliveryCount >= deps.maxDeliver,
      email: deps.email,
      emailContent: () => (content ??= emailContent(deps, report)),
      webhookBody: JSON.stringify(webhookPayload(report)),
      webhook: deps.webhook,
    };
    const statuses = [];
    // One at a time: a report goes to a handful of addresses, and SMTP servers dislike bursts.
    for (const target of targets) statuses.push(await deliverTo(ctx, target));
    const open = statuses.filter((s) => s === 'pending' || s === 'busy').length;
    if (open > 0) throw new RetryableError('NOTIFY_PENDING', `${open} of ${targets.length} report deliveries pending`);
    log.info({ runId, kind, deliveries: targets.length }, 'report delivered');
  };
}
