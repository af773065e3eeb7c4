import type { Column, InferenceReport } from '@mlops/contracts';

/**
 * One line per column for `mlops ingest`: its type, how that was decided, the tokens read as
 * missing and, when default features skip it, why — so a person sees every decision at ingest.
 */
export function inferenceLines(columns: Column[], report: InferenceReport | undefined): string[] {
  const byName = new Map((report?.columns ?? []).map((c) => [c.name, c]));
  const lines = columns.map((c) => {
    const head = `  ${c.name}: ${c.type}${c.nullable ? ' (nullable)' : ''}`;
    const decision = byName.get(c.name);
    if (!decision) return head;
    const parts = [`${head} — ${decision.reason}`];
    if (decision.missingTokens)
      parts.push(
        `    missing: ${Object.entries(decision.missingTokens)
          .map(([token, n]) => `${JSON.stringify(token)} ×${n}`)
          .join(', ')}`,
      );
    if (decision.excluded) parts.push(`    not a default feature: ${decision.excluded}`);
    return parts.join('\n');
  });
  if (report?.source === 'schema') lines.unshift('  (types from --schema; nothing inferred)');
  return lines;
}
