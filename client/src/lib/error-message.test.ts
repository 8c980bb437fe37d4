import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { addFormatters, resources } from '../i18n/i18n.ts';
import { errorMessage } from './error-message.ts';
import { ApiError } from './http.ts';

async function translator(lng: 'fi' | 'sv' | 'en') {
  const instance = i18next.createInstance();
  await instance.init({ lng, resources, interpolation: { escapeValue: false } });
  addFormatters(instance);
  return instance.t;
}

describe('errorMessage', () => {
  it("says a reason's own sentence where one is written, else the code's, in each language", async () => {
    for (const lng of ['fi', 'sv', 'en'] as const) {
      const t = await translator(lng);
      const busy = new ApiError('service_unavailable', 503, 'busy', [], { code: 'media_busy', params: {} });
      const database = new ApiError('service_unavailable', 503, 'db', []);
      const unknownReason = new ApiError('service_unavailable', 503, 'x', [], { code: 'no_such_reason', params: {} });
      expect(errorMessage(t, busy)).toBe(resources[lng].translation.errors.reasons.media_busy);
      expect(errorMessage(t, database)).toBe(resources[lng].translation.errors.service_unavailable);
      expect(errorMessage(t, unknownReason)).toBe(resources[lng].translation.errors.service_unavailable);
    }
  });
});
