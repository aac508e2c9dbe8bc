/** Sends report emails over SMTP with nodemailer (SMTP_URL: smtp:// or smtps://, credentials in the URL). */
import nodemailer from 'nodemailer';
import type { RenderedEmail } from '../domain/email-parts.js';

/** A file attached to the report. */
export interface MailAttachment {
  filename: string;
  content: string;
}

/** Sends one email; rejects with the SMTP error. */
export interface EmailSender {
  send(to: string, mail: RenderedEmail, attachments: MailAttachment[]): Promise<void>;
  close(): void;
}

/** A sender over one transport; `from` is the envelope and header sender. */
export function createEmailSender(opts: { smtpUrl: string; from: string; timeoutMs?: number }): EmailSender {
  const timeout = opts.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    url: opts.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(to, mail, attachments) {
      await transport.sendMail({
        from: opts.from,
        // Haplo's recipient display name.
        to: { name: 'User feed', address: to },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: 'text/plain' })),
      });
    },
    close() {
      transport.close();
    },
  };
}

/** True for an SMTP 5xx answer (e.g. 550 no such user): sending again will not help. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** A short description of a send error for notify.delivery.last_error (no credentials: the URL is never included). */
export function describeSmtpError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string } | null;
  const parts = [e?.code, e?.responseCode, e?.message?.split('\n')[0]].filter((p) => p !== undefined && p !== '');
  return parts.join(' ').slice(0, 500) || 'unknown SMTP error';
}
