import { podman } from './podman';

export function imageExists(image: string): boolean {
  return podman(['image', 'exists', image]).ok;
}

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  /** Writable scratch mounts (the manifests' `/tmp` emptyDir). */
  tmpfs: string[];
  /**
   * Writable state, as named volumes (volume name → path): podman copies the image's ownership
   * of the path into a new volume — the registry's `/data` belongs to uid 1000 — as the pod's
   * fsGroup does for an emptyDir. A tmpfs there stays root's (podman 4.3 ignores its mode).
   */
  volumes?: Record<string, string>;
}

/**
 * Start a container the way the Kubernetes manifests run the pod: read-only root filesystem,
 * uid/gid 1000, every capability dropped, no privilege escalation; writable only where the
 * manifests mount an emptyDir. Host network: the services reach this machine's Redis, Postgres
 * and S3 server on loopback, and the smoke test reaches them.
 */
export function startContainer(spec: ContainerSpec): void {
  const args = [
    'run',
    '--detach',
    '--name',
    spec.name,
    '--network',
    'host',
    '--read-only',
    '--user',
    '1000:1000',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
  ];
  for (const mount of spec.tmpfs) args.push('--tmpfs', `${mount}:rw`);
  for (const [volume, mount] of Object.entries(spec.volumes ?? {}))
    args.push('--volume', `${volume}:${mount}`);
  for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
  args.push(spec.image);
  const r = podman(args);
  if (!r.ok) throw new Error(`podman run ${spec.name} failed: ${r.out}`);
}

/** Run the image's own HEALTHCHECK command once: true when it exits 0. */
export function healthy(name: string): boolean {
  return podman(['healthcheck', 'run', name]).ok;
}

/** Whether the container's main process is still running. */
export function running(name: string): boolean {
  const r = podman(['container', 'inspect', '--format', '{{.State.Running}}', name]);
  return r.ok && r.out === 'true';
}

/** The user id the container's process runs as (from inside it). */
export function processUid(name: string): string {
  const r = podman(['exec', name, 'id', '-u']);
  return r.ok ? r.out : `unknown (${r.out})`;
}

export function logs(name: string, lines = 40): string {
  return podman(['logs', '--tail', String(lines), name]).out;
}

export function removeContainer(name: string): void {
  // --volumes: the anonymous volumes of the images' VOLUME lines go with the container.
  podman(['rm', '--force', '--volumes', '--time', '5', name]);
}

export function removeVolume(name: string): void {
  podman(['volume', 'rm', '--force', name]);
}
