import { referenceDataSchema } from '../../../shared/api/reference.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { ReferenceService } from './reference.service.ts';

export function referenceRoutes(reference: ReferenceService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/reference',
      tag: 'Reference data',
      auth: 'user',
      summary: 'Subjects (national codes) and competence frameworks with fi/sv/en labels',
      response: referenceDataSchema,
      handler: () => reference.get(),
    }),
  ];
}
