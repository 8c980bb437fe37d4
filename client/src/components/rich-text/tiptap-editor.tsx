import type { Editor } from '@tiptap/core';
import { EditorContent, useEditor, useEditorState } from '@tiptap/react';
import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type ReactNode, type Ref } from 'react';
import type { RichTextHandle } from '../rich-text-editor.tsx';
import { useTranslation } from 'react-i18next';
import { richTextExtensions } from './extensions.ts';
import { LinkDialog } from './link-dialog.tsx';
import { cleanPastedHtml } from './paste.ts';

export interface TiptapEditorProps {
  labelId: string;
  hintId: string | undefined;
  editorId: string;
  initialHtml: string;
  onChange: (html: string) => void;
  handleRef?: Ref<RichTextHandle> | undefined;
}

type ButtonKey =
  'bold' | 'italic' | 'underline' | 'heading2' | 'heading3' | 'insertUnorderedList' | 'insertOrderedList' | 'blockquote' | 'link' | 'undo' | 'redo';

interface ToolbarButton {
  key: ButtonKey;
  icon: ReactNode;
  /** Its key (Control stands for Cmd on Apple devices); `aria-keyshortcuts` tells screen readers. */
  shortcut: string;
  /** Whether the format applies at the caret (aria-pressed); undefined for actions. */
  active?: (editor: Editor) => boolean;
  run: (editor: Editor) => void;
}

const BUTTONS: ToolbarButton[] = [
  {
    key: 'bold',
    icon: <strong aria-hidden="true">B</strong>,
    shortcut: 'Control+B',
    active: (e) => e.isActive('bold'),
    run: (e) => e.chain().focus().toggleBold().run(),
  },
  {
    key: 'italic',
    icon: <em aria-hidden="true">I</em>,
    shortcut: 'Control+I',
    active: (e) => e.isActive('italic'),
    run: (e) => e.chain().focus().toggleItalic().run(),
  },
  {
    key: 'underline',
    icon: <u aria-hidden="true">U</u>,
    shortcut: 'Control+U',
    active: (e) => e.isActive('underline'),
    run: (e) => e.chain().focus().toggleUnderline().run(),
  },
  {
    key: 'heading2',
    icon: <span aria-hidden="true">H2</span>,
    shortcut: 'Control+Alt+2',
    active: (e) => e.isActive('heading', { level: 2 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
  },
  {
    key: 'heading3',
    icon: <span aria-hidden="true">H3</span>,
    shortcut: 'Control+Alt+3',
    active: (e) => e.isActive('heading', { level: 3 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
  },
  {
    key: 'insertUnorderedList',
    icon: <span aria-hidden="true">•≡</span>,
    shortcut: 'Control+Shift+8',
    active: (e) => e.isActive('bulletList'),
    run: (e) => e.chain().focus().toggleBulletList().run(),
  },
  {
    key: 'insertOrderedList',
    icon: <span aria-hidden="true">1.</span>,
    shortcut: 'Control+Shift+7',
    active: (e) => e.isActive('orderedList'),
    run: (e) => e.chain().focus().toggleOrderedList().run(),
  },
  {
    key: 'blockquote',
    icon: <span aria-hidden="true">❝</span>,
    shortcut: 'Control+Shift+B',
    active: (e) => e.isActive('blockquote'),
    run: (e) => e.chain().focus().toggleBlockquote().run(),
  },
  { key: 'link', icon: <span aria-hidden="true">🔗</span>, shortcut: 'Control+K', active: (e) => e.isActive('link'), run: () => undefined },
  { key: 'undo', icon: <span aria-hidden="true">↶</span>, shortcut: 'Control+Z', run: (e) => e.chain().focus().undo().run() },
  { key: 'redo', icon: <span aria-hidden="true">↷</span>, shortcut: 'Control+Shift+Z', run: (e) => e.chain().focus().redo().run() },
];

// ProseMirror's "Mod" is Cmd on Apple devices and Ctrl elsewhere.
const apple = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The label keys: the first five buttons' keys predate this editor (editor.*), the rest are richText.*. */
const labelKey = (key: ButtonKey) =>
  key === 'bold' || key === 'italic' || key === 'insertUnorderedList' || key === 'insertOrderedList'
    ? (`editor.${key}` as const)
    : (`richText.${key}` as const);

/**
 * Tiptap (ProseMirror) with the shared allow-list as its schema: what it writes is what the server
 * keeps. The toolbar is one tab stop with arrow keys inside (the ARIA toolbar pattern).
 */
export default function TiptapEditor({ labelId, hintId, editorId, initialHtml, onChange, handleRef }: TiptapEditorProps) {
  const { t } = useTranslation();
  const buttonsRef = useRef<Array<HTMLButtonElement | null>>([]);
  const [focusIndex, setFocusIndex] = useState(0);
  const [linkOpen, setLinkOpen] = useState(false);
  // The editor is created once; its update handler reads the latest onChange through this ref.
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  const editor = useEditor({
    extensions: richTextExtensions(),
    content: initialHtml,
    immediatelyRender: true,
    shouldRerenderOnTransaction: false,
    editorProps: {
      attributes: {
        id: editorId,
        class: 'rich-text__editor',
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelId,
        ...(hintId ? { 'aria-describedby': hintId } : {}),
      },
      transformPastedHTML: cleanPastedHtml,
      handleKeyDown: (_view, event) => {
        if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') {
          event.preventDefault();
          setLinkOpen(true);
          return true;
        }
        return false;
      },
    },
    onUpdate: ({ editor: e }) => onChangeRef.current(e.isEmpty ? '' : e.getHTML()),
  });

  useImperativeHandle(
    handleRef,
    () => ({
      appendHeading(text: string) {
        const content = [{ type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text }] }, { type: 'paragraph' }];
        const end = editor.state.doc.content.size;
        // An empty editor holds one empty paragraph: replace it rather than keep a blank line above.
        editor
          .chain()
          .insertContentAt(editor.isEmpty ? { from: 0, to: end } : end, content)
          .focus('end')
          .scrollIntoView()
          .run();
      },
    }),
    [editor],
  );

  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      active: Object.fromEntries(BUTTONS.map((b) => [b.key, b.active ? b.active(e) : undefined])) as Partial<Record<ButtonKey, boolean>>,
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
    }),
  });

  const onToolbarKey = (event: KeyboardEvent) => {
    const last = BUTTONS.length - 1;
    const moves: Record<string, number> = { ArrowRight: focusIndex + 1, ArrowLeft: focusIndex - 1, Home: 0, End: last };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = next > last ? 0 : next < 0 ? last : next;
    setFocusIndex(index);
    buttonsRef.current[index]?.focus();
  };

  return (
    <div className="rich-text__frame">
      <div className="rich-text__toolbar" role="toolbar" aria-label={t('editor.toolbar')} aria-controls={editorId} onKeyDown={onToolbarKey}>
        {BUTTONS.map((button, index) => {
          const pressed = state.active[button.key];
          const disabled = (button.key === 'undo' && !state.canUndo) || (button.key === 'redo' && !state.canRedo);
          return (
            <button
              key={button.key}
              ref={(el) => {
                buttonsRef.current[index] = el;
              }}
              type="button"
              className="rich-text__button"
              aria-label={t(labelKey(button.key))}
              aria-pressed={pressed}
              aria-keyshortcuts={apple ? button.shortcut.replace('Control', 'Meta') : button.shortcut}
              aria-disabled={disabled || undefined}
              tabIndex={index === focusIndex ? 0 : -1}
              // Keep the selection in the editor when the button is clicked.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                if (disabled) return;
                if (button.key === 'link') setLinkOpen(true);
                else button.run(editor);
              }}
            >
              {button.icon}
            </button>
          );
        })}
      </div>
      <EditorContent editor={editor} />
      {linkOpen && (
        <LinkDialog
          editor={editor}
          onClose={() => {
            setLinkOpen(false);
            editor.commands.focus();
          }}
        />
      )}
    </div>
  );
}
