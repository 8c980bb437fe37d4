import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/polku-sso-config-test', DEMO: 'false' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('school sign-in configuration', () => {
  it('has no providers unless SSO_PROVIDERS names them', () => {
    expect(loadConfig(base).sso.providers).toEqual([]);
  });

  it('reads each preset with its defaults', () => {
    const config = loadConfig({
      ...base,
      SSO_PROVIDERS: 'mpassid, entra,google',
      SSO_MPASSID_PRESET: 'mpassid',
      SSO_MPASSID_ISSUER: 'https://mpass.example.fi/',
      SSO_MPASSID_CLIENT_ID: 'polku',
      SSO_ENTRA_PRESET: 'entra',
      SSO_ENTRA_CLIENT_ID: 'app',
      SSO_ENTRA_ALLOWED_TENANTS: 'T1',
      SSO_ENTRA_GROUP_ROLES: 'abc=teacher;def=pupil',
      SSO_GOOGLE_PRESET: 'google',
      SSO_GOOGLE_CLIENT_ID: 'g',
      SSO_GOOGLE_ALLOWED_DOMAINS: 'Koulu.Example.FI',
    });
    const [mpassid, entra, google] = config.sso.providers;
    expect(mpassid).toMatchObject({
      id: 'mpassid',
      issuer: 'https://mpass.example.fi',
      rosterKey: 'learner_id',
      rosterClaim: 'urn:oid:1.3.6.1.4.1.16161.1.1.27',
      roleClaim: 'urn:mpass.id:role',
      userinfo: true,
      label: 'MPASSid',
    });
    expect(entra).toMatchObject({ issuer: 'https://login.microsoftonline.com/t1/v2.0', allowedTenants: ['t1'], userinfo: false });
    expect([...(entra?.groupRoles ?? [])]).toEqual([
      ['abc', 'teacher'],
      ['def', 'pupil'],
    ]);
    expect(google).toMatchObject({ issuer: 'https://accounts.google.com', allowedDomains: ['koulu.example.fi'], rosterKey: 'email' });
  });

  it('lists every problem at once, and never maps a group to admin', () => {
    const found = problems({
      SSO_PROVIDERS: 'Bad Id,entra,google,plain,plain',
      SSO_ENTRA_PRESET: 'entra',
      SSO_ENTRA_CLIENT_ID: 'x',
      SSO_GOOGLE_PRESET: 'google',
      SSO_PLAIN_ISSUER: 'http://idp.example.com',
      SSO_PLAIN_GROUP_ROLES: 'staff=admin',
      SSO_PLAIN_USERINFO: 'yes',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SSO_PROVIDERS: "bad id"/),
        expect.stringMatching(/^SSO_ENTRA_ALLOWED_TENANTS: required/),
        expect.stringMatching(/^SSO_GOOGLE_ALLOWED_DOMAINS: required/),
        expect.stringMatching(/^SSO_GOOGLE_CLIENT_ID: required/),
        expect.stringMatching(/^SSO_PLAIN_ISSUER: must be an https URL/),
        expect.stringMatching(/^SSO_PLAIN_CLIENT_ID: required/),
        expect.stringMatching(/^SSO_PLAIN_GROUP_ROLES: "staff=admin"/),
        expect.stringMatching(/^SSO_PROVIDERS: "plain" is listed twice/),
        expect.stringMatching(/^SSO_PLAIN_USERINFO: use true or false/),
      ]),
    );
  });
});
