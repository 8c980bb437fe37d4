import * as oidc from 'openid-client';
import { isLocalHost, type SsoProviderConfig } from './sso.config.ts';
import { SsoRefusal, type Claims } from './sso.claims.ts';

/**
 * The relying party, through openid-client (OpenID certified): discovery, authorization-code flow with
 * PKCE, state and nonce, and the provider's signing keys fetched (and fetched again when they rotate)
 * by the library. One discovered configuration per provider, made on first use and again after a failure.
 */
export function oidcClients(providers: readonly SsoProviderConfig[]) {
  const configurations = new Map<string, Promise<oidc.Configuration>>();

  function configuration(provider: SsoProviderConfig): Promise<oidc.Configuration> {
    let found = configurations.get(provider.id);
    if (!found) {
      const url = new URL(provider.issuer);
      const auth = provider.clientSecret ? oidc.ClientSecretPost(provider.clientSecret) : oidc.None();
      // Plain http only to this machine (trying SSO locally, tests): the configuration refuses it elsewhere.
      const options = url.protocol === 'http:' && isLocalHost(url.hostname) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 };
      // With non-repudiation checks the ID token's signature is verified against the provider's published keys
      // (fetched, cached and fetched again on an unknown key id by the library), not only trusted for arriving over TLS.
      found = oidc.discovery(url, provider.clientId, undefined, auth, options).then((config) => {
        oidc.enableNonRepudiationChecks(config);
        return config;
      });
      found.catch(() => configurations.delete(provider.id));
      configurations.set(provider.id, found);
    }
    return found;
  }

  return {
    providerById(id: string): SsoProviderConfig | undefined {
      return providers.find((p) => p.id === id);
    },

    /** Where to send the browser: the provider's authorization endpoint with state, nonce and the PKCE challenge. */
    async authorizationUrl(provider: SsoProviderConfig, input: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<URL> {
      const config = await configuration(provider);
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: input.redirectUri,
        scope: provider.scopes,
        state: input.state,
        nonce: input.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(input.codeVerifier),
        code_challenge_method: 'S256',
      });
    },

    /**
     * Redeems the code of the provider's answer: the library checks the answer's issuer (RFC 9207) and
     * state, sends the PKCE verifier, and checks the ID token's signature, issuer, audience, expiry and
     * nonce. Anything wrong is a refusal; the library's message goes to the log, not to the person.
     */
    async redeem(
      provider: SsoProviderConfig,
      currentUrl: URL,
      expected: { state: string; nonce: string; codeVerifier: string },
    ): Promise<{ claims: Claims; idToken: string | undefined }> {
      const config = await configuration(provider);
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SsoRefusal('failed', 'The provider sent no ID token.');
      if (!provider.userinfo) return { claims: claims as Claims, idToken: tokens.id_token };
      // The library refuses an answer about another subject than the ID token's. The ID token's own
      // claims (issuer, subject, audience…) win over anything the userinfo answer repeats.
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { claims: { ...userinfo, ...claims } as Claims, idToken: tokens.id_token };
    },

    /** The provider's sign-out address (RP-initiated logout), or null when it has none. */
    async endSessionUrl(provider: SsoProviderConfig, postLogoutRedirectUri: string): Promise<string | null> {
      try {
        const config = await configuration(provider);
        if (!config.serverMetadata().end_session_endpoint) return null;
        return oidc.buildEndSessionUrl(config, { client_id: provider.clientId, post_logout_redirect_uri: postLogoutRedirectUri }).href;
      } catch {
        return null;
      }
    },
  };
}

export type OidcClients = ReturnType<typeof oidcClients>;
