import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { BulkInvitationsResponse } from '../../../../../shared/api/invitations.ts';
import { USER_PAGE_SIZES, type DirectoryUser, type IssuedCardsResponse, type UserDirectoryQuery } from '../../../../../shared/api/sign-in-cards.ts';
import { SCHOOL_ROLES, type SchoolRole } from '../../../../../shared/roles.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError, SelectField, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useGroupsQuery } from '../../admin/queries.ts';
import { userPath } from '../../admin/components/paths.ts';
import { BulkInvitationResult, BulkInviteForm } from '../../invitations/components/bulk-invite.tsx';
import { useBulkUsersMutation, useIssueSchoolCardsMutation, useUserDirectoryQuery } from '../queries.ts';
import { CardSheet } from './card-sheet.tsx';

const isRole = (value: string | null): value is SchoolRole => (SCHOOL_ROLES as readonly (string | null)[]).includes(value);

/** The query as the URL holds it, so that filters and the page survive a reload and the back button. */
function readQuery(params: URLSearchParams): UserDirectoryQuery {
  const role = params.get('role');
  const active = params.get('active');
  const page = Number(params.get('page') ?? '1');
  const pageSize = Number(params.get('pageSize') ?? '25');
  return {
    ...(params.get('q') ? { q: params.get('q') ?? '' } : {}),
    ...(isRole(role) ? { role } : {}),
    ...(params.get('groupId') ? { groupId: params.get('groupId') ?? '' } : {}),
    ...(active === 'true' || active === 'false' ? { active } : {}),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: (USER_PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : 25,
  };
}

/** The admin's user list (issue 11 §6): search, filters, pages, and bulk actions on the chosen people. */
export function UserDirectory({ schoolId, schoolName }: { schoolId: string; schoolName: string }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = readQuery(params);
  const users = useUserDirectoryQuery(schoolId, query);
  const groups = useGroupsQuery(schoolId);
  const [search, setSearch] = useState(query.q ?? '');
  const [selected, setSelected] = useState<ReadonlyMap<string, DirectoryUser>>(new Map());
  const [issued, setIssued] = useState<IssuedCardsResponse | null>(null);
  const [invited, setInvited] = useState<BulkInvitationsResponse | null>(null);

  const setQuery = (changes: Partial<Record<keyof UserDirectoryQuery, string | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    // A new filter starts from its first page.
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  const toggle = (user: DirectoryUser, on: boolean) => {
    const next = new Map(selected);
    if (on) next.set(user.id, user);
    else next.delete(user.id);
    setSelected(next);
  };

  if (issued) return <CardSheet issued={issued} onClose={() => setIssued(null)} />;
  if (invited) return <BulkInvitationResult result={invited} onClose={() => setInvited(null)} />;

  const groupOptions = [
    { value: '', label: t('signInCards.directory.allGroups') },
    ...(groups.data?.groups ?? []).map((g) => ({ value: g.id, label: g.name })),
  ];
  const total = users.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / (query.pageSize ?? 25)));
  const page = query.page ?? 1;

  return (
    <div className="stack">
      <form
        className="filter-bar"
        role="search"
        aria-label={t('signInCards.directory.searchLabel')}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: search.trim() || undefined });
        }}
      >
        <TextField
          name="user-search"
          type="search"
          label={t('signInCards.directory.search')}
          value={search}
          onChange={setSearch}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="button">
          {t('signInCards.directory.searchButton')}
        </button>
        <SelectField
          name="role-filter"
          label={t('admin.users.filter')}
          value={query.role ?? ''}
          options={[{ value: '', label: t('admin.users.allRoles') }, ...SCHOOL_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))]}
          onChange={(value) => setQuery({ role: value || undefined })}
        />
        <SelectField
          name="group-filter"
          label={t('signInCards.directory.group')}
          value={query.groupId ?? ''}
          options={groupOptions}
          onChange={(value) => setQuery({ groupId: value || undefined })}
        />
        <SelectField
          name="active-filter"
          label={t('signInCards.directory.status')}
          value={query.active ?? ''}
          options={[
            { value: '', label: t('signInCards.directory.anyStatus') },
            { value: 'true', label: t('admin.users.active') },
            { value: 'false', label: t('admin.users.inactive') },
          ]}
          onChange={(value) => setQuery({ active: value || undefined })}
        />
      </form>
      {selected.size > 0 && (
        <BulkBar
          schoolId={schoolId}
          selected={selected}
          groups={groupOptions.slice(1)}
          onDone={() => setSelected(new Map())}
          onCards={setIssued}
          onInvited={(result) => {
            setSelected(new Map());
            setInvited(result);
          }}
        />
      )}
      {users.isPending && <Loading />}
      {users.isError && <QueryError error={users.error} onRetry={() => void users.refetch()} />}
      {users.isSuccess && users.data.users.length === 0 && <EmptyState heading={t('admin.users.none')} headingLevel={3} />}
      {users.isSuccess && users.data.users.length > 0 && (
        <>
          <p role="status">{t('signInCards.directory.count', { count: total, page, pages: pageCount })}</p>
          <div className="table-wrap table-wrap--stack">
            <table>
              <caption>
                {t('admin.users.caption', { school: schoolName })}
                {query.role ? ` (${t(`roles.${query.role}`)})` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">{t('signInCards.directory.choose')}</span>
                  </th>
                  <th scope="col">{t('admin.users.name')}</th>
                  <th scope="col">{t('admin.users.username')}</th>
                  <th scope="col">{t('admin.users.roles')}</th>
                  <th scope="col">{t('signInCards.directory.groups')}</th>
                  <th scope="col">{t('admin.users.status')}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('signInCards.directory.chooseOne', { name: user.displayName })}
                        checked={selected.has(user.id)}
                        onChange={(e) => toggle(user, e.target.checked)}
                      />
                    </td>
                    <th scope="row">
                      <Link to={userPath(schoolId, user.id)}>{user.displayName}</Link>
                    </th>
                    <td data-label={t('admin.users.username')}>{user.username}</td>
                    <td data-label={t('admin.users.roles')}>{user.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
                    <td data-label={t('signInCards.directory.groups')}>{user.groups.map((g) => g.name).join(', ')}</td>
                    <td data-label={t('admin.users.status')}>
                      <span className={user.active ? 'badge badge--ok' : 'badge badge--off'}>
                        {user.active ? t('admin.users.active') : t('admin.users.inactive')}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="button-row pager" aria-label={t('signInCards.directory.pages')}>
            <button type="button" className="button" disabled={page <= 1} onClick={() => setQuery({ page: String(page - 1) })}>
              {t('signInCards.directory.previous')}
            </button>
            <button type="button" className="button" disabled={page >= pageCount} onClick={() => setQuery({ page: String(page + 1) })}>
              {t('signInCards.directory.next')}
            </button>
            <SelectField
              name="page-size"
              label={t('signInCards.directory.pageSize')}
              value={String(query.pageSize ?? 25)}
              options={USER_PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
              onChange={(value) => setQuery({ pageSize: value })}
            />
          </nav>
        </>
      )}
    </div>
  );
}

interface BulkBarProps {
  schoolId: string;
  selected: ReadonlyMap<string, DirectoryUser>;
  groups: Array<{ value: string; label: string }>;
  onDone: () => void;
  onCards: (issued: IssuedCardsResponse) => void;
  onInvited: (result: BulkInvitationsResponse) => void;
}

function BulkBar({ schoolId, selected, groups, onDone, onCards, onInvited }: BulkBarProps) {
  const { t } = useTranslation();
  const confirm = useConfirm();
  const toast = useToast();
  const notice = useNotice();
  const bulk = useBulkUsersMutation(schoolId);
  const cards = useIssueSchoolCardsMutation(schoolId);
  const [groupId, setGroupId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [inviting, setInviting] = useState(false);
  const ids = [...selected.keys()];
  const pupils = [...selected.values()].filter((u) => u.roles.includes('pupil') && u.active);

  const move = () => {
    setError(null);
    if (!groupId) return;
    bulk.mutate(
      { action: 'moveToGroup', userIds: ids, groupId },
      { onSuccess: (r) => (notice.success(t('signInCards.directory.moved', { count: r.changed })), onDone()), onError: setError },
    );
  };
  const deactivate = async () => {
    setError(null);
    if (!(await confirm(t('signInCards.directory.deactivateConfirm', { count: ids.length }), t('signInCards.directory.deactivate')))) return;
    bulk.mutate(
      { action: 'deactivate', userIds: ids },
      {
        onSuccess: (r) => {
          onDone();
          // The undo is the clear reversal: the same people, active again (their sessions stay ended).
          toast({
            message: t('signInCards.directory.deactivated', { count: r.changed }),
            action: { label: t('signInCards.directory.undo'), onAction: () => bulk.mutateAsync({ action: 'activate', userIds: ids }).then(() => undefined) },
            focusAction: true,
          });
        },
        onError: setError,
      },
    );
  };
  const activate = () => {
    setError(null);
    bulk.mutate(
      { action: 'activate', userIds: ids },
      { onSuccess: (r) => (notice.success(t('signInCards.directory.activated', { count: r.changed })), onDone()), onError: setError },
    );
  };
  const print = async () => {
    setError(null);
    if (pupils.length === 0) return;
    if (!(await confirm(t('signInCards.directory.printConfirm', { count: pupils.length }), t('signInCards.directory.print')))) return;
    cards.mutate(
      pupils.map((p) => p.id),
      { onSuccess: onCards, onError: setError },
    );
  };

  return (
    <section className="card stack bulk-bar" aria-labelledby="bulk-heading">
      <h3 id="bulk-heading">{t('signInCards.directory.chosen', { count: selected.size })}</h3>
      <FormError message={error ? errorMessage(t, error) : null} />
      <div className="button-row">
        <SelectField
          name="bulk-group"
          label={t('signInCards.directory.moveTo')}
          value={groupId}
          options={[{ value: '', label: t('signInCards.directory.pickGroup') }, ...groups]}
          onChange={setGroupId}
        />
        <button type="button" className="button" onClick={move} disabled={!groupId || bulk.isPending}>
          {t('signInCards.directory.move')}
        </button>
      </div>
      <div className="button-row">
        <button type="button" className="button" onClick={() => void print()} disabled={pupils.length === 0 || cards.isPending}>
          {t('signInCards.directory.printCount', { count: pupils.length })}
        </button>
        {/* Inviting guardians in bulk belongs to the invitations feature (issue 11 §4, features/invitations). */}
        <button type="button" className="button" aria-expanded={inviting} onClick={() => setInviting(true)} disabled={pupils.length === 0}>
          {t('invitations.bulk.open', { count: pupils.length })}
        </button>
        <button type="button" className="button" onClick={activate} disabled={bulk.isPending}>
          {t('signInCards.directory.activate')}
        </button>
        <button type="button" className="button button--danger-outline" onClick={() => void deactivate()} disabled={bulk.isPending}>
          {t('signInCards.directory.deactivate')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('signInCards.directory.clear')}
        </button>
      </div>
      {inviting && <BulkInviteForm schoolId={schoolId} chosen={[...selected.values()]} onCancel={() => setInviting(false)} onDone={onInvited} />}
      <LiveNotice notice={notice.notice} />
    </section>
  );
}
