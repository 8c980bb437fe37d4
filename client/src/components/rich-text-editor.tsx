import { lazy, Suspense, useId, type Ref } from 'react';
import { useTranslation } from 'react-i18next';

// The editor framework (Tiptap, ProseMirror) is the biggest library in the app and only the
// artefact form needs it: it loads as its own chunk when an editor is first shown.
const TiptapEditor = lazy(() => import('./rich-text/tiptap-editor.tsx'));

/** What a form may do to the text from outside the editor. */
export interface RichTextHandle {
  /** Adds a heading (e.g. a reflection prompt) and an empty paragraph after it at the end, and puts the caret there. */
  appendHeading(text: string): void;
}

interface RichTextEditorProps {
  label: string;
  hint?: string;
  /** The initial HTML; the editor is uncontrolled afterwards (re-mount it with a key to reset). */
  initialHtml: string;
  onChange: (html: string) => void;
  /** Set once the (lazily loaded) editor is ready. */
  handleRef?: Ref<RichTextHandle>;
}

/**
 * Rich text within the shared allow-list (shared/rich-text.ts): paragraphs, headings, emphasis,
 * lists, quotes and links. The server sanitises whatever arrives; the editor only ever writes
 * what the sanitiser keeps, so nothing changes on the way.
 */
export function RichTextEditor({ label, hint, initialHtml, onChange, handleRef }: RichTextEditorProps) {
  const { t } = useTranslation();
  const id = useId();
  const labelId = `${id}-label`;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field rich-text">
      <span className="field__label" id={labelId}>
        {label}
      </span>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      <Suspense
        fallback={
          <div className="rich-text__frame">
            <p className="rich-text__loading" role="status">
              {t('richText.loading')}
            </p>
          </div>
        }
      >
        <TiptapEditor labelId={labelId} hintId={hintId} editorId={`${id}-editor`} initialHtml={initialHtml} onChange={onChange} handleRef={handleRef} />
      </Suspense>
    </div>
  );
}
