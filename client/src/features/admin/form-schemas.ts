import { z } from 'zod';
import { idSchema } from '../../../../shared/api/common.ts';

/** A `<select>` choice of an id: an empty choice reads as "required", not as a malformed id. */
export const chosenId = z.string().min(1).pipe(idSchema);
