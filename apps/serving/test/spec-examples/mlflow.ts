/**
 * Request forms of MLflow's scoring server, from its documentation's "Inference Server
 * Specification" (mlflow.org/docs/latest/ml/deployment/deploy-model-locally, "Accepted Input
 * Formats") and its source (mlflow/pyfunc/scoring_server/__init__.py: the four input keys,
 * exactly one per body; `application/json` or `text/csv`, else 415). The documentation's
 * columns `a, b, c` are this test model's features `x, y, color`.
 */

export const rows = [
  { x: 1.5, y: 1.2, color: 'red' },
  { x: -1.8, y: -1.1, color: 'blue' },
];
export const labels = ['pos', 'neg'];

/** Every accepted JSON form, with the labels the test model answers. */
export const jsonForms: Record<string, unknown> = {
  dataframe_split: {
    dataframe_split: {
      columns: ['x', 'y', 'color'],
      data: [
        [1.5, 1.2, 'red'],
        [-1.8, -1.1, 'blue'],
      ],
    },
  },
  dataframe_records: { dataframe_records: rows },
  'instances (records, TF Serving row form)': { instances: rows },
  'instances (rows of values)': {
    instances: [
      [1.5, 1.2, 'red'],
      [-1.8, -1.1, 'blue'],
    ],
  },
  'inputs (columns, TF Serving columnar form)': {
    inputs: { x: [1.5, -1.8], y: [1.2, -1.1], color: ['red', 'blue'] },
  },
  'inputs (rows of values, the quick start curl)': {
    inputs: [
      [1.5, 1.2, 'red'],
      [-1.8, -1.1, 'blue'],
    ],
  },
};

/** `pandas_df.to_csv(index=False)`: a header row, then rows. */
export const csv = 'x,y,color\n1.5,1.2,red\n-1.8,-1.1,blue\n';

/** Refused with 400: each names what is wrong. */
export const badJson: Array<{ body: unknown; mentions: RegExp }> = [
  { body: { inputs: rows, instances: rows }, mentions: /exactly one.*instances and inputs/ },
  {
    body: { dataframe_records: rows, dataframe_split: { columns: ['x'], data: [[1]] } },
    mentions: /exactly one/,
  },
  { body: { dataframe_split: { columns: ['x'], data: [[1, 2]] } }, mentions: /data\[0\]/ },
  { body: { dataframe_records: [{ x: 'a', y: 1, color: 'red' }] }, mentions: /x/ },
  { body: { instances: [[1, 2]] }, mentions: /instances\[0\] has 2 values/ },
  { body: { instances: [[1, 2, 'red'], { x: 1 }] }, mentions: /mixes rows.*instances\[1\]/ },
  { body: { something: [] }, mentions: /dataframe_split, dataframe_records, instances, inputs/ },
];
