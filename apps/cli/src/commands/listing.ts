import type { CliContext } from '../context';
import { formatMetrics, printJson, printTable } from '../output';
import { modelTestColumns } from './model-test-lines';
import { anomalySummary } from './validation-lines';

export async function listDatasets(ctx: CliContext, name: string | undefined): Promise<void> {
  const rows = await ctx.client.api.datasets.list.query({ ...(name ? { name } : {}), limit: 100 });
  if (ctx.json) return printJson(rows);
  printTable(
    rows.map((d) => ({
      name: d.name,
      version: d.version,
      rows: d.rowCount,
      columns: d.schema.columns.length,
      hash: d.hash.slice(0, 12),
      anomalies: anomalySummary(d.validation),
      created: d.createdAt,
    })),
  );
}

export async function listModels(ctx: CliContext): Promise<void> {
  const models = await ctx.client.api.models.list.query({ limit: 100 });
  if (ctx.json) return printJson(models);
  printTable(
    models.map((m) => ({
      name: m.name,
      latest: m.latestVersion,
      aliases: Object.entries(m.aliases)
        .map(([a, v]) => `${a}→v${v}`)
        .join(', '),
      updated: m.updatedAt,
    })),
  );
}

export async function listVersions(ctx: CliContext, model: string): Promise<void> {
  const versions = await ctx.client.api.versions.list.query({ model, limit: 100 });
  if (ctx.json) return printJson(versions);
  printTable(
    versions.map((v) => ({
      version: v.version,
      aliases: v.aliases.join(', '),
      run: v.manifest.lineage.runId,
      backend: v.manifest.lineage.backend,
      // Only platform metrics are the platform's word; what the client wrote is labelled.
      platform: v.platformMetrics ? formatMetrics(v.platformMetrics.metrics) : null,
      claimed: formatMetrics(v.claimedMetrics),
      // The platform's model tests at registration: what a requireModelTests gate reads.
      ...modelTestColumns(v),
      created: v.createdAt,
    })),
  );
}

export async function listRuns(ctx: CliContext, model: string | undefined): Promise<void> {
  const runs = await ctx.client.api.runs.list.query({ ...(model ? { model } : {}), limit: 100 });
  if (ctx.json) return printJson(runs);
  printTable(
    runs.map((r) => ({
      id: r.id,
      model: r.modelName,
      status: r.status,
      version: r.modelVersion,
      epoch: r.progress ? `${r.progress.epoch}/${r.progress.epochs}` : null,
      // Rows the trainer dropped because their target was missing.
      dropped: r.rows?.droppedNullTarget ?? null,
      metrics: formatMetrics(r.metrics),
      error: r.error,
    })),
  );
}
