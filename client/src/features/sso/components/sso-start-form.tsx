import type { ReactNode } from 'react';
import { ssoStartUrl } from '../api.ts';

/**
 * A button that starts a sign-in through a provider. A link code or an invitation code goes in the posted
 * form, never in the address: addresses are kept in server logs, proxies and the browser's history.
 */
export function SsoStartForm({ providerId, fields, children }: { providerId: string; fields?: Record<string, string>; children: ReactNode }) {
  return (
    <form method="post" action={ssoStartUrl(providerId)} className="sso-start-form">
      {Object.entries(fields ?? {})
        .filter(([, value]) => value !== '')
        .map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
      <button type="submit" className="button button--wide">
        {children}
      </button>
    </form>
  );
}
