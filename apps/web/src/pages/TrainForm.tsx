import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  modelPresetSchema,
  trainingSpecSchema,
  type ModelPreset,
  type Run,
  type Task,
} from '@mlops/contracts';
import { useSession } from '../api/session';
import { Card, ErrorNote } from '../components/Status';

export function TrainForm({ onStarted }: { onStarted: (run: Run) => void }) {
  const { clients } = useSession();
  const queryClient = useQueryClient();
  const ids = {
    dataset: useId(),
    target: useId(),
    task: useId(),
    model: useId(),
    preset: useId(),
    epochs: useId(),
    lr: useId(),
  };
  const datasets = useQuery({
    queryKey: ['datasets.list'],
    queryFn: () => clients.api.datasets.list.query({ limit: 500 }),
  });
  const names = [...new Set((datasets.data ?? []).map((d) => d.name))];
  const [dataset, setDataset] = useState('');
  const chosen = dataset || names[0] || '';
  const latest = (datasets.data ?? [])
    .filter((d) => d.name === chosen)
    .sort((a, b) => b.version - a.version)[0];
  const columns = latest?.schema.columns ?? [];
  const [target, setTarget] = useState('');
  const targetCol = columns.find((c) => c.name === target) ?? columns.at(-1);
  const [task, setTask] = useState<Task | ''>('');
  const inferredTask: Task = targetCol?.type === 'numeric' ? 'regression' : 'classification';
  const [model, setModel] = useState('');
  const [preset, setPreset] = useState<ModelPreset>('mlp-small');
  const [epochs, setEpochs] = useState('100');
  const [lr, setLr] = useState('0.02');
  const [formError, setFormError] = useState<Error | null>(null);

  const create = useMutation({
    mutationFn: (spec: Parameters<typeof clients.api.runs.create.mutate>[0]) =>
      clients.api.runs.create.mutate(spec),
    onSuccess: async (run) => {
      await queryClient.invalidateQueries({ queryKey: ['runs.list'] });
      onStarted(run);
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    // Checked here with the same schema the registry uses, so mistakes show next to the form.
    const spec = trainingSpecSchema.safeParse({
      modelName: model || chosen,
      dataset: { name: chosen, ...(latest ? { version: latest.version } : {}) },
      task: task || inferredTask,
      target: targetCol?.name ?? '',
      preset,
      hyperparameters: {
        epochs: Number(epochs),
        learningRate: Number(lr),
        batchSize: 16,
        earlyStoppingPatience: 25,
      },
    });
    if (!spec.success) {
      const issue = spec.error.issues[0];
      setFormError(new Error(`${issue?.path.join('.') ?? 'spec'}: ${issue?.message ?? 'invalid'}`));
      return;
    }
    create.mutate(spec.data);
  };

  if (names.length === 0) return <p className="muted">Upload a dataset to train a model on it.</p>;
  return (
    <Card title="Start training">
      <form className="form-row" onSubmit={onSubmit}>
        <label htmlFor={ids.dataset}>
          Dataset
          <select id={ids.dataset} value={chosen} onChange={(e) => setDataset(e.target.value)}>
            {names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label htmlFor={ids.target}>
          Target column
          <select
            id={ids.target}
            value={targetCol?.name ?? ''}
            onChange={(e) => setTarget(e.target.value)}
          >
            {columns.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
        <label htmlFor={ids.task}>
          Task
          <select
            id={ids.task}
            value={task || inferredTask}
            onChange={(e) => setTask(e.target.value as Task)}
          >
            <option value="classification">classification</option>
            <option value="regression">regression</option>
          </select>
        </label>
        <label htmlFor={ids.model}>
          Model name
          <input
            id={ids.model}
            value={model}
            placeholder={chosen}
            onChange={(e) => setModel(e.target.value)}
            autoComplete="off"
          />
        </label>
        <label htmlFor={ids.preset}>
          Preset
          <select
            id={ids.preset}
            value={preset}
            onChange={(e) => setPreset(modelPresetSchema.parse(e.target.value))}
          >
            {modelPresetSchema.options.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label htmlFor={ids.epochs}>
          Epochs
          <input
            id={ids.epochs}
            type="number"
            min={1}
            max={10000}
            value={epochs}
            onChange={(e) => setEpochs(e.target.value)}
          />
        </label>
        <label htmlFor={ids.lr}>
          Learning rate
          <input
            id={ids.lr}
            type="number"
            step="any"
            min={0}
            value={lr}
            onChange={(e) => setLr(e.target.value)}
          />
        </label>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Starting…' : 'Start training'}
        </button>
      </form>
      <ErrorNote error={formError ?? create.error} />
    </Card>
  );
}
