import { z } from 'zod';
import { aliasNameSchema, resourceNameSchema } from './names';

/**
 * How a run on an image dataset decodes its images: every image is resized to height×width with
 * `channels` (1 grey, 3 RGB), scaled to [0, 1]. The trained model declares the same decoding, so
 * clients send raw JPEG/PNG bytes. Small on purpose: CNNs train on the CPU backend.
 */
export const trainingImageSchema = z
  .object({
    height: z.number().int().min(4).max(256),
    width: z.number().int().min(4).max(256),
    channels: z.union([z.literal(1), z.literal(3)]),
  })
  .strict();
export type TrainingImage = z.infer<typeof trainingImageSchema>;
/** The decoding of an image run that does not declare one. */
export const DEFAULT_TRAINING_IMAGE: TrainingImage = { height: 32, width: 32, channels: 3 };

/**
 * The registered model a transfer run starts from: a version, or the version an alias points at
 * (the registry pins the alias to its version when the run is created, so a retry trains on the
 * same base).
 */
export const transferBaseSchema = z
  .object({
    model: resourceNameSchema,
    version: z.number().int().positive().optional(),
    alias: aliasNameSchema.optional(),
  })
  .strict()
  .refine((b) => (b.version === undefined) !== (b.alias === undefined), {
    message: 'name exactly one of version or alias',
    path: ['version'],
  });
export type TransferBase = z.infer<typeof transferBaseSchema>;

/**
 * Transfer learning on an image dataset: the base (a layers model with one image input) is cut
 * at its penultimate layer, frozen, and a new dense head for the dataset's classes is trained
 * (`epochs` of the hyperparameters). With `unfreezeTopLayers`, a second phase of
 * `fineTuneEpochs` then trains the top N weighted layers of the base too, at
 * `fineTuneLearningRate` (default a tenth of the learning rate).
 */
export const trainingTransferSchema = z
  .object({
    base: transferBaseSchema,
    /** false trains the whole base with the head from the start (no second phase). */
    freeze: z.boolean().default(true),
    unfreezeTopLayers: z.number().int().min(0).max(1_000).default(0),
    fineTuneEpochs: z.number().int().min(1).max(10_000).optional(),
    fineTuneLearningRate: z.number().positive().max(10).optional(),
    /** Hidden dense layers of the new head (relu) before its softmax; default none. */
    headUnits: z.array(z.number().int().min(1).max(4096)).max(4).default([]),
    /**
     * Compute the frozen base's features once and train the head on them, when nothing else
     * changes the base's input each epoch (no augmentation). false always runs the whole model.
     */
    cacheFeatures: z.boolean().default(true),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.freeze && t.unfreezeTopLayers > 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['unfreezeTopLayers'],
        message: 'an unfrozen base already trains every layer; unfreezeTopLayers needs freeze true',
      });
    if (t.unfreezeTopLayers === 0 && (t.fineTuneEpochs ?? t.fineTuneLearningRate) !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['fineTuneEpochs'],
        message: 'the fine-tuning phase runs only with unfreezeTopLayers > 0',
      });
  });
export type TrainingTransfer = z.infer<typeof trainingTransferSchema>;
export type TrainingTransferInput = z.input<typeof trainingTransferSchema>;
