import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createProjectRequestSchema, updateProjectRequestSchema, type Project } from '../../../../../shared/api/projects.ts';
import type { UserRef } from '../../../../../shared/api/org.ts';
import { DEFAULT_PHASE_KEYS } from '../../../../../shared/portfolio.ts';
import { CheckboxGroup, FormError, SelectField, TextAreaField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { ListEditor, listItem, type ListItem } from '../../../components/list-editor.tsx';
import { Loading } from '../../../components/status.tsx';
import { emptyToNull, useForm } from '../../../lib/use-form.ts';
import { useSession } from '../../auth/session.ts';
import { useMyGroupsQuery } from '../../home/queries.ts';
import { competenceOptionLabel } from '../../artefacts/components/timeline.tsx';
import { useReferenceLabels } from '../../reference/queries.ts';
import { criteriaLines, GoalCriteriaFields, ScaleSelect } from './assessment-fields.tsx';
import { PhasePromptsFields, promptsByKey } from './phase-prompts.tsx';
import { useCreateProjectMutation, useSchoolGroupsQuery, useSchoolTeachersQuery, useUpdateProjectMutation } from '../queries.ts';

interface ProjectFormProps {
  project?: Project;
  onSaved: (project: Project) => void;
  onCancel: () => void;
}

/** Create or edit a project. Phases and goals keep their ids, so artefacts keep pointing at them. */
export function ProjectForm({ project, onSaved, onCancel }: ProjectFormProps) {
  const { t } = useTranslation();
  const me = useSession();
  const labels = useReferenceLabels();
  const schools = me.schools.filter((s) => me.roles.some((r) => r.schoolId === s.id && (r.role === 'teacher' || r.role === 'admin')));
  const form = useForm({
    schoolId: project?.schoolId ?? schools[0]?.id ?? '',
    title: project?.title ?? '',
    description: project?.description ?? '',
    schoolYear: project?.schoolYear ?? '',
    startsOn: project?.startsOn ?? '',
    endsOn: project?.endsOn ?? '',
  });
  const [subjectCodes, setSubjectCodes] = useState<string[]>(project?.subjectCodes ?? []);
  const [competenceIds, setCompetenceIds] = useState<string[]>(project?.competenceIds ?? []);
  const [phases, setPhases] = useState<ListItem[]>(() =>
    project ? project.phases.map((p) => listItem(p.title, p.id)) : DEFAULT_PHASE_KEYS.map((key) => listItem(t(`projects.defaultPhases.${key}`))),
  );
  // Reflection prompts by phase item key, one per line while edited.
  const [prompts, setPrompts] = useState<Record<string, string>>(() => promptsByKey(phases, project));
  const [goals, setGoals] = useState<ListItem[]>(() => (project ? project.goals.map((g) => listItem(g.text, g.id)) : [listItem()]));
  // Success criteria by goal item key, one per line while edited.
  const [criteria, setCriteria] = useState<Record<string, string>>(() =>
    Object.fromEntries(goals.map((item) => [item.key, project?.goals.find((g) => g.id === item.id)?.successCriteria.join('\n') ?? ''])),
  );
  const [scaleId, setScaleId] = useState(project?.scaleId ?? '');
  const isTeacher = me.roles.some((r) => r.role === 'teacher');
  const [teacherIds, setTeacherIds] = useState<string[]>(project?.teachers.map((x) => x.id) ?? (isTeacher ? [me.user.id] : []));
  const [groupIds, setGroupIds] = useState<string[]>(project?.groups.map((g) => g.id) ?? []);

  const schoolId = form.values.schoolId;
  const isAdmin = me.roles.some((r) => r.role === 'admin' && r.schoolId === schoolId);
  const schoolGroups = useSchoolGroupsQuery(schoolId);
  const schoolTeachers = useSchoolTeachersQuery(schoolId, isAdmin);
  const myGroups = useMyGroupsQuery();
  const create = useCreateProjectMutation();
  const update = useUpdateProjectMutation(project?.id ?? '');

  // Co-teachers: an admin sees the school's teachers; a teacher, the colleagues of their groups.
  const teacherChoices = new Map<string, UserRef>();
  if (isTeacher) teacherChoices.set(me.user.id, { id: me.user.id, displayName: me.user.displayName });
  for (const x of project?.teachers ?? []) teacherChoices.set(x.id, x);
  for (const g of myGroups.data?.groups ?? []) if (g.school.id === schoolId) for (const x of g.teachers) teacherChoices.set(x.id, x);
  for (const u of schoolTeachers.data?.users ?? []) if (u.active) teacherChoices.set(u.id, { id: u.id, displayName: u.displayName });

  const groupChoices = new Map<string, string>();
  for (const g of project?.groups ?? []) groupChoices.set(g.id, g.name);
  for (const g of schoolGroups.data?.groups ?? []) groupChoices.set(g.id, g.schoolYear ? `${g.name} (${g.schoolYear})` : g.name);

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    const v = form.values;
    const common = {
      title: v.title,
      description: v.description,
      schoolYear: emptyToNull(v.schoolYear),
      startsOn: emptyToNull(v.startsOn),
      endsOn: emptyToNull(v.endsOn),
      subjectCodes,
      competenceIds,
      phases: phases
        .filter((p) => p.text.trim())
        .map((p) => ({ ...(p.id ? { id: p.id } : {}), title: p.text, reflectionPrompts: criteriaLines(prompts[p.key]) })),
      goals: goals.filter((g) => g.text.trim()).map((g) => ({ ...(g.id ? { id: g.id } : {}), text: g.text, successCriteria: criteriaLines(criteria[g.key]) })),
      scaleId: emptyToNull(scaleId),
      teacherIds,
      groupIds,
    };
    let saved: Project | undefined;
    if (project) {
      await form.submit(updateProjectRequestSchema, common, async (body) => {
        saved = await update.mutateAsync(body);
      });
    } else {
      await form.submit(createProjectRequestSchema, { ...common, schoolId: v.schoolId }, async (body) => {
        saved = await create.mutateAsync(body);
      });
    }
    if (saved) onSaved(saved);
  };

  const frameworks = labels.data?.frameworks ?? [];
  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="form project-form">
      <FormError message={form.formError} />
      <div className="card form-section">
        {!project && schools.length > 1 && (
          <SelectField label={t('projects.form.school')} options={schools.map((s) => ({ value: s.id, label: s.name }))} required {...form.text('schoolId')} />
        )}
        <TextField label={t('projects.form.title')} autoComplete="off" required {...form.text('title')} />
        <TextAreaField label={t('projects.form.description')} hint={t('projects.form.descriptionHint')} optional rows={5} {...form.text('description')} />
        <TextField label={t('projects.form.schoolYear')} hint={t('admin.groups.schoolYearHint')} autoComplete="off" optional {...form.text('schoolYear')} />
        <div className="field-row">
          <TextField type="date" label={t('projects.form.startsOn')} optional {...form.text('startsOn')} />
          <TextField type="date" label={t('projects.form.endsOn')} optional {...form.text('endsOn')} />
        </div>
      </div>

      <div className="card form-section">
        <ListEditor
          legend={t('projects.form.phases')}
          hint={t('projects.form.phasesHint')}
          itemLabel={(n) => t('projects.form.phaseN', { n })}
          addLabel={t('projects.form.addPhase')}
          items={phases}
          onChange={setPhases}
          error={form.fieldErrors.phases}
          maxLength={100}
        />
        <PhasePromptsFields phases={phases} prompts={prompts} onChange={(key, text) => setPrompts({ ...prompts, [key]: text })} />
        <ListEditor
          legend={t('projects.form.goals')}
          hint={t('projects.form.goalsHint')}
          itemLabel={(n) => t('projects.form.goalN', { n })}
          addLabel={t('projects.form.addGoal')}
          items={goals}
          onChange={setGoals}
          error={form.fieldErrors.goals}
          maxLength={300}
        />
        <GoalCriteriaFields goals={goals} criteria={criteria} onChange={(key, text) => setCriteria({ ...criteria, [key]: text })} />
        <ScaleSelect schoolId={schoolId} value={scaleId} onChange={setScaleId} error={form.fieldErrors.scaleId} />
      </div>

      <div className="card form-section">
        {schoolGroups.isPending ? (
          <Loading />
        ) : (
          <CheckboxGroup
            name="groups"
            legend={t('projects.form.groups')}
            hint={groupChoices.size === 0 ? t('projects.form.noGroups') : undefined}
            options={[...groupChoices].map(([value, label]) => ({ value, label }))}
            value={groupIds}
            onChange={setGroupIds}
            error={form.fieldErrors.groupIds}
          />
        )}
        <CheckboxGroup
          name="teachers"
          legend={t('projects.form.teachers')}
          hint={t('projects.form.teachersHint')}
          options={[...teacherChoices.values()].map((x) => ({
            value: x.id,
            label: x.id === me.user.id ? t('projects.form.me', { name: x.displayName }) : x.displayName,
          }))}
          value={teacherIds}
          onChange={setTeacherIds}
          error={form.fieldErrors.teacherIds}
        />
      </div>

      <div className="card form-section">
        <CheckboxGroup
          name="subjects"
          legend={t('projects.form.subjects')}
          options={(labels.data?.subjects ?? []).map((s) => ({ value: s.code, label: labels.label(s.labels) }))}
          value={subjectCodes}
          onChange={setSubjectCodes}
          error={form.fieldErrors.subjectCodes}
          columns
        />
        {frameworks.map((framework) => (
          <CheckboxGroup
            key={framework.key}
            name={`competences-${framework.key}`}
            legend={labels.label(framework.labels)}
            options={framework.competences.map((c) => ({ value: c.id, label: competenceOptionLabel(c.key, labels.label(c.labels)) }))}
            value={competenceIds.filter((id) => framework.competences.some((c) => c.id === id))}
            onChange={(chosen) => setCompetenceIds([...competenceIds.filter((id) => !framework.competences.some((c) => c.id === id)), ...chosen])}
          />
        ))}
      </div>

      <div className="button-row button-row--start">
        <SubmitButton pending={form.pending} label={project ? t('common.save') : t('projects.form.create')} />
        <button type="button" className="button button--secondary" onClick={onCancel} disabled={form.pending}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
