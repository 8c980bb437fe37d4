import type { NotificationPreferences, PreferencesView } from '../../../shared/api/digest.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest } from '../../http/errors.ts';
import { preferencesOf, savePreferences, userContact } from './digest.repo.ts';

const isGuardian = (actor: Actor) => actor.roles.some((r) => r.role === 'guardian');

/** What a user gets without having chosen: a guardian the weekly digest by e-mail (and push), others nothing. */
export function defaultPreferences(guardian: boolean): NotificationPreferences {
  return { frequency: guardian ? 'weekly' : 'never', email: true, push: true };
}

export interface PreferencesDeps {
  db: Db;
  mailConfigured: boolean;
  pushAvailable: boolean;
  pushCount(userId: string): Promise<number>;
}

/** Issue 12 §5: each user's choice of how they hear of new things outside the app. */
export function preferencesService({ db, mailConfigured, pushAvailable, pushCount }: PreferencesDeps) {
  async function view(actor: Actor): Promise<PreferencesView> {
    const [stored, contact, subscriptions] = await Promise.all([preferencesOf(db, actor.id), userContact(db, actor.id), pushCount(actor.id)]);
    const p = stored ?? defaultPreferences(isGuardian(actor));
    return {
      frequency: p.frequency,
      email: p.email,
      push: p.push,
      weeklyAllowed: isGuardian(actor),
      emailAvailable: mailConfigured && Boolean(contact?.email),
      pushAvailable,
      pushSubscriptions: subscriptions,
    };
  }
  return {
    async get(actor: Actor): Promise<PreferencesView> {
      authorize(actor, 'notificationPreferences.manage', { type: 'ownSettings', userId: actor.id });
      return view(actor);
    },
    async set(actor: Actor, input: NotificationPreferences): Promise<PreferencesView> {
      authorize(actor, 'notificationPreferences.manage', { type: 'ownSettings', userId: actor.id });
      if (input.frequency === 'weekly' && !isGuardian(actor))
        throw new BadRequest('Only guardians get the weekly digest: choose every new item or never.', [
          { path: 'body.frequency', message: 'weekly is for guardians' },
        ]);
      await savePreferences(db, actor.id, input);
      return view(actor);
    },
  };
}
export type PreferencesService = ReturnType<typeof preferencesService>;
