import { PREDICTION_LOG_REDACTED } from '@mlops/contracts';
import type { CellValue, DataRow, RetrainRecord, Run } from '@mlops/contracts';
import type { Joined } from './quality';
import type { RetrainRegistry } from './retrain';

/** The dataset the new run trains on: the previous one, or it plus the labeled feedback. */
export async function trainingData(
  registry: RetrainRegistry,
  record: RetrainRecord,
  previous: Run,
  feedback: readonly Joined[],
): Promise<{ name: string; version: number }> {
  const name = previous.spec.dataset.name;
  const versions = await registry.api.datasets.list.query({ name, limit: 500 });
  // The latest version: newer data may have been ingested since the previous run.
  const latest = versions.reduce<(typeof versions)[number] | undefined>(
    (a, b) => (a === undefined || b.version > a.version ? b : a),
    undefined,
  );
  if (!latest) throw new Error(`dataset "${name}" has no versions left in the registry`);
  if (feedback.length === 0) return { name, version: latest.version };

  const columns = latest.schema.columns;
  const target = previous.spec.target;
  const rows: DataRow[] = [];
  for await (const cells of registry.datasetRows(name, latest.version)) {
    rows.push(
      toRow(
        columns.map((c) => c.name),
        cells,
      ),
    );
  }
  let added = 0;
  for (const f of feedback) {
    const row: DataRow = {};
    let complete = true;
    for (const c of columns) {
      const v = c.name === target ? f.truth : f.features[c.name];
      if (v === undefined || v === PREDICTION_LOG_REDACTED) complete = false;
      row[c.name] = v ?? null;
    }
    if (complete) {
      rows.push(row);
      added++;
    }
  }
  record.feedbackRows = added;
  if (added === 0) return { name, version: latest.version };
  const uploaded = await registry.uploadDataset(name, JSON.stringify(rows), {
    format: 'json',
    schema: JSON.stringify({ columns: latest.schema.columns }),
  });
  return { name, version: uploaded.version };
}

function toRow(names: readonly string[], cells: readonly CellValue[]): DataRow {
  const row: DataRow = {};
  names.forEach((n, i) => (row[n] = cells[i] ?? null));
  return row;
}
