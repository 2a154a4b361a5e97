// A question before an action that cannot be undone. A modal <dialog>: the page behind cannot be
// clicked meanwhile and Escape closes it (the browser's own handling); focus starts on the safe
// answer, so Enter or a stray key press does not confirm, and goes back to what opened it.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  /** the action's button, e.g. "Cancel backfill" */
  confirm: string;
  /** the safe answer's button, which has the focus */
  dismiss: string;
  onConfirm: () => void;
  /** the dialog closed without confirming: its safe button, Escape */
  onClose: () => void;
  testId?: string;
}

export function ConfirmDialog({ open, title, children, confirm, dismiss, onConfirm, onClose, testId }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!open || !dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    safe.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, [open]);
  return (
    <dialog ref={ref} className="dialog confirm" aria-labelledby={titleId} onClose={() => open && onClose()} data-testid={testId}>
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="buttons">
        <button ref={safe} onClick={onClose}>
          {dismiss}
        </button>
        <button className="danger" onClick={onConfirm}>
          {confirm}
        </button>
      </div>
    </dialog>
  );
}
