/**
 * "Back to where you were" for error pages: the Referer when it is a page of this portal (the
 * portal sends Referrer-Policy: same-origin, so browsers give it only for our own pages), else the
 * list page of the section the failed address belongs to.
 */
import type { FastifyRequest } from 'fastify';

export interface BackLink {
  href: string;
  text: string;
}

/** Sections by path prefix, most specific first; the dashboard lists the runs. */
const SECTIONS: Array<[prefix: string, link: BackLink]> = [
  ['/runs', { href: '/', text: 'Back to the sync runs' }],
  ['/uploads', { href: '/uploads', text: 'Back to Upload a file' }],
  ['/control-file', { href: '/control-file', text: 'Back to the control file' }],
  ['/config', { href: '/config', text: 'Back to the configuration' }],
  ['/api-keys', { href: '/api-keys', text: 'Back to the API keys' }],
  ['/audit', { href: '/audit', text: 'Back to the audit log' }],
  ['/users', { href: '/', text: 'Back to the dashboard' }],
];

const DASHBOARD: BackLink = { href: '/', text: 'Back to the dashboard' };

/** The same-origin path of the Referer, or undefined (absent, another site, or not a URL). */
function sameOriginReferer(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  const host = request.headers.host;
  if (typeof referer !== 'string' || !host || referer.length > 2000) return undefined;
  try {
    const url = new URL(referer);
    if (url.host !== host || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
    const path = url.pathname + url.search;
    // Never back to the login page or to the very address that failed.
    if (path.startsWith('/login') || path === request.url) return undefined;
    return path;
  } catch {
    return undefined;
  }
}

/** Where the error page's link goes, for this request. */
export function backLink(request: FastifyRequest): BackLink {
  const referer = sameOriginReferer(request);
  if (referer) return { href: referer, text: 'Back to the previous page' };
  const path = request.url.split('?')[0] ?? '/';
  const section = SECTIONS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
  return section ? section[1] : DASHBOARD;
}
