/**
 * API keys: list, create (form with security advice → POST → redirect to the page that shows the
 * secret once), revoke (confirm). The POST never renders the secret itself: it seals it for the
 * session (security/shown-once.ts) and redirects, so reloading the secret page cannot create a
 * second key, and a reload after the first view says the key was already shown.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { keysV1 } from '@usersync/contracts';
import { ConflictError, NotFoundError, ValidationError } from '@usersync/platform';
import { addError, errorSummary, hasErrors, type FieldErrors } from '../security/form-errors.js';
import { restoreForm } from '../security/form-stash.js';
import { SESSION_COOKIE } from '../security/sessions.js';
import { shownOnceStore } from '../security/shown-once.js';
import { actorOf, type RouteContext } from './route-context.js';

/** The scope of an upload script's key (upload API and run status). */
export const UPLOAD_SCOPE = 'sync:upload';
/**
 * What a key is for, as the form offers it: one scope each, so an upload script cannot provision
 * through SCIM and an identity provider cannot upload files.
 */
export const PURPOSE_CHOICES: ReadonlyArray<readonly [string, string]> = [
  [UPLOAD_SCOPE, 'An upload script (upload files, start syncs, read run status)'],
  ['scim', 'A provisioning client such as Entra ID or Okta (SCIM 2.0 at /scim/v2 and bulkUpload)'],
];
const MAX_NAME = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;
/** Longest expiry the form accepts (a key that never expires is its own choice). */
const MAX_EXPIRY_DAYS = 5 * 366;

/** The expiry choices, in the order the form lists them. */
export const EXPIRY_CHOICES: ReadonlyArray<readonly [string, string]> = [
  ['never', 'Never'],
  ['30', 'In 30 days'],
  ['90', 'In 90 days'],
  ['180', 'In 180 days'],
  ['365', 'In 1 year'],
  ['date', 'On a date I choose'],
];
const FIELDS = ['name', 'purpose', 'expiry', 'expiresOn'] as const;
type Field = (typeof FIELDS)[number];
type KeyForm = Record<Field, string>;

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

/** A name as key-service compares it for duplicates: trimmed, case-insensitive. */
const nameKey = (name: string) => name.trim().toLowerCase();

/** Validates every field of the create form in one pass; returns the expiry to ask for. */
export function checkKeyForm(
  f: KeyForm,
  activeNames: readonly string[],
  now = new Date(),
): { errors: FieldErrors<Field>; expiresAt: Date | undefined } {
  const errors: FieldErrors<Field> = {};
  const name = f.name.trim();
  if (name === '') addError(errors, 'name', 'Give the key a name, for example "HR nightly export".');
  else if (name.length > MAX_NAME) addError(errors, 'name', `The name must be at most ${MAX_NAME} characters.`);
  else if (activeNames.some((n) => nameKey(n) === nameKey(name)))
    addError(
      errors,
      'name',
      `An active key is already called "${name}". Choose another name, or revoke that key first.`,
    );
  if (!PURPOSE_CHOICES.some(([v]) => v === f.purpose)) addError(errors, 'purpose', 'Choose what the key is for.');
  let expiresAt: Date | undefined;
  if (/^\d{1,4}$/.test(f.expiry) && EXPIRY_CHOICES.some(([v]) => v === f.expiry)) {
    expiresAt = new Date(now.getTime() + Number(f.expiry) * DAY_MS);
  } else if (f.expiry === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.expiresOn.trim());
    // The key works through the chosen day (UTC) and stops at the start of the next one.
    const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)) : undefined;
    const valid = day && m && day.getUTCDate() !== 0 && new Date(day.getTime() - DAY_MS).getUTCDate() === Number(m[3]);
    if (f.expiresOn.trim() === '') addError(errors, 'expiresOn', 'Enter the date the key expires, as YYYY-MM-DD.');
    else if (!valid) addError(errors, 'expiresOn', `"${f.expiresOn}" is not a date: write it as YYYY-MM-DD.`);
    else if (day.getTime() <= Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
      addError(errors, 'expiresOn', 'The expiry date must be after today.');
    else if (day.getTime() > now.getTime() + MAX_EXPIRY_DAYS * DAY_MS)
      addError(
        errors,
        'expiresOn',
        'The expiry date must be within 5 years; choose "Never" for a key that does not expire.',
      );
    else expiresAt = day;
  } else if (f.expiry !== 'never') {
    addError(errors, 'expiry', 'Choose when the key expires.');
  }
  return { errors, expiresAt };
}

/** Registers the /api-keys pages. */
export function apiKeysRoutes(ctx: RouteContext): FastifyPluginAsync {
  const shownOnce = shownOnceStore(ctx.pool);

  async function findKey(id: string): Promise<keysV1.ApiKey> {
    if (!UUID.test(id)) throw new NotFoundError('API_KEY_NOT_FOUND', 'There is no API key with this id.');
    const key = (await ctx.keys.listKeys(true)).find((k) => k.id === id);
    if (!key) throw new NotFoundError('API_KEY_NOT_FOUND', 'There is no API key with this id.');
    return key;
  }

  function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    form: KeyForm,
    errors: FieldErrors<Field> = {},
    extra: Record<string, unknown> = {},
  ) {
    const data = {
      title: 'Create API key',
      form,
      errors,
      summary: errorSummary(FIELDS, errors),
      choices: EXPIRY_CHOICES,
      purposes: PURPOSE_CHOICES,
      ...extra,
    };
    return ctx.views.send(request, reply, 'pages/api-keys/new', data, hasErrors(errors) ? 400 : 200);
  }

  /** The session as shown-once needs it: its row id and the cookie token the seal is derived from. */
  const sessionOf = (request: FastifyRequest) => ({
    id: request.session!.id,
    token: request.cookies[SESSION_COOKIE] ?? '',
  });

  return async (app) => {
    app.get<{ Querystring: { revoked?: string } }>('/api-keys', async (request, reply) => {
      const keys = await ctx.keys.listKeys(true);
      const revoked = keys.find((k) => k.id === request.query.revoked && k.revokedAt);
      return ctx.views.send(request, reply, 'pages/api-keys/index', {
        title: 'API keys',
        keys,
        revoked,
        now: new Date(),
      });
    });

    app.get<{ Querystring: { purpose?: string } }>('/api-keys/new', async (request, reply) => {
      const restored = await restoreForm(ctx.pool, request, reply, '/api-keys/new');
      // ?purpose=scim (the Sources page's "Create a SCIM key…") preselects a known purpose.
      const asked = PURPOSE_CHOICES.find(([v]) => v === request.query.purpose)?.[0];
      const form: KeyForm = { name: '', purpose: asked ?? UPLOAD_SCOPE, expiry: 'never', expiresOn: '' };
      if (restored) for (const f of FIELDS) form[f] = text(restored[f], 500);
      return formPage(request, reply, form, {}, { restored: restored !== undefined });
    });

    app.post<{ Body: Record<string, unknown> }>('/api-keys', async (request, reply) => {
      const b = request.body ?? {};
      const form: KeyForm = {
        name: text(b.name, 500),
        // A form without the field (a script, an old page) asks for what the portal always made: upload keys.
        purpose: text(b.purpose, 20) || UPLOAD_SCOPE,
        expiry: text(b.expiry, 10) || 'never',
        expiresOn: text(b.expiresOn, 40),
      };
      const active = (await ctx.keys.listKeys(false)).map((k) => k.name);
      const { errors, expiresAt } = checkKeyForm(form, active);
      if (hasErrors(errors)) return formPage(request, reply, form, errors);
      const admin = request.session!.admin;
      const created = await ctx.keys
        .createKey({ name: form.name.trim(), scopes: [form.purpose], expiresAt }, admin)
        .catch((err: unknown) => {
          // key-service's answers about the input become field errors; anything else is an error page.
          if (err instanceof ConflictError && err.code === 'API_KEY_NAME_TAKEN') return err;
          if (err instanceof ValidationError) return err;
          throw err;
        });
      if (created instanceof ConflictError) {
        return formPage(request, reply, form, {
          name: [
            `An active key is already called "${form.name.trim()}". Choose another name, or revoke that key first.`,
          ],
        });
      }
      if (created instanceof ValidationError) {
        const expiryField: Field = form.expiry === 'date' ? 'expiresOn' : 'expiry';
        const fieldOf = (path: unknown): Field => (String(path).startsWith('expires') ? expiryField : 'name');
        const details = created.details as Array<{ path?: unknown; message?: unknown }>;
        const fieldErrors: FieldErrors<Field> = {};
        for (const d of details.length ? details : [{ path: 'name', message: created.message }])
          addError(fieldErrors, fieldOf(d.path), String(d.message));
        return formPage(request, reply, form, fieldErrors);
      }
      const key = created.key!;
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'api_key.created',
        target: `api_key:${key.id}`,
        detail: {
          name: key.name,
          prefix: key.displayPrefix,
          scopes: key.scopes,
          expiresAt: key.expiresAt?.toISOString() ?? null,
        },
        ip: request.ip,
      });
      const ticket = await shownOnce.put(sessionOf(request), `api_key:${key.id}`, created.secret);
      return reply.redirect(`/api-keys/created/${ticket}`, 303);
    });

    // The secret's one showing. Reloads, the back button and other sessions get "already shown".
    app.get<{ Params: { ticket: string } }>('/api-keys/created/:ticket', async (request, reply) => {
      const opened = await shownOnce.take(sessionOf(request), request.params.ticket);
      void reply.header('cache-control', 'no-store, max-age=0').header('pragma', 'no-cache');
      const keyId = opened.state === 'gone' ? undefined : opened.subject.replace(/^api_key:/, '');
      const key = keyId ? (await ctx.keys.listKeys(true)).find((k) => k.id === keyId) : undefined;
      if (opened.state === 'show' && key) {
        return ctx.views.send(request, reply, 'pages/api-keys/created', {
          title: 'Your new API key',
          key,
          secret: opened.value,
        });
      }
      const data = {
        title: 'API key already shown',
        key,
        shownAt: opened.state === 'already_shown' ? opened.shownAt : null,
      };
      return ctx.views.send(request, reply, 'pages/api-keys/shown', data, opened.state === 'gone' ? 410 : 200);
    });

    app.get<{ Params: { id: string } }>('/api-keys/:id/revoke', async (request, reply) => {
      const key = await findKey(request.params.id);
      return ctx.views.send(request, reply, 'pages/api-keys/revoke', { title: 'Revoke API key', key });
    });

    app.post<{ Params: { id: string } }>('/api-keys/:id/revoke', async (request, reply) => {
      const key = await findKey(request.params.id);
      const revoked = await ctx.keys.revokeKey(key.id, request.session!.admin);
      await ctx.audit.write({
        actor: actorOf(request),
        action: 'api_key.revoked',
        target: `api_key:${key.id}`,
        detail: { name: key.name, prefix: key.displayPrefix, alreadyRevoked: key.revokedAt !== undefined },
        ip: request.ip,
      });
      return reply.redirect(`/api-keys?revoked=${encodeURIComponent(revoked?.id ?? key.id)}`, 303);
    });
  };
}
