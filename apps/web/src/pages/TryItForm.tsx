import { useId, useState, type FormEvent } from 'react';
import type { Column, FeatureRecord } from '@mlops/contracts';
import { formRecord } from '../lib/try-it';

/** One field per feature of a tabular signature; a field left empty is a missing value. */
export function FeatureForm({
  features,
  busy,
  onRecord,
}: {
  features: Column[];
  busy: boolean;
  onRecord: (record: FeatureRecord) => void;
}) {
  const id = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    onRecord(formRecord(features, values));
  };
  return (
    <form className="form-row" onSubmit={onSubmit} aria-label="Features">
      {features.map((f, i) => {
        const fieldId = `${id}-${i}`;
        const value = values[f.name] ?? '';
        const choices =
          f.type === 'boolean' ? ['true', 'false'] : f.type === 'categorical' ? f.categories : null;
        return (
          <label key={f.name} htmlFor={fieldId}>
            {f.name}
            {choices ? (
              <select id={fieldId} value={value} onChange={(e) => set(f.name, e.target.value)}>
                <option value="">(missing)</option>
                {choices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={fieldId}
                value={value}
                inputMode={f.type === 'numeric' ? 'decimal' : 'text'}
                onChange={(e) => set(f.name, e.target.value)}
                size={8}
                autoComplete="off"
              />
            )}
          </label>
        );
      })}
      <button type="submit" disabled={busy}>
        {busy ? 'Predicting…' : 'Predict'}
      </button>
    </form>
  );
}
