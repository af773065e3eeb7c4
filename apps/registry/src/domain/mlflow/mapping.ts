import type {
  Model,
  ModelVersion,
  MlflowModelVersion,
  MlflowRegisteredModel,
} from '@mlops/contracts';
import { formatModelUri } from '@mlops/contracts';
import {
  modelTags,
  MODEL_TAG_VERSION,
  versionDescriptions,
  versionRuns,
  type ModelTag,
} from '@mlops/storage';
import type { RegistryDeps } from '../../deps';

// Our models and versions as MLflow's RegisteredModel and ModelVersion messages. MLflow's
// server drops empty repeated fields from its JSON (protobuf), so empty lists are left out.

/** Every version here is stage "None": aliases replaced stages (MLflow deprecated them too). */
export const NO_STAGE = 'None';

/** Tags and descriptions of one model, read once per answer. */
export interface ModelMeta {
  tags: ModelTag[];
  descriptions: Map<number, string>;
  /** The run that registered each version (the trainer's), else the manifest's lineage. */
  runs: Map<number, string>;
}

export async function metaOf(deps: RegistryDeps, model: string): Promise<ModelMeta> {
  const [tags, descriptions, runs] = await Promise.all([
    modelTags(deps.db, model),
    versionDescriptions(deps.db, model),
    versionRuns(deps.db, model),
  ]);
  return { tags, descriptions, runs };
}

const ms = (iso: string): number => Date.parse(iso);

function tagsFor(meta: ModelMeta, version: number) {
  return meta.tags
    .filter((t) => t.version === version)
    .map((t) => ({ key: t.key, value: t.value }));
}

/**
 * `source` says where the bundle came from: `runs:/<run>/model` for a run's bundle (what
 * MLflow's `mlflow.register_model` passes), the version's own `models:/` URI otherwise.
 */
export function sourceOf(version: ModelVersion, run: string | undefined): string {
  return run
    ? `runs:/${run}/model`
    : formatModelUri({ model: version.model, version: version.version });
}

export function toMlflowVersion(version: ModelVersion, meta: ModelMeta): MlflowModelVersion {
  const tags = tagsFor(meta, version.version);
  const description = meta.descriptions.get(version.version);
  const run = meta.runs.get(version.version) ?? version.manifest.lineage.runId ?? undefined;
  return {
    name: version.model,
    version: String(version.version),
    creation_timestamp: ms(version.createdAt),
    last_updated_timestamp: ms(version.createdAt),
    current_stage: NO_STAGE,
    ...(description !== undefined ? { description } : {}),
    source: sourceOf(version, run),
    ...(run ? { run_id: run } : {}),
    status: 'READY',
    ...(tags.length > 0 ? { tags } : {}),
    ...(version.aliases.length > 0 ? { aliases: [...version.aliases].sort() } : {}),
  };
}

export function toMlflowModel(
  model: Model,
  latest: ModelVersion | undefined,
  meta: ModelMeta,
): MlflowRegisteredModel {
  const tags = tagsFor(meta, MODEL_TAG_VERSION);
  const aliases = Object.entries(model.aliases)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([alias, version]) => ({ alias, version: String(version) }));
  return {
    name: model.name,
    creation_timestamp: ms(model.createdAt),
    last_updated_timestamp: ms(model.updatedAt),
    ...(model.description ? { description: model.description } : {}),
    ...(latest ? { latest_versions: [toMlflowVersion(latest, meta)] } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
  };
}
