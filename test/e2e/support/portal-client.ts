/**
 * The admin portal driven as a browser without JavaScript would: a cookie jar, the sign-in form with
 * its double-submit token, and confirm forms posted with the session's CSRF token.
 */

/** A signed-in portal session. */
export interface PortalSession {
  /** GETs a page; returns status and HTML. */
  get(path: string): Promise<{ status: number; html: string }>;
  /** Opens a confirm page (e.g. /runs/3/actions/apply) and submits its form; returns the redirect target. */
  confirm(path: string): Promise<{ status: number; location: string | null }>;
}

/** The hidden `_csrf` field of a rendered form; throws with the page when there is none. */
export function csrfFieldOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no _csrf field in the page:\n${html.slice(0, 2000)}`);
  return token;
}

/** Signs in at `baseUrl` with the seeded admin's email and password. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<PortalSession> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () =>
    [...jar]
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookie() },
    });
    keep(res);
    return res;
  };
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  const loginPage = await request('/login');
  const login = await request(
    '/login',
    form({ _csrf: csrfFieldOf(await loginPage.text()), email, password, next: '/' }),
  );
  if (login.status !== 303 && login.status !== 302) {
    throw new Error(`sign-in failed with ${login.status}: ${(await login.text()).slice(0, 1000)}`);
  }
  return {
    async get(path) {
      const res = await request(path);
      return { status: res.status, html: await res.text() };
    },
    async confirm(path) {
      const page = await request(path);
      const html = await page.text();
      if (page.status !== 200) throw new Error(`${path} answered ${page.status}: ${html.slice(0, 1000)}`);
      const res = await request(path, form({ _csrf: csrfFieldOf(html) }));
      if (res.status >= 400)
        throw new Error(`POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 1000)}`);
      return { status: res.status, location: res.headers.get('location') };
    },
  };
}
