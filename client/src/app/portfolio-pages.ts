// The portfolio's pages as one lazily loaded chunk (the sign-in page does not need them).
export { ArtefactPage } from '../features/artefacts/components/artefact-page.tsx';
export { EditArtefactPage, NewArtefactPage } from '../features/artefacts/components/artefact-form-pages.tsx';
export { GuardianChildPage, PupilPortfolioPage, TeacherPupilPage } from '../features/artefacts/components/portfolio-pages.tsx';
export { GroupOverviewPage } from '../features/overview/components/group-overview-page.tsx';
export { EditProjectPage, NewProjectPage } from '../features/projects/components/project-form-pages.tsx';
export { ProjectPage } from '../features/projects/components/project-page.tsx';
export { ImportPage } from '../features/portability/components/import-page.tsx';
export { GoalPage } from '../features/goals/components/goal-page.tsx';
// Issue 10 §6: the teacher's view of a group.
export { CoveragePage } from '../features/insight/components/coverage-page.tsx';
export { HeatmapPage } from '../features/insight/components/heatmap-page.tsx';
// Issue 10 §5: a classmate's shared work.
export { PeerWorkPage } from '../features/peer-feedback/components/peer-work-page.tsx';
// Issue 12 §3: showcases.
export { ShowcasesPage } from '../features/showcases/components/showcases-page.tsx';
export { ShowcasePage } from '../features/showcases/components/showcase-page.tsx';
export { ShowcaseEditorPage } from '../features/showcases/components/showcase-editor-page.tsx';
