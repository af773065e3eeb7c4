import { z } from 'zod';
import { AppError } from './errors';
import { idSchema, isResourceName, isoDateSchema } from './names';
import { isModelUri, parseModelUri, type ModelRef } from './model-uri';
import { pipelineStepIdSchema } from './pipeline';

/**
 * The pipeline step run that made an artifact (a dataset version, a training run, a model
 * version, an alias move). Callers name it; the registry records it only while that step is
 * running, so a record cannot be claimed for a step that is not doing the work.
 */
export const producedBySchema = z.object({
  pipelineRunId: idSchema,
  stepId: pipelineStepIdSchema,
});
export type ProducedBy = z.infer<typeof producedBySchema>;

/** What `lineage.get` starts from (see `parseLineageUri`). */
export type LineageSubject =
  | { kind: 'model-version'; ref: ModelRef }
  | { kind: 'dataset-version'; name: string; version: number }
  | { kind: 'run'; id: string };

const MAX_URI = 200;
const DATASET_REF = /^([^@]+)@([1-9][0-9]{0,8})$/;

/**
 * `models:/<name>/<version>` or `models:/<name>@<alias>` (a model version), `<dataset>@<version>`
 * (a dataset version) or a run id (a training run, else a pipeline run). A 400 naming `field`.
 */
export function parseLineageUri(uri: string, field = 'uri'): LineageSubject {
  const bad = (why: string): AppError =>
    new AppError('VALIDATION_FAILED', `${field}: ${JSON.stringify(uri.slice(0, MAX_URI))} ${why}`, [
      { path: field, message: why },
    ]);
  if (uri.length > MAX_URI) throw bad(`is longer than ${MAX_URI} characters`);
  if (isModelUri(uri)) return { kind: 'model-version', ref: parseModelUri(uri, field) };
  const ds = DATASET_REF.exec(uri);
  if (ds) {
    const [, name = '', version = '0'] = ds;
    if (!isResourceName(name)) throw bad(`names an invalid dataset "${name}"`);
    return { kind: 'dataset-version', name, version: Number(version) };
  }
  if (idSchema.safeParse(uri).success) return { kind: 'run', id: uri };
  throw bad(
    'is not a lineage subject: write models:/<name>/<version>, models:/<name>@<alias>, <dataset>@<version> or a run id',
  );
}

export const lineageNodeKindSchema = z.enum([
  'dataset-version',
  'training-run',
  'model-version',
  'alias',
  'alias-move',
  'evaluation',
  'pipeline-run',
]);
export type LineageNodeKind = z.infer<typeof lineageNodeKindSchema>;

/** The step that produced a node, with what the reader needs to find it again. */
export const lineageProducerSchema = producedBySchema.extend({
  pipeline: z.string(),
  uses: z.string().nullable(),
  trigger: z.string(),
});
export type LineageProducer = z.infer<typeof lineageProducerSchema>;

export const lineageNodeSchema = z.object({
  /** `<kind>:<key>`, e.g. `model-version:iris/3`, `dataset-version:iris@2`, `training-run:<id>`. */
  id: z.string(),
  kind: lineageNodeKindSchema,
  label: z.string(),
  at: isoDateSchema.nullable(),
  /** Small facts about the node (status, metrics, actor, reason…), flat. */
  attrs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** The pipeline step run that made it; null: made outside a pipeline (upload, CLI, API). */
  producedBy: lineageProducerSchema.nullable(),
});
export type LineageNode = z.infer<typeof lineageNodeSchema>;

/**
 * Edges run downstream: `from` was used to make `to` (a dataset version trained a run, a run
 * registered a version, a version is what an alias points at or a move moved to/from).
 */
export const lineageRelationSchema = z.enum([
  'trained',
  'registered',
  'transfer-base',
  'sweep-trial',
  'alias',
  'moved-to',
  'moved-from',
  'evaluated',
  'evaluated-on',
  'produced',
]);
export type LineageRelation = z.infer<typeof lineageRelationSchema>;

export const lineageEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  relation: lineageRelationSchema,
});
export type LineageEdge = z.infer<typeof lineageEdgeSchema>;

export const MAX_LINEAGE_NODES = 200;

export const lineageGraphSchema = z.object({
  /** The node the uri named; walk edges backwards from it for its sources, forwards for uses. */
  root: z.string(),
  nodes: z.array(lineageNodeSchema).max(MAX_LINEAGE_NODES),
  edges: z.array(lineageEdgeSchema),
  /** True when the depth or node bound cut the walk (raise `depth`, or start lower down). */
  truncated: z.boolean(),
  /**
   * The registry does not see deployments: serving instances follow an alias of their own
   * configuration (`SERVING_ALIAS`, default `champion`). Alias nodes carry `servedByDefault`.
   */
  servingAlias: z.string(),
});
export type LineageGraph = z.infer<typeof lineageGraphSchema>;
