import {
  AnswerShapeError,
  answeringVersion,
  readPredictions,
  type ReadPrediction,
  type Signature,
} from '@mlops/contracts';

/*
 * What serving's answer to the "Try it" box means for the person reading it: label, every
 * class's probability, the version that answered. The reading itself is the contracts' (shared
 * with `mlops predict`); the box shows the one example it sent.
 */

export { AnswerShapeError };

/** One prediction as the box shows it. */
export interface TryAnswer extends ReadPrediction {
  model: string;
  version: number;
  alias: string | null;
}

/** Serving's answer to one example, read with the signature of the version that answered. */
export function readAnswer(body: unknown, signature: Signature): TryAnswer {
  const { model, predictions } = readPredictions(body, signature);
  const first = predictions[0];
  if (!first) throw new AnswerShapeError('no prediction');
  return { model: model.name, version: model.version, alias: model.alias, ...first };
}

/**
 * Read an answer with the signature of the version that gave it (`signatureOf(version)`, null
 * when the body names none): an alias can move between choosing a model and its answer, and
 * versions of one model may take different inputs.
 */
export function readAnswerOf(
  body: unknown,
  signatureOf: (version: number | null) => Signature,
): TryAnswer {
  return readAnswer(body, signatureOf(answeringVersion(body)));
}
