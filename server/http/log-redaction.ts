import type { ChildLoggerOptions, Logger } from 'pino';
import { stdSerializers } from 'pino';

/**
 * What must never reach a log: session cookies (reusable by whoever reads the log), credentials,
 * and the secrets of signed URLs (their query string for S3, the token in the path for the local
 * store). Applied to every logger Polku uses (see `redactingLogger`), so module child loggers and
 * the request logger inherit it.
 */
export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization', 'x-amz-security-token']);
// Query parameters that make a URL a bearer credential (S3/CloudFront signatures and our own), and those of an
// OpenID Connect sign-in on its way (authorization code, state, nonce, PKCE challenge, a school's link code).
const SECRET_PARAMS =
  /^(x-amz-.*|signature|sig|token|expires|exp|policy|key-pair-id|awsaccesskeyid|x-goog-.*|code|state|nonce|code_challenge|link|id_token_hint)$/i;
// In free text: a sensitive query parameter (also inside a URL-encoded URL, once or twice encoded),
// a local signed-blob token, a session cookie.
const SECRET_PARAM_IN_TEXT =
  /((?:[?&;]|%3f|%26|%253f|%2526)(?:x-amz-[a-z0-9-]+|signature|sig|token|expires|exp|policy|key-pair-id|awsaccesskeyid|x-goog-[a-z0-9-]+|code|state|nonce|code_challenge|link|id_token_hint)(?:=|%3d|%253d))(?:(?!%26|%2526)[^&#\s"'<>])*/gi;
const BLOB_TOKEN_IN_TEXT = /((?:\/|%2f)api(?:\/|%2f)blobs(?:\/|%2f))[A-Za-z0-9_.~-]+/gi;
const COOKIE_IN_TEXT = /((?:polku\.sid|connect\.sid)=)[^;\s"',]*/gi;
// Issue 11 §3: a sign-in card's URL carries its code in the fragment (/card#<code>), which no request
// sends; but a URL can still be written into a message, a Referer by a careless client, or a log field.
const CARD_CODE_IN_TEXT = /((?:\/|%2f)card(?:#|%23|%2523))[A-Za-z0-9 -]+/gi;
// Issue 12 §4: a secret link's address is /s/<token>; the token opens the pupil's page to whoever reads it.
// Percent escapes too: the router decodes the path parameter, so `/s/%41…` opens the same page.
const SHARE_TOKEN_IN_TEXT = /((?:^|\/|%2f)s(?:\/|%2f))[A-Za-z0-9_%-]{16,}/gi;
/** Fields that hold a card code (the sign-in body's `cardCode`), replaced wherever they are logged. */
const SECRET_FIELDS = new Set(['cardcode']);
/**
 * Fields of an error that carry the data it was about rather than what went wrong: PostgreSQL's `detail`
 * ("Key (email)=(aino@…) already exists", "Failing row contains (…)"), `where` and a driver's bound
 * `parameters`; a request or response body (body-parser's `body` is the raw request), an HTTP client's
 * request, response and config; an OpenID Connect library's ID-token `claims`, token response, JWS or
 * `payload`; an SMTP server's `response` (it names the recipient). Dropped from every logged error,
 * however deep (`cause`, `errors`), keeping the message, type, code and stack.
 */
const ERROR_DATA_FIELDS = new Set([
  'detail',
  'where',
  'internalquery',
  'parameters',
  'params',
  'values',
  'bindings',
  'body',
  'rawbody',
  'data',
  'request',
  'response',
  'config',
  'claims',
  'payload',
  'jws',
  'jwt',
  'access_token',
  'id_token',
  'refresh_token',
  'token',
  'password',
  'secret',
]);

/** A string with every signed-URL secret and session cookie value replaced. */
export function scrubText(text: string): string {
  if (!/[?&;=%#]|\/api\/blobs\/|\/s\//i.test(text)) return text;
  return text
    .replace(SECRET_PARAM_IN_TEXT, `$1${REDACTED}`)
    .replace(BLOB_TOKEN_IN_TEXT, `$1${REDACTED}`)
    .replace(COOKIE_IN_TEXT, `$1${REDACTED}`)
    .replace(CARD_CODE_IN_TEXT, `$1${REDACTED}`)
    .replace(SHARE_TOKEN_IN_TEXT, `$1${REDACTED}`);
}

/** A URL (absolute or a request path) with the values of sensitive query parameters and blob tokens replaced. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q))
    .replace(BLOB_TOKEN_IN_TEXT, `$1${REDACTED}`)
    .replace(CARD_CODE_IN_TEXT, `$1${REDACTED}`)
    .replace(SHARE_TOKEN_IN_TEXT, `$1${REDACTED}`);
  if (q === -1) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is logged as it came.
      }
      return SECRET_PARAMS.test(decoded) ? `${name}=${REDACTED}` : scrubText(pair);
    })
    .join('&');
  return `${path}?${query}`;
}

function scrubHeaders(headers: unknown): Record<string, unknown> | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (SECRET_HEADERS.has(lower)) out[name] = REDACTED;
    else if (lower === 'location' || lower === 'referer' || lower === 'content-location') out[name] = typeof value === 'string' ? scrubUrl(value) : REDACTED;
    else out[name] = scrubValue(value, 1);
  }
  return out;
}

/** Plain data (serializer output, log fields) with secrets replaced; depth-limited, class instances left to serializers. */
function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const lower = k.toLowerCase();
    if (SECRET_HEADERS.has(lower) || SECRET_FIELDS.has(lower)) out[k] = REDACTED;
    else if (lower === 'headers') out[k] = scrubHeaders(v);
    else out[k] = scrubValue(v, depth + 1);
  }
  return out;
}

interface SerializedRequest {
  url?: string;
  headers?: unknown;
  query?: unknown;
  [key: string]: unknown;
}

/** Serializers for the request logger and every other logger: `req`, `res` and `err` without secrets. */
export const redactingSerializers = {
  req(req: SerializedRequest): SerializedRequest {
    return {
      ...req,
      ...(typeof req.url === 'string' ? { url: scrubUrl(req.url) } : {}),
      ...(req.headers ? { headers: scrubHeaders(req.headers) } : {}),
      ...(req.query ? { query: scrubQuery(req.query) } : {}),
    };
  },
  res(res: { headers?: unknown; [key: string]: unknown }) {
    return { ...res, ...(res.headers ? { headers: scrubHeaders(res.headers) } : {}) };
  },
  err(err: unknown): unknown {
    // The standard serializer's output has its own prototype: make it plain data to scrub it.
    const plain: unknown = err instanceof Error ? JSON.parse(JSON.stringify(stdSerializers.err(err))) : err;
    return scrubValue(withoutErrorData(plain, 0), 0);
  },
};

/** A serialized error without the fields that hold its data (ERROR_DATA_FIELDS); a `cause` that is not an error is data too. */
function withoutErrorData(value: unknown, depth: number): unknown {
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => withoutErrorData(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const lower = k.toLowerCase();
    if (ERROR_DATA_FIELDS.has(lower)) out[k] = REDACTED;
    else if (lower === 'cause' && !isSerializedError(v)) out[k] = REDACTED;
    else out[k] = withoutErrorData(v, depth + 1);
  }
  return out;
}

function isSerializedError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' && 'stack' in value;
}

function scrubQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, SECRET_PARAMS.test(k) ? REDACTED : scrubValue(v, 1)]));
}

/** Child-logger options that put the serializers and a scrub of every other logged field in place. */
export const redactingChildOptions: ChildLoggerOptions = {
  serializers: { ...redactingSerializers, error: redactingSerializers.err },
  formatters: {
    log(object: object) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(object)) {
        const lower = k.toLowerCase();
        // req, res and err are raw objects here; their serializers (above) run after this.
        if (lower === 'req' || lower === 'res' || lower === 'err' || lower === 'error') out[k] = v;
        else if (SECRET_HEADERS.has(lower) || SECRET_FIELDS.has(lower)) out[k] = REDACTED;
        else if (lower === 'headers') out[k] = scrubHeaders(v);
        else out[k] = scrubValue(v, 1);
      }
      return out;
    },
  },
};

/** The logger Polku uses everywhere: the given one, with redaction applied to it and all its children. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child({}, redactingChildOptions);
}
