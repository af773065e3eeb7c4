import { useId, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ModelVersion } from '@mlops/contracts';
import { predictImage, predictRecord, type Answered } from '../api/predict';
import { getJson } from '../api/rest';
import { servingModelsSchema } from '../api/schemas';
import { API } from '../api/urls';
import { Card, ErrorNote } from '../components/Status';
import { PredictionView } from '../components/PredictionView';
import { readAnswerOf, type TryAnswer } from '../lib/try-answer';
import { tryKindOf, type TryTarget } from '../lib/try-it';
import { ImageDrop } from './TryItImage';
import { FeatureForm } from './TryItForm';

/**
 * Send one example to serving through the dashboard's proxy, as the signed-in session, and show
 * what came back: the followed alias (what clients get) or one version by number. The input is
 * built from the signature of the version that will answer: an image for a model with one image
 * input, one field per feature for a tabular model.
 */
export function TryIt({ model, versions }: { model: string; versions: ModelVersion[] }) {
  const targetId = useId();
  const [choice, setChoice] = useState('served');
  const served = useQuery({
    queryKey: ['serving.models'],
    queryFn: ({ signal }) => getJson(`${API.serving}/v1/models`, servingModelsSchema, signal),
    refetchInterval: 5_000,
  });
  const listing = served.data?.models.find((m) => m.name === model);
  const target: TryTarget =
    choice === 'served' ? { kind: 'served' } : { kind: 'version', version: Number(choice) };
  const servedVersion = listing?.version ?? null;
  const expected = target.kind === 'version' ? target.version : servedVersion;
  const version = versions.find((v) => v.version === expected) ?? versions[0];
  const send = useMutation({
    mutationFn: (run: () => Promise<Answered>) => run(),
  });
  if (!version) return null;
  const kind = tryKindOf(version.manifest.signature);
  let answer: TryAnswer | null = null;
  let readError: unknown = null;
  try {
    answer = send.data
      ? readAnswerOf(
          send.data.body,
          (n) => (versions.find((v) => v.version === n) ?? version).manifest.signature,
        )
      : null;
  } catch (err) {
    readError = err;
  }
  const alias = served.data?.alias;
  return (
    <Card title={`${model}: try it`}>
      <div className="form-row">
        <label htmlFor={targetId}>
          Send to
          <select
            id={targetId}
            value={choice}
            onChange={(e) => {
              setChoice(e.target.value);
              send.reset();
            }}
          >
            <option value="served">
              followed alias
              {alias ? ` (${alias}${servedVersion ? ` → v${servedVersion}` : ''})` : ''}
            </option>
            {versions.map((v) => (
              <option key={v.version} value={String(v.version)}>
                v{v.version}
                {v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      {target.kind === 'served' && !listing && served.isSuccess ? (
        <p className="muted">
          Serving does not serve {model} yet: promote a version, or pick one to send to.
        </p>
      ) : null}
      {kind.kind === 'image' ? (
        <ImageDrop
          input={kind.input}
          busy={send.isPending}
          onImage={(file) =>
            send.mutate(() => predictImage(model, target, file, served.data?.limits?.maxBodyBytes))
          }
        />
      ) : null}
      {kind.kind === 'tabular' ? (
        <FeatureForm
          key={version.version}
          features={kind.features}
          busy={send.isPending}
          onRecord={(record) => send.mutate(() => predictRecord(model, target, record))}
        />
      ) : null}
      {kind.kind === 'unsupported' ? <p className="muted">{kind.why}</p> : null}
      <ErrorNote error={send.error ?? readError} />
      {answer && send.data ? (
        <PredictionView answer={answer} latencyMs={send.data.latencyMs} />
      ) : null}
    </Card>
  );
}
