import type { SchoolRole } from '../../../shared/roles.ts';

/** The presets: each knows its provider's claim shapes and what must be checked beyond the signature. */
export const SSO_PRESETS = ['mpassid', 'entra', 'google', 'oidc'] as const;
export type SsoPreset = (typeof SSO_PRESETS)[number];

/** What a roster key of a school may be matched on (roster_keys.kind, migration 0026). */
export const ROSTER_KEY_KINDS = ['sourced_id', 'learner_id', 'username', 'email'] as const;
export type RosterKeyKind = (typeof ROSTER_KEY_KINDS)[number];

/** The roles an account made at first sign-in may get: never admin. */
export type SsoRole = Exclude<SchoolRole, 'admin'>;
const SSO_ROLES: readonly SsoRole[] = ['pupil', 'teacher', 'guardian'];

export interface SsoProviderConfig {
  /** Lower-case id from SSO_PROVIDERS; part of the sign-in URL and of the per-school settings. */
  readonly id: string;
  readonly preset: SsoPreset;
  readonly label: string;
  /** Where discovery starts (`<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly scopes: string;
  /** Entra ID: tenant ids (`tid`) allowed to sign in. */
  readonly allowedTenants: readonly string[];
  /** Google Workspace: hosted domains (`hd`) allowed to sign in. */
  readonly allowedDomains: readonly string[];
  /** The claim whose value is looked up among the school's roster keys of `rosterKey` kind. */
  readonly rosterClaim: string;
  readonly rosterKey: RosterKeyKind;
  /** MPASSid: the structured role claim (`providerOID;schoolCode;group;role;…`, one or many). */
  readonly roleClaim: string;
  /** Whether the claims are read from the userinfo endpoint too (MPASSid releases its attributes there, not in the ID token). */
  readonly userinfo: boolean;
  /** Claim listing the user's groups, and which group value gives which role (first sign-in creation). */
  readonly groupsClaim: string;
  readonly groupRoles: ReadonlyMap<string, SsoRole>;
  /** Claim with the school code (schools.code) for first sign-in creation; MPASSid takes it from the role claim. */
  readonly schoolClaim: string | undefined;
}

export interface SsoConfig {
  readonly providers: readonly SsoProviderConfig[];
}

/**
 * MPASSid's attribute names, as its OIDC integration releases them (from the userinfo endpoint) and its
 * SAML integration names them: the person's names, the national learner id and the structured role.
 */
export const MPASSID_CLAIMS = {
  givenName: 'urn:oid:2.5.4.42',
  familyName: 'urn:oid:2.5.4.4',
  nickname: 'urn:mpass.id:nickname',
  learnerId: 'urn:oid:1.3.6.1.4.1.16161.1.1.27',
  role: 'urn:mpass.id:role',
} as const;

const DEFAULT_LABELS: Record<SsoPreset, string> = { mpassid: 'MPASSid', entra: 'Microsoft', google: 'Google', oidc: 'OpenID Connect' };
const DEFAULT_ROSTER: Record<SsoPreset, { claim: string; key: RosterKeyKind }> = {
  // The national learner id (Funet EDU learner ID, the oppijanumero) stays when a pupil moves school
  // register; MPASSid's user id (`urn:mpass.id:uid`) does not.
  mpassid: { claim: MPASSID_CLAIMS.learnerId, key: 'learner_id' },
  entra: { claim: 'preferred_username', key: 'username' },
  google: { claim: 'email', key: 'email' },
  oidc: { claim: 'preferred_username', key: 'username' },
};
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The providers named by SSO_PROVIDERS, each configured by SSO_<ID>_* variables (see the README table).
 * Problems are returned, not thrown, so that start-up lists them beside every other configuration problem.
 */
export function ssoConfigFrom(source: NodeJS.ProcessEnv): { config: SsoConfig; problems: string[] } {
  const problems: string[] = [];
  const providers: SsoProviderConfig[] = [];
  const ids = list(source.SSO_PROVIDERS).map((s) => s.toLowerCase());
  const seen = new Set<string>();
  for (const id of ids) {
    if (!ID_PATTERN.test(id)) {
      problems.push(`SSO_PROVIDERS: "${id}" must be 1 to 40 lower-case letters, digits, - or _`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`SSO_PROVIDERS: "${id}" is listed twice`);
      continue;
    }
    seen.add(id);
    const prefix = `SSO_${id.toUpperCase().replace(/-/g, '_')}_`;
    const get = (name: string) => {
      const value = source[prefix + name]?.trim();
      return value ? value : undefined;
    };
    const presetRaw = (get('PRESET') ?? 'oidc').toLowerCase();
    if (!(SSO_PRESETS as readonly string[]).includes(presetRaw)) {
      problems.push(`${prefix}PRESET: use one of ${SSO_PRESETS.join(', ')}`);
      continue;
    }
    const preset = presetRaw as SsoPreset;
    const allowedTenants = list(get('ALLOWED_TENANTS')).map((t) => t.toLowerCase());
    const allowedDomains = list(get('ALLOWED_DOMAINS')).map((d) => d.toLowerCase());
    let issuer = get('ISSUER');
    if (!issuer && preset === 'google') issuer = 'https://accounts.google.com';
    if (!issuer && preset === 'entra') {
      // One tenant: that tenant's issuer. Several: the multi-tenant endpoint; openid-client checks each
      // token's issuer against its own tenant, and the allow-list below decides which tenants may come in.
      issuer =
        allowedTenants.length === 1 ? `https://login.microsoftonline.com/${allowedTenants[0]}/v2.0` : 'https://login.microsoftonline.com/organizations/v2.0';
    }
    if (!issuer) problems.push(`${prefix}ISSUER: required (the provider's issuer URL)`);
    else if (!isIssuerUrl(issuer)) problems.push(`${prefix}ISSUER: must be an https URL (http only for localhost)`);
    const clientId = get('CLIENT_ID');
    if (!clientId) problems.push(`${prefix}CLIENT_ID: required`);
    if (preset === 'entra' && allowedTenants.length === 0) problems.push(`${prefix}ALLOWED_TENANTS: required for Entra ID (tenant ids that may sign in)`);
    if (preset === 'google' && allowedDomains.length === 0)
      problems.push(`${prefix}ALLOWED_DOMAINS: required for Google Workspace (hosted domains that may sign in)`);
    const rosterKey = (get('ROSTER_KEY') ?? DEFAULT_ROSTER[preset].key) as RosterKeyKind;
    if (!(ROSTER_KEY_KINDS as readonly string[]).includes(rosterKey)) problems.push(`${prefix}ROSTER_KEY: use one of ${ROSTER_KEY_KINDS.join(', ')}`);
    const groupRoles = new Map<string, SsoRole>();
    for (const pair of (get('GROUP_ROLES') ?? '').split(';').filter((s) => s.trim())) {
      const eq = pair.lastIndexOf('=');
      const group = pair.slice(0, eq).trim();
      const role = pair.slice(eq + 1).trim() as SsoRole;
      if (eq <= 0 || !group || !SSO_ROLES.includes(role)) {
        problems.push(`${prefix}GROUP_ROLES: "${pair.trim()}" must be group=role, role one of ${SSO_ROLES.join(', ')} (never admin)`);
        continue;
      }
      groupRoles.set(group, role);
    }
    const userinfoRaw = get('USERINFO')?.toLowerCase();
    const userinfo = userinfoRaw === undefined ? undefined : userinfoRaw === 'true' ? true : userinfoRaw === 'false' ? false : null;
    if (userinfo === null) problems.push(`${prefix}USERINFO: use true or false`);
    if (!issuer || !clientId) continue;
    providers.push({
      id,
      preset,
      label: get('LABEL') ?? DEFAULT_LABELS[preset],
      issuer: issuer.replace(/\/+$/, ''),
      clientId,
      clientSecret: get('CLIENT_SECRET'),
      scopes: get('SCOPES') ?? 'openid profile email',
      allowedTenants,
      allowedDomains,
      rosterClaim: get('ROSTER_CLAIM') ?? DEFAULT_ROSTER[preset].claim,
      rosterKey,
      roleClaim: get('ROLE_CLAIM') ?? MPASSID_CLAIMS.role,
      userinfo: userinfo ?? preset === 'mpassid',
      groupsClaim: get('GROUPS_CLAIM') ?? 'groups',
      groupRoles,
      schoolClaim: get('SCHOOL_CLAIM'),
    });
  }
  return { config: Object.freeze({ providers: Object.freeze(providers) }), problems };
}

/** https, or http to this machine only (trying SSO locally, tests). */
export function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && isLocalHost(url.hostname);
  } catch {
    return false;
  }
}

export function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
