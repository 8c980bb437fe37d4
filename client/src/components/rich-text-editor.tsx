import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

type Command = 'bold' | 'italic' | 'insertUnorderedList' | 'insertOrderedList';
const COMMANDS: Command[] = ['bold', 'italic', 'insertUnorderedList', 'insertOrderedList'];
const ICONS: Record<Command, React.ReactNode> = {
  bold: <strong aria-hidden="true">B</strong>,
  italic: <em aria-hidden="true">I</em>,
  insertUnorderedList: <span aria-hidden="true">•≡</span>,
  insertOrderedList: <span aria-hidden="true">1.</span>,
};

interface RichTextEditorProps {
  label: string;
  hint?: string;
  /** The initial HTML; the editor is uncontrolled afterwards (re-mount it with a key to reset). */
  initialHtml: string;
  onChange: (html: string) => void;
}

/**
 * A small editor: paragraphs, bold, italic and lists. The browser's own editing does the work;
 * the server sanitises whatever HTML arrives, so this only has to be friendly, not a guard.
 * The toolbar is one tab stop with arrow keys inside (the ARIA toolbar pattern); Ctrl/Cmd+B and
 * +I work as in any editor.
 */
export function RichTextEditor({ label, hint, initialHtml, onChange }: RichTextEditorProps) {
  const { t } = useTranslation();
  const id = useId();
  const editorRef = useRef<HTMLDivElement>(null);
  const buttonsRef = useRef<Array<HTMLButtonElement | null>>([]);
  const [active, setActive] = useState<Record<Command, boolean>>({ bold: false, italic: false, insertUnorderedList: false, insertOrderedList: false });
  const [focusIndex, setFocusIndex] = useState(0);
  const [initial] = useState(initialHtml);

  useEffect(() => {
    if (editorRef.current) editorRef.current.innerHTML = initial;
  }, [initial]);

  // Which formats apply where the caret is, for the buttons' pressed state.
  useEffect(() => {
    const update = () => {
      const editor = editorRef.current;
      const selection = document.getSelection();
      if (!editor || !selection?.anchorNode || !editor.contains(selection.anchorNode)) return;
      setActive({
        bold: document.queryCommandState('bold'),
        italic: document.queryCommandState('italic'),
        insertUnorderedList: document.queryCommandState('insertUnorderedList'),
        insertOrderedList: document.queryCommandState('insertOrderedList'),
      });
    };
    document.addEventListener('selectionchange', update);
    return () => document.removeEventListener('selectionchange', update);
  }, []);

  const emit = () => {
    const editor = editorRef.current;
    if (!editor) return;
    onChange(editor.textContent?.trim() ? editor.innerHTML : '');
  };

  const run = (command: Command) => {
    const editor = editorRef.current;
    if (!editor) return;
    editor.focus();
    // Enter makes paragraphs rather than <div>s.
    document.execCommand('defaultParagraphSeparator', false, 'p');
    document.execCommand(command);
    setActive((prev) => ({ ...prev, [command]: document.queryCommandState(command) }));
    emit();
  };

  const onToolbarKey = (event: KeyboardEvent) => {
    const last = COMMANDS.length - 1;
    const moves: Record<string, number> = { ArrowRight: focusIndex + 1, ArrowLeft: focusIndex - 1, Home: 0, End: last };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = next > last ? 0 : next < 0 ? last : next;
    setFocusIndex(index);
    buttonsRef.current[index]?.focus();
  };

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
      <div className="rich-text__frame">
        <div className="rich-text__toolbar" role="toolbar" aria-label={t('editor.toolbar')} aria-controls={`${id}-editor`} onKeyDown={onToolbarKey}>
          {COMMANDS.map((command, index) => (
            <button
              key={command}
              ref={(el) => {
                buttonsRef.current[index] = el;
              }}
              type="button"
              className="rich-text__button"
              aria-label={t(`editor.${command}`)}
              aria-pressed={active[command]}
              tabIndex={index === focusIndex ? 0 : -1}
              // Keep the selection in the editor when the button is clicked.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => run(command)}
            >
              {ICONS[command]}
            </button>
          ))}
        </div>
        <div
          ref={editorRef}
          id={`${id}-editor`}
          className="rich-text__editor"
          contentEditable
          suppressContentEditableWarning
          role="textbox"
          aria-multiline="true"
          aria-labelledby={labelId}
          aria-describedby={hintId}
          tabIndex={0}
          onInput={emit}
          onFocus={() => document.execCommand('defaultParagraphSeparator', false, 'p')}
          onPaste={(event) => {
            // Pasted text arrives as text: no fonts, colours or scripts from other pages.
            event.preventDefault();
            document.execCommand('insertText', false, event.clipboardData.getData('text/plain'));
          }}
        />
      </div>
    </div>
  );
}
