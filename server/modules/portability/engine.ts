/**
 * The one place this module reaches into the archive code (export/ and import/): the jobs, the
 * routes and the CLI import from here, so that a change of that API touches one file.
 */
export { writeExportArchive, type ExportProgress } from './export/export-archive.ts';
export {
  applyImport,
  DEFAULT_IMPORT_LIMITS,
  ImportRejected,
  previewImport,
  type ImportLimits,
  type ImportPreview,
  type ImportProgress,
  type ImportReport,
  type ImportTarget,
} from './import/import-archive.ts';
