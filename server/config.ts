import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PUSH_ENDPOINT_HOSTS } from './modules/push/push-endpoint.ts';
import { ssoConfigFrom, type SsoConfig } from './modules/sso/sso.config.ts';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const booleanFlag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
);

/** Every environment variable Polku reads. The README's configuration table mirrors this schema. */
const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ message: 'must be an absolute URL such as https://polku.example.fi' }).optional()),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must start with postgres:// or postgresql://' })
      .optional(),
  ),
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  S3_ENDPOINT: z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as http://localhost:9000' }).optional()),
  S3_BUCKET: optionalString,
  S3_PUBLIC_ENDPOINT: z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as http://localhost:9000' }).optional()),
  S3_REGION: z.preprocess(emptyToUndefined, z.string().default('us-east-1')),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: booleanFlag,
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  SESSION_MAX_AGE_HOURS: z.preprocess(emptyToUndefined, z.coerce.number().positive().default(12)),
  SESSION_CACHE_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(60_000).default(2000)),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, { message: 'must start with redis://' })
      .optional(),
  ),
  REALTIME_ADAPTER: z.preprocess(emptyToUndefined, z.enum(['none', 'postgres', 'redis']).optional()),
  // Also a PostgreSQL LISTEN channel name (at most 63 bytes with the adapter's suffix, inside double quotes).
  REALTIME_CHANNEL_PREFIX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,40}$/, { message: 'use 1 to 40 letters, digits, dots, colons, dashes or underscores' })
      .optional(),
  ),
  DEMO: booleanFlag,
  MEDIA_MAX_IMAGE_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(10_000).default(40)),
  MEDIA_MAX_AUDIO_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(10_000).default(100)),
  MEDIA_MAX_VIDEO_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(10_000).default(1000)),
  MEDIA_MAX_FILE_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(10_000).default(100)),
  EXPORT_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(3650).default(7)),
  IMPORT_MAX_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(100_000).default(1024)),
  FFMPEG_PATH: z.preprocess(emptyToUndefined, z.string().default('ffmpeg')),
  MEDIA_MAX_TRANSCODE_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(600).default(20)),
  MEDIA_MAX_WAITING_TRANSCODES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(100).default(4)),
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(true|false|\d{1,2}|[0-9a-zA-Z.:/_,\s-]+)$/, { message: 'use a number of proxy hops, true, false, or comma-separated proxy addresses' })
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  // Issue 11 §4–5: outgoing e-mail (guardian invitations, password reset). Unset SMTP_HOST: no e-mail.
  SMTP_HOST: optionalString,
  SMTP_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(587)),
  SMTP_SECURE: booleanFlag,
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().max(300).optional()),
  INVITATION_VALID_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(365).default(30)),
  PASSWORD_RESET_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 60)
      .default(30),
  ),
  // Issue 12 §5: the weekly guardian digest (its send day and time in each school's time zone) and Web Push.
  DIGEST_SEND_DAY: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1, { message: 'use 1 (Monday) to 7 (Sunday)' }).max(7, { message: 'use 1 (Monday) to 7 (Sunday)' }).default(5),
  ),
  DIGEST_SEND_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'use HH:MM, such as 15:00' })
      .default('15:00'),
  ),
  DIGEST_CHECK_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(86_400).default(60)),
  VAPID_PUBLIC_KEY: optionalString,
  VAPID_PRIVATE_KEY: optionalString,
  VAPID_SUBJECT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(mailto:|https:\/\/)/, { message: 'must start with mailto: or https://' })
      .optional(),
  ),
  PUSH_ENDPOINT_HOSTS: optionalString,
});

export type Env = z.infer<typeof envSchema>;

const MB = 1024 * 1024;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly database: { readonly kind: 'pglite'; readonly dir: string | null } | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };
  readonly storage:
    | { readonly kind: 'local'; readonly dir: string }
    | {
        readonly kind: 's3';
        readonly endpoint: string | undefined;
        readonly bucket: string;
        readonly region: string;
        readonly accessKeyId: string | undefined;
        readonly secretAccessKey: string | undefined;
        readonly forcePathStyle: boolean;
        readonly publicEndpoint?: string | undefined;
      };
  readonly sessionSecret: string;
  readonly sessionMaxAgeMs: number;
  /** How long a process may reuse a session and its user's facts without reading them again (0: never). */
  readonly sessionCacheMs: number;
  readonly secureCookies: boolean;
  readonly realtimeAdapter: { readonly kind: 'none' } | { readonly kind: 'postgres' } | { readonly kind: 'redis'; readonly url: string };
  /** Prefix of the adapter's Redis or PostgreSQL channels: deployments sharing one Redis or database never hear each other. */
  readonly realtimeChannelPrefix: string;
  /** Seed the demo school on first start and allow the demo password. On by default on embedded storage. */
  readonly demo: boolean;
  readonly logLevel: Env['LOG_LEVEL'];
  /** Express's `trust proxy`: which proxies may tell the client's address (hops, a boolean, or addresses). */
  readonly trustProxy: boolean | number | string;
  readonly media: {
    /** Per-kind upload limits in bytes (checked after the content is sniffed). */
    readonly maxBytes: { readonly image: number; readonly audio: number; readonly video: number; readonly file: number };
    /** ffmpeg for audio and video; when it cannot run, those are stored as plain files (see README). */
    readonly ffmpegPath: string;
    /** The longest recording that is converted when browsers cannot play it as sent. */
    readonly maxTranscodeSeconds: number;
    readonly maxWaitingTranscodes: number;
    /** Where uploads land before they are processed. */
    readonly tmpDir: string;
  };
  readonly portability: {
    /** How long a finished export archive (and an import's record) is kept before the sweep deletes it. */
    readonly retentionMs: number;
    /** The largest archive that may be uploaded for import. */
    readonly importMaxBytes: number;
  };
  /** Issue 11 §4–5: outgoing e-mail; `smtp` null when none is configured (printed letters and admin resets then). */
  readonly mail: {
    readonly smtp: { readonly host: string; readonly port: number; readonly secure: boolean; readonly user?: string; readonly password?: string } | null;
    readonly from: string;
    readonly invitationValidMs: number;
    readonly passwordResetMs: number;
  };
  /** School sign-in through OpenID Connect providers (SSO_PROVIDERS and SSO_<ID>_*; issue 11). */
  readonly sso: SsoConfig;
  /** Issue 12 §5: when the weekly digest goes out (ISO weekday 1–7 and minute of the day, school-local); how often each process looks (0: never, tests). */
  readonly digest: { readonly sendDay: number; readonly sendMinute: number; readonly checkMs: number };
  /** Issue 12 §5: Web Push. Keys from the environment, or made on first start in the data folder (keys null). */
  readonly push: { readonly publicKey: string | null; readonly privateKey: string | null; readonly subject: string; readonly endpointHosts: readonly string[] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Polku cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse the environment once. Start-up fails with every problem listed, not just the first,
 * so that an operator fixes the configuration in one go.
 */
export function loadConfig(source: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  problems.push(...crossFieldProblems(source));
  const sso = ssoConfigFrom(source);
  problems.push(...sso.problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';

  const dataDir = path.resolve(env.DATA_DIR);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const embedded = !env.DATABASE_URL;
  const realtimeKind = env.REALTIME_ADAPTER ?? (env.REDIS_URL ? 'redis' : 'none');

  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    dataDir,
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { kind: 'pglite' as const, dir: path.join(dataDir, 'db') },
    storage: env.S3_BUCKET
      ? {
          kind: 's3' as const,
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          accessKeyId: env.S3_ACCESS_KEY_ID,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
          publicEndpoint: env.S3_PUBLIC_ENDPOINT,
        }
      : { kind: 'local' as const, dir: path.join(dataDir, 'media') },
    sessionSecret: env.SESSION_SECRET ?? persistentSecret(dataDir),
    sessionMaxAgeMs: env.SESSION_MAX_AGE_HOURS * 3600_000,
    sessionCacheMs: env.SESSION_CACHE_MS,
    secureCookies: production || publicUrl.startsWith('https://'),
    realtimeAdapter:
      realtimeKind === 'redis'
        ? { kind: 'redis' as const, url: env.REDIS_URL ?? '' }
        : realtimeKind === 'postgres'
          ? { kind: 'postgres' as const }
          : { kind: 'none' as const },
    realtimeChannelPrefix: env.REALTIME_CHANNEL_PREFIX ?? defaultChannelPrefix(publicUrl),
    demo: env.DEMO ?? (embedded && !production),
    logLevel: env.LOG_LEVEL,
    trustProxy: trustProxyValue(env.TRUST_PROXY),
    media: {
      maxBytes: {
        image: Math.round(env.MEDIA_MAX_IMAGE_MB * MB),
        audio: Math.round(env.MEDIA_MAX_AUDIO_MB * MB),
        video: Math.round(env.MEDIA_MAX_VIDEO_MB * MB),
        file: Math.round(env.MEDIA_MAX_FILE_MB * MB),
      },
      ffmpegPath: env.FFMPEG_PATH,
      maxTranscodeSeconds: Math.round(env.MEDIA_MAX_TRANSCODE_MINUTES * 60),
      maxWaitingTranscodes: env.MEDIA_MAX_WAITING_TRANSCODES,
      tmpDir: path.join(dataDir, 'tmp'),
    },
    portability: {
      retentionMs: Math.round(env.EXPORT_RETENTION_DAYS * 24 * 3600_000),
      importMaxBytes: Math.round(env.IMPORT_MAX_MB * MB),
    },
    mail: {
      smtp: env.SMTP_HOST
        ? {
            host: env.SMTP_HOST,
            port: env.SMTP_PORT,
            secure: env.SMTP_SECURE ?? env.SMTP_PORT === 465,
            ...(env.SMTP_USER ? { user: env.SMTP_USER, password: env.SMTP_PASSWORD ?? '' } : {}),
          }
        : null,
      from: env.MAIL_FROM ?? `Polku <no-reply@${new URL(publicUrl).hostname}>`,
      invitationValidMs: Math.round(env.INVITATION_VALID_DAYS * 24 * 3600_000),
      passwordResetMs: Math.round(env.PASSWORD_RESET_MINUTES * 60_000),
    },
    sso: sso.config,
    digest: {
      sendDay: env.DIGEST_SEND_DAY,
      sendMinute: Number(env.DIGEST_SEND_TIME.slice(0, 2)) * 60 + Number(env.DIGEST_SEND_TIME.slice(3, 5)),
      checkMs: env.DIGEST_CHECK_SECONDS * 1000,
    },
    push: {
      publicKey: env.VAPID_PUBLIC_KEY ?? null,
      privateKey: env.VAPID_PRIVATE_KEY ?? null,
      subject: env.VAPID_SUBJECT ?? (publicUrl.startsWith('https://') ? publicUrl : `mailto:no-reply@${new URL(publicUrl).hostname}`),
      endpointHosts: env.PUSH_ENDPOINT_HOSTS
        ? env.PUSH_ENDPOINT_HOSTS.split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean)
        : DEFAULT_PUSH_ENDPOINT_HOSTS,
    },
  });
}

function trustProxyValue(raw: string | undefined): boolean | number | string {
  // Unset: trust no proxy. Trusting one by default would let anyone reaching Polku directly pick their own
  // address with X-Forwarded-For, and so escape the sign-in limits.
  if (raw === undefined) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(',');
}

/** Rules between variables, checked on the raw values so that they are listed beside any other problem. */
function crossFieldProblems(source: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (source[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('S3_ENDPOINT') && !set('S3_BUCKET')) problems.push('S3_BUCKET: required when S3_ENDPOINT is set');
  if (set('S3_ACCESS_KEY_ID') !== set('S3_SECRET_ACCESS_KEY')) problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
  if (source.NODE_ENV === 'production' && !set('SESSION_SECRET')) problems.push('SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)');
  if (source.REALTIME_ADAPTER === 'redis' && !set('REDIS_URL')) problems.push('REDIS_URL: required when REALTIME_ADAPTER=redis');
  if (source.REALTIME_ADAPTER === 'postgres' && !set('DATABASE_URL')) problems.push('DATABASE_URL: required when REALTIME_ADAPTER=postgres');
  if (set('SMTP_USER') !== set('SMTP_PASSWORD')) problems.push('SMTP_USER and SMTP_PASSWORD: set both or neither');
  if (set('VAPID_PUBLIC_KEY') !== set('VAPID_PRIVATE_KEY')) problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither');
  return problems;
}

/** One deployment, one address: a short digest of PUBLIC_URL keeps channel names short and free of URL characters. */
export function defaultChannelPrefix(publicUrl: string): string {
  return `polku-${createHash('sha256').update(publicUrl).digest('hex').slice(0, 16)}`;
}

/** In embedded mode a missing secret is generated once and kept in the data folder, so sessions survive restarts. */
function persistentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
