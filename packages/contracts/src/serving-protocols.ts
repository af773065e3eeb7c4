import { z } from 'zod';
import { featureRecordSchema, predictionSchema } from './predict';

/**
 * Wire formats of the three serving protocols besides the platform's own TF Serving row format
 * (`predict.ts`). Serving parses bodies with these; clients and tests can use them too.
 */

const cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** TF Serving REST columnar request: `{"inputs": {"feature": [v0, v1, …], …}}`. */
export const tfColumnarRequestSchema = z.object({
  signature_name: z.string().max(128).optional(),
  inputs: z.record(z.string(), z.array(cell)),
});
export type TfColumnarRequest = z.infer<typeof tfColumnarRequestSchema>;

/**
 * TF Serving REST columnar answer, aligned with the input rows: a single output bare (a
 * regression's values), several keyed by output name (`label`, `probabilities`); with
 * `?format=platform` always keyed (`value` for a regression).
 */
export const tfColumnarResponseSchema = z.object({
  outputs: z.union([
    z.array(z.number()),
    z.object({
      label: z.array(z.string()).optional(),
      probabilities: z.array(z.array(z.number())).optional(),
      value: z.array(z.number()).optional(),
    }),
  ]),
  model: z.object({ name: z.string(), version: z.number().int(), alias: z.string().nullable() }),
  predictionIds: z.array(z.string()),
});

/** TF Serving `GET …/metadata` (the JSON form of GetModelMetadataResponse). */
export const tfTensorInfoSchema = z.object({
  dtype: z.string(),
  tensor_shape: z.object({ dim: z.array(z.object({ size: z.string() })) }),
  name: z.string(),
});
export const tfModelMetadataSchema = z.object({
  model_spec: z.object({ name: z.string(), signature_name: z.string(), version: z.string() }),
  metadata: z.object({
    signature_def: z.object({
      signature_def: z.record(
        z.string(),
        z.object({
          inputs: z.record(z.string(), tfTensorInfoSchema),
          outputs: z.record(z.string(), tfTensorInfoSchema),
          method_name: z.string(),
        }),
      ),
    }),
  }),
});

// ---- Open Inference Protocol (KServe v2 / Triton) ----

export const V2_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export const v2DatatypeSchema = z.enum(V2_DATATYPES);
export type V2Datatype = z.infer<typeof v2DatatypeSchema>;

/** Tensor data may be flat (row-major) or nested as the shape says; serving flattens it. */
type NestedData = Array<number | string | boolean | null | NestedData>;
const nestedDataSchema: z.ZodType<NestedData> = z.lazy(() =>
  z.array(z.union([z.number(), z.string(), z.boolean(), z.null(), nestedDataSchema])),
);

export const v2TensorSchema = z.object({
  name: z.string().min(1).max(256),
  shape: z.array(z.number().int().min(0)).min(1).max(8),
  datatype: v2DatatypeSchema,
  parameters: z.record(z.string(), z.unknown()).optional(),
  data: nestedDataSchema,
});
export type V2Tensor = z.infer<typeof v2TensorSchema>;

export const v2InferRequestSchema = z.object({
  id: z.string().max(256).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z.array(v2TensorSchema).min(1).max(1_024),
  outputs: z
    .array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});
export type V2InferRequest = z.infer<typeof v2InferRequestSchema>;

export const v2InferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  outputs: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int()),
      datatype: v2DatatypeSchema,
      data: z.array(z.union([z.number(), z.string(), z.boolean()])),
    }),
  ),
});
export type V2InferResponse = z.infer<typeof v2InferResponseSchema>;

export const v2MetadataTensorSchema = z.object({
  name: z.string(),
  datatype: v2DatatypeSchema,
  shape: z.array(z.number().int()),
});
export const v2ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(v2MetadataTensorSchema),
  outputs: z.array(v2MetadataTensorSchema),
});
export type V2ModelMetadata = z.infer<typeof v2ModelMetadataSchema>;

export const v2ServerMetadataSchema = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});

/** The protocol's error body: `{"error": "<message>"}`. */
export const v2ErrorSchema = z.object({ error: z.string() });

// ---- MLflow scoring server (`POST /invocations`) ----

export const mlflowInvocationSchema = z.union([
  z.object({
    dataframe_split: z.object({
      columns: z.array(z.string()).min(1),
      data: z.array(z.array(cell)),
      index: z.array(z.unknown()).optional(),
    }),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    dataframe_records: z.array(featureRecordSchema),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    /** Records, or rows of values in the signature's input order (MLflow's TF Serving form). */
    instances: z.union([z.array(featureRecordSchema), z.array(z.array(cell))]),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    /** Records, columns, or rows of values in the signature's input order (tensor input). */
    inputs: z.union([
      z.array(featureRecordSchema),
      z.array(z.array(cell)),
      z.record(z.string(), z.array(cell)),
    ]),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type MlflowInvocation = z.infer<typeof mlflowInvocationSchema>;

export const mlflowResponseSchema = z.object({ predictions: z.array(predictionSchema) });

/** MLflow's error body (`mlflow.exceptions.MlflowException.serialize_as_json`). */
export const mlflowErrorSchema = z.object({
  error_code: z.string(),
  message: z.string(),
  stack_trace: z.string().optional(),
});

// ---- Shadow traffic ----

/** One request mirrored to a shadow version: both outputs, for comparison. */
export const shadowRecordSchema = z.object({
  model: z.string(),
  at: z.string(),
  primary: z.object({ version: z.number().int(), predictions: z.array(predictionSchema) }),
  shadow: z.object({ version: z.number().int(), predictions: z.array(predictionSchema) }),
  /** Rows whose label (classification) or rounded value (regression) agree. */
  agreeing: z.number().int(),
  rows: z.number().int(),
});
export type ShadowRecord = z.infer<typeof shadowRecordSchema>;
