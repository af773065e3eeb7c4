/**
 * The part of Argo's `io.argoproj.workflow.v1alpha1.Workflow` the compiler writes. Field names
 * and types follow Argo's JSON schema (IntOrString fields are strings there); the test checks
 * the output against the vendored schema.
 */
export interface ArgoParameter {
  name: string;
  value?: string;
  enum?: string[];
  description?: string;
  valueFrom?: { path: string };
}

export interface ArgoDagTask {
  name: string;
  template: string;
  depends?: string;
  when?: string;
  arguments?: { parameters: ArgoParameter[] };
}

export interface ArgoContainer {
  image: string;
  command: string[];
  args: string[];
  envFrom: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}

export interface ArgoTemplate {
  name: string;
  metadata?: { annotations: Record<string, string> };
  dag?: { tasks: ArgoDagTask[] };
  inputs?: { parameters: ArgoParameter[] };
  outputs?: { parameters: ArgoParameter[] };
  retryStrategy?: {
    limit: string;
    retryPolicy: string;
    backoff: { duration: string; factor: string };
  };
  container?: ArgoContainer;
}

export interface ArgoWorkflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: {
    generateName: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    entrypoint: string;
    arguments: { parameters: ArgoParameter[] };
    securityContext: Record<string, unknown>;
    volumes: { name: string; emptyDir: Record<string, never> }[];
    templates: ArgoTemplate[];
  };
}
