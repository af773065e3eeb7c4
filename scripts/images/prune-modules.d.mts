/** Types of prune-modules.mjs (plain JavaScript: it runs in the Dockerfiles before any build). */
export function pruneModules(modules: string): { bytes: number; paths: number };
export function packageClosure(root: string, appDir: string, imports: string[]): Set<string>;
export function pruneToApp(
  root: string,
  appDir: string,
  imports: string[],
  moduleDirs: string[],
): { removed: { bytes: number; paths: number }; kept: number };
