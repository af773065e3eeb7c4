import type { FastifyReply } from 'fastify';
import { outOfRangeHeader, type OutOfRange } from '../inference/input-ranges';

/** Names the inputs far outside the training range: `instances[0].x,instances[3].y`. */
export const OUT_OF_RANGE_HEADER = 'x-mlops-out-of-range';

/**
 * Flags a prediction made on inputs far outside the training range: the header on every
 * protocol, and `outOfRange` beside the predictions where the body is ours (TF Serving's extra
 * fields are ignored by its clients). Nothing when every input was in range.
 */
export function flagOutOfRange(
  reply: FastifyReply,
  flagged: readonly OutOfRange[],
): { outOfRange?: OutOfRange[] } {
  if (flagged.length === 0) return {};
  void reply.header(OUT_OF_RANGE_HEADER, outOfRangeHeader(flagged));
  return { outOfRange: flagged.slice(0, 20) };
}
