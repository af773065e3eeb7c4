/** The button that cancels a live run (a training run, a pipeline run); off while it asks. */
export function CancelButton({ onCancel, pending }: { onCancel: () => void; pending: boolean }) {
  return (
    <button type="button" className="danger" onClick={onCancel} disabled={pending}>
      Cancel run
    </button>
  );
}
