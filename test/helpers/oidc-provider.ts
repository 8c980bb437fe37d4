import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Provider (npm oidc-provider) for sign-in tests: authorization-code flow with PKCE required,
 * its development login and consent pages (any account id signs in), ID tokens carrying each account's claims.
 * `useForeignKeys(true)` makes its JWKS endpoint publish a key it does not sign with (a signature with an unknown key).
 */
export interface TestOp {
  readonly issuer: string;
  /** Starts answering as a provider (redirect URIs are known only once the app under test has its address). */
  serve(options: { accounts: Record<string, Record<string, unknown>>; clients: TestOpClient[] }): void;
  useForeignKeys(on: boolean): void;
  close(): Promise<void>;
}

export interface TestOpClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  /** Seconds an authorization code lives (default 60). */
  codeTtl?: number;
}

/**
 * Claims every test account may carry, granted with the openid scope. MPASSid's (`urn:…`) are released only
 * from the userinfo endpoint, never in the ID token, as MPASSid does.
 */
const MPASSID_ATTRIBUTES = ['urn:mpass.id:role', 'urn:oid:1.3.6.1.4.1.16161.1.1.27', 'urn:oid:2.5.4.42', 'urn:oid:2.5.4.4', 'urn:mpass.id:nickname'];
const EXTRA_CLAIMS = ['tid', 'hd', 'groups', 'school', 'preferred_username', ...MPASSID_ATTRIBUTES];
const userinfoOnly = (use: string, claims: Record<string, unknown>) =>
  use === 'userinfo' ? claims : Object.fromEntries(Object.entries(claims).filter(([name]) => !name.startsWith('urn:')));

const privateJwk = () => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: randomBytes(6).toString('hex'),
  use: 'sig',
  alg: 'RS256',
});

export async function startTestOp(): Promise<TestOp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const foreign = {
    keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'foreign', use: 'sig', alg: 'RS256' }],
  };
  let foreignKeys = false;
  let handle: ((req: IncomingMessage, res: ServerResponse) => unknown) | null = null;
  server.on('request', (req, res) => {
    if (foreignKeys && req.url?.startsWith('/jwks')) {
      res.setHeader('content-type', 'application/jwk-set+json');
      res.end(JSON.stringify(foreign));
      return;
    }
    if (!handle) {
      res.statusCode = 503;
      res.end();
      return;
    }
    void handle(req, res);
  });
  return {
    issuer,
    serve(options) {
      handle = providerFor(issuer, options).callback();
    },
    useForeignKeys: (on) => {
      foreignKeys = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function providerFor(issuer: string, options: { accounts: Record<string, Record<string, unknown>>; clients: TestOpClient[] }): Provider {
  const ttlByClient = new Map(options.clients.map((c) => [c.client_id, c.codeTtl ?? 60]));
  const provider = new Provider(issuer, {
    clients: options.clients.map(({ codeTtl: _ttl, ...c }) => ({
      ...c,
      token_endpoint_auth_method: c.client_secret ? 'client_secret_post' : 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      post_logout_redirect_uris: c.redirect_uris.map((u) => new URL('/sign-in', u).href),
    })),
    jwks: { keys: [privateJwk()] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true, methods: ['S256'] },
    conformIdTokenClaims: false,
    claims: { openid: ['sub', ...EXTRA_CLAIMS], profile: ['name', 'given_name', 'family_name'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    ttl: { AuthorizationCode: (_ctx: unknown, _token: unknown, client: { clientId: string }) => ttlByClient.get(client.clientId) ?? 60 },
    async findAccount(_ctx: unknown, id: string) {
      const claims = options.accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async (use: string) => ({ sub: id, ...userinfoOnly(use, claims) }) };
    },
  });
  provider.on('server_error', () => undefined);
  return provider;
}

/** A browser's visit at the provider, with its own cookies: follows redirects, signs in as `login` and consents on the development pages. */
export async function passThroughOp(authorizationUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      // Back at the relying party: the caller decides what to do with the answer.
      if (next.origin !== new URL(authorizationUrl).origin) return next.href;
      url = next.href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`the provider answered ${res.status} without a form: ${html.slice(0, 300)}`);
    url = new URL(action, url).href;
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('too many redirects at the provider');
}
