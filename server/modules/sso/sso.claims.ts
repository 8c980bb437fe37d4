import { MPASSID_CLAIMS, type RosterKeyKind, type SsoProviderConfig, type SsoRole } from './sso.config.ts';

/** Why a sign-in through a provider was refused; the sign-in page shows a message for each. */
export const SSO_REFUSALS = [
  'failed',
  'not_allowed',
  'unknown_user',
  'no_school',
  'no_role',
  'ambiguous',
  'not_enabled',
  'admin',
  'rate_limited',
  'cancelled',
  'not_guardian',
  'invitation_invalid',
  'invitation_expired',
  'invitation_used',
] as const;
export type SsoRefusalCode = (typeof SSO_REFUSALS)[number];

export class SsoRefusal extends Error {
  constructor(
    readonly code: SsoRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'SsoRefusal';
  }
}

export type Claims = Readonly<Record<string, unknown>>;

/** What a provider's checked ID token says about the person, in Polku's terms. */
export interface SignInClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly displayName: string;
  /** Only for adults' accounts; a pupil's e-mail is never stored from a provider. */
  readonly email: string | null;
  /** The roster key this provider is matched on, when the token carries it. */
  readonly rosterKey: { readonly kind: RosterKeyKind; readonly value: string } | null;
  /** Where and as whom an account may be created at first sign-in, as the claims say (each school code with its role). */
  readonly placements: ReadonlyArray<{ readonly schoolCode: string | null; readonly role: SsoRole }>;
}

const MPASSID_ROLES: Record<string, SsoRole> = { oppilas: 'pupil', elev: 'pupil', opettaja: 'teacher', lärare: 'teacher' };

const text = (value: unknown, max = 255): string | null => (typeof value === 'string' && value.trim() && value.length <= max ? value.trim() : null);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).map((v) => text(v, 1000)).filter((v): v is string => v !== null);

/**
 * Reads a provider's claims (the ID token, already checked by openid-client for signature, issuer,
 * audience, expiry and nonce) and applies the preset's own rules: Entra ID's tenant allow-list, Google
 * Workspace's hosted-domain allow-list with a verified e-mail. Throws SsoRefusal when the person may not come in.
 */
export function readClaims(provider: SsoProviderConfig, claims: Claims): SignInClaims {
  const issuer = text(claims.iss, 500);
  const subject = text(claims.sub);
  if (!issuer || !subject) throw new SsoRefusal('failed', 'The provider did not say who signed in.');
  if (provider.preset === 'entra') {
    const tid = text(claims.tid)?.toLowerCase();
    if (!tid || !provider.allowedTenants.includes(tid)) throw new SsoRefusal('not_allowed', 'This Microsoft organisation may not sign in to Polku.');
  }
  if (provider.preset === 'google') {
    const hd = text(claims.hd)?.toLowerCase();
    if (!hd || !provider.allowedDomains.includes(hd)) throw new SsoRefusal('not_allowed', 'This Google domain may not sign in to Polku.');
    if (claims.email_verified !== true) throw new SsoRefusal('not_allowed', 'The Google account has no verified e-mail address.');
  }
  const mpassid = provider.preset === 'mpassid';
  // MPASSid names people by its attribute names; the calling name (nickname) before the official first name.
  const given = text(claims.given_name) ?? (mpassid ? (text(claims[MPASSID_CLAIMS.nickname]) ?? text(claims[MPASSID_CLAIMS.givenName])) : null);
  const family = text(claims.family_name) ?? (mpassid ? text(claims[MPASSID_CLAIMS.familyName]) : null);
  const displayName = text(claims.name) ?? ([given, family].filter(Boolean).join(' ') || null) ?? text(claims.preferred_username) ?? 'Polku';
  const rosterValue = text(claims[provider.rosterClaim]);
  const normalised = rosterValue && (provider.rosterKey === 'email' || provider.rosterKey === 'username') ? rosterValue.toLowerCase() : rosterValue;
  // An e-mail is a roster key only when the provider vouches for it (email_verified true; Google's is checked
  // above): many providers let people type any address and send no email_verified at all (attack review 11).
  const rosterKey = normalised && !(provider.rosterKey === 'email' && claims.email_verified !== true) ? { kind: provider.rosterKey, value: normalised } : null;
  const placements = provider.preset === 'mpassid' ? mpassidPlacements(provider, claims) : groupPlacements(provider, claims);
  const adult = placements.length > 0 && placements.every((p) => p.role !== 'pupil');
  const email = adult && claims.email_verified !== false ? text(claims.email) : null;
  return { issuer, subject, displayName: displayName.slice(0, 200), email, rosterKey, placements };
}

/** MPASSid's structured roles, `providerOID;schoolCode;group;role;roleCode;institutionOID;officeOID`: roles Polku does not know are left out (never admin). */
function mpassidPlacements(provider: SsoProviderConfig, claims: Claims): SignInClaims['placements'] {
  const out: Array<{ schoolCode: string | null; role: SsoRole }> = [];
  for (const value of texts(claims[provider.roleClaim])) {
    const parts = value.split(';').map((p) => p.trim());
    if (parts.length < 4) continue;
    const schoolCode = parts[1] || null;
    const role = MPASSID_ROLES[(parts[3] ?? '').toLowerCase()];
    if (schoolCode && role) out.push({ schoolCode, role });
  }
  return out;
}

/** Other providers: the configured group → role mapping, with the school from the configured school claim (or none). */
function groupPlacements(provider: SsoProviderConfig, claims: Claims): SignInClaims['placements'] {
  const roles = new Set<SsoRole>();
  for (const group of texts(claims[provider.groupsClaim])) {
    const role = provider.groupRoles.get(group);
    if (role) roles.add(role);
  }
  const schoolCode = provider.schoolClaim ? text(claims[provider.schoolClaim]) : null;
  return [...roles].map((role) => ({ schoolCode, role }));
}

/**
 * A guardian's own account at a provider (issue 11 §4): only who it is, the name and a verified e-mail. The
 * tenant and domain allow-lists are the schools' organisations, for pupils and staff; a guardian's Google or
 * Microsoft account is their own, and the invitation (or the link it made) is what lets them in.
 */
export function readGuardianClaims(claims: Claims): { issuer: string; subject: string; displayName: string; email: string | null } {
  const issuer = text(claims.iss, 500);
  const subject = text(claims.sub);
  if (!issuer || !subject) throw new SsoRefusal('failed', 'The provider did not say who signed in.');
  const given = text(claims.given_name);
  const family = text(claims.family_name);
  const displayName = text(claims.name) ?? ([given, family].filter(Boolean).join(' ') || null) ?? text(claims.preferred_username) ?? 'Polku';
  const email = claims.email_verified === true ? text(claims.email, 254) : null;
  return { issuer, subject, displayName: displayName.slice(0, 200), email };
}
