import { useTranslation } from 'react-i18next';
import { SelectField } from '../../../components/form-fields.tsx';
import { QueryError } from '../../../components/status.tsx';
import { useSchoolUsersQuery } from '../../admin/queries.ts';
import { useSchoolGroupsQuery } from '../../projects/queries.ts';

/** The target select's values besides a pupil's id. */
export const NEW_ACCOUNT = 'new';
export const OWN = 'own';

/** Where an admin imports to: a new pupil account, or one of the school's pupils (and their own portfolio if they are a pupil too). */
export function TargetSelect({
  schoolId,
  ownOption,
  value,
  onChange,
  disabled,
}: {
  schoolId: string;
  ownOption: boolean;
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const pupils = useSchoolUsersQuery(schoolId, 'pupil');
  const options = [
    ...(ownOption ? [{ value: OWN, label: t('imports.intoOwn') }] : []),
    { value: NEW_ACCOUNT, label: t('imports.intoNew') },
    ...(pupils.data?.users ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` })),
  ];
  return <SelectField name="into" label={t('imports.into')} value={value} onChange={onChange} options={options} disabled={disabled} />;
}

/** The group of the school a new pupil account joins (optional): its teachers then see the imported work. */
export function GroupSelect({ schoolId, value, onChange, disabled }: { schoolId: string; value: string; onChange: (v: string) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const groups = useSchoolGroupsQuery(schoolId);
  if (groups.isError) return <QueryError error={groups.error} onRetry={() => void groups.refetch()} />;
  return (
    <SelectField
      name="group"
      label={t('imports.newGroup')}
      hint={t('imports.newGroupHint')}
      value={value}
      onChange={onChange}
      placeholder={t('imports.newGroupNone')}
      options={(groups.data?.groups ?? []).map((g) => ({ value: g.id, label: g.schoolYear ? `${g.name} (${g.schoolYear})` : g.name }))}
      optional
      disabled={disabled || groups.isPending}
    />
  );
}
