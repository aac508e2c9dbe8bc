/**
 * Silence and mismatch alarms on the portal (issue 18): the dashboard's Alarms card loads /alarms with htmx
 * (the fragment); without htmx /alarms is a page of its own. The alarms are notify-worker's (schema notify),
 * read through notify-state like the run page's deliveries.
 */
import type { FastifyPluginAsync } from 'fastify';
import { listActiveAlarms, type AlarmKind } from '@usersync/notify-state';
import { isFragmentRequest } from '../htmx.js';
import type { RouteContext } from './route-context.js';

const TITLE: Record<AlarmKind, string> = {
  no_upload: 'No upload',
  no_success: 'No successful sync',
  count_mismatch: 'Counts do not match',
};

export function alarmsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/alarms', async (request, reply) => {
      const alarms = await listActiveAlarms(ctx.pool);
      const data = { title: 'Alarms', alarms, alarmTitle: (k: AlarmKind) => TITLE[k] };
      const view = isFragmentRequest(request, reply) ? 'partials/dashboard/alarms' : 'pages/alarms/index';
      return ctx.views.send(request, reply, view, data);
    });
  };
}
