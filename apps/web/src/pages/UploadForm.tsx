import { useId, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { resourceNameSchema, type DatasetFormat, type DatasetVersion } from '@mlops/contracts';
import { uploadDataset, type UploadProgress } from '../api/rest';
import { useSession } from '../api/session';
import { Card, ErrorNote } from '../components/Status';

function formatOf(fileName: string): DatasetFormat {
  if (fileName.endsWith('.jsonl') || fileName.endsWith('.ndjson')) return 'jsonl';
  if (fileName.endsWith('.json')) return 'json';
  return 'csv';
}

export function UploadForm({ onUploaded }: { onUploaded: (d: DatasetVersion) => void }) {
  const { token } = useSession();
  const queryClient = useQueryClient();
  const ids = { name: useId(), file: useId(), progress: useId() };
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<DatasetVersion | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const parsedName = resourceNameSchema.safeParse(name);
    if (!parsedName.success)
      return setError(
        new Error(`Dataset name: ${parsedName.error.issues[0]?.message ?? 'invalid'}`),
      );
    if (!file) return setError(new Error('Choose a CSV, JSON or JSON Lines file to upload.'));
    setBusy(true);
    setProgress({ loaded: 0, total: file.size });
    try {
      const version = await uploadDataset(
        parsedName.data,
        file,
        { format: formatOf(file.name) },
        token,
        setProgress,
      );
      setDone(version);
      await queryClient.invalidateQueries({ queryKey: ['datasets.list'] });
      onUploaded(version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const pct =
    progress && progress.total ? Math.round((progress.loaded / progress.total) * 100) : null;
  return (
    <Card title="Upload a dataset">
      <form className="form-row" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor={ids.name}>
          Dataset name
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="iris"
            autoComplete="off"
            required
          />
        </label>
        <label htmlFor={ids.file}>
          File (CSV, JSON, JSON Lines)
          <input
            id={ids.file}
            type="file"
            accept=".csv,.json,.jsonl,.ndjson,text/csv,application/json"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f && !name)
                setName(
                  f.name
                    .replace(/\.[^.]+$/, '')
                    .toLowerCase()
                    .replace(/[^a-z0-9_-]/g, '-'),
                );
            }}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {progress ? (
        <div className="progress-line">
          <label htmlFor={ids.progress}>Upload progress</label>
          <progress id={ids.progress} max={progress.total ?? undefined} value={progress.loaded} />
          <span>{pct === null ? `${progress.loaded} bytes` : `${pct}%`}</span>
        </div>
      ) : null}
      <ErrorNote error={error} />
      {done ? (
        <p role="status" className="ok">
          Stored {done.name} v{done.version}: {done.rowCount} rows, {done.schema.columns.length}{' '}
          columns.
        </p>
      ) : null}
    </Card>
  );
}
