import { z } from 'zod';

/**
 * Tensor features: a model input that is a whole tensor (an image, a signal, an embedding)
 * rather than a list of named scalar columns. One schema from the bundle manifest to serving;
 * scalar signatures (`Signature.inputs`) are unchanged and a model has one kind or the other.
 */

/** The dtypes a TF.js model input or output can have, as TF.js spells them. */
export const tensorDtypeSchema = z.enum(['float32', 'int32', 'uint8', 'bool']);
export type TensorDtype = z.infer<typeof tensorDtypeSchema>;

/** TF.js builds tensors up to rank 6 (`tensor6d`); beyond that most kernels refuse. */
export const MAX_TENSOR_RANK = 6;
/**
 * Elements of one example of one input (the batch dimension excluded): 2^22, e.g. a
 * 1024×1024×4 image, 16 MiB as float32. A request of several examples is bounded by the
 * serving body limit on top of this.
 */
export const MAX_TENSOR_ELEMENTS = 4_194_304;
/** Named inputs and outputs of one model. */
export const MAX_TENSOR_IO = 16;

/**
 * A tensor's name as TF.js reports it: Keras layer names (`input_1`) or graph node / signature
 * names (`serving_default_x:0`, `StatefulPartitionedCall/...`).
 */
export const tensorNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/,
    'must be letters, digits and _ . : / - (a TF.js input or output name)',
  );

/** A dimension: the batch is -1 (any), every other dimension a positive size. */
const dimSchema = z.number().int().min(-1).max(1_000_000);

/**
 * `[-1, d1, …, dk]`: the first dimension is the batch (-1), the others fixed sizes. A bare
 * `[-1]` is one scalar per example. The rank limit is checked by `tensorShapeProblems` (so the
 * message names the input), the array bound here only keeps the payload small.
 */
export const tensorShapeSchema = z.array(dimSchema).min(1).max(64);

/** Elements of one example (dimensions after the batch). */
export function exampleElements(shape: readonly number[]): number {
  return shape.slice(1).reduce((n, d) => n * d, 1);
}

/**
 * Problems of a tensor shape, each a message naming the input; empty when the shape is usable.
 * Kept as a function so the import can say the same thing about a shape read from a model file.
 */
export function tensorShapeProblems(name: string, shape: readonly number[]): string[] {
  const problems: string[] = [];
  if (shape.length > MAX_TENSOR_RANK)
    problems.push(
      `input "${name}" has rank ${shape.length}; at most ${MAX_TENSOR_RANK} dimensions are supported`,
    );
  if (shape.length === 0 || shape[0] !== -1)
    problems.push(`input "${name}" must start with the batch dimension -1, e.g. [-1, 224, 224, 3]`);
  const bad = shape.slice(1).findIndex((d) => !(d >= 1));
  if (bad >= 0)
    problems.push(
      `input "${name}" dimension ${bad + 1} is ${shape[bad + 1]}; only the batch (dimension 0) may be -1, declare the size`,
    );
  else if (exampleElements(shape) > MAX_TENSOR_ELEMENTS)
    problems.push(
      `input "${name}" has ${exampleElements(shape)} elements per example ([${shape.join(', ')}]); at most ${MAX_TENSOR_ELEMENTS} are supported`,
    );
  return problems;
}

export const resizeMethodSchema = z.enum(['bilinear', 'nearest']);
export type ResizeMethod = z.infer<typeof resizeMethodSchema>;

/**
 * How an encoded image (JPEG/PNG bytes) becomes the model's input tensor: decoded to `channels`,
 * resized to `height`×`width` with `resize`, then each value v (0–255) becomes
 * `(v * scale - mean[c]) / std[c]`. `mean`/`std` have one entry per channel (absent = 0 / 1).
 */
export const imageDecodingSchema = z
  .object({
    channels: z.union([z.literal(1), z.literal(3), z.literal(4)]),
    height: z.number().int().min(1).max(4_096),
    width: z.number().int().min(1).max(4_096),
    resize: resizeMethodSchema.default('bilinear'),
    /** e.g. 1/255 for a model trained on [0, 1] pixels; 1 for raw 0–255. */
    scale: z.number().positive().finite().default(1),
    mean: z.array(z.number().finite()).min(1).max(4).optional(),
    std: z.array(z.number().positive().finite()).min(1).max(4).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    for (const key of ['mean', 'std'] as const) {
      const values = d[key];
      if (values && values.length !== d.channels)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message: `needs one value per channel (${d.channels}), got ${values.length}`,
        });
    }
  });
export type ImageDecoding = z.infer<typeof imageDecodingSchema>;

/**
 * One named model input. `tensor`: clients send the values (nested arrays, raw bytes) of
 * `shape`. `image`: clients send encoded image bytes that `decoding` turns into `shape`
 * ([-1, height, width, channels]) — the preprocessing travels with the model.
 */
export const tensorInputSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('tensor'),
      name: tensorNameSchema,
      dtype: tensorDtypeSchema,
      shape: tensorShapeSchema,
    }),
    z.object({
      kind: z.literal('image'),
      name: tensorNameSchema,
      dtype: tensorDtypeSchema,
      shape: tensorShapeSchema,
      decoding: imageDecodingSchema,
    }),
  ])
  .superRefine((input, ctx) => {
    for (const message of tensorShapeProblems(input.name, input.shape))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['shape'], message });
    if (input.kind === 'image') {
      const { height, width, channels } = input.decoding;
      const expected = [-1, height, width, channels];
      if (input.shape.join(',') !== expected.join(','))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['shape'],
          message: `image input "${input.name}" decodes to [${expected.join(', ')}], its shape says [${input.shape.join(', ')}]`,
        });
    }
  });
export type TensorInput = z.infer<typeof tensorInputSchema>;

/** What an output means, so serving and monitoring know what to do with it. */
export const tensorOutputRoleSchema = z.enum([
  'probabilities',
  'logits',
  'embedding',
  'value',
  'other',
]);
export type TensorOutputRole = z.infer<typeof tensorOutputRoleSchema>;

/** One named model output; `shape` as the model produced it on the import's dry run. */
export const tensorOutputSchema = z.object({
  name: tensorNameSchema,
  dtype: tensorDtypeSchema,
  shape: tensorShapeSchema,
  role: tensorOutputRoleSchema,
});
export type TensorOutput = z.infer<typeof tensorOutputSchema>;

function uniqueNames(
  items: ReadonlyArray<{ name: string }>,
  what: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (seen.has(item.name))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [what, i, 'name'],
        message: `${what.slice(0, -1)} "${item.name}" is declared twice`,
      });
    seen.add(item.name);
  }
}

/**
 * The tensor side of a signature: every named input (fed together, same batch) and every named
 * output. `Signature.output` still says the task; for classification its labels belong to the
 * first `probabilities`/`logits` output.
 */
export const tensorSignatureSchema = z
  .object({
    inputs: z.array(tensorInputSchema).min(1).max(MAX_TENSOR_IO),
    outputs: z.array(tensorOutputSchema).min(1).max(MAX_TENSOR_IO),
  })
  .superRefine((s, ctx) => {
    uniqueNames(s.inputs, 'inputs', ctx);
    uniqueNames(s.outputs, 'outputs', ctx);
  });
export type TensorSignature = z.infer<typeof tensorSignatureSchema>;

/**
 * What an import may declare about one tensor input; anything left out is read from the model
 * file. `name` may be omitted when the model has one input. `image` declares the decoding (the
 * shape is then [-1, height, width, channels]).
 */
export const tensorInputDeclarationSchema = z
  .object({
    name: tensorNameSchema.optional(),
    dtype: tensorDtypeSchema.optional(),
    shape: tensorShapeSchema.optional(),
    image: imageDecodingSchema.optional(),
  })
  .strict();
export type TensorInputDeclaration = z.infer<typeof tensorInputDeclarationSchema>;

/** What an import may declare about one output: its role, by name or by position. */
export const tensorOutputDeclarationSchema = z
  .object({ name: tensorNameSchema.optional(), role: tensorOutputRoleSchema })
  .strict();
export type TensorOutputDeclaration = z.infer<typeof tensorOutputDeclarationSchema>;

/**
 * A tensor model's drift reference, `drift-reference.json` in its bundle: the per-example
 * summaries serving logs (packages/ml/src/summary: per-channel mean/std and, for images, the
 * thumbnail embedding, the encoded size), computed by the trainer over the training split with the same code.
 * `rows` is a seeded sample of at most MAX_DRIFT_REFERENCE_ROWS examples, each a row of
 * `columns` values; `count` is how many examples were summarized.
 */
export const MAX_DRIFT_REFERENCE_ROWS = 1_000;
export const DRIFT_REFERENCE_FILE = 'drift-reference.json';

export const tensorDriftReferenceSchema = z
  .object({
    count: z.number().int().nonnegative(),
    columns: z.array(z.string().min(1)).min(1).max(4_096),
    /**
     * Numbers, the embedding as serving logs it (base64 bytes), or null when the example had no
     * value for that column (e.g. no source size).
     */
    rows: z
      .array(z.array(z.union([z.number(), z.string().max(4_096), z.null()])))
      .max(MAX_DRIFT_REFERENCE_ROWS),
  })
  .superRefine((r, ctx) => {
    const bad = r.rows.findIndex((row) => row.length !== r.columns.length);
    if (bad >= 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['rows', bad],
        message: `has ${r.rows[bad]!.length} values for ${r.columns.length} columns`,
      });
  });
export type TensorDriftReference = z.infer<typeof tensorDriftReferenceSchema>;
