import { createHash } from 'node:crypto';
import {
  AppError,
  canonicalJson,
  expressionsIn,
  NEVER_CACHED_STEP_KINDS,
  parseExpression,
  stepDependencies,
  type PipelineDefinition,
  type PipelineStepSpec,
} from '@mlops/contracts';
import type { ArgoDagTask, ArgoParameter, ArgoTemplate, ArgoWorkflow } from './types';
import {
  ARGO_OUTPUTS_PARAMETER,
  ARGO_OUTPUTS_PATH,
  ARGO_STEP_COMMAND,
  stepArgs,
} from './step-command';
import { argoName, argoWhen, InexpressibleCondition } from './when';

export interface ArgoCompileOptions {
  /** The image every step runs (it must provide ARGO_STEP_COMMAND). */
  image: string;
  /** ConfigMap of the shared settings (REGISTRY_URL, MLOPS_REDIS_PREFIX, S3_*…). */
  configMap: string;
  /** Secret holding MLOPS_TOKEN, as the Kubernetes manifests give each app its own. */
  tokenSecret: string;
}

export const ARGO_DEFAULTS: ArgoCompileOptions = {
  image: 'mlops/trainer:dev',
  configMap: 'mlops-config',
  tokenSecret: 'mlops-token-trainer',
};

const DAG_TEMPLATE = 'pipeline';
const stepTemplate = (stepId: string) => `step-${argoName(stepId)}`;
const upstreamParam = (stepId: string) => `upstream-${argoName(stepId)}`;

/** The same hardening as infra/k8s: non-root, no privilege escalation, read-only root. */
const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** A Kubernetes name (DNS-1123 label) from a resource name, which may hold "_" and ".". */
function k8sName(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  return n.slice(0, 56).replace(/-+$/, '') || 'pipeline';
}

/** The parameters a step's inputs and conditions read, so its command gets just those. */
function paramsOf(step: PipelineDefinition['steps'][number]): string[] {
  const names = new Set<string>();
  for (const { text } of [...expressionsIn(step.with), ...expressionsIn(step.when ?? [])]) {
    const e = parseExpression(text);
    if (e?.kind === 'param') names.add(e.name);
  }
  return [...names].sort();
}

function argoParameters(def: PipelineDefinition): ArgoParameter[] {
  return Object.entries(def.parameters).map(([name, p]) => ({
    name,
    // Argo values are strings; the step command converts them back by the declared type. No
    // default: Argo refuses to submit the workflow until `-p name=value` is given.
    ...(p.default !== undefined ? { value: String(p.default) } : {}),
    ...(p.type === 'string' && p.enum ? { enum: p.enum } : {}),
    ...(p.description ? { description: p.description } : {}),
  }));
}

function refuse(path: (string | number)[], message: string): never {
  throw new AppError('VALIDATION_FAILED', `${path.join('.')}: ${message}`, [
    { path: path.join('.'), message },
  ]);
}

/**
 * An Argo Workflow running the definition: one DAG task and one container template per step.
 * Pure: the same definition and options give the same object. Throws VALIDATION_FAILED naming
 * the field when a condition cannot be expressed in Argo or two step ids map to one Argo name.
 */
export function compileArgoWorkflow(
  def: PipelineDefinition,
  options: ArgoCompileOptions = ARGO_DEFAULTS,
): ArgoWorkflow {
  const sha256 = createHash('sha256').update(canonicalJson(def)).digest('hex');
  const seen = new Map<string, string>();
  def.steps.forEach((s, i) => {
    const other = seen.get(argoName(s.id));
    if (other) refuse(['steps', i, 'id'], `"${s.id}" and "${other}" are one name in Argo`);
    seen.set(argoName(s.id), s.id);
  });

  const tasks: ArgoDagTask[] = [];
  const templates: ArgoTemplate[] = [];
  def.steps.forEach((step, i) => {
    const deps = stepDependencies(step).sort();
    let when: string | undefined;
    try {
      when = argoWhen(def, i);
    } catch (err) {
      if (err instanceof InexpressibleCondition)
        refuse(err.path, `cannot be expressed as an Argo condition (${err.reason})`);
      throw err;
    }
    const upstream = deps.map((d) => ({
      name: upstreamParam(d),
      value: `{{tasks.${argoName(d)}.outputs.parameters.${ARGO_OUTPUTS_PARAMETER}}}`,
    }));
    tasks.push({
      name: argoName(step.id),
      template: stepTemplate(step.id),
      // `Succeeded`, not Argo's default (which also runs after a skipped task): below a false
      // `when` or a failure the whole chain is left out, as the BullMQ executor skips it.
      ...(deps.length ? { depends: deps.map((d) => `${argoName(d)}.Succeeded`).join(' && ') } : {}),
      ...(when ? { when } : {}),
      ...(upstream.length ? { arguments: { parameters: upstream } } : {}),
    });

    const params = paramsOf(step);
    const spec: PipelineStepSpec = {
      pipeline: def.name,
      definitionSha256: sha256,
      parameters: Object.fromEntries(params.map((p) => [p, def.parameters[p]!])),
      step,
    };
    const cache = step.cache && !NEVER_CACHED_STEP_KINDS.has(step.uses);
    templates.push({
      name: stepTemplate(step.id),
      metadata: { annotations: { 'mlops.dev/step': step.id, 'mlops.dev/uses': step.uses } },
      ...(deps.length
        ? { inputs: { parameters: deps.map((d) => ({ name: upstreamParam(d) })) } }
        : {}),
      outputs: {
        parameters: [{ name: ARGO_OUTPUTS_PARAMETER, valueFrom: { path: ARGO_OUTPUTS_PATH } }],
      },
      // Argo counts retries as BullMQ's attempts - 1; the backoff doubles from 1 s likewise.
      ...(step.retries > 0
        ? {
            retryStrategy: {
              limit: String(step.retries),
              retryPolicy: 'Always',
              backoff: { duration: '1s', factor: '2' },
            },
          }
        : {}),
      container: {
        image: options.image,
        command: [...ARGO_STEP_COMMAND],
        args: stepArgs({
          spec: Buffer.from(canonicalJson(spec)).toString('base64'),
          params: Object.fromEntries(params.map((p) => [p, `{{workflow.parameters.${p}}}`])),
          upstream: Object.fromEntries(
            deps.map((d) => [d, `{{inputs.parameters.${upstreamParam(d)}}}`]),
          ),
          cache,
        }),
        envFrom: [
          { configMapRef: { name: options.configMap } },
          { secretRef: { name: options.tokenSecret } },
        ],
        resources: {
          requests: { cpu: '1', memory: '1Gi' },
          limits: { cpu: '2', memory: '4Gi' },
        },
        securityContext: CONTAINER_SECURITY,
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'data', mountPath: '/data' },
        ],
      },
    });
  });

  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: `${k8sName(def.name)}-`,
      labels: { 'app.kubernetes.io/part-of': 'mlops', 'mlops.dev/pipeline': k8sName(def.name) },
      annotations: { 'mlops.dev/pipeline': def.name, 'mlops.dev/pipeline-sha256': sha256 },
    },
    spec: {
      entrypoint: DAG_TEMPLATE,
      arguments: { parameters: argoParameters(def) },
      securityContext: POD_SECURITY,
      volumes: [
        { name: 'tmp', emptyDir: {} },
        { name: 'data', emptyDir: {} },
      ],
      templates: [{ name: DAG_TEMPLATE, dag: { tasks } }, ...templates],
    },
  };
}
