/** Types of prune-modules.mjs (plain JavaScript: it runs in the Dockerfiles before any build). */
export function pruneModules(modules: string): { bytes: number; paths: number };
