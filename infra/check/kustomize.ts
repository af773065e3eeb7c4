import path from 'node:path';
import { z } from 'zod';
import { APP_PORTS } from './apps';
import type { Report } from './report';
import { has, run, yamlDocuments } from './tools';

const objectSchema = z.looseObject({
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.unknown().optional(),
  data: z.record(z.string(), z.string()).optional(),
});
type K8sObject = z.infer<typeof objectSchema>;

const probeSchema = z.looseObject({ httpGet: z.looseObject({ path: z.string() }) });
const containerSchema = z.looseObject({
  image: z.string(),
  readinessProbe: probeSchema,
  livenessProbe: probeSchema,
  resources: z.looseObject({
    requests: z.looseObject({ cpu: z.union([z.string(), z.number()]), memory: z.string() }),
    limits: z.looseObject({ memory: z.string() }),
  }),
  envFrom: z
    .array(
      z.looseObject({
        configMapRef: z.looseObject({ name: z.string() }).optional(),
        secretRef: z.looseObject({ name: z.string() }).optional(),
      }),
    )
    .optional(),
});
const deploymentSpecSchema = z.looseObject({
  template: z.looseObject({
    metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
    spec: z.looseObject({
      securityContext: z.looseObject({ runAsNonRoot: z.literal(true) }),
      containers: z.array(containerSchema).min(1),
    }),
  }),
});
const hpaSpecSchema = z.looseObject({
  scaleTargetRef: z.looseObject({ kind: z.string(), name: z.string() }),
  minReplicas: z.number(),
  maxReplicas: z.number(),
});
const scaledObjectSpecSchema = z.looseObject({
  scaleTargetRef: z.looseObject({ name: z.string() }),
  triggers: z
    .array(z.looseObject({ type: z.string(), metadata: z.record(z.string(), z.string()) }))
    .min(1),
});
const pdbSpecSchema = z.looseObject({
  selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
});

export interface Overlay {
  name: string;
  /** Secrets the overlay expects to exist in the cluster rather than generating them. */
  externalSecrets: string[];
}

/** Render an overlay with `kubectl kustomize` (offline) and check the fields the issue asks for. */
export function checkOverlay(
  root: string,
  overlay: Overlay,
  apps: string[],
  scope: string,
  report: Report,
): void {
  const dir = path.join(root, 'infra', 'k8s', 'overlays', overlay.name);
  if (!has('kubectl')) {
    report.expect(false, 'kubectl is installed (apt-get install kubectl)');
    return;
  }
  const r = run('kubectl', ['kustomize', dir], { cwd: root });
  report.expect(r.ok, `kubectl kustomize ${overlay.name} renders${r.ok ? '' : `:\n${r.stderr}`}`);
  if (!r.ok) return;
  const objects = yamlDocuments(r.stdout).map((o) => objectSchema.parse(o));
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const at = `[${overlay.name}]`;

  const namespaced = objects.filter((o) => o.kind !== 'Namespace');
  report.expect(
    namespaced.every((o) => !!o.metadata.namespace),
    `${at} every object has a namespace`,
  );
  const config = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('mlops-config'),
  );
  report.expect(!!config, `${at} ConfigMap mlops-config`);
  const refs = new Set<string>();

  for (const app of apps) {
    const dep = find('Deployment', app);
    report.expect(!!dep, `${at} Deployment ${app}`);
    if (!dep) continue;
    const parsed = deploymentSpecSchema.safeParse(dep.spec);
    report.expect(
      parsed.success,
      `${at} ${app}: probes, resources and runAsNonRoot${parsed.success ? '' : ` (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`}`,
    );
    if (!parsed.success) continue;
    const c = parsed.data.template.spec.containers[0]!;
    report.expect(
      c.readinessProbe.httpGet.path === '/readyz' && c.livenessProbe.httpGet.path === '/healthz',
      `${at} ${app}: readiness /readyz, liveness /healthz`,
    );
    report.expect(
      new RegExp(`^${scope}/${app}:[^:]+$`).test(c.image) && !c.image.endsWith(':latest'),
      `${at} ${app}: image ${c.image} is ${scope}/${app} with a pinned tag`,
    );
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) refs.add(`ConfigMap/${e.configMapRef.name}`);
      if (e.secretRef) refs.add(`Secret/${e.secretRef.name}`);
    }
    const svc = find('Service', app);
    const port = APP_PORTS[app]?.port;
    report.expect(
      !!svc && (port === undefined || JSON.stringify(svc.spec).includes(`"port":${port}`)),
      `${at} Service ${app}${port ? ` on ${port}` : ''}`,
    );
  }

  checkIsolation(objects, apps, at, report);

  for (const ref of refs) {
    const [kind, name] = ref.split('/') as [string, string];
    const exists = !!find(kind, name);
    if (!exists && kind === 'Secret' && overlay.externalSecrets.includes(name))
      report.note(
        `${at} Secret ${name} is not rendered: create it in the cluster first (see the overlay)`,
      );
    else report.expect(exists, `${at} ${ref} referenced by envFrom is rendered`);
  }

  const hpa = find('HorizontalPodAutoscaler', 'serving');
  const hpaSpec = hpaSpecSchema.safeParse(hpa?.spec);
  report.expect(
    hpaSpec.success &&
      hpaSpec.data.scaleTargetRef.kind === 'Deployment' &&
      hpaSpec.data.scaleTargetRef.name === 'serving' &&
      hpaSpec.data.minReplicas >= 1 &&
      hpaSpec.data.maxReplicas >= hpaSpec.data.minReplicas,
    `${at} HorizontalPodAutoscaler scales Deployment serving`,
  );

  const so = scaledObjectSpecSchema.safeParse(find('ScaledObject', 'trainer')?.spec);
  const prefix = config?.data?.MLOPS_REDIS_PREFIX ?? 'mlops';
  const trigger = so.success ? so.data.triggers.find((t) => t.type === 'redis') : undefined;
  report.expect(
    so.success && so.data.scaleTargetRef.name === 'trainer',
    `${at} KEDA ScaledObject scales trainer`,
  );
  report.expect(
    trigger?.metadata.listName === `${prefix}:bull:train:wait`,
    `${at} KEDA trigger watches ${prefix}:bull:train:wait (found ${trigger?.metadata.listName ?? 'none'})`,
  );
  const addressVar = trigger?.metadata.addressFromEnv;
  report.expect(
    !!trigger?.metadata.address || (!!addressVar && !!config?.data?.[addressVar]),
    `${at} KEDA trigger has a Redis address`,
  );

  for (const app of apps.filter((a) => a !== 'monitor')) {
    const pdb = pdbSpecSchema.safeParse(find('PodDisruptionBudget', app)?.spec);
    const labels = find('Deployment', app)
      ? deploymentSpecSchema.safeParse(find('Deployment', app)!.spec)
      : undefined;
    const podLabels = labels?.success ? labels.data.template.metadata.labels : {};
    report.expect(
      pdb.success &&
        Object.entries(pdb.data.selector.matchLabels).every(([k, v]) => podLabels[k] === v),
      `${at} PodDisruptionBudget ${app} selects its pods`,
    );
  }
}

const podSpecSchema = z.looseObject({
  template: z.looseObject({
    spec: z.looseObject({
      automountServiceAccountToken: z.boolean().optional(),
      containers: z.array(
        z.looseObject({
          envFrom: z
            .array(z.looseObject({ secretRef: z.looseObject({ name: z.string() }).optional() }))
            .optional(),
        }),
      ),
    }),
  }),
});
const networkPolicySchema = z.looseObject({
  podSelector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }),
  policyTypes: z.array(z.string()),
  ingress: z.array(z.unknown()).optional(),
  egress: z.array(z.unknown()).optional(),
});

/**
 * Issue #16: no NetworkPolicy (every pod could reach every other and the outside) and
 * service-account tokens mounted in pods that never call the Kubernetes API; one token shared
 * by every app. Generated secret names carry a hash suffix: compare by prefix.
 */
function checkIsolation(objects: K8sObject[], apps: string[], at: string, report: Report): void {
  const policies = objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => ({ name: o.metadata.name, spec: networkPolicySchema.parse(o.spec) }));
  report.expect(
    policies.some(
      (p) =>
        Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
        p.spec.policyTypes.includes('Ingress') &&
        p.spec.policyTypes.includes('Egress') &&
        !p.spec.ingress?.length &&
        !p.spec.egress?.length,
    ),
    `${at} a default-deny NetworkPolicy (all pods, ingress and egress)`,
  );
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  for (const dep of deployments) {
    const name = dep.metadata.name;
    const spec = podSpecSchema.safeParse(dep.spec);
    report.expect(
      spec.success && spec.data.template.spec.automountServiceAccountToken === false,
      `${at} ${name}: automountServiceAccountToken is false`,
    );
    report.expect(
      policies.some((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === name),
      `${at} ${name}: a NetworkPolicy allows its flows`,
    );
    if (!apps.includes(name) || !spec.success) continue;
    const tokens = spec.data.template.spec.containers
      .flatMap((c) => c.envFrom ?? [])
      .map((e) => e.secretRef?.name)
      .filter((n): n is string => !!n && n.startsWith('mlops-token'));
    report.expect(
      name === 'web'
        ? tokens.length === 0
        : tokens.length === 1 && tokens[0]!.startsWith(`mlops-token-${name}`),
      `${at} ${name}: ${name === 'web' ? 'no token' : `its own token Secret mlops-token-${name}`} (found ${tokens.join(', ') || 'none'})`,
    );
  }
}

export type { K8sObject };
