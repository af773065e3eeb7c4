import { driftReportSchema } from '@mlops/contracts';
import type { CliContext } from '../context';
import { requestJson } from '../http';
import { printJson, printTable } from '../output';

/** The monitor's drift report: per column the test, its score and the verdict. */
export async function drift(
  ctx: CliContext,
  model: string,
  window: string | undefined,
): Promise<void> {
  const query = window ? `?window=${encodeURIComponent(window)}` : '';
  const report = driftReportSchema.parse(
    await requestJson(
      `${ctx.monitorUrl}/v1/drift/${encodeURIComponent(model)}${query}`,
      {},
      ctx.token,
    ),
  );
  if (ctx.json) return printJson(report);
  process.stdout.write(
    `${report.model} v${report.version}: ${report.window.rows} live rows vs ${report.referenceRows} reference rows — ` +
      (report.insufficientData
        ? 'not enough live rows yet\n'
        : `dataset drift ${report.datasetDrift ? 'DETECTED' : 'not detected'} (${report.driftedColumns.length}/${report.columns.length} columns)\n`),
  );
  if (report.insufficientData) return;
  printTable(
    report.columns.map((c) => ({
      column: c.column,
      type: c.type,
      test: c.method,
      score: c.score,
      threshold: c.threshold,
      drifted: c.drifted ? 'YES' : 'no',
    })),
  );
}
