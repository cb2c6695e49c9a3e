'use client';

import { useEffect, useId, useRef } from 'react';

/**
 * A modal confirmation step (the native <dialog>, opened with showModal()): the rest of the page
 * is inert while it is open, Escape dismisses it, and screen readers announce its title and
 * description. Focus starts on the dismiss button, the safe choice for a step that cannot be undone.
 */
export function ConfirmDialog({
  title,
  description,
  confirmLabel,
  dismissLabel,
  onConfirm,
  onDismiss,
}: {
  title: string;
  description: string;
  confirmLabel: string;
  dismissLabel: string;
  onConfirm: () => void;
  onDismiss: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const dismiss = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (!el.open) el.showModal();
    dismiss.current?.focus();
    return () => {
      if (el.open) el.close();
    };
  }, []);

  /** Closes the modal first: until then the page behind is inert and cannot take the focus back. */
  function close(then: () => void) {
    if (dialog.current?.open) dialog.current.close();
    then();
  }

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-description`}
      data-testid="confirm-dialog"
      onCancel={(e) => {
        // Escape: closed here (not by the browser), so the same steps as the button run.
        e.preventDefault();
        close(onDismiss);
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-description`}>{description}</p>
      <div className="actions">
        <button type="button" className="button-danger" onClick={() => close(onConfirm)}>
          {confirmLabel}
        </button>
        <button ref={dismiss} type="button" className="button-secondary" onClick={() => close(onDismiss)}>
          {dismissLabel}
        </button>
      </div>
    </dialog>
  );
}
